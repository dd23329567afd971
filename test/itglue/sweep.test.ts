/**
 * The periodic IT Glue sweep: run by its Temporal schedule, it moves waiting onboardings forward,
 * and its cost in IT Glue requests depends on the number of IT Glue users, not of onboardings.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { ItGlueClient } from '../../src/itglue/client';
import { ensureSweepSchedule } from '../../src/temporal/sweep-schedule';
import { SWEEP_SCHEDULE_ID } from '../../workflows/itglue-sweep';
import { onboarding } from '../../workflows/onboarding';
import type { OnboardingRequest, OnboardingStatus } from '../../workflows/types';
import { defaultSeed, makeUser, manyUsers, startFakeItGlue, type FakeItGlue, type FakeUser } from '../fakes/itglue-server';
import { FakeWorld, statusFixture } from '../support/fake-activities';
import { connectTemporal, testPolicy, waitForStage, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
let fake: FakeItGlue;
let client: ItGlueClient;
let itglue: ReturnType<typeof createItGlueActivities>;
let stopWorkers: () => Promise<void>;

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeItGlue()]);
  client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
  itglue = createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
  // The onboardings' own steps are recorded fakes; the sweep is the real one, against the fake IT Glue.
  stopWorkers = await temporal.startWorkers({ ...new FakeWorld().activities(), sweepUsers: itglue.sweepUsers });
});
afterAll(async () => {
  await temporal.client.schedule
    .getHandle(SWEEP_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await stopWorkers();
  await Promise.all([temporal.close(), fake.close()]);
});

/**
 * An onboarding that starts where one waiting for the invitation would be after continuing as new:
 * the tech pressed Invitation sent (confirming the settings) before IT Glue showed the user.
 */
