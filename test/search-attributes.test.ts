/** Registering the onboarding search attributes on a namespace that has none (a real dev server). */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Log } from '../src/log';
import { registerSearchAttributes } from '../src/temporal/search-attributes';
import { SEARCH_ATTRIBUTES } from '../workflows/messages';

let connection: Connection;
const namespace = `sa-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
});

afterAll(async () => {
  await connection.close();
});

it('adds the missing attributes once, then finds nothing to do', async () => {
  const lines: Array<{ event: string; fields: Record<string, unknown> }> = [];
  const log: Log = (event, fields) => lines.push({ event, fields });

  await registerSearchAttributes(connection, namespace, log);
  expect(lines).toEqual([{ event: 'temporal.searchAttributes.registered', fields: { namespace, names: SEARCH_ATTRIBUTES.map((key) => key.name) } }]);
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  for (const key of SEARCH_ATTRIBUTES) expect(customAttributes).toHaveProperty(key.name);

  await registerSearchAttributes(connection, namespace, log);
  expect(lines).toHaveLength(1);
});
