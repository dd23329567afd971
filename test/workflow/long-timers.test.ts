/**
 * The onboarding workflow with the production policy (DEFAULT_POLICY: days, not seconds) on
 * Temporal's time-skipping test server, so that reminders, escalation, expiry and the 2FA
 * reminders are checked at the times a customer would see them.
 *
 * The server is the Java test server provided by scripts/temporal-test-server.sh: nothing is
 * downloaded here. Time moves on only while a client awaits a workflow result or during
 * env.sleep(); queries and signals leave it where it is.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createWorkers, MAX_CACHED_WORKFLOWS } from '../../src/temporal/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cancel, fixed, SEARCH_ATTRIBUTES, settingsConfirmed, twoFactorConfirmed, userGone, userObserved } from '../../workflows/messages';
import type { offboarding } from '../../workflows/offboarding';
import type { accessReview } from '../../workflows/review';
import { onboarding } from '../../workflows/onboarding';
import { DEFAULT_POLICY, type Policy } from '../../workflows/policy';
import type { OffboardingRequest, OnboardingEvent, OnboardingRequest, OnboardingStatus } from '../../workflows/types';
import { offboardingIdFor, reviewIdFor, workflowIdFor } from '../../workflows/types';
import { byQueue, FakeWorld, INVITEE, PRIMARY, userFor } from '../support/fake-activities';
import { quietRuntime, waitForStatus } from '../support/temporal';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How late a timer's work may be recorded after the time it was due, in workflow time. */
const SLACK_MS = 60_000;

const script = fileURLToPath(new URL('../../scripts/temporal-test-server.sh', import.meta.url));

let env: TestWorkflowEnvironment;
let workflowCode: string;
let counter = 0;
/** Stops the workers of a test that did not get to stop them itself. */
const stops = new Set<() => Promise<void>>();

/** The path of the test server: from the variable, the cache, or built once from Maven Central. */
async function testServerPath(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [script], { maxBuffer: 1 << 20 });
  return stdout.trim();
}

/** The SDK gives the spawned server 5 s to answer; one more try covers a moment of heavy load. */
async function startTestServer(path: string): Promise<TestWorkflowEnvironment> {
  const create = () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  try {
    return await create();
  } catch (error) {
    console.warn(`the time-skipping test server did not start (${String(error)}); trying once more`);
    return create();
  }
}

beforeAll(async () => {
  quietRuntime();
  env = await startTestServer(await testServerPath());
  // The workflow upserts its search attributes; this server cannot list them but can add them.
  const { IndexedValueType } = proto.temporal.api.enums.v1;
  const indexed = { KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((key) => [key.name, indexed[key.type]])),
  });
  workflowCode = readFileSync(inject('workflowBundlePath'), 'utf8');
}, 300_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await env?.teardown();
});

/** Runs workers for the main and the IT Glue task queue with the world's activities during `fn`. */
async function withWorkers<T>(world: FakeWorld, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `long-timers-${++counter}`;
  const workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { code: workflowCode },
    activities: byQueue(world.activities()),
    itglueActivitiesPerSecond: 1_000,
  });
  // Parked onboardings are not all kept in memory: a bounded workflow cache.
  expect(workers.main.options.maxCachedWorkflows).toBe(MAX_CACHED_WORKFLOWS);
  const running = workers.run();
  const stop = async () => {
    stops.delete(stop);
    await workers.shutdown();
    await running;
  };
  stops.add(stop);
  try {
    return await fn(taskQueue);
  } finally {
    await stop();
  }
}

function request(overrides: Partial<OnboardingRequest> = {}): OnboardingRequest {
  return {
    orgId: `long-${Date.now()}-${++counter}`,
    contactId: INVITEE.contactId,
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: 'UTECH1',
    ...overrides,
  };
}

async function start(taskQueue: string, req: OnboardingRequest): Promise<WorkflowHandle<typeof onboarding>> {
  return env.client.workflow.start(onboarding, {
    taskQueue,
    workflowId: workflowIdFor(req.orgId, req.contactId),
    args: [{ request: req, policy: DEFAULT_POLICY }],
  });
}

const at = (e: OnboardingEvent | undefined) => Date.parse(e!.at);
const eventsOf = (s: OnboardingStatus, type: string) => s.events.filter((e) => e.type === type);
const eventTypes = (s: OnboardingStatus) => s.events.filter((e) => e.type !== 'stage').map((e) => e.type);

/** Asserts that `actual` (ms, workflow time) is `due` or just after it. */
function expectAt(actual: number, due: number) {
  expect(actual).toBeGreaterThanOrEqual(due);
  expect(actual - due).toBeLessThan(SLACK_MS);
}