function waitingForInvite(n: number, email: string, tag: string): { request: OnboardingRequest; carried: OnboardingStatus } {
  const now = new Date().toISOString();
  const request: OnboardingRequest = { orgId: `sweep-${tag}`, contactId: String(n), kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1' };
  return {
    request,
    carried: statusFixture({
      workflowId: `onboarding:sweep-${tag}:${n}`,
      request,
      stage: 'AWAITING_INVITE',
      waitingOn: 'tech',
      deadline: null,
      startedAt: now,
      org: { id: `sweep-${tag}`, name: 'Sweep Test Org' },
      invitee: { contactId: String(n), name: `Invitee ${n}`, firstName: 'Invitee', email },
      approver: null,
      approvalRound: 0,
      evidence: { via: 'not-needed', at: now, reason: 'test' },
      confirmation: {
        by: 'UTECH1',
        at: now,
        items: [
          'role Lite',
          'the group "Customer - No Password Access" and no other group',
          'organization access: Sweep Test Org and ONLY Sweep Test Org',
          'no sub-organizations',
        ],
      },
      stages: [{ stage: 'AWAITING_INVITE', enteredAt: now, leftAt: null }],
      thread: { channel: 'C0ONBOARD', ts: '1.0' },
    }),
  };
}

async function startWaiting(numbers: number[], emailOf: (n: number) => string, tag: string) {
  const policy = testPolicy();
  const handles: WorkflowHandle<typeof onboarding>[] = [];
  for (let i = 0; i < numbers.length; i += 100) {
    handles.push(
      ...(await Promise.all(
        numbers.slice(i, i + 100).map((n) => {
          const { request, carried } = waitingForInvite(n, emailOf(n), tag);
          return temporal.client.workflow.start(onboarding, {
            taskQueue: temporal.taskQueue,
            workflowId: carried.workflowId,
            // Already reminded as often as the policy allows: nothing to publish, so no activity runs.
            args: [
              {
                request,
                policy,
                carried,
                progress: { approval: null, invite: { since: Date.now(), techReminders: policy.invite.maxTechReminders }, linkSentAt: null, twoFactor: null },
              },
            ],
          });
        }),
      )),
    );
  }
  return handles;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** Until visibility lists `count` onboardings of the tag in the stages (it is eventually consistent). */
async function listed(tag: string, stages: string[], count: number) {
  const inStages = stages.map((s) => `"${s}"`).join(', ');
  // Generous: on a loaded 2-core machine hundreds of starts take a while to be listed.
  for (const deadline = Date.now() + 240_000; Date.now() < deadline; ) {
    const n = await temporal.client.workflow.count(`OnboardingOrgId = "sweep-${tag}" AND OnboardingStage IN (${inStages})`);
    if (n.count >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`fewer than ${count} onboardings of ${tag} listed in ${stages.join(' / ')}`);
}

describe('sweep', () => {
  it('runs on its schedule and moves a waiting onboarding forward', async () => {
    fake.load(defaultSeed());
    const [handle] = await startWaiting([0], () => 'scheduled@acme-dental.test', `sched-${Date.now()}`);
    await waitForStage(handle!, 'AWAITING_INVITE');
    await ensureSweepSchedule(temporal.client, temporal.taskQueue, 1_000);
    await ensureSweepSchedule(temporal.client, temporal.taskQueue, 1_000); // idempotent
    fake.data.users.push(makeUser({ id: '7001', email: 'Scheduled@Acme-Dental.test', 'invitation-sent-at': new Date().toISOString() }));
    await waitForStage(handle!, 'AWAITING_ACCEPTANCE', 30_000);
    const described = await temporal.client.schedule.getHandle(SWEEP_SCHEDULE_ID).describe();
    expect(described.info.recentActions.length).toBeGreaterThan(0);
    await temporal.client.schedule.getHandle(SWEEP_SCHEDULE_ID).delete();
  });

  it('moves a waiting onboarding forward although some IT Glue users have no email', async () => {
    const tag = `no-email-${Date.now()}`;
    const email = `invitee-${tag}@customer.test`;
    fake.load(defaultSeed());
    const [handle] = await startWaiting([0], () => email, tag);
    await listed(tag, ['AWAITING_INVITE'], 1);
    // IT Glue may send the email as null, or not at all.
    const { email: _, ...withoutEmail } = makeUser({ id: '7101', email: '' });
    fake.data.users.push(
      makeUser({ id: '7100', email: null as unknown as string }),
      withoutEmail as FakeUser,
      makeUser({ id: '7102', email, 'invitation-sent-at': new Date().toISOString() }),
    );
    fake.reset();
    const report = await itglue.sweepUsers();
    expect(report.users).toBe(fake.data.users.length);
    expect(report.signalled).toBeGreaterThanOrEqual(1);
    await waitForStage(handle!, 'AWAITING_ACCEPTANCE', 30_000);
    await handle!.terminate('test over');
  });

  it('costs IT Glue requests by users / 1000, whatever the number of waiting onboardings', { timeout: 600_000 }, async () => {
    const tag = `budget-${Date.now()}`;
    fake.load({ ...defaultSeed(), users: [] });
    // 5,000 IT Glue users, among them the first 60 invitees of this test (invited since the last sweep).
    const emailOf = (n: number) => `invitee-${tag}-${n}@customer.test`;
    fake.data.users.push(...manyUsers(4_940));
    fake.data.users.push(...range(0, 60).map((n) => makeUser({ id: String(900_000 + n), email: emailOf(n), 'invitation-sent-at': new Date().toISOString() })));

    async function sweep() {
      fake.reset();
      const report = await itglue.sweepUsers();
      expect(report.itglueRequests).toBe(fake.requests.length);
      expect(report.users).toBe(5_000);
      return report;
    }

    // 10 waiting onboardings, all of them invited.
    await startWaiting(range(0, 10), emailOf, tag);
    await listed(tag, ['AWAITING_INVITE'], 10);
    const few = await sweep();
    expect(few.signalled).toBeGreaterThanOrEqual(10);
    await listed(tag, ['AWAITING_ACCEPTANCE'], 10);

    // 40 times as many: 400 waiting onboardings, 50 more of them invited.
    const started = Date.now();
    await startWaiting(range(10, 400), emailOf, tag);
    await listed(tag, ['AWAITING_INVITE', 'AWAITING_ACCEPTANCE'], 400);
    const startSeconds = (Date.now() - started) / 1000;
    const many = await sweep();
    console.log(
      `IT Glue requests for one sweep over 5,000 IT Glue users: ${few.itglueRequests} with ${few.waiting} waiting onboardings,` +
        ` ${many.itglueRequests} with ${many.waiting} (${many.signalled} told; 390 started in ${startSeconds.toFixed(1)} s)`,
    );
    expect(many.waiting).toBeGreaterThanOrEqual(400);
    expect(many.signalled).toBe(50);
    expect(many.itglueRequests).toBe(few.itglueRequests);
    expect(many.itglueRequests).toBeLessThanOrEqual(10);
    await listed(tag, ['AWAITING_ACCEPTANCE'], 60);

    for await (const w of temporal.client.workflow.list({ query: `OnboardingOrgId = "sweep-${tag}" AND ExecutionStatus = "Running"` })) {
      await temporal.client.workflow
        .getHandle(w.workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
  });
});
