/**
 * The bound on IT Glue requests (src/itglue/budget.ts): the most requests each IT Glue activity
 * and the client make, measured against the fake IT Glue; and two workers polling the IT Glue task
 * queue, which together stay within the bound that the queue's server-side limit gives.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { MAX_REQUESTS_PER_ACTIVITY, queueRequestsPer5Minutes, SCOPE_WATCH_REQUESTS_PER_CHECK } from '../../src/itglue/budget';
import { ItGlueClient } from '../../src/itglue/client';
import { createWorkers } from '../../src/temporal/worker';
import { onboarding } from '../../workflows/onboarding';
import type { Policy } from '../../workflows/policy';
import { workflowIdFor, type ItGlueUser, type OnboardingRequest } from '../../workflows/types';
import { defaultSeed, SEED, startFakeItGlue, type FakeItGlue } from '../fakes/itglue-server';
import { byQueue, FakeWorld } from '../support/fake-activities';
import { connectTemporal, testPolicy, waitForApprovalRequest, type TestTemporal } from '../support/temporal';

/** The IT Glue task queue's limit in this test: activities per second, for both workers together. */
const ACTIVITIES_PER_SECOND = 2;

let temporal: TestTemporal;
let fake: FakeItGlue;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeItGlue()]);
});
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  await Promise.all([temporal.close(), fake.close()]);
});
beforeEach(() => {
  fake.load(defaultSeed());
  fake.reset();
  fake.settings.emailFilter = 'case-insensitive';
  fake.settings.rateLimit = null;
});

function newClient(): ItGlueClient {
  return new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
}

/** One service replica: its own connection, IT Glue client, and main and IT Glue workers on the test's task queues. */
async function startReplica(onValidate: () => void) {
  const connection = await NativeConnection.connect({ address: temporal.address });
  const itglue = createItGlueActivities({ client: newClient(), temporal: temporal.client, taskQueue: temporal.taskQueue });
  const validateRequest: typeof itglue.validateRequest = (...args) => {
    onValidate();
    return itglue.validateRequest(...args);
  };
  const workers = await createWorkers({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    activities: byQueue({ ...new FakeWorld().activities(), ...itglue, validateRequest }),
    itglueActivitiesPerSecond: ACTIVITIES_PER_SECOND,
  });
  const running = workers.run();
  stops.push(async () => {
    await workers.shutdown();
    await running;
    await connection.close();
  });
}

function request(over: Partial<OnboardingRequest> = {}): OnboardingRequest {
  return { orgId: SEED.org.acme, contactId: SEED.contact.inesInvitee, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1', ...over };
}

const tagRule: Policy = {
  ...testPolicy(),
  primaryContact: { kind: 'flexible-asset-tag', assetTypeName: 'Site Summary', fieldNameKey: 'authorized-contacts' },
};
const acme = { id: SEED.org.acme, name: 'Acme Dental' };

/** The UTC day `days` days ago, YYYY-MM-DD. */
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

function savedUser(id: string, email: string, over: Partial<ItGlueUser> = {}): ItGlueUser {
  return { id, email, roleName: 'Lite', myGlue: false, invitationSentAt: null, invitationAcceptedAt: null, currentSignInAt: null, ...over };
}

describe('requests per IT Glue activity', () => {
  it(`is at most ${MAX_REQUESTS_PER_ACTIVITY} for every activity on its longest path`, async () => {
    const client = newClient();
    const itglue = createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
    const acmeSite = fake.data.flexibleAssets.find((a) => a.id === SEED.flexibleAsset.acmeSite)!;
    // One tagged contact, so that the tag rule finds the approver and validation goes on to the groups.
    acmeSite.traits['authorized-contacts'] = [SEED.contact.paulaPrimary];
    // Where IT Glue's email filter is case-sensitive, an address with capitals costs a second look-up.
    fake.settings.emailFilter = 'case-sensitive';

    const paths: [string, () => Promise<unknown>][] = [
      [
        'validateRequest: MyGlue, one group, flexible-asset-tag rule, invitee email with capitals',
        () => itglue.validateRequest(request({ kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: [SEED.group.acmeMyGlue] }), tagRule),
      ],
      [
        'validateRequest: IT Glue, contact-type rule that finds nobody',
        () => itglue.validateRequest(request({ orgId: SEED.org.bluebird, contactId: SEED.contact.blakeBird }), testPolicy()),
      ],
      ['findContact', () => itglue.findContact(SEED.org.acme, SEED.contact.inesInvitee)],
      ['findUser: email with capitals', () => itglue.findUser('Otto.Other@acme-dental.test')],
      [
        'verifyUser: IT Glue, group by name',
        () =>
          itglue.verifyUser({
            request: request(),
            org: acme,
            user: savedUser(SEED.user.ottoAccepted, 'Otto.Other@acme-dental.test'),
            groupNames: ['Customer - No Password Access'],
            policy: testPolicy(),
          }),
      ],
      [
        'verifyUser: MyGlue, one group',
        () =>
          itglue.verifyUser({
            request: request({ kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: [SEED.group.acmeMyGlue] }),
            org: acme,
            user: savedUser(SEED.user.alexMyGlue, 'Alex.Approver@acme-dental.test', { roleName: 'Creator', myGlue: true }),
            groupNames: ['Acme Dental - MyGlue Staff'],
            policy: testPolicy(),
          }),
      ],
      // The onboarding's recordAuthorization only asks the asset's writer (test/itglue/authorization-record.test.ts
      // shows it sends no IT Glue request itself); the writer's activity adds a batch in one write.
      [
        'recordAuthorizedContacts: three contacts in one write',
        () =>
          itglue.recordAuthorizedContacts({
            orgId: SEED.org.acme,
            contactIds: [SEED.contact.inesInvitee, SEED.contact.ottoOther, SEED.contact.alexApprover],
            assetTypeName: testPolicy().authorization.assetTypeName,
            fieldNameKey: testPolicy().authorization.fieldNameKey,
          }),
      ],
      ['addGroupMembers', () => itglue.addGroupMembers(SEED.group.noPasswordAccess, [SEED.user.samPending])],
      // The scope watch's check: a week of the user's activity figures; organization names come from Temporal, not IT Glue.
      [
        'userActivity: a week, other organizations named',
        () => itglue.userActivity({ userId: SEED.user.paulaSignedIn, from: daysAgo(6), to: daysAgo(0), expected: [SEED.org.smith] }),
      ],
    ];
    const counts: Record<string, number> = {};
    for (const [path, run] of paths) {
      const before = client.requestCount;
      await run();
      counts[path] = client.requestCount - before;
    }
    console.log(
      `IT Glue requests per activity:\n${Object.entries(counts)
        .map(([p, n]) => `  ${n}  ${p}`)
        .join('\n')}`,
    );
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    for (const n of Object.values(counts)) expect(n).toBeLessThanOrEqual(MAX_REQUESTS_PER_ACTIVITY);
    // The scope watch's figure in the budget is what a check costs.
    expect(counts['userActivity: a week, other organizations named']).toBe(SCOPE_WATCH_REQUESTS_PER_CHECK);
    // MAX_REQUESTS_PER_ACTIVITY is what the longest path takes, not a guess.
    expect(Math.max(...Object.values(counts))).toBe(MAX_REQUESTS_PER_ACTIVITY);
  });

  it('fails the activity at a failing request, without sending it again (Temporal retries it through the queue)', async () => {
    // As src/service-activities.ts builds it.
    const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey });
    const itglue = createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
    for (const status of [429, 500] as const) {
      fake.reset();
      fake.failFor(10_000, { status });
      await expect(itglue.findUser('otto.other@acme-dental.test')).rejects.toMatchObject({ nonRetryable: false });
      expect(fake.requests.length).toBe(1);
    }
  });
});

