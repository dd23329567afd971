/**
 * Encryption at rest in Temporal, against the running service with PAYLOAD_ENCRYPTION_KEY set:
 * an onboarding runs from /invite-lite to COMPLETED (the IT Glue sweep finding the user, the
 * managers' /onboarding-status list drawn from the memo); then what the Temporal server holds of
 * it, read through the server's API without the codec (history, description with memo and search
 * attributes, visibility list), contains no name or email address of the invitee or approver. The
 * codec endpoint the service serves for the Temporal UI decodes that history with its token,
 * refuses without it, and answers CORS preflights for the UI's origin only.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { temporalDataConverter } from '../src/temporal/data-converter';
import { ENCRYPTED_ENCODING, encryptionKey } from '../src/temporal/payload-encryption';
import { launchBrowser, newInvitee, prepareItGlue, PRIMARY, runOnboarding, type Invitee } from './support/people';
import { record } from './support/results';
import { PEOPLE, startStack, type Stack } from './support/stack';

const History = proto.temporal.api.history.v1.History;
const DescribeResponse = proto.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
const ListResponse = proto.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;

const KEY = randomBytes(32);
const TOKEN = randomBytes(32).toString('hex');
const UI = 'http://localhost:8233';

let stack: Stack;
let browser: Browser;
let invitee: Invitee;
let workflowId = '';
let checks = 0;
let serverErrors = 0;
/** The Temporal server's API without the codec: what anyone with access to Temporal sees. */
let plain: { connection: Connection; client: Client } | null = null;

/** An assertion that counts as one check. */
const check = (actual: unknown, label: string) => {
  checks += 1;
  return expect(actual, label);
};
const seen = (response: Response) => {
  if (response.status >= 500) serverErrors += 1;
  return response;
};

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startStack({
      env: { PAYLOAD_ENCRYPTION_KEY: KEY.toString('base64'), CODEC_AUTH_TOKEN: TOKEN, CODEC_CORS_ORIGIN: UI },
      // The stack's own status reads are the service's: with the key.
      dataConverter: temporalDataConverter({ current: KEY, previous: null }),
    }),
    launchBrowser(),
  ]);
  prepareItGlue(stack);
  invitee = newInvitee(stack, 'Cipher');
});

afterAll(async () => {
  await plain?.connection.close();
  await browser?.close();
  await stack?.close();
});

async function plainClient(): Promise<{ connection: Connection; client: Client }> {
  if (!plain) {
    const connection = await Connection.connect({ address: stack.service().ready.temporal });
    plain = { connection, client: new Client({ connection, namespace: 'default' }) };
  }
  return plain;
}

/** Payloads of a history that a codec encodes: all but search attributes and the SDK's patch markers. */
function encodedPayloads(message: unknown, found: Payload[] = [], path = ''): Payload[] {
  if (message === null || typeof message !== 'object' || message instanceof Uint8Array) return found;
  const record = message as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'data' in record && !Array.isArray(record.metadata)) {
    if (!path.includes('.searchAttributes.') && !path.includes('.patch-data.')) found.push(record as Payload);
    return found;
  }
  for (const [key, value] of Object.entries(record)) encodedPayloads(value, found, `${path}.${key}`);
  return found;
}

