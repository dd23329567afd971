/**
 * How an onboarding ends or stops for a manager. Each records its event first, so that the
 * thread's root shows it with the stage change, then replies with it.
 */
import type { CancelAction } from './inbox';
import type { OnboardingRun } from './run';
import { endScopeWatch, watchScope } from './scope';

/** A person must look (a step failed for good, or the invitation expired too often). */
export async function stall(run: OnboardingRun, reason: string): Promise<void> {
  const s = run.status;
  s.stalledFrom = s.stage;
  s.reason = reason;
  const event = run.record('stalled', `Needs a manager: ${reason}`);
  await run.moveTo('STALLED', 'manager');
  await run.tell(event);
}

export async function cancelled(run: OnboardingRun, action: CancelAction): Promise<void> {
  run.status.reason = action.reason ?? null;
  const because = action.reason ? `: ${action.reason}` : '';
  const event = run.record('cancelled', `Cancelled by <@${action.by}>${because}`, { by: action.by });
  await run.moveTo('CANCELLED');
  await run.tell(event);
  await endScopeWatch(run, 'cancelled');
}

export async function completed(run: OnboardingRun): Promise<void> {
  // 2FA confirmed by the tech means the user has signed in, even where no sign-in was seen yet.
  await watchScope(run, true);
  const name = run.state.invitee.name;
  const event = run.record('completed', `${name} is onboarded: IT Glue access set up and verified, invitation accepted, 2FA in place.`);
  await run.moveTo('COMPLETED');
  await run.tell(event);
  await endScopeWatch(run, 'completed');
}