describe('the IT Glue task queue shared by two workers', () => {
  it('keeps their requests within the bound its limit gives', async () => {
    // Each activity started on the queue sends at most MAX_REQUESTS_PER_ACTIVITY (the client never
    // sends a request again). The fake's limit relates to that bound as IT Glue's 3000 per
    // 5 minutes relates to the 2400 the configuration allows.
    const boundPerSecond = queueRequestsPer5Minutes(ACTIVITIES_PER_SECOND) / 300;
    const windowMs = 10_000;
    fake.settings.rateLimit = { requests: Math.round((boundPerSecond * windowMs) / 1000 / 0.8), windowMs };

    const starts: { at: number; replica: number }[] = [];
    await startReplica(() => starts.push({ at: Date.now(), replica: 0 }));
    await startReplica(() => starts.push({ at: Date.now(), replica: 1 }));

    const count = 30;
    const started = Date.now();
    const handles = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        temporal.client.workflow.start(onboarding, {
          taskQueue: temporal.taskQueue,
          workflowId: `${workflowIdFor(SEED.org.acme, SEED.contact.inesInvitee)}:${randomUUID()}:${i}`,
          args: [{ request: request(), policy: testPolicy() }],
        }),
      ),
    );
    await Promise.all(handles.map((h) => waitForApprovalRequest(h, 50_000)));
    const seconds = (Math.max(...fake.requests.map((r) => r.time)) - started) / 1000;

    const requests = fake.requests.length;
    const rate = requests / seconds;
    const startSpan = (Math.max(...starts.map((s) => s.at)) - Math.min(...starts.map((s) => s.at))) / 1000;
    console.log(
      `${count} validations by ${new Set(starts.map((s) => s.replica)).size} workers in ${seconds.toFixed(1)} s (starts spread over ${startSpan.toFixed(1)} s): ` +
        `${requests} IT Glue requests, ${rate.toFixed(1)} a second; bound ${boundPerSecond} a second, fake's limit ${fake.settings.rateLimit.requests} per ${windowMs / 1000} s`,
    );
    expect(new Set(starts.map((s) => s.replica))).toEqual(new Set([0, 1]));
    // Both workers together start at most ACTIVITIES_PER_SECOND (after a burst of a few, one per
    // task queue partition); a limit per worker would let them start twice as many.
    expect(startSpan).toBeGreaterThanOrEqual((count - 4) / ACTIVITIES_PER_SECOND);
    expect(fake.requests.filter((r) => r.status !== 200)).toEqual([]);
    expect(rate).toBeLessThanOrEqual(boundPerSecond);
  });
});
