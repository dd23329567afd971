/**
 * The onboarding workflow on a real Temporal dev server, with recording activities: every path of
 * docs/design.md §4, checked by stage, events and the activity calls made.
 */
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { onboarding } from '../../workflows/onboarding';
import {
  cancel,
  changeApprover,
  decide,
  DECISION_REFUSED,
  fixed,
  invitationResent,
  invitationSent,
  offlineApproval,
  resume,
  settingsConfirmed,
  status as statusQuery,
  twoFactorConfirmed,
  userObserved,
} from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import type { DecisionInput, OnboardingEvent, OnboardingRequest, OnboardingStatus, ThreadRef } from '../../workflows/types';
import { workflowIdFor } from '../../workflows/types';
import { FakeWorld, INVITEE, OTHER, PRIMARY, userFor } from '../support/fake-activities';
import {
  connectTemporal,
  startOnboardingWorkflow,
  updateRefusal,
  waitForApprovalRequest,
  testPolicy,
  waitForStage,
  waitForStatus,
  type TestTemporal,
} from '../support/temporal';

let temporal: TestTemporal;
let world: FakeWorld;
let stopWorkers: () => Promise<void>;
let counter = 0;
let started: WorkflowHandle[] = [];

beforeAll(async () => {
  temporal = await connectTemporal();
});
afterAll(async () => {
  await temporal.close();
});
beforeEach(async () => {
  await stopWorkers?.();
  world = new FakeWorld();
  stopWorkers = await temporal.startWorkers(world.activities());
  return async () => {
    // Open onboardings of this test must not act on the next test's fakes.
    await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
    started = [];
    world.releaseHolds();
    await stopWorkers();
  };
});

function request(overrides: Partial<OnboardingRequest> = {}): OnboardingRequest {
  counter += 1;
  return {
    orgId: `${Date.now()}-${counter}`,
    contactId: INVITEE.contactId,
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: 'UTECH1',
    ...overrides,
  };
}

async function start(req: OnboardingRequest = request(), policy: Policy = testPolicy()): Promise<WorkflowHandle<typeof onboarding>> {
  const handle = await startOnboardingWorkflow(temporal, req, policy);
  started.push(handle);
  return handle;
}

const decision = (s: OnboardingStatus, over: Partial<DecisionInput> = {}): DecisionInput => ({
  decision: 'approve',
  round: s.approvalRound,
  approverContactId: s.approver!.contactId,
  ip: '198.51.100.7',
  userAgent: 'Mozilla/5.0 (test)',
  comment: 'Fine by me',
  ...over,
});

const eventTypes = (s: OnboardingStatus) => s.events.filter((e) => e.type !== 'stage').map((e) => e.type);
const stagePath = (s: OnboardingStatus) => s.stages.map((v) => v.stage);

/** What the `decide` validator says with each refusal (the CLI and the logs show it). */
const REFUSAL_MESSAGES: Record<string, string> = {
  [DECISION_REFUSED.alreadyDecided]: 'A decision has already been recorded for this request.',
  [DECISION_REFUSED.notAwaiting]: 'This onboarding is not waiting for an approval.',
  [DECISION_REFUSED.superseded]: 'This link has been replaced by a newer one.',
  [DECISION_REFUSED.expired]: 'This approval request has expired.',
  [DECISION_REFUSED.invalid]: 'Unknown decision.',
};

