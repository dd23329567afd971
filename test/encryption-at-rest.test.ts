/**
 * Encryption at rest in Temporal, on a real Temporal dev server of its own (so that no other test
 * file lists these encrypted onboardings with a client that has no key): an onboarding runs with
 * PAYLOAD_ENCRYPTION_KEY through the worker, the client and the IT Glue sweep as the service sets
 * them up. Read back through the server's API without the codec, its history, memo and visibility
 * record hold no name, email address or approval evidence of anyone; the service's own views (the
 * status query, the overview listing, the sweep) work, and the codec endpoint decodes what is
 * stored for whoever has its token only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createItGlueActivities } from '../activities/itglue';
import { ItGlueClient } from '../src/itglue/client';
import { decideApproval, getStatus, listOnboardingOverviews, onboardingQuery, startOnboarding } from '../src/onboardings';
import { encryptionCodec, temporalDataConverter, type PayloadEncryptionKeys } from '../src/temporal/data-converter';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { ENCRYPTED_ENCODING } from '../src/temporal/payload-encryption';
import { createWorkers, type Workers } from '../src/temporal/worker';
import { codecRoutes } from '../src/web/codec-endpoint';
import { startHttpServer, type HttpServer } from '../src/web/server';
import { ensureCustomerGroup, groupCreation, groupCreationWorkflowId } from '../workflows/group-creation';
import { status as statusQuery } from '../workflows/messages';
import type { OnboardingRequest, OnboardingStatus, Person } from '../workflows/types';
import { defaultSeed, makeUser, startFakeItGlue, type FakeItGlue } from './fakes/itglue-server';
import { byQueue, FakeWorld, ORG } from './support/fake-activities';
import { quietRuntime, testPolicy } from './support/temporal';

const History = proto.temporal.api.history.v1.History;
const DescribeResponse = proto.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
const ListResponse = proto.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;

const NAMESPACE = 'default';
const TOKEN = randomBytes(32).toString('hex');
const UI = 'http://localhost:8233';
const tag = randomUUID().slice(0, 8);

/** People whose names and addresses must never be readable in Temporal. */
const INVITEE: Person = { contactId: '7301', name: `Zelda Quixotic${tag}`, firstName: 'Zelda', email: `zelda.quixotic.${tag}@acme-dental.test` };
const APPROVER: Person = { contactId: '7302', name: `Paulina Approverly${tag}`, firstName: 'Paulina', email: `paulina.${tag}@acme-dental.test` };
const EVIDENCE = { ip: '203.0.113.77', userAgent: `EvidenceBrowser/${tag}`, comment: `Approved for ${INVITEE.name}, comment ${tag}` };
const SECRETS = [
  INVITEE.name,
  INVITEE.email,
  INVITEE.email.toLowerCase(),
  'Quixotic',
  APPROVER.name,
  APPROVER.email,
  'Approverly',
  EVIDENCE.ip,
  EVIDENCE.userAgent,
  EVIDENCE.comment,
];

const keys: PayloadEncryptionKeys = { current: randomBytes(32), previous: null };
let server: DevServer;
let connection: Connection;
let native: NativeConnection;
/** The service's client: with the codec. */
let client: Client;
/** What anyone with access to the Temporal server sees: its API, without the codec. */
let plain: Client;
let fake: FakeItGlue;
let itglue: ReturnType<typeof createItGlueActivities>;
let workers: Workers;
let running: Promise<void>;
let http: HttpServer;
const world = new FakeWorld();
const taskQueue = `encrypted-${tag}`;

