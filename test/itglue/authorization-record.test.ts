/**
 * The authorization record's single writer (workflows/authorization-record.ts) with the real IT
 * Glue activities against the fake IT Glue server, on the test Temporal server: concurrent records
 * at one customer keep every contact and every other trait, written one at a time; the reasons an
 * onboarding stalls with; the IT Glue requests; and histories that replay.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { recordAuthorizations } from '../../src/itglue/authorization';
import { ItGlueClient } from '../../src/itglue/client';
import { ItGlueDirectory } from '../../src/itglue/directory';
import { authorizationRecordWorkflowId } from '../../workflows/authorization-record';
import { decide, resume } from '../../workflows/messages';
import { onboarding } from '../../workflows/onboarding';
import type { Policy } from '../../workflows/policy';
import { workflowIdFor, type OnboardingRequest, type OnboardingStatus } from '../../workflows/types';
import {
  defaultSeed,
  makeContact,
  makeFlexibleAsset,
  makeOrganization,
  SEED,
  startFakeItGlue,
  type FakeContact,
  type FakeItGlue,
  type RecordedRequest,
} from '../fakes/itglue-server';
import { FakeWorld } from '../support/fake-activities';
import { connectTemporal, endAuthorizationWriters, testPolicy, waitForApprovalRequest, waitForStage, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
let fake: FakeItGlue;
let itglue: ReturnType<typeof createItGlueActivities>;
let stopWorkers: () => Promise<void>;
let started: WorkflowHandle[] = [];
const stopListening: (() => void)[] = [];

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeItGlue()]);
  // As the service builds it: a failed request fails the activity, which Temporal retries.
  const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
  itglue = createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
  // Mail and Slack are recorded by the fakes; every IT Glue activity is the real one.
  stopWorkers = await temporal.startWorkers({ ...new FakeWorld().activities(), ...itglue });
});
afterAll(async () => {
  await endAuthorizationWriters(
    temporal.client,
    customers.map((c) => c.orgId),
  );
  await stopWorkers();
  await Promise.all([temporal.close(), fake.close()]);
});
beforeEach(() => {
  fake.load(defaultSeed());
  fake.reset();
});
afterEach(async () => {
  for (const stop of stopListening.splice(0)) stop();
  await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
  started = [];
});

// ---- helpers ---------------------------------------------------------------------------------

const POLICY: Policy = testPolicy({ authorization: { record: true } });
const FIELD = POLICY.authorization.fieldNameKey;

interface Customer {
  orgId: string;
  assetId: string;
  primaryId: string;
  /** Contacts with an email, not yet IT Glue users. */
  invitees: string[];
}

/**
 * Records get ids from this base. Each organization's record has one writer workflow
 * (`itglue-authorization:<orgId>`) for the whole namespace: organizations of this run's own keep
 * this file's writes on this file's workers and fake.
 */
let nextId = randomInt(10_000, 90_000) * 100_000;
const newId = () => String((nextId += 1));
const customers: Customer[] = [];

/** A customer like Acme Dental: a primary contact, `invitees` more contacts, and a Site Summary (unless told not to). */
function newCustomer(invitees: number, { asset = true } = {}): Customer {
  const orgId = newId();
  fake.data.organizations.push(makeOrganization({ id: orgId, name: `Customer ${orgId}` }));
  const person = (first: string, over: Partial<FakeContact> = {}) => {
    const id = newId();
    fake.data.contacts.push(
      makeContact({ id, 'organization-id': orgId, 'first-name': first, 'last-name': id, email: `${first.toLowerCase()}.${id}@customer.test`, ...over }),
    );
    return id;
  };
  const primaryId = person('Pam', { 'contact-type-id': SEED.contactType.primary });
  const customer: Customer = { orgId, assetId: newId(), primaryId, invitees: Array.from({ length: invitees }, (_, i) => person(`Invitee${i}`)) };
  if (asset) addSiteSummary(customer);
  customers.push(customer);
  return customer;
}

