/**
 * The access review workflow on a real Temporal dev server, with recording activities
 * (docs/design.md §15.2): answered whole on the review's page (keep / remove per user), each removal
 * an offboarding of its own started with the answer as its approval; partial answers refused; no
 * answer by the timeout told to managers, or (by policy) removing everyone; nothing to review.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { startReview } from '../../src/onboardings';
import { decide, DECISION_REFUSED, status as statusQuery } from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import { offboardingIdFor, reviewIdFor, type OnboardingStatus } from '../../workflows/types';
import type { ReviewedUser } from '../../workflows/review/record';
import { INVITEE, OTHER, PRIMARY, userFor } from '../support/fake-activities';
import { testPolicy, updateRefusal, waitForStage, waitForStatus, withFakeWorkers } from '../support/temporal';

let counter = 0;
const fakes = withFakeWorkers();

const reviewed = (person: typeof INVITEE, over: Partial<ReviewedUser> = {}): ReviewedUser => ({
  userId: userFor(person).id,
  contactId: person.contactId,
  name: person.name,
  email: person.email.toLowerCase(),
  roleName: 'Lite',
  myGlue: false,
  passwordAccess: false,
  invitedAt: '2026-01-05T10:00:00.000Z',
  approvedBy: PRIMARY.name,
  approvedAt: '2026-01-04T09:00:00.000Z',
  onboardingId: `onboarding:100:${person.contactId}`,
  lastSignInAt: '2026-11-30T08:00:00.000Z',
  dormant: false,
  ...over,
});

async function review(policy: Policy = testPolicy()): Promise<{ handle: WorkflowHandle; orgId: string }> {
  const orgId = `review-${Date.now()}-${++counter}`;
  const { workflowId } = await startReview(fakes.temporal.client, fakes.temporal.taskQueue, { orgId, requestedBy: 'schedule' }, policy);
  const handle = fakes.temporal.client.workflow.getHandle(workflowId);
  fakes.started.push(handle);
  return { handle, orgId };
}

const waiting = (handle: WorkflowHandle) => waitForStatus(handle, (s) => s.stage === 'AWAITING_APPROVAL' && s.approvalRound === 1);
const answer = (s: OnboardingStatus, answers: Record<string, 'keep' | 'remove'>) => ({
  decision: 'approve' as const,
  round: s.approvalRound,
  approverContactId: s.approver!.contactId,
  ip: '198.51.100.9',
  userAgent: 'Mozilla/5.0 (review)',
  comment: 'Otto left in May',
  answers,
});
const eventTypes = (s: OnboardingStatus) => s.events.filter((e) => e.type !== 'stage').map((e) => e.type);

describe('access review', () => {
  it('asks the primary contact about every user; Keep keeps, Remove starts an offboarding with the answer as its approval', async () => {
    fakes.world.reviewed = [reviewed(INVITEE), reviewed(OTHER, { onboardingId: null, approvedBy: null, approvedAt: null, dormant: true })];
    for (const person of [INVITEE, OTHER]) fakes.world.users.set(person.email.toLowerCase(), userFor(person));
    const { handle, orgId } = await review();
    let s = await waiting(handle);
    expect(s.workflowId).toBe(reviewIdFor(orgId));
    expect(s.process).toBe('review');
    expect(s.approver).toEqual(PRIMARY);
    expect(s.waitingOn).toBe('approver');
    expect(s.events.find((e) => e.type === 'review-started')!.text).toContain('2 users (1 dormant, 1 matched by email)');
    const mail = fakes.world.callsOf('sendApprovalRequest')[0]![0] as { process?: string; review?: { users: ReviewedUser[] } };
    expect(mail.process).toBe('review');
    expect(mail.review!.users.map((u) => u.email)).toEqual([INVITEE.email.toLowerCase(), OTHER.email]);

    const [ines, otto] = fakes.world.reviewed.map((u) => u.userId) as [string, string];
    await handle.executeUpdate(decide, { args: [answer(s, { [ines]: 'keep', [otto]: 'remove' })] });
    s = await waitForStage(handle, 'COMPLETED');
    expect(s.review!.answers).toEqual({ [ines]: 'keep', [otto]: 'remove' });
    expect(s.review!.offboardings).toEqual([{ userId: otto, workflowId: offboardingIdFor(orgId, otto), started: true }]);
    expect(eventTypes(s)).toEqual(['review-started', 'approval-requested', 'reviewed', 'review-applied', 'completed']);
    expect((fakes.world.callsOf('sendDecisionReceipt')[0]![0] as { review?: unknown }).review).toMatchObject({ answers: { [ines]: 'keep', [otto]: 'remove' } });

    // Otto's offboarding went straight to the removal, on the review's evidence.
    const offboarding = fakes.temporal.client.workflow.getHandle(offboardingIdFor(orgId, otto));
    fakes.started.push(offboarding);
    const o = await waitForStage(offboarding, 'AWAITING_DELETION');
    expect(o.process).toBe('offboarding');
    expect(o.request).toMatchObject({ contactId: OTHER.contactId, userId: otto, reason: expect.stringContaining('access review') });
    expect(o.evidence).toMatchObject({ via: 'link', approver: PRIMARY, ip: '198.51.100.9', userAgent: 'Mozilla/5.0 (review)', comment: 'Otto left in May' });
    expect(o.stages.map((v) => v.stage)).not.toContain('AWAITING_APPROVAL');
    // Nobody offboards Ines.
    await expect(fakes.temporal.client.workflow.getHandle(offboardingIdFor(orgId, ines)).describe()).rejects.toThrow();
  });

  it('refuses an answer that leaves a user out, names one not in the review, or denies', async () => {
    fakes.world.reviewed = [reviewed(INVITEE), reviewed(OTHER)];
    const { handle } = await review();
    const s = await waiting(handle);
    const [ines, otto] = fakes.world.reviewed.map((u) => u.userId) as [string, string];
    for (const answers of [{ [ines]: 'keep' }, { [ines]: 'keep', [otto]: 'remove', u999: 'remove' }, { [ines]: 'keep', [otto]: 'maybe' }]) {
      const refused = await updateRefusal(handle.executeUpdate(decide, { args: [answer(s, answers as Record<string, 'keep'>)] }));
      expect(refused.type).toBe(DECISION_REFUSED.invalid);
    }
    const denied = await updateRefusal(handle.executeUpdate(decide, { args: [{ ...answer(s, { [ines]: 'keep', [otto]: 'keep' }), decision: 'deny' }] }));
    expect(denied.type).toBe(DECISION_REFUSED.invalid);
    expect((await handle.query(statusQuery)).evidence).toBeNull();
  });

  it('unanswered by review.timeout: the managers are told and nothing is removed (onNoAnswer: escalate)', async () => {
    fakes.world.reviewed = [reviewed(INVITEE)];
    const { handle } = await review(testPolicy({ review: { timeout: 2_000 } }));
    const s = (await handle.result()) as OnboardingStatus;
    expect(s.stage).toBe('APPROVAL_EXPIRED');
    const expired = s.events.find((e) => e.type === 'approval-expired')!;
    expect(expired.mention).toEqual({ managers: true });
    expect(expired.text).toContain('managers');
    expect(s.review!.offboardings).toEqual([]);
  });

  it('unanswered by review.timeout with onNoAnswer: remove — every user gets an offboarding', async () => {
    fakes.world.reviewed = [reviewed(INVITEE), reviewed(OTHER)];
    const { handle, orgId } = await review(testPolicy({ review: { timeout: 2_000, onNoAnswer: 'remove' } }));
    const s = (await handle.result()) as OnboardingStatus;
    expect(s.stage).toBe('COMPLETED');
    expect(s.evidence).toMatchObject({ via: 'not-needed' });
    expect(s.review!.offboardings.map((o) => o.workflowId).sort()).toEqual(fakes.world.reviewed.map((u) => offboardingIdFor(orgId, u.userId)).sort());
    for (const o of s.review!.offboardings) fakes.started.push(fakes.temporal.client.workflow.getHandle(o.workflowId));
  });

  it('an organization without customer users has nothing to review', async () => {
    fakes.world.reviewed = [];
    const { handle } = await review();
    const s = (await handle.result()) as OnboardingStatus;
    expect(s.stage).toBe('COMPLETED');
    expect(fakes.world.callsOf('sendApprovalRequest')).toHaveLength(0);
    expect(s.events.find((e) => e.type === 'completed')!.text).toMatch(/nothing to review/);
  });

  it('a second start while one is open finds the open one', async () => {
    fakes.world.reviewed = [reviewed(INVITEE)];
    const { handle, orgId } = await review();
    await waiting(handle);
    const again = await startReview(fakes.temporal.client, fakes.temporal.taskQueue, { orgId, requestedBy: 'U0MANAGER1' }, testPolicy());
    expect(again).toEqual({ workflowId: reviewIdFor(orgId), created: false });
  });
});