beforeAll(async () => {
  quietRuntime();
  [server, fake] = await Promise.all([startDevServer({ namespace: NAMESPACE }), startFakeItGlue()]);
  fake.load({ ...defaultSeed(), users: [] });
  connection = await Connection.connect({ address: server.address });
  const dataConverter = temporalDataConverter(keys);
  client = new Client({ connection, namespace: NAMESPACE, dataConverter });
  plain = new Client({ connection, namespace: NAMESPACE });
  native = await NativeConnection.connect({ address: server.address });

  world.contacts.set(INVITEE.contactId, INVITEE).set(APPROVER.contactId, APPROVER);
  world.primaryContactId = APPROVER.contactId;
  // A failure whose message names the invitee: failure texts are encrypted too.
  world.failures.set('updateThread', [new Error(`Slack refused the thread of ${INVITEE.name} <${INVITEE.email}>`)]);
  itglue = createItGlueActivities({
    client: new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 }),
    temporal: client,
    taskQueue,
  });
  // No prebuilt bundle: the workflows are bundled with the data converter's failure converter, as the service does.
  workers = await createWorkers({
    connection: native,
    namespace: NAMESPACE,
    taskQueue,
    activities: byQueue({ ...world.activities(), sweepUsers: itglue.sweepUsers }),
    itglueActivitiesPerSecond: 1_000,
    dataConverter,
  });
  running = workers.run();

  const log = () => undefined;
  http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log,
    routes: codecRoutes({ codec: encryptionCodec(keys), authToken: TOKEN, corsOrigins: [UI], namespace: NAMESPACE, log }),
  });
}, 180_000);

afterAll(async () => {
  world.releaseHolds();
  await workers?.shutdown();
  await running?.catch(() => undefined);
  await http?.close();
  await connection?.close();
  await native?.close();
  await fake?.close();
  await server?.stop();
});

const request: OnboardingRequest = { orgId: ORG.id, contactId: INVITEE.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1', ticket: `T-${tag}` };
let workflowId = '';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

const statusUntil = async (what: string, ok: (s: OnboardingStatus) => boolean): Promise<OnboardingStatus> => {
  let seen: OnboardingStatus | null = null;
  await until(what, async () => ok((seen = await getStatus(client, workflowId))));
  return seen!;
};

/** Everything the server holds of the onboarding, as raw bytes: its history, its description (memo, search attributes, pending activities) and its visibility record. */
async function storedBytes(): Promise<{ history: Buffer; describe: Buffer; list: Buffer; all: string }> {
  const history = Buffer.from(History.encode(await plain.workflow.getHandle(workflowId).fetchHistory()).finish());
  const describe = Buffer.from(
    DescribeResponse.encode(await connection.workflowService.describeWorkflowExecution({ namespace: NAMESPACE, execution: { workflowId } })).finish(),
  );
  const list = Buffer.from(
    ListResponse.encode(await connection.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, query: `WorkflowId = "${workflowId}"` })).finish(),
  );
  const all = [history, describe, list].map((b) => b.toString('latin1')).join('\n');
  return { history, describe, list, all };
}

/**
 * Payloads in the raw history (inputs, results, signals, updates, memos, failure attributes), by
 * where they are. Search attributes are not encrypted by design (they are searched by the server),
 * nor are the SDK's own patch markers (a patch name, such as "overview-memo").
 */
function payloadsIn(message: unknown, found: { path: string; payload: Payload }[] = [], path = ''): { path: string; payload: Payload }[] {
  if (message === null || typeof message !== 'object' || message instanceof Uint8Array) return found;
  const record = message as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'data' in record && !Array.isArray(record.metadata)) {
    found.push({ path, payload: record as Payload });
    return found;
  }
  for (const [key, value] of Object.entries(record)) payloadsIn(value, found, `${path}.${key}`);
  return found;
}
const unencryptedByDesign = (path: string) => path.includes('.searchAttributes.') || path.includes('.markerRecordedEventAttributes.details.patch-data.');

