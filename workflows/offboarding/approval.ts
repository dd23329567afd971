/**
 * AWAITING_APPROVAL (offboarding): by the policy's `offboarding.approval`, the primary contact
 * answers through the emailed link exactly as for an onboarding, or a manager presses Approve
 * removal in the thread. A manager's approval expires, unanswered, like the approver's.
 */
import { awaitApproval } from '../onboarding/approval';
import { cancelled } from '../onboarding/endings';
import type { OnboardingRun } from '../onboarding/run';
import { offboardingApprovalOf } from '../policy';

export async function awaitRemovalApproval(run: OnboardingRun): Promise<void> {
  if (offboardingApprovalOf(run.policy) !== 'manager') return awaitApproval(run);
  const s = run.status;
  const expiresAt = Date.parse(s.stages[s.stages.length - 1]!.enteredAt) + run.policy.approval.timeout;
  if (!s.events.some((e) => e.type === 'approval-requested')) {
    await run.note('approval-requested', `A manager must approve the removal of ${run.state.invitee.name}'s access: press Approve removal.`, {
      mention: run.managersMention(),
    });
  }
  for (;;) {
    run.waitFor('manager', expiresAt);
    for (const action of await run.next(expiresAt)) {
      if (action.type === 'cancel') return cancelled(run, action);
      if (action.type === 'approveRemoval') {
        await run.note('approved', `Removal approved by <@${action.by}>.`, { by: action.by });
        return run.moveTo('REMOVING_ACCESS');
      }
    }
    if (Date.now() >= expiresAt) {
      await run.note('approval-expired', 'No manager approved the removal in time: the request has expired.');
      return run.moveTo('APPROVAL_EXPIRED');
    }
  }
}
