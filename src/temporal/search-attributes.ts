/**
 * Registers the onboarding search attributes (docs/design.md §13) where the server allows it. Temporal
 * Cloud refuses: there they are created once in the Cloud UI, and start-up says so.
 */
import type { Connection } from '@temporalio/client';
import { isGrpcServiceError } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../workflows/messages';
import type { Log } from '../log';

// A CommonJS package: its enums are reached through the default export.
const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;

const INDEXED_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

const TYPE_NAME: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime' };

/** gRPC status codes that matter here. */
const GRPC = { ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12 } as const;

function cloudHint(namespace: string): string {
  const list = SEARCH_ATTRIBUTES.map((key) => `${key.name} (${TYPE_NAME[key.type]})`).join(', ');
  return `create these search attributes for namespace ${namespace} in the Temporal Cloud UI (or with tcld): ${list}`;
}

export async function registerSearchAttributes(connection: Connection, namespace: string, log: Log): Promise<void> {
  let existing: Record<string, temporal.api.enums.v1.IndexedValueType>;
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    existing = { ...listed.systemAttributes, ...listed.customAttributes };
  } catch (error) {
    if (isGrpcServiceError(error) && (error.code === GRPC.PERMISSION_DENIED || error.code === GRPC.UNIMPLEMENTED)) {
      log('temporal.searchAttributes.notManaged', { namespace, action: cloudHint(namespace) });
      return;
    }
    throw error;
  }

  const wrongType = SEARCH_ATTRIBUTES.filter((key) => key.name in existing && existing[key.name] !== INDEXED_TYPE[key.type]);
  if (wrongType.length > 0) {
    const names = wrongType.map((key) => `${key.name} must be ${TYPE_NAME[key.type]}`).join(', ');
    throw new Error(`search attributes of namespace ${namespace} have the wrong type: ${names}`);
  }

  const missing = SEARCH_ATTRIBUTES.filter((key) => !(key.name in existing));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_TYPE[key.type]!])),
    });
    log('temporal.searchAttributes.registered', { namespace, names: missing.map((key) => key.name) });
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === GRPC.ALREADY_EXISTS) return;
    if (isGrpcServiceError(error) && (error.code === GRPC.PERMISSION_DENIED || error.code === GRPC.UNIMPLEMENTED)) {
      log('temporal.searchAttributes.notManaged', { namespace, action: cloudHint(namespace) });
      return;
    }
    throw error;
  }
}