it('runs an onboarding with encryption on: status query, update, sweep and overview listing all work', async () => {
  const started = await startOnboarding(client, taskQueue, request, testPolicy());
  workflowId = started.workflowId;

  const waiting = await statusUntil('the approval request', (s) => s.stage === 'AWAITING_APPROVAL' && s.approvalRound > 0);
  expect(waiting.invitee?.email).toBe(INVITEE.email);
  expect(waiting.approver?.name).toBe(APPROVER.name);
  // The Slack step failed once (its message naming the invitee) and was retried.
  expect(world.callsOf('updateThread').length).toBeGreaterThanOrEqual(2);

  const decided = await decideApproval(client, workflowId, {
    decision: 'approve',
    round: waiting.approvalRound,
    approverContactId: APPROVER.contactId,
    ...EVIDENCE,
  });
  expect(decided.decision).toBe('approve');
  const invited = await statusUntil('the invitation step', (s) => s.stage === 'AWAITING_INVITE');
  expect(invited.evidence).toMatchObject({ via: 'link', ip: EVIDENCE.ip, userAgent: EVIDENCE.userAgent, comment: EVIDENCE.comment });

  // The overview listing draws names from the memo, decrypted by the client.
  await until('the overview in the listing', async () => {
    const listed = await listOnboardingOverviews(client, onboardingQuery({ open: true }));
    const mine = listed.find((o) => o.workflowId === workflowId);
    return mine?.overview?.inviteeName === INVITEE.name && mine.overview.stage === 'AWAITING_INVITE';
  });

  // The IT Glue sweep matches users to onboardings by the email in the memo.
  fake.data.users.push(makeUser({ id: '99001', email: INVITEE.email.toUpperCase(), 'invitation-sent-at': new Date().toISOString() }));
  await until('the sweep to find the user', async () => (await itglue.sweepUsers()).signalled >= 1, 30_000);
  const found = await statusUntil('the user seen by the onboarding', (s) => s.user !== null);
  expect(found.user?.id).toBe('99001');
});

it('stores no name, email address or evidence readable without the key: history, memo, visibility', async () => {
  const { history, describe, all } = await storedBytes();
  const lower = all.toLowerCase();
  for (const secret of SECRETS) expect(lower, `"${secret}" is readable in Temporal`).not.toContain(secret.toLowerCase());
  // Not even in a failure: messages and stack traces are in encrypted attributes.
  expect(history.toString('latin1')).toContain('Encoded failure');

  // Everything that is a payload is encrypted: inputs, results, signals, the update, memos, failure attributes.
  const events = await plain.workflow.getHandle(workflowId).fetchHistory();
  const found = payloadsIn(events);
  const payloads = found.filter((f) => !unencryptedByDesign(f.path));
  expect(payloads.length).toBeGreaterThan(20);
  const plaintext = payloads.filter((f) => Buffer.from(f.payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING).map((f) => f.path);
  expect(plaintext).toEqual([]);
  // Among them: the workflow's input, an activity's failure (in the retried activity's last failure), the update's arguments, a memo, a signal.
  for (const where of [
    'workflowExecutionStartedEventAttributes.input',
    'lastFailure.encodedAttributes',
    'workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest.input.args',
    'upsertedMemo',
    'workflowExecutionSignaledEventAttributes.input',
  ]) {
    expect(
      payloads.some((f) => f.path.includes(where)),
      where,
    ).toBe(true);
  }
  // What is left unencrypted holds the search attributes and patch names only.
  const searchable = found.filter((f) => unencryptedByDesign(f.path)).map((f) => f.path.replace(/^\.events\.\d+/, ''));
  for (const path of searchable)
    expect(path).toMatch(
      /\.(searchAttributes\.indexedFields\.(Onboarding(Stage|OrgId|RequestedBy|Kind|Deadline)|TemporalChangeVersion)|details\.patch-data\.payloads\.\d+)$/,
    );

  // The memo is there, encrypted, under its keys; the search attributes hold no person.
  const described = await connection.workflowService.describeWorkflowExecution({ namespace: NAMESPACE, execution: { workflowId } });
  const memo = described.workflowExecutionInfo?.memo?.fields ?? {};
  expect(Object.keys(memo).sort()).toEqual(['inviteeEmail', 'overview', 'userFingerprint'].sort());
  for (const field of Object.values(memo)) expect(Buffer.from(field.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
  const attributes = described.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
  expect(Object.keys(attributes)).toEqual(expect.arrayContaining(['OnboardingStage', 'OnboardingOrgId', 'OnboardingRequestedBy', 'OnboardingKind']));
  expect(describe.length).toBeGreaterThan(0);

  // A client without the key cannot read the status or the memo.
  await expect(plain.workflow.getHandle(workflowId).query(statusQuery)).rejects.toThrow(/encoding/i);
  await expect(plain.workflow.getHandle(workflowId).describe()).rejects.toThrow(/encoding/i);
});

it('decodes what is stored through the codec endpoint, with its token only', async () => {
  const events = await plain.workflow.getHandle(workflowId).fetchHistory();
  const stored = payloadsIn(events)
    .filter((f) => !unencryptedByDesign(f.path))
    .map(({ payload: p }) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? []).toString('base64'),
    }));
  const post = (headers: Record<string, string>) =>
    fetch(`http://127.0.0.1:${http.port}/codec/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': NAMESPACE, Origin: UI, ...headers },
      body: JSON.stringify({ payloads: stored }),
    });

  const decoded = await post({ Authorization: `Bearer ${TOKEN}` });
  expect(decoded.status).toBe(200);
  const { payloads } = (await decoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  expect(payloads).toHaveLength(stored.length);
  const values = payloads.map((p) =>
    defaultPayloadConverter.fromPayload({
      metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data, 'base64'),
    }),
  );
  const text = JSON.stringify(values);
  for (const secret of [INVITEE.name, INVITEE.email, APPROVER.email, EVIDENCE.userAgent, `Slack refused the thread of ${INVITEE.name}`]) expect(text).toContain(secret);

  for (const headers of [{}, { Authorization: 'Bearer wrong-token' }, { Authorization: TOKEN }] as Record<string, string>[]) {
    const refused = await post(headers);
    expect(refused.status).toBe(401);
    const body = await refused.text();
    for (const secret of SECRETS) expect(body).not.toContain(secret);
  }

  const preflight = (origin: string) =>
    fetch(`http://127.0.0.1:${http.port}/codec/decode`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
    });
  const allowed = await preflight(UI);
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(UI);
  const other = await preflight('https://evil.example');
  expect(other.status).toBe(403);
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
});