/** Moves the server's clock on to `target` (ms since the epoch, workflow time). */
async function skipTo(target: number) {
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(target - now);
}

describe('production durations on the time-skipping server', () => {
  it('reminds the approver daily three times, escalates at 72 h and expires at 5 days, never approving', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    const world = new FakeWorld();
    const s = await withWorkers(world, async (taskQueue) => {
      const handle = await start(taskQueue, request());
      return handle.result(); // time skips while the result is awaited
    });

    expect(s.stage).toBe('APPROVAL_EXPIRED');
    expect(s.evidence).toBeNull();
    expect(s.approver).toEqual(PRIMARY);
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'approval-reminder', 'approval-reminder', 'escalated', 'approval-reminder', 'approval-expired']);

    const mails = world.callsOf('sendApprovalRequest').map((a) => a[0] as { round: number; reminder: number; expiresAt: string });
    expect(mails.map((m) => [m.round, m.reminder])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    // Every link carries the one expiry: 5 days after the request.
    const expiresAt = Date.parse(mails[0]!.expiresAt);
    expect(new Set(mails.map((m) => m.expiresAt)).size).toBe(1);

    const requested = at(eventsOf(s, 'approval-requested')[0]);
    expect(Math.abs(expiresAt - (requested + 5 * DAY))).toBeLessThan(SLACK_MS);
    const reminders = eventsOf(s, 'approval-reminder').map(at);
    expect(reminders).toHaveLength(3);
    reminders.forEach((t, i) => {
      expect(Math.abs(t - (requested + (i + 1) * DAY))).toBeLessThan(SLACK_MS);
    });
    expect(Math.abs(at(eventsOf(s, 'escalated')[0]) - (requested + 3 * DAY))).toBeLessThan(SLACK_MS);
    const expired = at(eventsOf(s, 'approval-expired')[0]);
    expectAt(expired, expiresAt);
    expect(Math.abs(expired - requested - 5 * DAY)).toBeLessThan(SLACK_MS);

    expect(world.callsOf('sendInstructions')).toHaveLength(0);
    expect(world.callsOf('sendDecisionReceipt')).toHaveLength(0);
  });

  // Before the 2FA test: the scope watch its completed onboarding starts stays on a task queue without
  // workers, and the server skips no more time after it.
  it('escalates every wait on the tech to the managers once, after 24 h: the user, a mismatch, the settings, an expired invitation nobody resends', async () => {
    const world = new FakeWorld();
    world.mismatches = [['role is Creator, expected Lite']];
    const req = request({ approverContactId: INVITEE.contactId });
    const escalations = (x: OnboardingStatus) => eventsOf(x, 'escalated');
    const entered = (x: OnboardingStatus, type: string) => at(eventsOf(x, type).at(-1));

    const s = await withWorkers(world, async (taskQueue) => {
      const handle = await start(taskQueue, req);
      const expectEscalation = async (n: number, since: number, text: RegExp) => {
        await skipTo(since + DAY - HOUR);
        expect(escalations(await waitForStatus(handle, () => true))).toHaveLength(n - 1); // not early
        await skipTo(since + DAY + HOUR);
        const x = await waitForStatus(handle, (y) => escalations(y).length === n);
        const e = escalations(x)[n - 1]!;
        expect(e.text).toMatch(text);
        expect(e.mention).toEqual({ managers: true });
        expectAt(at(e), since + DAY);
        // Once per wait: two more days and nothing more.
        await skipTo(since + 3 * DAY);
        expect(escalations(await waitForStatus(handle, () => true))).toHaveLength(n);
      };

      // 1. Nobody creates the user (the tech is reminded three times first).
      const inviting = await waitForStatus(handle, (x) => x.stage === 'AWAITING_INVITE');
      const invitingSince = at(inviting.events.find((e) => e.type === 'stage' && e.text === 'AWAITING_INVITE'));
      await expectEscalation(1, invitingSince, /^No tech has created the IT Glue user for Ines@acme\.test in 24 h: ask a tech/);
      expect(eventsOf(await waitForStatus(handle, () => true), 'tech-reminder')).toHaveLength(3);

      // 2. The sweep finds the user with the wrong role: nobody fixes it.
      const sentAt = await env.currentTimeMs();
      const user = userFor(INVITEE, { invitationSentAt: new Date(sentAt).toISOString() });
      world.users.set(INVITEE.email.toLowerCase(), user);
      await handle.signal(userObserved, user);
      const mismatch = await waitForStatus(handle, (x) => x.subState === 'MISMATCH');
      expect(mismatch.waitingOn).toBe('tech');
      await expectEscalation(2, entered(mismatch, 'mismatch'), /^No tech has fixed the IT Glue user ines@acme\.test in 24 h/i);

      // 3. Fixed; the settings the API cannot read wait for the tech's confirmation: nobody confirms.
      await handle.signal(fixed, { by: 'UTECH1' });
      const confirming = await waitForStatus(handle, (x) => x.subState === 'CONFIRM_SETTINGS');
      await expectEscalation(3, entered(confirming, 'confirm-settings'), /^No tech has confirmed the settings of ines@acme\.test in IT Glue in 24 h/i);

      // 4. Confirmed; the invitation sent days ago has expired: nobody resends it.
      await handle.signal(settingsConfirmed, { by: 'UTECH1' });
      const expired = await waitForStatus(handle, (x) => x.subState === 'INVITE_EXPIRED');
      await expectEscalation(4, entered(expired, 'invite-expired'), /^No tech has resent the expired invitation for ines@acme\.test in 24 h/i);

      await handle.signal(cancel, { by: 'UMGR1', reason: 'nobody to do it' });
      return handle.result();
    });

    expect(s.stage).toBe('CANCELLED');
    expect(eventsOf(s, 'escalated')).toHaveLength(4);
    expect(eventTypes(s).filter((t) => t === 'approval-reminder')).toHaveLength(0);
  });

  it('offboarding, production durations: a manager’s approval expires unanswered after 5 days; the tech is reminded to delete the user at 2, 4 and 6 h and managers told at 24 h', async () => {
    const world = new FakeWorld();
    const user = userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() });
    world.users.set(user.email, user);
    world.groupsOf.set(user.id, ['Customer - Has Password Access']);
    const offboard = (taskQueue: string, policy: Policy) => {
      const req: OffboardingRequest = { ...request(), userId: user.id, reason: 'left' };
      return env.client.workflow.start<typeof offboarding>('offboarding', {
        taskQueue,
        workflowId: offboardingIdFor(req.orgId, req.userId),
        args: [{ request: req, policy }],
      });
    };

    const [unanswered, removed] = await withWorkers(world, async (taskQueue) => {
      // DEFAULT_POLICY: a manager approves an offboarding.
      const waiting = await offboard(taskQueue, DEFAULT_POLICY);
      const expired = await waiting.result();

      const handle = await offboard(taskQueue, { ...DEFAULT_POLICY, offboarding: { approval: 'none' } });
      const since = at(eventsOf(await waitForStatus(handle, (x) => eventsOf(x, 'delete-user').length === 1), 'delete-user')[0]);
      await skipTo(since + DAY + HOUR);
      const waited = await waitForStatus(handle, (x) => eventsOf(x, 'escalated').length === 1);
      expect(waited.stage).toBe('AWAITING_DELETION');
      world.users.delete(user.email);
      await handle.signal(userGone, { userId: user.id });
      return [expired, await handle.result()] as const;
    });

    expect(unanswered.stage).toBe('APPROVAL_EXPIRED');
    const requested = at(eventsOf(unanswered, 'approval-requested')[0]);
    expectAt(at(eventsOf(unanswered, 'approval-expired')[0]), requested + 5 * DAY);

    expect(removed.stage).toBe('COMPLETED');
    const since = at(eventsOf(removed, 'delete-user')[0]);
    const reminders = eventsOf(removed, 'tech-reminder').map(at);
    expect(reminders).toHaveLength(3);
    [2, 4, 6].forEach((hours, i) => {
      expectAt(reminders[i]!, since + hours * HOUR);
    });
    const escalated = eventsOf(removed, 'escalated');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.mention).toEqual({ managers: true });
    expect(escalated[0]!.text).toMatch(/No tech has deleted the IT Glue user ines@acme.test in 24 h/);
    expectAt(at(escalated[0]), since + DAY);
    expect(world.callsOf('sendRemovalReceipt')).toHaveLength(1);
  });

  it('access review, production durations: reminders after 1, 2 and 3 days, the managers told at 72 h, unanswered at 14 days; nothing removed', async () => {
    const world = new FakeWorld();
    world.reviewed = [
      {
        userId: 'u201',
        contactId: INVITEE.contactId,
        name: INVITEE.name,
        email: 'ines@acme.test',
        roleName: 'Lite',
        myGlue: false,
        passwordAccess: false,
        invitedAt: null,
        approvedBy: null,
        approvedAt: null,
        onboardingId: null,
        lastSignInAt: null,
        dormant: true,
      },
    ];
    const s = await withWorkers(world, async (taskQueue) => {
      const orgId = `long-review-${++counter}`;
      const handle = await env.client.workflow.start<typeof accessReview>('accessReview', {
        taskQueue,
        workflowId: reviewIdFor(orgId),
        args: [{ request: { orgId, contactId: '', kind: 'itglue', passwordAccess: false, requestedBy: 'schedule' }, policy: DEFAULT_POLICY }],
      });
      return handle.result();
    });
    expect(s.stage).toBe('APPROVAL_EXPIRED');
    const requested = at(eventsOf(s, 'approval-requested')[0]);
    const reminders = eventsOf(s, 'approval-reminder').map(at);
    expect(reminders).toHaveLength(3);
    // Due from the request's start, just before its event was recorded (after the mail went).
    const near = (t: number, due: number) => expect(Math.abs(t - due)).toBeLessThan(SLACK_MS);
    reminders.forEach((t, i) => {
      near(t, requested + (i + 1) * DAY);
    });
    near(at(eventsOf(s, 'escalated')[0]), requested + 3 * DAY);
    const expired = eventsOf(s, 'approval-expired')[0]!;
    near(at(expired), requested + 14 * DAY);
    expect(expired.mention).toEqual({ managers: true });
    // The escalation of an unanswered review goes to the managers too: nobody started it in Slack.
    expect(eventsOf(s, 'escalated')[0]!.mention).toEqual({ managers: true });
    expect(s.review!.offboardings).toEqual([]);
    expect(world.callsOf('sendApprovalRequest')).toHaveLength(4);
  });

  it('reminds about 2FA at 1, 3 and 7 days after acceptance where MFA is not enforced, until the tech confirms', async () => {
    const world = new FakeWorld();
    // The invitee already has an accepted MyGlue invitation, at the server's present time (which
    // earlier tests move on, by years once nothing is left to wait for: never use Date.now() here).
    const acceptedAt = await env.currentTimeMs();
    world.users.set(
      INVITEE.email.toLowerCase(),
      userFor(INVITEE, {
        myGlue: true,
        invitationSentAt: new Date(acceptedAt - HOUR).toISOString(),
        invitationAcceptedAt: new Date(acceptedAt).toISOString(),
      }),
    );
    const req = request({ approverContactId: INVITEE.contactId, kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: ['g1'] });

    const s = await withWorkers(world, async (taskQueue) => {
      const handle = await start(taskQueue, req);
      // Settled: n reminders sent and the next one (if any) scheduled.
      const settled = (n: number, next: number | null) => (x: OnboardingStatus) =>
        x.stage === 'AWAITING_2FA' &&
        eventsOf(x, '2fa-reminder').length === n &&
        (next === null ? x.deadline === null : x.deadline !== null && Date.parse(x.deadline) === next);

      const waiting = await waitForStatus(handle, settled(0, acceptedAt + DAY));
      expect(waiting.waitingOn).toBe('tech'); // MFA not enforced: only the tech can confirm 2FA

      const days = [1, 3, 7];
      for (const [i, day] of days.entries()) {
        await skipTo(acceptedAt + day * DAY - HOUR);
        expect(eventsOf(await waitForStatus(handle, () => true), '2fa-reminder')).toHaveLength(i); // not early
        await skipTo(acceptedAt + day * DAY + HOUR);
        const next = days[i + 1];
        await waitForStatus(handle, settled(i + 1, next === undefined ? null : acceptedAt + next * DAY));
      }

      // A month later nothing more has been sent; the tech's confirmation completes it.
      await skipTo(acceptedAt + 37 * DAY);
      const quiet = await waitForStatus(handle, () => true);
      expect(eventsOf(quiet, '2fa-reminder')).toHaveLength(3);
      expect(quiet.stage).toBe('AWAITING_2FA');
      await handle.signal(twoFactorConfirmed, { by: 'UTECH1' });
      return handle.result();
    });

    expect(s.stage).toBe('COMPLETED');
    expect(s.evidence).toMatchObject({ via: 'not-needed' });
    expect(world.callsOf('sendApprovalRequest')).toHaveLength(0);
    expect(s.stages.map((v) => v.stage)).toEqual([
      'VALIDATING',
      'SENDING_INSTRUCTIONS',
      'AWAITING_INVITE',
      'VERIFYING',
      'AWAITING_ACCEPTANCE',
      'AWAITING_2FA',
      'COMPLETED',
    ]);
    const reminders = eventsOf(s, '2fa-reminder').map(at);
    expect(reminders).toHaveLength(3);
    [1, 3, 7].forEach((day, i) => {
      expectAt(reminders[i]!, acceptedAt + day * DAY);
    });
    expect(world.callsOf('sendTwoFactorReminder').map((a) => (a[0] as { reminder: number }).reminder)).toEqual([1, 2, 3]);
    const confirmed = s.events.find((e) => e.type === '2fa-confirmed');
    expect(confirmed).toMatchObject({ by: 'UTECH1' });
    expect(at(confirmed)).toBeGreaterThanOrEqual(acceptedAt + 37 * DAY);
  });
});
