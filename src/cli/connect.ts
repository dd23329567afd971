/**
 * The CLI's Temporal client: TEMPORAL_ADDRESS when set, otherwise the running service's embedded
 * server (its address is in DATA_DIR/temporal.address while the service runs).
 */
import { Client, type Connection } from '@temporalio/client';
import type { Config } from '../config';
import { connectClient, isReachable } from '../temporal/connection';
import { temporalDataConverter } from '../temporal/data-converter';
import { readEmbeddedAddress } from '../temporal/embedded-server';

/** Temporal cannot be reached; the message says what to do. */
export class NotConnectedError extends Error {
  override readonly name = 'NotConnectedError';
}

export const SERVICE_NOT_RUNNING = 'the service is not running: start it with npm start';

export async function connectCli(config: Config): Promise<{ client: Client; connection: Connection }> {
  const configured = config.temporal.address;
  const address = configured ?? readEmbeddedAddress(config.dataDir);
  if (!address) throw new NotConnectedError(SERVICE_NOT_RUNNING);
  const unreachable = () => new NotConnectedError(configured ? `cannot reach Temporal at ${configured} (TEMPORAL_ADDRESS)` : SERVICE_NOT_RUNNING);

  const connection = await connectClient(config.temporal, address, 3_000).catch(() => {
    throw unreachable();
  });
  if (!(await isReachable(connection, 3_000))) {
    await connection.close();
    throw unreachable();
  }
  // The service's encryption (PAYLOAD_ENCRYPTION_KEY): the CLI reads what the service stored, and the service what the CLI sends.
  const dataConverter = temporalDataConverter(config.payloadEncryption);
  return { client: new Client({ connection, namespace: config.temporal.namespace, dataConverter }), connection };
}
