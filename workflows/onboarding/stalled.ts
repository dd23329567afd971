/** STALLED: a manager looks; Resume goes back to the stage that stalled, with its resends counted afresh. */
import { cancelled } from './endings';
import type { OnboardingRun } from './run';

export async function awaitResume(run: OnboardingRun): Promise<void> {
  const s = run.status;
  for (;;) {
    for (const action of await run.next(null)) {
      if (action.type === 'cancel') return cancelled(run, action);
      if (action.type === 'resume') {
        const back = s.stalledFrom ?? 'VALIDATING';
        s.stalledFrom = null;
        s.reason = null;
        s.resends = 0;
        await run.note('resumed', `<@${action.by}> resumed the onboarding at ${back}.`, { by: action.by });
        return run.moveTo(back);
      }
    }
  }
}