/** The failure type of a refused decision, read as the approval pages read it; checks that its message fits the type. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const failure = await updateRefusal(promise);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toBe(REFUSAL_MESSAGES[failure.type ?? '']);
  return failure.type ?? '';
}

/** The thread every fake updateThread call returns. */
const THREAD: ThreadRef = { channel: 'C0ONBOARD', ts: '1700000000.000100' };
/** Replies posted to the onboarding's Slack thread, in order. */
const posts = () => world.callsOf('postToThread').map((a) => a[0] as { workflowId: string; thread: ThreadRef; event: OnboardingEvent });
const postsOf = (type: string) => posts().filter((p) => p.event.type === type);
/** The status as the thread's root message was last drawn. */
const threadShows = () => world.callsOf('updateThread').at(-1)![0] as OnboardingStatus;
const SLACK_CALLS = new Set(['updateThread', 'postToThread']);
/** Mail and IT Glue activity calls (everything but Slack), by name, from call `from` on. */
const workCalls = (from = 0) =>
  world.calls
    .slice(from)
    .filter((c) => !SLACK_CALLS.has(c.name))
    .map((c) => c.name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Drives an onboarding with no approval needed to AWAITING_ACCEPTANCE, with an invitation sent now. */
async function toAcceptance(policy: Policy, req = request({ approverContactId: INVITEE.contactId })) {
  world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
  const handle = await start(req, policy);
  if (req.kind === 'itglue') await confirmSettings(handle);
  await waitForStage(handle, 'AWAITING_ACCEPTANCE');
  return handle;
}

/**
 * An IT Glue Lite user found before anyone pressed Invitation sent: under shared customer groups
 * the tech confirms the settings the API cannot read.
 */
async function confirmSettings(handle: WorkflowHandle) {
  await waitForStatus(handle, (x) => x.subState === 'CONFIRM_SETTINGS');
  await handle.signal(settingsConfirmed, { by: 'UTECH1' });
}

describe('approval', () => {
  it('asks the primary contact, records the approval with its evidence, and goes on to the invite', async () => {
    const req = request({ ticket: 'T-1001' });
    const handle = await start(req);
    const waiting = await waitForApprovalRequest(handle);
    expect(waiting.approver).toEqual(PRIMARY);
    expect(waiting.waitingOn).toBe('approver');
    expect(Date.parse(waiting.deadline!)).toBeGreaterThan(Date.now() + 200_000);

    const [mail] = world.callsOf('sendApprovalRequest') as [[Record<string, unknown>]][];
    expect(mail![0]).toMatchObject({
      workflowId: workflowIdFor(req.orgId, req.contactId),
      approver: PRIMARY,
      invitee: INVITEE,
      round: 1,
      reminder: 0,
      expiresAt: waiting.deadline,
    });

    const result = await handle.executeUpdate(decide, { args: [decision(waiting)] });
    expect(result).toMatchObject({ decision: 'approve', round: 1 });
    const s = await waitForStage(handle, 'AWAITING_INVITE');
    expect(s.evidence).toMatchObject({
      via: 'link',
      decision: 'approve',
      approver: PRIMARY,
      ip: '198.51.100.7',
      userAgent: 'Mozilla/5.0 (test)',
      comment: 'Fine by me',
    });
    expect(stagePath(s)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE']);
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'approved', 'instructions-sent']);
    expect(world.callsOf('sendDecisionReceipt')[0]![0]).toMatchObject({ approver: PRIMARY, result: { decision: 'approve', round: 1 } });
    expect(world.callsOf('sendInstructions')[0]![0]).toMatchObject({ invitee: INVITEE, linkValidityHours: 300_000 / 3_600_000 });
    const posted = world.callsOf('postToThread').map((a) => (a[0] as { event: { type: string } }).event.type);
    expect(posted).toEqual(['approval-requested', 'approved', 'instructions-sent']);
    expect(world.callsOf('recordAuthorization')).toHaveLength(0);

    // The first decision wins.
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(waiting, { decision: 'deny' })] }))).toBe(DECISION_REFUSED.alreadyDecided);
  });

  it('skips approval when the invitee is the primary contact, and records authorization when the policy says so', async () => {
    world.primaryContactId = INVITEE.contactId;
    const handle = await start(request(), testPolicy({ authorization: { record: true } }));
    const s = await waitForStage(handle, 'AWAITING_INVITE');
    expect(stagePath(s)).toEqual(['VALIDATING', 'RECORDING_AUTHORIZATION', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE']);
    expect(s.evidence).toMatchObject({ via: 'not-needed' });
    expect(world.callsOf('sendApprovalRequest')).toHaveLength(0);
    expect(world.callsOf('recordAuthorization')[0]![0]).toMatchObject({ orgId: s.request.orgId, contactId: INVITEE.contactId });
  });

  it('ends DENIED on a denial, with a receipt to the approver', async () => {
    const handle = await start();
    const waiting = await waitForApprovalRequest(handle);
    await handle.executeUpdate(decide, { args: [decision(waiting, { decision: 'deny', comment: 'Not this one' })] });
    const s = await handle.result();
    expect(s.stage).toBe('DENIED');
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'deny', comment: 'Not this one' });
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'denied']);
    const denied = s.events.find((e) => e.type === 'denied')!;
    expect(denied.text).toMatch(/^Denied by Paula Primary at \S+ from 198\.51\.100\.7: “Not this one”$/);
    // The approver gets one receipt of the denial; nothing is sent to the invitee, nothing done in IT Glue.
    expect(workCalls()).toEqual(['validateRequest', 'sendApprovalRequest', 'sendDecisionReceipt']);
    expect(world.callsOf('sendDecisionReceipt')[0]![0]).toMatchObject({
      approver: PRIMARY,
      invitee: INVITEE,
      result: { decision: 'deny', round: 1 },
    });
    expect(posts().map((p) => p.event.type)).toEqual(['approval-requested', 'denied']);
    expect(postsOf('denied')[0]).toMatchObject({ workflowId: s.workflowId, thread: THREAD, event: denied });
    expect(threadShows()).toMatchObject({ stage: 'DENIED', waitingOn: 'nobody' });
  });

  it('reminds exactly maxReminders times, escalates to the tech, and expires without approving', async () => {
    const policy = testPolicy({ approval: { reminderEvery: 1_000, maxReminders: 3, escalateAfter: 2_500, timeout: 5_000 } });
    const handle = await start(request(), policy);
    const first = await waitForApprovalRequest(handle);
    const s = await handle.result();
    expect(s.stage).toBe('APPROVAL_EXPIRED');
    expect(s.evidence).toBeNull();
    const mails = world.callsOf('sendApprovalRequest').map((a) => a[0] as { round: number; reminder: number });
    expect(mails.map((m) => [m.round, m.reminder])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'approval-reminder', 'approval-reminder', 'escalated', 'approval-reminder', 'approval-expired']);
    const startedAt = Date.parse(s.stages[1]!.enteredAt);
    const expiredAt = Date.parse(s.stages[2]!.enteredAt);
    expect(expiredAt - startedAt).toBeGreaterThanOrEqual(5_000);
    // The tech is told once, in the thread, that the approver has not answered, and what to do.
    const escalations = postsOf('escalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ workflowId: s.workflowId, thread: THREAD });
    expect(escalations[0]!.event.text).toBe('Paula Primary has not answered: ask another contact or record an approval received offline.');
    // Replies that ask someone to act name them: the tech for reminders sent and the escalation, the managers for the expiry.
    expect(posts().map((p) => [p.event.type, p.event.mention ?? null])).toEqual([
      ['approval-requested', null],
      ['approval-reminder', { users: ['UTECH1'] }],
      ['approval-reminder', { users: ['UTECH1'] }],
      ['escalated', { users: ['UTECH1'] }],
      ['approval-reminder', { users: ['UTECH1'] }],
      ['approval-expired', { managers: true }],
    ]);
    expect(Date.parse(escalations[0]!.event.at) - startedAt).toBeGreaterThanOrEqual(2_500);
    expect(posts().map((p) => p.event.type)).toEqual([
      'approval-requested',
      'approval-reminder',
      'approval-reminder',
      'escalated',
      'approval-reminder',
      'approval-expired',
    ]);
    expect(threadShows()).toMatchObject({ stage: 'APPROVAL_EXPIRED', waitingOn: 'nobody' });
    // Never approved on time-out: no receipt, no instructions, nothing in IT Glue after validation.
    expect(workCalls()).toEqual(['validateRequest', ...Array(4).fill('sendApprovalRequest')]);
    // The workflow has closed: it takes no decision at all.
    await expect(handle.executeUpdate(decide, { args: [decision(first, { round: 4 })] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await handle.query(statusQuery)).stage).toBe('APPROVAL_EXPIRED');
  });

  it('refuses a decision for the current round that arrives after expiry while the onboarding is still open', async () => {
    // The request expires while the reminder mail is still being sent: the workflow is open, in
    // AWAITING_APPROVAL, and busy in that activity, so only the expiry can refuse the decision.
    const policy = testPolicy({ approval: { reminderEvery: 1_000, maxReminders: 1, escalateAfter: 60_000, timeout: 2_000 } });
    const reminder = world.hold('sendApprovalRequest', 2);
    const handle = await start(request(), policy);
    const first = await waitForApprovalRequest(handle);
    await reminder.reached;
    await sleep(Date.parse(first.deadline!) - Date.now() + 300);

    const s = await handle.query(statusQuery);
    expect(s.stage).toBe('AWAITING_APPROVAL');
    expect(s.evidence).toBeNull();
    expect(Date.now()).toBeGreaterThan(Date.parse(s.deadline!));
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(s)] }))).toBe(DECISION_REFUSED.expired);

    reminder.release();
    const done = await handle.result();
    expect(done.stage).toBe('APPROVAL_EXPIRED');
    expect(done.evidence).toBeNull();
    expect(eventTypes(done)).toEqual(['validated', 'approval-requested', 'approval-reminder', 'approval-expired']);
    expect(workCalls()).toEqual(['validateRequest', 'sendApprovalRequest', 'sendApprovalRequest']);
  });

  it('refuses a decision from a reminder-replaced round', async () => {
    const policy = testPolicy({ approval: { reminderEvery: 800, maxReminders: 1 } });
    const handle = await start(request(), policy);
    const s = await waitForStatus(handle, (x) => x.approvalRound === 2);
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(s, { round: 1 })] }))).toBe(DECISION_REFUSED.superseded);
    await handle.executeUpdate(decide, { args: [decision(s, { round: 2 })] });
    await waitForStage(handle, 'AWAITING_INVITE');
  });

  it('asks another contact: a new round to the new approver, the old link refused', async () => {
    const handle = await start();
    const old = await waitForApprovalRequest(handle);
    await handle.signal(changeApprover, { by: 'UTECH1', approverContactId: OTHER.contactId });
    const s = await waitForStatus(handle, (x) => x.approver?.contactId === OTHER.contactId && x.approvalRound === 2);
    expect(world.callsOf('findContact')[0]).toEqual([s.request.orgId, OTHER.contactId]);
    expect(world.callsOf('sendApprovalRequest')[1]![0]).toMatchObject({ approver: OTHER, round: 2, reminder: 0 });
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(old)] }))).toBe(DECISION_REFUSED.superseded);
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(s, { approverContactId: PRIMARY.contactId })] }))).toBe(DECISION_REFUSED.superseded);
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(s, { decision: 'maybe' as 'approve' })] }))).toBe(DECISION_REFUSED.invalid);
    await handle.executeUpdate(decide, { args: [decision(s)] });
    const done = await waitForStage(handle, 'AWAITING_INVITE');
    expect(done.evidence).toMatchObject({ via: 'link', approver: OTHER, round: 2 });
    expect(eventTypes(done)).toContain('approver-changed');
  });

  it('keeps waiting when the new approver is not a contact with an email', async () => {
    const handle = await start();
    await waitForApprovalRequest(handle);
    await handle.signal(changeApprover, { by: 'UTECH1', approverContactId: '999' });
    const s = await waitForStatus(handle, (x) => eventTypes(x).includes('approver-not-found'));
    expect(s.stage).toBe('AWAITING_APPROVAL');
    expect(s.approver).toEqual(PRIMARY);
    expect(s.approvalRound).toBe(1);
  });

  it('records an approval received offline, after which the link is refused', async () => {
    const handle = await start();
    const waiting = await waitForApprovalRequest(handle);
    await handle.signal(offlineApproval, { by: 'UTECH2', channel: 'fax', note: 'Signed form received 2026-11-24' });
    const s = await waitForStage(handle, 'AWAITING_INVITE');
    expect(s.evidence).toMatchObject({ via: 'offline', channel: 'fax', note: 'Signed form received 2026-11-24', recordedBy: 'UTECH2' });
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'approved-offline', 'instructions-sent']);
    const recorded = s.events.find((e) => e.type === 'approved-offline')!;
    expect(recorded).toMatchObject({ by: 'UTECH2', text: 'Approval received by fax recorded by <@UTECH2>: Signed form received 2026-11-24' });
    // No receipt (the approver did not use the link); the invitee gets the instructions.
    expect(workCalls()).toEqual(['validateRequest', 'sendApprovalRequest', 'sendInstructions']);
    expect(world.callsOf('sendInstructions')[0]![0]).toMatchObject({ invitee: INVITEE });
    expect(posts().map((p) => p.event.type)).toEqual(['approval-requested', 'approved-offline', 'instructions-sent']);
    expect(postsOf('approved-offline')[0]).toMatchObject({ workflowId: s.workflowId, thread: THREAD, event: recorded });
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(waiting)] }))).toBe(DECISION_REFUSED.alreadyDecided);
  });

  it('rejects a request that does not validate', async () => {
    world.rejectReason = 'Ines Invitee is already a MyGlue user.';
    const s = await (await start()).result();
    expect(s.stage).toBe('REJECTED');
    expect(s.reason).toBe('Ines Invitee is already a MyGlue user.');
    expect(world.callsOf('sendApprovalRequest')).toHaveLength(0);
  });
});