it('runs an onboarding with encryption on: Slack, the approval page, the sweep and the status list work', async () => {
  let listedWhileWaiting = '';
  const journey = await runOnboarding(stack, browser, {
    invitee,
    approverContactId: PRIMARY.contactId,
    kind: { kind: 'itglue', passwordAccess: false },
    userId: '8901',
    user: { foundBy: 'sweep' },
    // While the onboarding waits, the manager's /onboarding-status list shows it, names from the memo.
    think: async () => {
      if (listedWhileWaiting) return;
      const before = stack.slack.callsOf('response_url').length;
      seen((await stack.driver.command('/onboarding-status', PEOPLE.manager, '')).response);
      const deadline = Date.now() + 30_000;
      while (stack.slack.callsOf('response_url').length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      listedWhileWaiting = JSON.stringify(
        stack.slack
          .callsOf('response_url')
          .slice(before)
          .map((c) => c.args),
      );
    },
  });
  workflowId = journey.workflowId;
  check(journey.final.stage, 'the onboarding completes').toBe('COMPLETED');
  check(journey.final.invitee?.email, 'the status query reads the invitee').toBe(invitee.email);
  check(journey.final.user?.id, 'the sweep found the IT Glue user (matched by the email in the memo)').toBe('8901');
  check(listedWhileWaiting, "the manager's status list names the invitee").toContain(invitee.firstName);
  check(listedWhileWaiting, "the manager's status list names the invitee").toContain(invitee.lastName);
});

it('stores no name or email address of anyone readable without the key', async () => {
  const { client, connection } = await plainClient();
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const described = await connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
  const listed = await connection.workflowService.listWorkflowExecutions({ namespace: 'default', query: `WorkflowId = "${workflowId}"` });
  const bytes = [History.encode(history).finish(), DescribeResponse.encode(described).finish(), ListResponse.encode(listed).finish()]
    .map((b) => Buffer.from(b).toString('latin1').toLowerCase())
    .join('\n');
  check(bytes.length, 'the history was read').toBeGreaterThan(10_000);
  const people = [invitee.email, `${invitee.firstName} ${invitee.lastName}`, invitee.lastName, PRIMARY.email, PRIMARY.name];
  for (const secret of people) check(bytes, `"${secret}" in what Temporal stores`).not.toContain(secret.toLowerCase());

  const payloads = encodedPayloads(history);
  check(payloads.length, 'payloads in the history').toBeGreaterThan(20);
  const plaintext = payloads.filter((p) => Buffer.from(p.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING);
  check(plaintext.length, 'payloads stored unencrypted').toBe(0);
  const memo = described.workflowExecutionInfo?.memo?.fields ?? {};
  check(Object.keys(memo).length, 'memo fields').toBeGreaterThan(0);
  for (const [key, field] of Object.entries(memo)) {
    check(Buffer.from(field.metadata?.encoding ?? []).toString(), `memo ${key} encrypted`).toBe(ENCRYPTED_ENCODING);
  }
  // Without the key, the status cannot be read.
  await expect(client.workflow.getHandle(workflowId).query('status')).rejects.toThrow(/encoding/i);
  checks += 1;
});

it('decodes the history through the codec endpoint with its token, and refuses without it', async () => {
  const { client } = await plainClient();
  const stored = encodedPayloads(await client.workflow.getHandle(workflowId).fetchHistory()).map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  }));
  const post = async (headers: Record<string, string>) =>
    seen(
      await fetch(`${stack.base}/codec/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI, ...headers },
        body: JSON.stringify({ payloads: stored }),
      }),
    );

  const decoded = await post({ Authorization: `Bearer ${TOKEN}` });
  check(decoded.status, 'decode with the token').toBe(200);
  check(decoded.headers.get('access-control-allow-origin'), 'readable by the UI').toBe(UI);
  const { payloads } = (await decoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  const text = JSON.stringify(
    payloads.map((p) =>
      defaultPayloadConverter.fromPayload({
        metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        data: Buffer.from(p.data, 'base64'),
      }),
    ),
  );
  check(text, 'the decoded history holds the invitee').toContain(invitee.email);
  check(text, 'the decoded history holds the approver').toContain(PRIMARY.email);

  for (const [name, headers] of [
    ['no token', {}],
    ['a wrong token', { Authorization: `Bearer ${randomBytes(32).toString('hex')}` }],
    ['the token without its scheme', { Authorization: TOKEN }],
  ] as Array<[string, Record<string, string>]>) {
    const refused = await post(headers);
    check(refused.status, `decode with ${name}`).toBe(401);
    check(await refused.text(), `decode with ${name}: nothing decoded`).not.toContain(invitee.email);
  }

  const preflight = async (origin: string) =>
    seen(
      await fetch(`${stack.base}/codec/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
      }),
    );
  const allowed = await preflight(UI);
  check(allowed.status, 'preflight from the UI origin').toBe(204);
  check(allowed.headers.get('access-control-allow-origin'), 'preflight from the UI origin: allowed').toBe(UI);
  const other = await preflight('https://evil.example');
  check(other.status, 'preflight from another origin').toBe(403);
  check(other.headers.get('access-control-allow-origin'), 'preflight from another origin: no CORS').toBeNull();

  // Neither the key nor the token is ever written to the service's log.
  const log = stack.log().join('\n');
  for (const [name, secret] of [
    ['the key (base64)', KEY.toString('base64')],
    ['the key (hex)', KEY.toString('hex')],
    ['the codec token', TOKEN],
  ]) {
    check(log.includes(secret!), `${name} in the log`).toBe(false);
  }
  const startLine = stack.log().find((line) => line.includes('"temporal.payloadEncryption"')) ?? '';
  check(startLine, 'the start-up log says payloads are encrypted').toContain('"encrypted":true');
  check(startLine, 'the start-up log names the key id').toContain(encryptionKey(KEY).id);
});

afterAll(() => {
  record('encryption at rest', { onboardings: workflowId ? 1 : 0, lost: 0, serverErrors }, `${checks} checks`);
});
