/**
 * The thread root's progress line (docs/design.md §10): the onboarding's steps in the order of the
 * process (docs/design.md §4; an offboarding's, §15), e.g. `Approval ✓ · Instructions ✓ · Invite … · Verify · Acceptance · 2FA`.
 * Derived from the status alone: the stage, the stages visited, the stage a stall came from and
 * the approval's evidence (an approval that was not needed is left out).
 */
import type { Stage } from '../../../workflows/stages';
import type { OnboardingStatus } from '../../../workflows/types';

type Steps = ReadonlyArray<{ label: string; stages: readonly Stage[] }>;

/** The steps shown, and the stages each one covers (checking the request and recording the authorization belong to the approval). */
const STEPS: Steps = [
  { label: 'Approval', stages: ['VALIDATING', 'AWAITING_APPROVAL', 'RECORDING_AUTHORIZATION'] },
  { label: 'Instructions', stages: ['SENDING_INSTRUCTIONS'] },
  { label: 'Invite', stages: ['AWAITING_INVITE'] },
  { label: 'Verify', stages: ['VERIFYING'] },
  { label: 'Acceptance', stages: ['AWAITING_ACCEPTANCE'] },
  { label: '2FA', stages: ['AWAITING_2FA'] },
];

/**
 * An offboarding's steps (docs/design.md §15), e.g. `Approval ✓ · Access removed ✓ · Deletion … · Receipt`.
 * The receipt has no stage of its own: it is the step once the user is found deleted.
 */
const REMOVAL_STEPS: Steps = [
  { label: 'Approval', stages: ['VALIDATING', 'AWAITING_APPROVAL'] },
  { label: 'Access removed', stages: ['REMOVING_ACCESS'] },
  { label: 'Deletion', stages: ['AWAITING_DELETION'] },
  { label: 'Receipt', stages: [] },
];

/** An access review's steps (docs/design.md §15.2), e.g. `Users ✓ · Answer … · Removals`. */
const REVIEW_STEPS: Steps = [
  { label: 'Users', stages: ['VALIDATING'] },
  { label: 'Answer', stages: ['AWAITING_APPROVAL'] },
  { label: 'Removals', stages: ['REMOVING_ACCESS'] },
];

export const PROGRESS_MARK = { done: '✓', current: '…', stalled: '⚠', ended: '✗' } as const;

/** The steps of the process the status belongs to, and the step a stage is in (-1: none). */
function stepsOf(s: OnboardingStatus): { steps: Steps; stepOf: (stage: Stage | null | undefined) => number } {
  const steps = s.process === 'offboarding' ? REMOVAL_STEPS : s.process === 'review' ? REVIEW_STEPS : STEPS;
  // Once the user is found deleted, an offboarding still in AWAITING_DELETION is sending the receipt.
  const deleted = s.process === 'offboarding' && !!s.removal?.deletedAt;
  const stepOf = (stage: Stage | null | undefined): number => {
    if (!stage) return -1;
    const step = steps.findIndex((each) => each.stages.includes(stage));
    return deleted && stage === 'AWAITING_DELETION' ? step + 1 : step;
  };
  return { steps, stepOf };
}

/** The step the onboarding is at, or stopped at; the number of steps once completed, -1 when it cannot be told. */
function stepReached(s: OnboardingStatus): number {
  const { steps, stepOf } = stepsOf(s);
  if (s.stage === 'COMPLETED') return steps.length;
  if (s.stage === 'STALLED') return stepOf(s.stalledFrom);
  const own = stepOf(s.stage);
  if (own >= 0) return own;
  // Ended: the last step it was in (a stall before a cancel counts as the stage it stalled at).
  for (const visit of [...s.stages].reverse()) {
    const step = visit.stage === 'STALLED' ? stepOf(s.stalledFrom) : stepOf(visit.stage);
    if (step >= 0) return step;
  }
  // Rejected, denied and expired onboardings end in the approval step (a review: rejected in its first, unanswered in its second).
  if (s.process === 'review' && s.stage === 'APPROVAL_EXPIRED') return 1;
  return s.stage === 'CANCELLED' ? -1 : 0;
}

/** The mark of the step the onboarding is at: working or waiting, stalled for a manager, or ended there. */
function markOf(s: OnboardingStatus): string {
  if (s.stage === 'STALLED') return PROGRESS_MARK.stalled;
  return stepsOf(s).stepOf(s.stage) >= 0 ? PROGRESS_MARK.current : PROGRESS_MARK.ended;
}

/** The progress line (plain text, no names in it): done steps ✓, the current one …, later ones plain. */
export function progressLine(s: OnboardingStatus): string {
  const reached = stepReached(s);
  // A review's first step is its users, never skipped.
  const skipped = (i: number) => i === 0 && s.evidence?.via === 'not-needed' && s.process !== 'review';
  return stepsOf(s)
    .steps.flatMap(({ label }, i) => {
      if (skipped(i)) return [];
      if (i < reached) return [`${label} ${PROGRESS_MARK.done}`];
      if (i === reached) return [`${label} ${markOf(s)}`];
      return [label];
    })
    .join(' · ');
}