describe('invitation', () => {
  it('reminds the tech until the invitation is sent, then finds the user on the click or by the sweep', async () => {
    const policy = testPolicy({ invite: { remindTechAfter: 700, maxTechReminders: 2 } });
    const handle = await start(request({ approverContactId: INVITEE.contactId }), policy);
    const s1 = await waitForStatus(handle, (x) => eventTypes(x).filter((t) => t === 'tech-reminder').length === 2);
    expect(s1.stage).toBe('AWAITING_INVITE');
    expect(s1.waitingOn).toBe('tech');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(eventTypes(await handle.query(statusQuery))).toEqual(eventTypes(s1)); // no more than maxTechReminders
    // Each reminder is a reply in the thread that names the invitation to send; exactly maxTechReminders of them.
    const reminders = postsOf('tech-reminder');
    expect(reminders).toHaveLength(2);
    for (const r of reminders) {
      expect(r).toMatchObject({ workflowId: s1.workflowId, thread: THREAD });
      expect(r.event.text).toBe('The IT Glue invitation for Ines@acme.test has not been seen yet: please send it.');
      expect(r.event.mention).toEqual({ users: ['UTECH1'] });
    }
    expect(Date.parse(reminders[1]!.event.at) - Date.parse(reminders[0]!.event.at)).toBeGreaterThanOrEqual(700);

    // "Invitation sent" pressed before IT Glue shows the user: checked at once, not found.
    await handle.signal(invitationSent, { by: 'UTECH1' });
    const s2 = await waitForStatus(handle, (x) => eventTypes(x).includes('user-not-found'));
    expect(world.callsOf('findUser')).toEqual([[INVITEE.email]]);
    expect(s2.stage).toBe('AWAITING_INVITE');

    // The sweep sees someone else's user, then the invitee's (emails compared case-insensitively).
    await handle.signal(userObserved, userFor(OTHER));
    await handle.signal(userObserved, userFor(INVITEE, { email: 'ines@ACME.test' }));
    const s3 = await waitForStage(handle, 'AWAITING_ACCEPTANCE');
    expect(s3.user?.email).toBe('ines@ACME.test');
    expect(world.callsOf('verifyUser')[0]![0]).toMatchObject({
      user: { id: `u${INVITEE.contactId}` },
      groupNames: ['Customer - No Password Access'],
      org: { id: '100' },
    });
  });

  it('finds the user at once when "Invitation sent" is pressed and IT Glue has it', async () => {
    const handle = await start(request({ approverContactId: INVITEE.contactId, passwordAccess: true }));
    await waitForStage(handle, 'AWAITING_INVITE');
    world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
    await handle.signal(invitationSent, { by: 'UTECH1' });
    await waitForStage(handle, 'AWAITING_ACCEPTANCE');
    expect(world.callsOf('verifyUser')[0]![0]).toMatchObject({ groupNames: ['Customer - Has Password Access'] });
  });

  it('tells the tech what to fix on a mismatch and verifies again after Fixed', async () => {
    world.mismatches = [['Role is Editor; set it to Lite.', 'Group "Customer - No Password Access" reaches 2 organizations; it must reach only Acme Dental.']];
    world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
    const handle = await start(request({ approverContactId: INVITEE.contactId }));
    const s1 = await waitForStatus(handle, (x) => x.subState === 'MISMATCH');
    expect(s1.stage).toBe('VERIFYING');
    expect(s1.waitingOn).toBe('tech');
    expect(s1.mismatches).toHaveLength(2);
    const mismatch = s1.events.find((e) => e.type === 'mismatch')!;
    expect(mismatch.text).toContain('Role is Editor; set it to Lite.');
    await handle.signal(fixed, { by: 'UTECH1' });
    await confirmSettings(handle);
    const s2 = await waitForStage(handle, 'AWAITING_ACCEPTANCE');
    expect(world.callsOf('verifyUser')).toHaveLength(2);
    expect(s2.mismatches).toEqual([]);
    expect(eventTypes(s2).slice(-6)).toEqual(['user-found', 'mismatch', 'fixed', 'confirm-settings', 'settings-confirmed', 'verified']);
    expect(s2.confirmation).toMatchObject({
      by: 'UTECH1',
      items: ['role Lite', expect.stringContaining('and no other group'), expect.stringContaining('and ONLY'), 'no sub-organizations'],
    });
  });

  it('follows expiry and resends (by button and by a newer invitation) up to the max, stalls, and resumes', async () => {
    const policy = testPolicy({ invite: { linkValidity: 1_200, maxResends: 2 } });
    const handle = await toAcceptance(policy);
    const s1 = await waitForStatus(handle, (x) => x.subState === 'INVITE_EXPIRED');
    expect(s1.waitingOn).toBe('tech');
    expect(world.callsOf('sendInviteExpired')[0]![0]).toMatchObject({ invitee: INVITEE, expiry: 1 });

    await handle.signal(invitationResent, { by: 'UTECH1' });
    const s2 = await waitForStatus(handle, (x) => x.resends === 1 && x.subState === null);
    expect(s2.waitingOn).toBe('invitee');
    await waitForStatus(handle, (x) => x.subState === 'INVITE_EXPIRED');

    // Resent in IT Glue without pressing the button: the sweep sees a newer invitation-sent-at.
    await handle.signal(userObserved, userFor(INVITEE, { invitationSentAt: new Date().toISOString() }));
    await waitForStatus(handle, (x) => x.resends === 2 && x.subState === null);

    const stalled = await waitForStage(handle, 'STALLED');
    expect(stalled.stalledFrom).toBe('AWAITING_ACCEPTANCE');
    expect(stalled.waitingOn).toBe('manager');
    expect(world.callsOf('sendInviteExpired')).toHaveLength(2);

    await handle.signal(resume, { by: 'UMANAGER' });
    const resumed = await waitForStatus(handle, (x) => x.stage === 'AWAITING_ACCEPTANCE' && x.subState === 'INVITE_EXPIRED');
    expect(resumed.resends).toBe(0);
    await handle.signal(userObserved, userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() }));
    const s3 = await waitForStage(handle, 'AWAITING_2FA');
    expect(eventTypes(s3)).toEqual(expect.arrayContaining(['invite-expired', 'resent', 'stalled', 'resumed', 'accepted']));
  });
});

