/**
 * A customer's access review (docs/design.md §15.2): the organization's primary contact is asked,
 * by a signed link, whether each of its IT Glue Lite and MyGlue users keeps access; Remove starts an
 * offboarding with that approval given. It shares the onboarding's record, thread, approval rounds
 * (reminders, escalation, another contact) and rules; its own steps are below.
 */
import { awaitResume } from '../onboarding/stalled';
import { runProcess, type Step } from '../onboarding/steps';
import type { Stage } from '../stages';
import type { OnboardingInput, OnboardingStatus } from '../types';
import { awaitAnswer } from './answer';
import { applyAnswers } from './apply';
import { gatherUsers } from './gather';

const PROCESS: Partial<Record<Stage, Step>> = {
  VALIDATING: gatherUsers, // → AWAITING_APPROVAL; COMPLETED when there is nobody to review; REJECTED
  AWAITING_APPROVAL: awaitAnswer, // → REMOVING_ACCESS; APPROVAL_EXPIRED (managers told) or, by policy, all removed
  REMOVING_ACCESS: applyAnswers, // → COMPLETED
  STALLED: awaitResume, // → the stage that stalled
};

/** `input.request` names the organization (see review/record.ts). */
export async function accessReview(input: OnboardingInput): Promise<OnboardingStatus> {
  return runProcess(input, 'review', PROCESS);
}
