/**
 * The scope watch (workflows/scope-watch.ts) on the test Temporal server, with the real
 * `userActivity` activity against the fake IT Glue (`GET /user_metrics`) and recording mail / Slack
 * and onboarding activities: started at the first sign-in, one alert per organization and day
 * outside the user's own and the shared organizations (thread reply mentioning the tech and the
 * managers, event in the onboarding's record), never repeated, one IT Glue request per check, and
 * its end after completion or on cancel.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { SCOPE_WATCH_REQUESTS_PER_CHECK } from '../../src/itglue/budget';
import { ItGlueClient } from '../../src/itglue/client';
import { getStatus } from '../../src/onboardings';
import { cancel, status as statusQuery, twoFactorConfirmed, userObserved } from '../../workflows/messages';
import type { onboarding } from '../../workflows/onboarding';
import type { Policy } from '../../workflows/policy';
import { scopeWatchStatus, type ScopeWatchStatus } from '../../workflows/scope-watch';
import type { OnboardingEvent, OnboardingRequest } from '../../workflows/types';
import { OVERVIEW_MEMO } from '../../workflows/memo';
import { workflowIdFor } from '../../workflows/types';
import { defaultSeed, makeUserMetric, SEED, startFakeItGlue, type FakeItGlue, type RecordedRequest } from '../fakes/itglue-server';
import { FakeWorld, INVITEE, PRIMARY, userFor } from '../support/fake-activities';
import { connectTemporal, startOnboardingWorkflow, testPolicy, waitForStage, waitForStatus, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
let fake: FakeItGlue;
let itglue: ReturnType<typeof createItGlueActivities>;
let world: FakeWorld;
let stopWorkers: (() => Promise<void>) | undefined;
let started: WorkflowHandle[] = [];

const EVERY = 1_500;
/** The watched user: an IT Glue id (numeric, as the fake's filters want). */
const USER_ID = '6300';
const ACME = { id: SEED.org.acme, name: 'Acme Dental' };
/** An organization no onboarding anywhere is for, so invite-lite knows no name for it. */
const UNNAMED_ORG = '1077';
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const daysAgoIso = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/** Mail, Slack and the onboarding's own IT Glue steps recorded; organizations named as the fake IT Glue names them; the activity figures real. */
async function startWorkers() {
  const base = world.activities();
  stopWorkers = await temporal.startWorkers({
    ...base,
    validateRequest: async (req, policy) => {
      const v = await base.validateRequest(req, policy);
      const org = fake.data.organizations.find((o) => o.id === req.orgId);
      return v.ok && org ? { ...v, org: { id: org.id, name: org.name } } : v;
    },
    userActivity: itglue.userActivity,
  });
}

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeItGlue()]);
  const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
  itglue = createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
});
afterAll(async () => {
  await Promise.all([temporal.close(), fake.close()]);
});
beforeEach(async () => {
  fake.load(defaultSeed());
  fake.reset();
  world = new FakeWorld();
  await startWorkers();
});
afterEach(async () => {
  await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
  started = [];
  await stopWorkers?.();
});

function policy(over: Parameters<typeof testPolicy>[0] = {}): Policy {
  return testPolicy({ scopeWatch: { every: EVERY, days: 1 }, groups: { sharedOrganizations: [SEED.org.msp] }, ...over });
}

/**
 * An onboarding of Ines at Acme Dental that needs no approval (the fake names her as her own
 * approver). Her contact ID is this test's own, and so is the watch's ID (`scope-watch:<orgId>:<contactId>`).
 */
async function startOnboarding(p: Policy, over: Partial<OnboardingRequest> = {}) {
  const contactId = String(randomInt(100_000, 999_999));
  world.contacts.set(contactId, { ...INVITEE, contactId });
  const req: OnboardingRequest = {
    orgId: ACME.id,
    contactId,
    kind: 'myglue',
    myGlueRole: 'Creator',
    myGlueGroupIds: ['303'],
    passwordAccess: false,
    approverContactId: contactId,
    requestedBy: 'UTECH1',
    ...over,
  };
  const workflowId = `${workflowIdFor(req.orgId, req.contactId)}:${randomUUID().slice(0, 8)}`;
  // The client's start gives the handle of the run it started.
  const handle = (await startOnboardingWorkflow(temporal, req, p, workflowId)) as WorkflowHandleWithFirstExecutionRunId<typeof onboarding>;
  started.push(handle);
  return handle;
}