describe('2FA', () => {
  it('completes on the first sign-in where MFA is enforced', async () => {
    const policy = testPolicy({ twoFactor: { remindAt: [600, 60_000], enforcedForItGlue: true } });
    const handle = await toAcceptance(policy);
    await handle.signal(userObserved, userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() }));
    await waitForStatus(handle, (x) => x.stage === 'AWAITING_2FA' && eventTypes(x).includes('2fa-reminder'));
    await handle.signal(userObserved, userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString(), currentSignInAt: new Date().toISOString() }));
    const s = await handle.result();
    expect(s.stage).toBe('COMPLETED');
    expect(eventTypes(s).slice(-3)).toEqual(['2fa-reminder', 'signed-in', 'completed']);
    expect(world.callsOf('sendTwoFactorReminder')).toEqual([[expect.objectContaining({ invitee: INVITEE, reminder: 1 })]]);
    expect(stagePath(s)).toEqual(['VALIDATING', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE', 'VERIFYING', 'AWAITING_ACCEPTANCE', 'AWAITING_2FA', 'COMPLETED']);
  });

  it('needs the tech to confirm where MFA is not enforced (MyGlue), reminding the invitee meanwhile', async () => {
    const policy = testPolicy({ twoFactor: { remindAt: [300, 600], enforcedForMyGlue: false } });
    const req = request({ approverContactId: INVITEE.contactId, kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: ['g1'] });
    const handle = await toAcceptance(policy, req);
    const signedIn = new Date().toISOString();
    await handle.signal(userObserved, userFor(INVITEE, { myGlue: true, invitationAcceptedAt: signedIn, currentSignInAt: signedIn }));
    // After the last reminder nothing more is due: no deadline, the tech is waited on (a sign-in proves nothing here).
    const s1 = await waitForStatus(handle, (x) => eventTypes(x).filter((t) => t === '2fa-reminder').length === 2 && x.deadline === null);
    expect(s1.stage).toBe('AWAITING_2FA');
    expect(s1.waitingOn).toBe('tech');
    await handle.signal(twoFactorConfirmed, { by: 'UTECH1' });
    const s = await handle.result();
    expect(s.stage).toBe('COMPLETED');
    expect(eventTypes(s).slice(-2)).toEqual(['2fa-confirmed', 'completed']);
    expect(s.events.find((e) => e.type === '2fa-confirmed')).toMatchObject({ by: 'UTECH1' });
    expect(world.callsOf('sendTwoFactorReminder').map((a) => (a[0] as { reminder: number }).reminder)).toEqual([1, 2]);
  });
});

