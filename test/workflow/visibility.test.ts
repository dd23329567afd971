/**
 * Onboardings are found by their search attributes through visibility queries on the dev server,
 * the way managers' views list and count them (docs/design.md §13).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { onboarding } from '../../workflows/onboarding';
import { listOnboardingOverviews } from '../../src/onboardings';
import { cancel, ONBOARDING_DEADLINE, ONBOARDING_KIND, ONBOARDING_REQUESTED_BY, ONBOARDING_STAGE, status } from '../../workflows/messages';
import { workflowIdFor, type OnboardingRequest } from '../../workflows/types';
import { OVERVIEW_MEMO, overviewOf, type OnboardingOverview } from '../../workflows/memo';
import { FakeWorld, INVITEE, OTHER } from '../support/fake-activities';
import { connectTemporal, waitForApprovalRequest, testPolicy, waitForStage, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
let stopWorkers: () => Promise<void>;

beforeAll(async () => {
  temporal = await connectTemporal();
  stopWorkers = await temporal.startWorkers(new FakeWorld().activities());
});
afterAll(async () => {
  await stopWorkers();
  await temporal.close();
});

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('lists and counts onboardings by stage, org, tech and deadline', async () => {
  const org = `vis-${Date.now()}`;
  const start = (contactId: string, approverContactId: string, requestedBy: string) => {
    const request: OnboardingRequest = { orgId: org, contactId, approverContactId, kind: 'itglue', passwordAccess: false, requestedBy };
    return temporal.client.workflow.start(onboarding, {
      taskQueue: temporal.taskQueue,
      workflowId: workflowIdFor(org, contactId),
      args: [{ request, policy: testPolicy() }],
    });
  };
  // Ines waits for approval by Paula; Otto is his own approver and waits for the invite.
  const [waitingApproval, waitingInvite] = await Promise.all([start(INVITEE.contactId, '202', 'UTECH1'), start(OTHER.contactId, OTHER.contactId, 'UTECH2')]);
  await Promise.all([waitForApprovalRequest(waitingApproval), waitForStage(waitingInvite, 'AWAITING_INVITE')]);

  const ids = async (query: string) => {
    const found: string[] = [];
    for await (const w of temporal.client.workflow.list({ query })) found.push(w.workflowId);
    return found.sort();
  };
  const approvalQuery = `OnboardingOrgId = "${org}" AND OnboardingStage = "AWAITING_APPROVAL"`;
  expect(
    await eventually(
      () => ids(approvalQuery),
      (x) => x.length === 1,
    ),
  ).toEqual([waitingApproval.workflowId]);
  expect(
    await eventually(
      () => ids(`OnboardingOrgId = "${org}" AND OnboardingStage = "AWAITING_INVITE"`),
      (x) => x.length === 1,
    ),
  ).toEqual([waitingInvite.workflowId]);
  expect(await ids(`OnboardingOrgId = "${org}" AND OnboardingRequestedBy = "UTECH2"`)).toEqual([waitingInvite.workflowId]);
  expect(await ids(`OnboardingOrgId = "${org}" AND OnboardingDeadline > "${new Date().toISOString()}"`)).toEqual(
    [waitingApproval.workflowId, waitingInvite.workflowId].sort(),
  );
  // Counting by stage is one count query per stage (GROUP BY works only on ExecutionStatus).
  const count = async (stage: string) => (await temporal.client.workflow.count(`OnboardingOrgId = "${org}" AND OnboardingStage = "${stage}"`)).count;
  expect(await count('AWAITING_APPROVAL')).toBe(1);
  expect(await count('AWAITING_INVITE')).toBe(1);
  expect(await count('COMPLETED')).toBe(0);

  const described = await waitingApproval.describe();
  expect(described.typedSearchAttributes.get(ONBOARDING_STAGE)).toBe('AWAITING_APPROVAL');
  expect(described.typedSearchAttributes.get(ONBOARDING_KIND)).toBe('itglue');
  expect(described.typedSearchAttributes.get(ONBOARDING_REQUESTED_BY)).toBe('UTECH1');
  expect(described.typedSearchAttributes.get(ONBOARDING_DEADLINE)?.getTime()).toBeGreaterThan(Date.now());

  // A stage change moves it from one list to the other.
  await waitingApproval.signal(cancel, { by: 'UMANAGER' });
  await waitingApproval.result();
  expect(
    await eventually(
      () => ids(approvalQuery),
      (x) => x.length === 0,
    ),
  ).toEqual([]);
  expect(await ids(`OnboardingOrgId = "${org}" AND OnboardingStage = "CANCELLED"`)).toEqual([waitingApproval.workflowId]);
  const cancelled = await waitingApproval.describe();
  expect(cancelled.typedSearchAttributes.get(ONBOARDING_DEADLINE)).toBeUndefined();
  await waitingInvite.terminate('test over');
});

it('publishes what the overviews show in its memo, as its status says it, and keeps it up to date', async () => {
  const org = `vis-memo-${Date.now()}`;
  const request: OnboardingRequest = {
    orgId: org,
    contactId: OTHER.contactId,
    approverContactId: OTHER.contactId,
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: 'UTECH2',
  };
  // The tech is reminded once about the invitation, soon: late before any deadline.
  const handle = await temporal.client.workflow.start(onboarding, {
    taskQueue: temporal.taskQueue,
    workflowId: workflowIdFor(org, OTHER.contactId),
    args: [{ request, policy: testPolicy({ invite: { remindTechAfter: 300, maxTechReminders: 1 } }) }],
  });
  await waitForStage(handle, 'AWAITING_INVITE');
  const memoOf = async () => ((await handle.describe()).memo?.[OVERVIEW_MEMO] ?? null) as OnboardingOverview | null;
  const reminded = await eventually(memoOf, (o) => o?.late === true);
  const s = await handle.query(status);
  expect(s.events.some((e) => e.type === 'tech-reminder')).toBe(true);
  expect(reminded).toEqual(overviewOf(s));
  expect(reminded).toMatchObject({ stage: 'AWAITING_INVITE', orgName: s.org!.name, inviteeName: OTHER.name, waitingOn: 'tech', late: true, startedAt: s.startedAt });

  // Listed with it, so that a view needs no status query.
  const listed = await eventually(
    () => listOnboardingOverviews(temporal.client, `OnboardingOrgId = "${org}"`, 10),
    (rows) => rows[0]?.overview?.late === true,
  );
  expect(listed.map((r) => [r.workflowId, r.overview])).toEqual([[handle.workflowId, overviewOf(s)]]);
  await handle.terminate('test over');
});