/** Takes the onboarding to AWAITING_2FA with the user accepted `acceptedDaysAgo` days ago and signed in now. */
async function signIn(handle: WorkflowHandle, acceptedDaysAgo: number, myGlue = true) {
  await waitForStage(handle, 'AWAITING_INVITE');
  await handle.signal(userObserved, userFor(INVITEE, { id: USER_ID, myGlue, roleName: myGlue ? 'Creator' : 'Lite' }));
  await waitForStage(handle, 'AWAITING_ACCEPTANCE');
  await handle.signal(
    userObserved,
    userFor(INVITEE, {
      id: USER_ID,
      myGlue,
      roleName: myGlue ? 'Creator' : 'Lite',
      invitationAcceptedAt: daysAgoIso(acceptedDaysAgo),
      currentSignInAt: new Date().toISOString(),
    }),
  );
  const s = await waitForStatus(handle, (x) => !!x.scopeWatch);
  const watch = temporal.client.workflow.getHandle(s.scopeWatch!.workflowId);
  started.push(watch);
  return { status: s, watch };
}

/** The watch's status once it is between checks (its next check is ahead), after `until` holds. */
async function quietWatch(watch: WorkflowHandle, until: (w: ScopeWatchStatus) => boolean, timeoutMs = 20_000): Promise<ScopeWatchStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ScopeWatchStatus | undefined;
  for (;;) {
    last = await watch.query(scopeWatchStatus).catch(() => last);
    if (last && until(last) && (last.state !== 'watching' || Date.parse(last.nextCheckAt) > Date.now() + 200)) return last;
    if (Date.now() > deadline) throw new Error(`watch condition not reached; last status: ${JSON.stringify(last, null, 1)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every run of a workflow, first to last, following its continue-as-new chain. */
async function historiesOf(workflowId: string, firstRunId: string) {
  const runs: { workflowId: string; history: unknown }[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push({ workflowId: `${workflowId}/${runs.length}`, history });
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

async function replay(histories: { workflowId: string; history: unknown }[]): Promise<string[]> {
  const failures: string[] = [];
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

const metricsRequests = () => fake.requests.filter((r) => r.path === '/user_metrics');
const alertsOf = (events: OnboardingEvent[]) => events.filter((e) => e.type === 'scope-alert');
const posted = (workflowId: string) =>
  world
    .callsOf('postToThread')
    .map((a) => a[0] as { workflowId: string; thread: unknown; event: OnboardingEvent })
    .filter((p) => p.workflowId === workflowId && p.event.type === 'scope-alert');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An onboarding of Ines at Bluebird waiting for approval: it makes Bluebird's name known to invite-lite. */
async function neighbourAtBluebird() {
  const handle = await startOnboarding(policy(), {
    orgId: SEED.org.bluebird,
    approverContactId: PRIMARY.contactId,
    kind: 'itglue',
    myGlueRole: undefined,
    myGlueGroupIds: undefined,
  });
  const query = `WorkflowId = "${handle.workflowId}"`;
  for (const deadline = Date.now() + 20_000; ; await sleep(200)) {
    for await (const listed of temporal.client.workflow.list({ query })) {
      if ((listed.memo?.[OVERVIEW_MEMO] as { orgName?: string } | undefined)?.orgName === 'Bluebird Logistics') return handle;
    }
    if (Date.now() > deadline) throw new Error('the Bluebird onboarding did not show its overview');
  }
}

describe('the activity', () => {
  it('reads at most a week of one user’s figures in one request, earliest day first', async () => {
    fake.data.userMetrics.push(
      // An organization no onboarding in the test server's namespace names, so it has no name to show.
      makeUserMetric({ id: '9001', 'user-id': USER_ID, 'organization-id': UNNAMED_ORG, date: day(1), viewed: 2 }),
      makeUserMetric({ id: '9002', 'user-id': USER_ID, 'organization-id': ACME.id, 'resource-type': 'Documents', date: day(3), viewed: 0, edited: 1 }),
      makeUserMetric({ id: '9003', 'user-id': USER_ID, 'organization-id': ACME.id, date: day(9), viewed: 7 }),
    );
    const activity = await itglue.userActivity({ userId: USER_ID, from: day(6), to: day(0), expected: [ACME.id] });
    expect(activity).toEqual({
      rows: [
        { organizationId: ACME.id, resourceType: 'Documents', date: day(3), created: 0, viewed: 0, edited: 1, deleted: 0 },
        { organizationId: UNNAMED_ORG, resourceType: 'Passwords', date: day(1), created: 0, viewed: 2, edited: 0, deleted: 0 },
      ],
      complete: true,
      organizationNames: {},
    });
    expect(fake.requests.map((r: RecordedRequest) => [r.method, r.path, r.query, r.status])).toEqual([
      ['GET', '/user_metrics', { 'filter[user_id]': USER_ID, 'filter[date]': `${day(6)},${day(0)}`, sort: 'date', 'page[size]': '1000' }, 200],
    ]);
  });

  it('refuses more than a week without asking IT Glue, and says when one page did not hold every row', async () => {
    await expect(itglue.userActivity({ userId: USER_ID, from: day(7), to: day(0) })).rejects.toMatchObject({
      type: 'ItGlue.invalid',
      nonRetryable: true,
      message: expect.stringMatching(/1 to 7 days/),
    });
    expect(fake.requests).toEqual([]);

    fake.data.userMetrics.push(
      ...Array.from({ length: 1001 }, (_, i) =>
        makeUserMetric({ id: String(10_000 + i), 'user-id': USER_ID, 'organization-id': ACME.id, 'resource-type': `Type ${i}`, date: day(i % 3) }),
      ),
    );
    const activity = await itglue.userActivity({ userId: USER_ID, from: day(2), to: day(0) });
    expect(activity.complete).toBe(false);
    expect(activity.rows).toHaveLength(1000);
    expect(activity.rows[0]!.date).toBe(day(2));
    expect(metricsRequests()).toHaveLength(1);
  });
});

describe('the watch', () => {
  it('alerts once per other organization and day, in the thread and the record, never again, one request per check', { timeout: 90_000 }, async () => {
    const neighbour = await neighbourAtBluebird();
    fake.data.userMetrics.push(
      // Its own organization and the shared one: no alert.
      makeUserMetric({ id: '9101', 'user-id': USER_ID, 'organization-id': ACME.id, date: day(3), viewed: 12 }),
      makeUserMetric({ id: '9102', 'user-id': USER_ID, 'organization-id': SEED.org.msp, 'resource-type': 'Documents', date: day(3), viewed: 1 }),
      // Bluebird (named by its onboarding), two resource types on one day: one alert.
      makeUserMetric({ id: '9103', 'user-id': USER_ID, 'organization-id': SEED.org.bluebird, date: day(2), viewed: 4 }),
      makeUserMetric({ id: '9104', 'user-id': USER_ID, 'organization-id': SEED.org.bluebird, 'resource-type': 'Configurations', date: day(2), viewed: 1, edited: 1 }),
      // An organization with no onboarding: named by id.
      makeUserMetric({ id: '9105', 'user-id': USER_ID, 'organization-id': UNNAMED_ORG, date: day(3), viewed: 1 }),
      // A line without any count is no activity; another user's activity is not this user's.
      makeUserMetric({ id: '9106', 'user-id': USER_ID, 'organization-id': SEED.org.smith, date: day(3), viewed: 0 }),
      makeUserMetric({ id: '9107', 'user-id': SEED.user.paulaSignedIn, 'organization-id': SEED.org.smith, date: day(1), viewed: 3 }),
    );
    const p = policy({ historyLimit: 40 });
    const handle = await startOnboarding(p);
    const { watch } = await signIn(handle, 3);
    const { request } = await handle.query(statusQuery);
    expect(watch.workflowId).toBe(`scope-watch:${ACME.id}:${request.contactId}`);

    const first = await quietWatch(watch, (w) => w.checks >= 1);
    expect(first.alerted).toEqual([`${UNNAMED_ORG}/${day(3)}`, `${SEED.org.bluebird}/${day(2)}`]);
    expect(first.events.map((e) => e.text)).toEqual([
      `Ines Invitee was active in the IT Glue organization with id ${UNNAMED_ORG} on ${day(3)}, outside Acme Dental: Passwords (1 viewed). ` +
        'Check their organization access in IT Glue (Account → Users → the user, and their groups): it must reach Acme Dental and the shared organizations only.',
      `Ines Invitee was active in Bluebird Logistics (IT Glue organization ${SEED.org.bluebird}) on ${day(2)}, outside Acme Dental: Passwords (4 viewed), Configurations (1 viewed, 1 edited). ` +
        'Check their organization access in IT Glue (Account → Users → the user, and their groups): it must reach Acme Dental and the shared organizations only.',
    ]);
    // The first check reads from the day of acceptance to today.
    expect(metricsRequests()[0]!.query).toMatchObject({ 'filter[user_id]': USER_ID, 'filter[date]': `${day(3)},${day(0)}` });

    // Posted in the onboarding's thread, mentioning the tech and the managers; kept in the onboarding's record.
    const posts = posted(handle.workflowId);
    expect(posts.map((x) => x.event)).toEqual(first.events);
    for (const x of posts) {
      expect(x.thread).toEqual({ channel: 'C0ONBOARD', ts: '1700000000.000100' });
      expect(x.event.mention).toEqual({ users: ['UTECH1'], managers: true });
    }
    const onboardingView = await waitForStatus(handle, (x) => alertsOf(x.events).length === 2);
    expect(alertsOf(onboardingView.events)).toEqual(first.events);
    expect(onboardingView.stage).toBe('AWAITING_2FA');

    // New activity in Bluebird today: one more alert.
    fake.data.userMetrics.push(makeUserMetric({ id: '9108', 'user-id': USER_ID, 'organization-id': SEED.org.bluebird, date: day(0), viewed: 1 }));
    const third = await quietWatch(watch, (w) => w.alerted.length === 3);
    expect(third.alerted).toEqual([...first.alerted, `${SEED.org.bluebird}/${day(0)}`]);
    expect(third.events.slice(0, 2)).toEqual(first.events);

    // More activity in Bluebird on the same day, read again at every later check, also after the
    // workers restart: no second alert for that organization and day.
    await stopWorkers!();
    fake.data.userMetrics.push(
      makeUserMetric({ id: '9109', 'user-id': USER_ID, 'organization-id': SEED.org.bluebird, 'resource-type': 'Documents', date: day(0), viewed: 2 }),
    );
    await startWorkers();
    const later = await quietWatch(watch, (w) => w.checks >= third.checks + 3);
    expect(later.alerted).toEqual(third.alerted);
    expect(later.events).toEqual(third.events);
    expect(posted(handle.workflowId).map((x) => x.event)).toEqual(third.events);
    expect(alertsOf((await handle.query(statusQuery)).events)).toEqual(third.events);

    // Exactly one IT Glue request per check; after the first, from the day after the last complete one.
    expect(metricsRequests()).toHaveLength(later.checks * SCOPE_WATCH_REQUESTS_PER_CHECK);
    expect(fake.requests).toHaveLength(later.checks * SCOPE_WATCH_REQUESTS_PER_CHECK);
    expect(
      metricsRequests()
        .slice(1)
        .map((r) => r.query['filter[date]']),
    ).toEqual(Array(later.checks - 1).fill(`${day(1)},${day(0)}`));
    // It continued as new on the way, carrying what it had alerted.
    expect((await watch.describe()).runId).not.toBe(later.firstRunId);

    // Completed: the watch goes on for `days`; its alerts now show through the onboarding's status.
    await handle.signal(twoFactorConfirmed, { by: 'UTECH1' });
    const done = await handle.result();
    expect(done.stage).toBe('COMPLETED');
    const until = await quietWatch(watch, (w) => w.until !== null);
    expect(Date.parse(until.until!) - Date.parse(done.stages.at(-1)!.enteredAt)).toBe(86_400_000);
    expect(until.state).toBe('watching');
    fake.data.userMetrics.push(makeUserMetric({ id: '9110', 'user-id': USER_ID, 'organization-id': UNNAMED_ORG, date: day(0), viewed: 5 }));
    const afterCompletion = await quietWatch(watch, (w) => w.events.length === 4);
    const closed = await handle.query(statusQuery);
    expect(alertsOf(closed.events)).toHaveLength(3);
    const merged = await getStatus(temporal.client, handle.workflowId);
    expect(alertsOf(merged.events)).toEqual(afterCompletion.events);
    expect(merged.events.at(-1)).toEqual(afterCompletion.events[3]);

    // Every run of the onboarding and of the watch replays with the current code.
    await watch.terminate('test over');
    await neighbour.terminate('test over');
    const histories = [...(await historiesOf(handle.workflowId, handle.firstExecutionRunId)), ...(await historiesOf(watch.workflowId, later.firstRunId))];
    expect(histories.filter((h) => h.workflowId.startsWith('scope-watch:')).length).toBeGreaterThanOrEqual(2);
    expect(await replay(histories)).toEqual([]);
  });

  it('starts at an IT Glue user’s first sign-in (MFA enforced: completed at once), and stops at `until`', async () => {
    fake.data.userMetrics.push(
      makeUserMetric({ id: '9201', 'user-id': USER_ID, 'organization-id': ACME.id, date: day(0), viewed: 2 }),
      makeUserMetric({ id: '9202', 'user-id': USER_ID, 'organization-id': SEED.org.smith, 'resource-type': 'Configurations', date: day(1), viewed: 1 }),
    );
    const handle = await startOnboarding(policy({ scopeWatch: { every: EVERY, days: 0 }, groups: { organizationAccess: 'group' } }), {
      kind: 'itglue',
      myGlueRole: undefined,
      myGlueGroupIds: undefined,
    });
    const { watch } = await signIn(handle, 1, false);
    const done = await handle.result();
    expect(done.stage).toBe('COMPLETED');
    expect(done.events.map((e) => e.type)).toContain('signed-in');

    // Completion with `days: 0` moves the end to now: one last check, then the watch ends.
    const ended = (await watch.result()) as ScopeWatchStatus;
    expect(ended).toMatchObject({ state: 'ended', checks: 1, alerted: [`${SEED.org.smith}/${day(1)}`] });
    expect(metricsRequests()).toHaveLength(1);
    await sleep(2 * EVERY);
    expect(metricsRequests()).toHaveLength(1);
    // The onboarding had closed: the alert shows through its status.
    expect(alertsOf((await getStatus(temporal.client, handle.workflowId)).events)).toEqual(ended.events);
    expect(ended.events[0]!.mention).toEqual({ users: ['UTECH1'], managers: true });
  });

  it('stops when the onboarding is cancelled, before reading anything', async () => {
    const handle = await startOnboarding(policy({ scopeWatch: { every: 60_000, days: 1 } }));
    const { status, watch } = await signIn(handle, 0);
    expect(status.scopeWatch?.firstRunId).toEqual(expect.any(String));
    await handle.signal(cancel, { by: 'UMANAGER', reason: 'wrong contact' });
    expect((await handle.result()).stage).toBe('CANCELLED');
    const stopped = (await watch.result()) as ScopeWatchStatus;
    expect(stopped).toMatchObject({ state: 'stopped', checks: 0, events: [] });
    expect(fake.requests).toEqual([]);
  });
});