describe('cancel', () => {
  const drivers: Record<string, () => Promise<WorkflowHandle<typeof onboarding>>> = {
    AWAITING_APPROVAL: async () => {
      const h = await start();
      await waitForApprovalRequest(h);
      return h;
    },
    AWAITING_INVITE: async () => {
      const h = await start(request({ approverContactId: INVITEE.contactId }));
      await waitForStage(h, 'AWAITING_INVITE');
      return h;
    },
    VERIFYING: async () => {
      world.mismatches = [['Role is Editor; set it to Lite.']];
      world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
      const h = await start(request({ approverContactId: INVITEE.contactId }));
      await waitForStatus(h, (x) => x.subState === 'MISMATCH');
      return h;
    },
    AWAITING_ACCEPTANCE: () => toAcceptance(testPolicy()),
    AWAITING_2FA: async () => {
      const h = await toAcceptance(testPolicy());
      await h.signal(userObserved, userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() }));
      await waitForStage(h, 'AWAITING_2FA');
      return h;
    },
    'AWAITING_ACCEPTANCE (INVITE_EXPIRED)': async () => {
      const h = await toAcceptance(testPolicy({ invite: { linkValidity: 500 } }));
      await waitForStatus(h, (x) => x.subState === 'INVITE_EXPIRED');
      return h;
    },
    STALLED: async () => {
      // The link expires at once and no resend is allowed: it may stall before AWAITING_ACCEPTANCE is seen.
      world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
      const h = await start(request({ approverContactId: INVITEE.contactId }), testPolicy({ invite: { linkValidity: 300, maxResends: 0 } }));
      await confirmSettings(h);
      await waitForStage(h, 'STALLED');
      return h;
    },
  };

  for (const [waiting, drive] of Object.entries(drivers)) {
    it(`cancels from ${waiting}`, async () => {
      const handle = await drive();
      const waited = await handle.query(statusQuery);
      const callsBefore = world.calls.length;
      await handle.signal(cancel, { by: 'UMANAGER', reason: 'Customer changed their mind' });
      const s = await handle.result();
      expect(s.stage).toBe('CANCELLED');
      expect(s.stages.at(-2)!.stage).toBe(waiting.split(' ')[0]);
      expect(s.events.at(-2)).toMatchObject({ type: 'cancelled', by: 'UMANAGER' });
      expect(s.events.slice(0, waited.events.length)).toEqual(waited.events);
      expect(s.events.slice(waited.events.length).map((e) => e.type)).toEqual(['cancelled', 'stage']);
      expect(s.reason).toBe('Customer changed their mind');
      // After the cancel only Slack hears of it: no mail, no IT Glue call.
      expect(workCalls(callsBefore)).toEqual([]);
      const cancelled = postsOf('cancelled');
      expect(cancelled).toHaveLength(1);
      expect(cancelled[0]).toMatchObject({ workflowId: s.workflowId, thread: THREAD });
      expect(cancelled[0]!.event.text).toBe('Cancelled by <@UMANAGER>: Customer changed their mind');
      expect(threadShows()).toMatchObject({ stage: 'CANCELLED', waitingOn: 'nobody', reason: 'Customer changed their mind' });
    });
  }
});

