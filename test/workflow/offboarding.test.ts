/**
 * The offboarding workflow on a real Temporal dev server, with recording activities: each approval
 * mode, the removal, the guided deletion found by the sweep or confirmed by the tech's press, the
 * receipt, and an open onboarding of the same person cancelled first (docs/design.md §15).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { offboarding } from '../../workflows/offboarding';
import { approveRemoval, cancelOnboarding, confirmInvitationSent, confirmUserDeleted, decide, status as statusQuery, userGone } from '../../workflows/messages';
import { ACTION_REFUSED } from '../../workflows/person-actions';
import type { Policy } from '../../workflows/policy';
import { offboardingIdFor, workflowIdFor, type OffboardingRequest, type OnboardingStatus } from '../../workflows/types';
import type { RemovalReceipt } from '../../activities/contracts';
import { INVITEE, PRIMARY, userFor } from '../support/fake-activities';
import { startOnboardingWorkflow, testPolicy, updateRefusal, waitForStage, waitForStatus, withFakeWorkers } from '../support/temporal';

let counter = 0;
const fakes = withFakeWorkers();

const USER = userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() });

/** Ines's IT Glue user exists, in one shared customer group. */
function inesIsAUser(fields = {}) {
  const user = { ...USER, ...fields };
  fakes.world.users.set(user.email, user);
  fakes.world.groupsOf.set(user.id, ['Customer - No Password Access']);
  return user;
}

function request(overrides: Partial<OffboardingRequest> = {}): OffboardingRequest {
  counter += 1;
  return {
    orgId: `off-${Date.now()}-${counter}`,
    contactId: INVITEE.contactId,
    userId: USER.id,
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: 'UTECH1',
    reason: 'Ines left Acme',
    ...overrides,
  };
}

async function start(req: OffboardingRequest, policy: Policy): Promise<WorkflowHandle<typeof offboarding>> {
  const handle = await fakes.temporal.client.workflow.start<typeof offboarding>('offboarding', {
    taskQueue: fakes.temporal.taskQueue,
    workflowId: offboardingIdFor(req.orgId, req.userId),
    args: [{ request: req, policy }],
  });
  fakes.started.push(handle);
  return handle;
}

const policyFor = (approval: 'none' | 'manager' | 'primary-contact', over: Parameters<typeof testPolicy>[0] = {}) => testPolicy({ ...over, offboarding: { approval } });
const eventTypes = (s: OnboardingStatus) => s.events.filter((e) => e.type !== 'stage').map((e) => e.type);
const stagePath = (s: OnboardingStatus) => s.stages.map((v) => v.stage);
const eventOf = (s: OnboardingStatus, type: string) => s.events.find((e) => e.type === type)!;
const posts = (type: string) =>
  fakes.world
    .callsOf('postToThread')
    .map((a) => (a[0] as { event: { type: string; text: string; mention?: unknown } }).event)
    .filter((e) => e.type === type);

/** The sweep's word that the user is gone (IT Glue no longer lists it). */
async function sweepFindsUserGone(handle: WorkflowHandle) {
  fakes.world.users.delete(USER.email);
  await handle.signal(userGone, { userId: USER.id });
}