it('encrypts a failure raised inside the workflow (an Update that fails), which the client reads back', async () => {
  const orgId = `group-${tag}`;
  const groupName = `Customer ${INVITEE.name}`;
  world.failures.set('createCustomerGroup', [ApplicationFailure.nonRetryable(`IT Glue refused the group of ${INVITEE.name} <${INVITEE.email}>`, 'Refused')]);
  const handle = await client.workflow.start(groupCreation, { taskQueue, workflowId: groupCreationWorkflowId(orgId), args: [orgId] });
  const error = await handle.executeUpdate(ensureCustomerGroup, { args: [groupName] }).then(
    () => new Error('the update succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((error as WorkflowUpdateFailedError).cause?.message).toBe(`IT Glue refused the group of ${INVITEE.name} <${INVITEE.email}>`);

  const history = await plain.workflow.getHandle(handle.workflowId).fetchHistory();
  const raw = Buffer.from(History.encode(history).finish()).toString('latin1').toLowerCase();
  for (const secret of [INVITEE.name, INVITEE.email, 'Quixotic']) expect(raw).not.toContain(secret.toLowerCase());
  const completed = history.events?.find((e) => e.workflowExecutionUpdateCompletedEventAttributes)?.workflowExecutionUpdateCompletedEventAttributes;
  const failure = completed?.outcome?.failure;
  expect(failure?.message).toBe('Encoded failure');
  expect(Buffer.from(failure?.encodedAttributes?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
  await handle.terminate('test over');
});

it('fails clearly, never with plaintext, when the key is not the one the history was written with', async () => {
  const stranger = new Client({ connection, namespace: NAMESPACE, dataConverter: temporalDataConverter({ current: randomBytes(32), previous: null }) });
  await expect(stranger.workflow.getHandle(workflowId).query(statusQuery)).rejects.toThrow(/key id [0-9a-f]{16}, which is neither PAYLOAD_ENCRYPTION_KEY/);
  // After a rotation (the old key as the previous one) everything still reads.
  const rotated = new Client({ connection, namespace: NAMESPACE, dataConverter: temporalDataConverter({ current: randomBytes(32), previous: keys.current }) });
  const s = await getStatus(rotated, workflowId);
  expect(s.invitee?.email).toBe(INVITEE.email);
  await client.workflow.getHandle(workflowId).terminate('test over');
});