describe('durability', () => {
  it('stalls on an activity failure that retrying cannot mend, and runs the stage again on resume', async () => {
    world.failures.set('validateRequest', [ApplicationFailure.nonRetryable('IT Glue refused the API key (401): check ITGLUE_API_KEY', 'ItGlueAuth')]);
    const handle = await start();
    const s1 = await waitForStage(handle, 'STALLED');
    expect(s1.stalledFrom).toBe('VALIDATING');
    expect(s1.reason).toContain('check ITGLUE_API_KEY');
    // Open, but not waiting for an approval: a decision is refused as such.
    expect(await refusal(handle.executeUpdate(decide, { args: [{ decision: 'approve', round: 0, approverContactId: PRIMARY.contactId }] }))).toBe(
      DECISION_REFUSED.notAwaiting,
    );
    await handle.signal(resume, { by: 'UMANAGER' });
    await waitForApprovalRequest(handle);
    expect(world.callsOf('validateRequest')).toHaveLength(2);
  });

  it('continues as new when the history grows long, carrying its state', async () => {
    const policy = testPolicy({ historyLimit: 40 });
    const handle = await start(request(), policy);
    const first = await waitForApprovalRequest(handle);
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 12; i++) await handle.signal(invitationSent, { by: 'UTECH1' }); // ignored here; grows the history
    const latest = temporal.client.workflow.getHandle(handle.workflowId);
    for (let i = 0; i < 100 && (await latest.describe()).runId === firstRun; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await latest.describe()).runId).not.toBe(firstRun);
    const s = await waitForStatus(latest, () => true);
    expect(s.approvalRound).toBe(1);
    expect(s.events).toEqual(expect.arrayContaining(first.events));
    await latest.executeUpdate(decide, { args: [decision(s)] });
    const done = await waitForStage(latest, 'AWAITING_INVITE');
    expect(world.callsOf('sendApprovalRequest')).toHaveLength(1); // nothing sent twice across runs
    expect(done.evidence).toMatchObject({ via: 'link', round: 1 });
  });
});