function addSiteSummary(customer: Customer, assetId = customer.assetId) {
  fake.data.flexibleAssets.push(
    makeFlexibleAsset({
      id: assetId,
      'organization-id': customer.orgId,
      'flexible-asset-type-id': SEED.flexibleAssetType.siteSummary,
      traits: {
        'site-name': `Customer ${customer.orgId} - Main Office`,
        [FIELD]: [customer.primaryId],
        'internet-provider': 'Comcast Business',
        'after-hours-access': true,
        notes: 'Alarm code is with the office manager.',
      },
    }),
  );
}

const traitsOf = (customer: Customer) => fake.data.flexibleAssets.find((a) => a.id === customer.assetId)!.traits;
const authorized = (customer: Customer) => (traitsOf(customer)[FIELD] as string[]).map(String);
const withoutField = (traits: Record<string, unknown>) => Object.fromEntries(Object.entries(traits).filter(([key]) => key !== FIELD));

const isAssetRequest = (r: RecordedRequest) => r.path.startsWith('/flexible_assets');
const patches = () => fake.requests.filter((r) => r.method === 'PATCH' && isAssetRequest(r));

/**
 * Watches the requests for the Site Summary: each that arrives while another is still unanswered
 * is an overlap (two read-modify-writes interleaved).
 */
function watchOverlaps(): string[] {
  const overlaps: string[] = [];
  stopListening.push(
    fake.onRequest((request) => {
      if (!isAssetRequest(request)) return;
      const open = fake.requests.filter((r) => r !== request && isAssetRequest(r) && r.status === 0 && !r.aborted);
      if (open.length > 0) overlaps.push(`${request.method} ${request.path} while ${open.map((r) => `${r.method} ${r.path}`).join(', ')} was unanswered`);
    }),
  );
  return overlaps;
}

const record = (customer: Customer, contactId: string) => itglue.recordAuthorization({ orgId: customer.orgId, contactId, policy: POLICY });

