/**
 * Escalation of waits on the tech (docs/design.md §5): the tech must create the user, confirm the
 * settings, fix a mismatch or resend an expired invitation. A wait that lasts `invite.escalateAfter`
 * is told to the managers in the thread, with their mention, once per wait, as an unanswered
 * approval is told to the tech. The wait is kept in the progress, so that it survives
 * continue-as-new; onboardings whose history began before this have none (OnboardingRun.escalatesTech).
 */
import { techEscalationOf } from '../policy';
import type { TechWaitKind } from '../types';
import type { OnboardingRun } from './run';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "24 h", "3 days", "90 min": how long the wait lasted, for the thread. */
export function waitedText(ms: number): string {
  if (ms >= 2 * DAY && ms % DAY === 0) return `${ms / DAY} days`;
  if (ms >= HOUR) return `${Math.round((ms / HOUR) * 10) / 10} h`;
  if (ms >= MINUTE) return `${Math.round(ms / MINUTE)} min`;
  return `${Math.round(ms / 1000)} s`;
}

/**
 * Enters (or goes on with, also after continue-as-new) a wait on the tech of this kind. Returns
 * when it is escalated (ms since epoch), or null when it never will be (already escalated, or a
 * history from before escalation). A wait ends with its stage (OnboardingRun.moveTo) or endTechWait.
 */
export function techWaitEscalatesAt(run: OnboardingRun, kind: TechWaitKind): number | null {
  if (!run.escalatesTech) return null;
  const p = run.state.progress;
  if (p.techWait?.kind !== kind) p.techWait = { kind, since: Date.now(), escalated: false };
  return p.techWait.escalated ? null : p.techWait.since + techEscalationOf(run.policy);
}

/** The wait on the tech is over (the tech acted, or the onboarding moved on). */
export function endTechWait(run: OnboardingRun): void {
  if (run.state.progress.techWait) run.state.progress.techWait = null;
}

/**
 * Tells the managers, once, that the wait of this kind has lasted too long. `waiting` says what
 * the tech has not done, e.g. "No tech has created the IT Glue user for ines@acme.test".
 */
export async function escalateTechWait(run: OnboardingRun, kind: TechWaitKind, waiting: string): Promise<void> {
  const wait = run.state.progress.techWait;
  if (!run.escalatesTech || !wait || wait.kind !== kind || wait.escalated) return;
  const after = techEscalationOf(run.policy);
  if (Date.now() < wait.since + after) return;
  wait.escalated = true;
  const what = run.status.process === 'offboarding' ? 'offboarding' : 'onboarding';
  await run.note('escalated', `${waiting} in ${waitedText(after)}: ask a tech to see to it, or cancel the ${what}.`, { mention: run.managersMention() });
}

/** The earlier of two times (ms since epoch), where null is never. */
export function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}
