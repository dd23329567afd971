/**
 * AWAITING_APPROVAL (access review): the primary contact answers on the review's page, as an
 * approver does (rounds, reminders, escalation, another contact), by `review.timeout`. Without an
 * answer, `review.onNoAnswer` decides: the managers are told (the review ends unanswered), or every
 * user is removed.
 */
import { awaitApproval } from '../onboarding/approval';
import type { OnboardingRun } from '../onboarding/run';
import { reviewPolicyOf } from '../policy';

export function awaitAnswer(run: OnboardingRun): Promise<void> {
  return awaitApproval(run, unanswered);
}

async function unanswered(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const who = run.state.approver.name;
  if (reviewPolicyOf(run.policy).onNoAnswer === 'remove') {
    s.evidence = { via: 'not-needed', at: run.now(), reason: 'No answer to the access review in time; the policy removes every user then (review.onNoAnswer: remove).' };
    s.review!.answers = Object.fromEntries(s.review!.users.map((u) => [u.userId, 'remove' as const]));
    await run.note('approval-expired', `No answer from ${who} in time: every user is removed, as the policy says.`, { mention: run.managersMention() });
    return run.moveTo('REMOVING_ACCESS');
  }
  await run.note('approval-expired', `No answer from ${who} in time: managers, decide for each user (Remove access), or start a new review.`);
  return run.moveTo('APPROVAL_EXPIRED');
}
