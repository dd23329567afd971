/** VALIDATING (access review): the organization's customer users, and who answers for it. */
import type { OnboardingRun } from '../onboarding/run';

export async function gatherUsers(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const { orgId, approverContactId } = run.input.request;
  const g = await run.itglue.gatherReview({ orgId, policy: run.policy, now: run.now(), ...(approverContactId ? { approverContactId } : {}) });
  if (!g.ok) {
    s.reason = g.reason;
    await run.note('rejected', g.reason);
    return run.moveTo('REJECTED');
  }
  s.org = g.org;
  // The review is addressed to the person who answers it.
  s.invitee = g.primaryContact;
  s.approver = g.primaryContact;
  s.review = { users: g.users, answers: null, offboardings: [] };
  if (g.simulated) s.itglueSimulated = true;
  if (g.users.length === 0) {
    const event = run.record('completed', `${g.org.name} has no IT Glue Lite or MyGlue users: nothing to review.`);
    await run.moveTo('COMPLETED');
    return run.tell(event);
  }
  const dormant = g.users.filter((u) => u.dormant).length;
  const matched = g.users.filter((u) => !u.onboardingId).length;
  const notes = [dormant ? `${dormant} dormant` : '', matched ? `${matched} matched by email` : ''].filter(Boolean).join(', ');
  await run.note(
    'review-started',
    `Access review of ${g.org.name}: ${g.users.length} users${notes ? ` (${notes})` : ''}, for ${g.primaryContact.name} to keep or remove.`,
  );
  return run.moveTo('AWAITING_APPROVAL', 'approver');
}