async function startOnboarding(customer: Customer, contactId: string): Promise<WorkflowHandle<typeof onboarding>> {
  const request: OnboardingRequest = { orgId: customer.orgId, contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1' };
  const handle = await temporal.client.workflow.start(onboarding, {
    taskQueue: temporal.taskQueue,
    workflowId: `${workflowIdFor(customer.orgId, contactId)}:${randomUUID().slice(0, 8)}`,
    args: [{ request, policy: POLICY }],
  });
  started.push(handle);
  return handle;
}

const approve = (handle: WorkflowHandle<typeof onboarding>, s: OnboardingStatus) =>
  handle.executeUpdate(decide, { args: [{ decision: 'approve', round: s.approvalRound, approverContactId: s.approver!.contactId }] });

// ---- tests -----------------------------------------------------------------------------------

describe('one writer per Site Summary', () => {
  it('is needed: two direct read-modify-writes at once lose a contact', async () => {
    const customer = newCustomer(2);
    const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
    const directory = new ItGlueDirectory(client);
    const overlaps = watchOverlaps();
    // Both read the old field before either write lands.
    fake.delayNext({ ms: 300, times: 2, method: 'PATCH' });
    await Promise.all(
      customer.invitees.map((contactId) =>
        recordAuthorizations(client, directory, { orgId: customer.orgId, contactIds: [contactId], assetTypeName: 'Site Summary', fieldNameKey: FIELD }),
      ),
    );
    expect(patches()).toHaveLength(2);
    expect(customer.invitees.every((id) => authorized(customer).includes(id))).toBe(false);
    // What the tests below check never happens through the writer.
    expect(overlaps.length).toBeGreaterThan(0);
  });

  it('keeps every contact and every other trait when six records at one customer are asked for at once, writing one at a time', async () => {
    const customer = newCustomer(6);
    const [early, ...rest] = customer.invitees as [string, ...string[]];
    const before = structuredClone(traitsOf(customer));
    const overlaps = watchOverlaps();
    // Slow reads and writes: without the single writer these would interleave (the test above).
    fake.delayNext({ ms: 150, times: 20, method: 'GET', path: '/flexible_assets' });
    fake.delayNext({ ms: 500, times: 20, method: 'PATCH' });
    const firstWrite = new Promise<void>((arrived) => {
      stopListening.push(fake.onRequest((r) => r.method === 'PATCH' && arrived()));
    });

    // One record is being written when the five others are asked for.
    const results = [record(customer, early)];
    await firstWrite;
    results.push(...rest.map((contactId) => record(customer, contactId)));
    await Promise.all(results);

    expect(authorized(customer).sort()).toEqual([customer.primaryId, ...customer.invitees].sort());
    expect(withoutField(traitsOf(customer))).toEqual(withoutField(before));
    // Every write sends every trait back, and the ones that waited went together.
    const writes = patches();
    console.log(`6 concurrent records at one customer: ${writes.length} writes`);
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.length).toBeLessThan(customer.invitees.length);
    expect(writes.map((w) => w.status)).toEqual(writes.map(() => 200));
    for (const w of writes) {
      expect(Object.keys((w.body as { data: { attributes: { traits: object } } }).data.attributes.traits).sort()).toEqual(Object.keys(before).sort());
    }
    expect(overlaps).toEqual([]);
  });

  it('records the contacts of three onboardings at one customer approved at the same moment', async () => {
    const customer = newCustomer(3);
    const before = structuredClone(traitsOf(customer));
    const overlaps = watchOverlaps();
    fake.delayNext({ ms: 300, times: 10, method: 'PATCH' });
    const handles = await Promise.all(customer.invitees.map((contactId) => startOnboarding(customer, contactId)));
    const waiting = await Promise.all(handles.map((h) => waitForApprovalRequest(h)));
    expect(waiting.map((s) => s.approver?.contactId)).toEqual(customer.invitees.map(() => customer.primaryId));

    await Promise.all(handles.map((h, i) => approve(h, waiting[i]!)));
    const done = await Promise.all(handles.map((h) => waitForStage(h, 'AWAITING_INVITE')));

    for (const s of done) {
      expect(s.stages.map((v) => v.stage)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'RECORDING_AUTHORIZATION', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE']);
      expect(s.events.map((e) => e.type)).toContain('authorization-recorded');
    }
    expect(authorized(customer).sort()).toEqual([customer.primaryId, ...customer.invitees].sort());
    expect(withoutField(traitsOf(customer))).toEqual(withoutField(before));
    expect(patches().length).toBeGreaterThanOrEqual(1);
    expect(patches().length).toBeLessThanOrEqual(customer.invitees.length);
    expect(overlaps).toEqual([]);
  });

  it('writes nothing for a contact already recorded, and the onboarding activity itself sends IT Glue no request', async () => {
    const customer = newCustomer(1);
    // An activity object of its own, so that its client counts only its own requests; the writer's
    // activity runs on the workers' client.
    const own = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
    const caller = createItGlueActivities({ client: own, temporal: temporal.client, taskQueue: temporal.taskQueue });

    await caller.recordAuthorization({ orgId: customer.orgId, contactId: customer.primaryId, policy: POLICY });
    expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(authorized(customer)).toEqual([customer.primaryId]);

    await caller.recordAuthorization({ orgId: customer.orgId, contactId: customer.invitees[0]!, policy: POLICY });
    expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET', 'PATCH']);
    expect(authorized(customer)).toEqual([customer.primaryId, customer.invitees[0]]);
    expect(own.requestCount).toBe(0);
  });

  it('adds several contacts in one write, sending back every trait, and none when all are there', async () => {
    const customer = newCustomer(2);
    const before = structuredClone(traitsOf(customer));
    const added = await itglue.recordAuthorizedContacts({
      orgId: customer.orgId,
      contactIds: [customer.primaryId, ...customer.invitees, customer.invitees[0]!],
      assetTypeName: 'Site Summary',
      fieldNameKey: FIELD,
    });
    expect(added).toEqual({ contactIds: [customer.primaryId, ...customer.invitees], added: customer.invitees });
    expect(patches()).toHaveLength(1);
    // Tags go back as id lists, every other trait as it was read.
    expect((patches()[0]!.body as { data: { attributes: { traits: object } } }).data.attributes.traits).toEqual({
      ...before,
      [FIELD]: [customer.primaryId, ...customer.invitees].map(Number),
    });
    expect(traitsOf(customer)).toEqual({ ...before, [FIELD]: [customer.primaryId, ...customer.invitees] });

    fake.reset();
    const again = await itglue.recordAuthorizedContacts({ orgId: customer.orgId, contactIds: customer.invitees, assetTypeName: 'Site Summary', fieldNameKey: FIELD });
    expect(again).toEqual({ contactIds: [customer.primaryId, ...customer.invitees], added: [] });
    expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });
});

describe('failures', () => {
  it('stalls the onboarding with the reason when the organization has no Site Summary, and records once it is created and resumed', async () => {
    const customer = newCustomer(1, { asset: false });
    const handle = await startOnboarding(customer, customer.invitees[0]!);
    await approve(handle, await waitForApprovalRequest(handle));
    const stalled = await waitForStage(handle, 'STALLED');
    expect(stalled.stalledFrom).toBe('RECORDING_AUTHORIZATION');
    expect(stalled.reason).toBe(`RECORDING_AUTHORIZATION failed: organization ${customer.orgId} has no "Site Summary" flexible asset: create it, then resume`);
    // Not retried: one look, no write.
    expect(fake.requests.filter(isAssetRequest).map((r) => r.method)).toEqual(['GET']);

    addSiteSummary(customer);
    await handle.signal(resume, { by: 'UMANAGER' });
    await waitForStage(handle, 'AWAITING_INVITE');
    expect(authorized(customer)).toEqual([customer.primaryId, customer.invitees[0]]);
  });

  it('fails without retrying, with a clear reason, when the organization has several Site Summaries', async () => {
    const customer = newCustomer(1);
    addSiteSummary(customer, newId());
    await expect(record(customer, customer.invitees[0]!)).rejects.toMatchObject({
      name: 'ApplicationFailure',
      type: 'ItGlue.invalid',
      nonRetryable: true,
      message: `organization ${customer.orgId} has 2 "Site Summary" assets: keep one, then resume`,
    });
    expect(patches()).toEqual([]);
  });

  it('fails only the contact IT Glue refuses (422), not the others written with it', async () => {
    const customer = newCustomer(2);
    const [first, second] = customer.invitees as [string, string];
    const unknown = newId(); // no such contact: IT Glue refuses to tag it
    // The first write is held, so that the next two wait and go together.
    fake.delayNext({ ms: 1_000, times: 1, method: 'PATCH' });
    const firstWrite = new Promise<void>((arrived) => {
      stopListening.push(fake.onRequest((r) => r.method === 'PATCH' && arrived()));
    });
    const results = [record(customer, first)];
    await firstWrite;
    results.push(record(customer, second), record(customer, unknown));
    const [a, b, c] = await Promise.allSettled(results);

    expect(a).toEqual({ status: 'fulfilled', value: undefined });
    expect(b).toEqual({ status: 'fulfilled', value: undefined });
    expect(c).toMatchObject({
      status: 'rejected',
      reason: {
        name: 'ApplicationFailure',
        type: 'ItGlue.invalid',
        nonRetryable: true,
        message: expect.stringMatching(/^IT Glue refused the request \(422, PATCH .*no Contacts with id/),
      },
    });
    // The first alone; the two together, refused; then each on its own (in the order they came).
    const writes = patches().map((w) => ({
      status: w.status,
      field: ((w.body as { data: { attributes: { traits: Record<string, unknown> } } }).data.attributes.traits[FIELD] as number[]).map(String).sort(),
    }));
    expect(writes.slice(0, 2)).toEqual([
      { status: 200, field: [customer.primaryId, first].sort() },
      { status: 422, field: [customer.primaryId, first, second, unknown].sort() },
    ]);
    expect(
      writes
        .slice(2)
        .map((w) => w.status)
        .sort(),
    ).toEqual([200, 422]);
    expect(writes.slice(2).find((w) => w.status === 200)!.field).toEqual([customer.primaryId, first, second].sort());
    expect(authorized(customer)).toEqual([customer.primaryId, first, second]);
  });

  it('waits out a failed write: the writer retries it', async () => {
    const customer = newCustomer(1);
    fake.failNext({ status: 503, times: 1, method: 'PATCH' });
    await record(customer, customer.invitees[0]!);
    expect(patches().map((w) => w.status)).toEqual([503, 200]);
    expect(authorized(customer)).toEqual([customer.primaryId, customer.invitees[0]]);
  });
});

describe('replay', () => {
  const History = proto.api.history.v1.History;
  type Event = proto.api.history.v1.IHistoryEvent;

  async function replay(histories: { workflowId: string; history: proto.api.history.v1.IHistory }[]) {
    const failures: string[] = [];
    const code = readFileSync(inject('workflowBundlePath'), 'utf8');
    for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    return failures;
  }

  /** The onboarding's recordAuthorization command: activity, queue and the input's fields. */
  function recordCommand(events: Event[]) {
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordAuthorization')!.activityTaskScheduledEventAttributes!;
    const input = defaultPayloadConverter.fromPayload<Record<string, unknown>>(scheduled.input!.payloads![0]!);
    return { activity: scheduled.activityType!.name, queueSuffix: scheduled.taskQueue!.name!.replace(/^.*-itglue$/, '-itglue'), fields: Object.keys(input).sort() };
  }

  it("replays the histories of onboardings recorded through the writer, and the writer's own; the onboarding schedules the same command as before", async () => {
    const customer = newCustomer(2);
    fake.delayNext({ ms: 300, times: 4, method: 'PATCH' });
    const handles = await Promise.all(customer.invitees.map((contactId) => startOnboarding(customer, contactId)));
    const waiting = await Promise.all(handles.map((h) => waitForApprovalRequest(h)));
    await Promise.all(handles.map((h, i) => approve(h, waiting[i]!)));
    await Promise.all(handles.map((h) => waitForStage(h, 'AWAITING_INVITE')));
    expect(authorized(customer).sort()).toEqual([customer.primaryId, ...customer.invitees].sort());

    const writer = temporal.client.workflow.getHandle(authorizationRecordWorkflowId(customer.orgId));
    const histories = [
      ...(await Promise.all(handles.map(async (h) => ({ workflowId: h.workflowId, history: await h.fetchHistory() })))),
      { workflowId: writer.workflowId, history: await writer.fetchHistory() },
    ];
    const writerEvents = histories.at(-1)!.history.events!;
    expect(writerEvents.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length).toBe(2);
    expect(await replay(histories)).toEqual([]);

    // A history recorded before the writer existed: the onboarding's command is the same.
    const fixture = History.fromObject(JSON.parse(readFileSync(new URL('../fixtures/histories/approvedAndSignedIn-0.json', import.meta.url), 'utf8')));
    const committed = recordCommand(fixture.events);
    expect(committed).toEqual({ activity: 'recordAuthorization', queueSuffix: '-itglue', fields: ['contactId', 'orgId', 'policy'] });
    for (const { history } of histories.slice(0, -1)) expect(recordCommand(history.events!)).toEqual(committed);
  });
});