describe('offboarding', () => {
  it('manager approval: waits on the managers, refuses the requester’s own approval, removes, guides the deletion, finds it by the sweep and mails a receipt', async () => {
    inesIsAUser();
    const handle = await start(request(), policyFor('manager'));
    let s = await waitForStatus(handle, (x) => x.stage === 'AWAITING_APPROVAL' && x.waitingOn === 'manager');
    expect(s.process).toBe('offboarding');
    expect(s.deadline).not.toBeNull();
    expect(posts('approval-requested')[0]!.mention).toEqual({ managers: true });

    // Four eyes: the tech who asked cannot approve; an onboarding's action does not fit.
    const own = await updateRefusal(handle.executeUpdate(approveRemoval, { args: [{ by: 'UTECH1', seen: s.actionsTaken ?? 0 }] }));
    expect(own.type).toBe(ACTION_REFUSED.invalid);
    const wrong = await updateRefusal(handle.executeUpdate(confirmInvitationSent, { args: [{ by: 'UMANAGER1' }] }));
    expect(wrong.type).toBe(ACTION_REFUSED.notNow);

    await handle.executeUpdate(approveRemoval, { args: [{ by: 'UMANAGER1', seen: s.actionsTaken ?? 0 }] });
    s = await waitForStatus(handle, (x) => eventTypes(x).includes('delete-user'));
    expect(s.evidence).toMatchObject({ via: 'manager', decision: 'approve', by: 'UMANAGER1' });
    expect(fakes.world.callsOf('removeAccess')).toHaveLength(1);
    expect(s.removal).toMatchObject({ groupsLeft: ['Customer - No Password Access'], authorizationRemoved: false, deletedAt: null });
    expect(fakes.world.groupsOf.get(USER.id)).toEqual([]);
    expect(s.waitingOn).toBe('tech');

    const guide = eventOf(s, 'delete-user');
    expect(guide.text).toContain('Account → Users → the IT Glue tab → the row of ines@acme.test → the delete (trash) icon');
    expect(guide.text).not.toContain('personal passwords');
    expect(guide.mention).toEqual({ users: ['UTECH1'] });

    // The tech says it is deleted while IT Glue still has it: said, and nothing ends.
    await handle.executeUpdate(confirmUserDeleted, { args: [{ by: 'UTECH2' }] });
    s = await waitForStatus(handle, (x) => eventTypes(x).includes('user-still-there'));
    expect(s.stage).toBe('AWAITING_DELETION');

    await sweepFindsUserGone(handle);
    s = await handle.result();
    expect(s.stage).toBe('COMPLETED');
    expect(stagePath(s)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS', 'AWAITING_DELETION', 'COMPLETED']);
    expect(s.removal!.deletedAt).not.toBeNull();
    const receipt = fakes.world.callsOf('sendRemovalReceipt')[0]![0] as RemovalReceipt;
    expect(receipt).toMatchObject({
      to: PRIMARY,
      userEmail: USER.email,
      groupsLeft: ['Customer - No Password Access'],
      process: 'offboarding',
      reason: 'Ines left Acme',
    });
    expect(receipt.approval).toMatch(/manager/);
    expect(eventTypes(s)).toEqual([
      'validated',
      'approval-requested',
      'approved',
      'access-removed',
      'delete-user',
      'user-still-there',
      'user-deleted',
      'receipt-sent',
      'completed',
    ]);
    // Each deletion check read IT Glue once.
    expect(fakes.world.callsOf('userById')).toHaveLength(2);
  });

  it('primary-contact approval: the approver’s link decides through the same decide Update; a denial removes nothing', async () => {
    inesIsAUser();
    const approved = await start(request(), policyFor('primary-contact'));
    let s = await waitForStatus(approved, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
    expect(s.waitingOn).toBe('approver');
    const mail = fakes.world.callsOf('sendApprovalRequest')[0]![0] as { process?: string; reason?: string; approver: { contactId: string } };
    expect(mail).toMatchObject({ process: 'offboarding', reason: 'Ines left Acme', approver: { contactId: PRIMARY.contactId } });
    await approved.executeUpdate(decide, {
      args: [{ decision: 'approve', round: 1, approverContactId: PRIMARY.contactId, ip: '198.51.100.7', userAgent: 'test', comment: 'Yes, she left' }],
    });
    s = await waitForStage(approved, 'AWAITING_DELETION');
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', ip: '198.51.100.7', comment: 'Yes, she left' });
    expect((fakes.world.callsOf('sendDecisionReceipt')[0]![0] as { process?: string }).process).toBe('offboarding');

    const denied = await start(request(), policyFor('primary-contact'));
    s = await waitForStatus(denied, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
    await denied.executeUpdate(decide, { args: [{ decision: 'deny', round: 1, approverContactId: PRIMARY.contactId }] });
    s = await denied.result();
    expect(s.stage).toBe('DENIED');
    expect(fakes.world.callsOf('removeAccess')).toHaveLength(1); // the approved one only
  });

  it('primary-contact approval with no primary contact found: refused with the rule’s reason', async () => {
    inesIsAUser();
    fakes.world.primaryContactId = 'nobody';
    const s = await (await start(request(), policyFor('primary-contact'))).result();
    expect(s.stage).toBe('REJECTED');
    expect(s.reason).toMatch(/No primary contact/);
    expect(fakes.world.callsOf('removeAccess')).toHaveLength(0);
  });

  it('no approval (policy none), and an approval given already (a review’s Remove): straight to the removal', async () => {
    inesIsAUser();
    const none = await start(request(), policyFor('none'));
    let s = await waitForStage(none, 'AWAITING_DELETION');
    expect(s.evidence).toMatchObject({ via: 'not-needed' });
    expect(stagePath(s)).toEqual(['VALIDATING', 'REMOVING_ACCESS', 'AWAITING_DELETION']);

    const given = {
      via: 'link' as const,
      decision: 'approve' as const,
      at: new Date().toISOString(),
      round: 1,
      approver: PRIMARY,
      ip: '203.0.113.9',
      userAgent: 'UA',
      comment: null,
    };
    const reviewed = await start(request({ approval: given }), policyFor('manager'));
    s = await waitForStage(reviewed, 'AWAITING_DELETION');
    expect(s.evidence).toEqual(given);
    expect(stagePath(s)).not.toContain('AWAITING_APPROVAL');
  });

  it('a MyGlue user: the tech is warned that personal passwords and unshared assets go with the user', async () => {
    inesIsAUser({ myGlue: true, roleName: 'Creator' });
    const handle = await start(request(), policyFor('none'));
    const s = await waitForStatus(handle, (x) => eventTypes(x).includes('delete-user'));
    expect(s.request.kind).toBe('myglue');
    const guide = eventOf(s, 'delete-user').text;
    expect(guide).toContain('Account → Users → the MyGlue tab');
    expect(guide).toMatch(/personal passwords and every asset they have not shared/);
  });

  it('cancels an open onboarding of the same person first, with the reason', async () => {
    inesIsAUser();
    const req = request();
    const onboardingHandle = await startOnboardingWorkflow(
      fakes.temporal,
      { orgId: req.orgId, contactId: INVITEE.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH3' },
      testPolicy(),
    );
    fakes.started.push(onboardingHandle);
    await waitForStage(onboardingHandle, 'AWAITING_APPROVAL');

    const handle = await start(req, policyFor('none'));
    const s = await waitForStage(handle, 'AWAITING_DELETION');
    expect(eventTypes(s)).toContain('onboarding-cancelled');
    const cancelledOnboarding = await onboardingHandle.result();
    expect(cancelledOnboarding.stage).toBe('CANCELLED');
    expect(cancelledOnboarding.reason).toContain(offboardingIdFor(req.orgId, req.userId));
    expect(cancelledOnboarding.workflowId).toBe(workflowIdFor(req.orgId, INVITEE.contactId));
  });

  it('with no open onboarding nothing is cancelled or noted', async () => {
    inesIsAUser();
    const s = await waitForStage(await start(request(), policyFor('none')), 'AWAITING_DELETION');
    expect(eventTypes(s)).not.toContain('onboarding-cancelled');
  });

  it('a manager’s approval expires unanswered; silence never removes', async () => {
    inesIsAUser();
    const s = await (await start(request(), policyFor('manager', { approval: { timeout: 2_000 } }))).result();
    expect(s.stage).toBe('APPROVAL_EXPIRED');
    expect(fakes.world.callsOf('removeAccess')).toHaveLength(0);
  });

  it('reminds the tech to delete the user and can be cancelled while it waits', async () => {
    inesIsAUser();
    const handle = await start(request(), policyFor('none', { invite: { remindTechAfter: 1_000, maxTechReminders: 2 } }));
    let s = await waitForStatus(handle, (x) => eventTypes(x).filter((t) => t === 'tech-reminder').length === 2, 30_000);
    expect(posts('tech-reminder')[0]!.mention).toEqual({ users: ['UTECH1'] });
    await handle.executeUpdate(cancelOnboarding, { args: [{ by: 'UMANAGER1', reason: 'kept after all' }] });
    s = await handle.result();
    expect(s.stage).toBe('CANCELLED');
    expect(fakes.world.callsOf('sendRemovalReceipt')).toHaveLength(0);
  });

  it('refuses a user IT Glue does not have, and a sweep naming another user changes nothing', async () => {
    const rejected = await (await start(request(), policyFor('none'))).result();
    expect(rejected.stage).toBe('REJECTED');

    inesIsAUser();
    const handle = await start(request(), policyFor('none'));
    await waitForStage(handle, 'AWAITING_DELETION');
    await handle.signal(userGone, { userId: 'u-someone-else' });
    await handle.executeUpdate(confirmUserDeleted, { args: [{ by: 'UTECH1' }] }); // a barrier: handled after the signal
    const s = await waitForStatus(handle, (x) => eventTypes(x).includes('user-still-there'));
    expect(s.stage).toBe('AWAITING_DELETION');
    expect(fakes.world.callsOf('userById')).toHaveLength(1);
    expect((await handle.query(statusQuery)).stage).toBe('AWAITING_DELETION');
  });
});
