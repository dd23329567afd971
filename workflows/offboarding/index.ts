/**
 * One offboarding: an IT Glue Lite or MyGlue user of a customer loses their access
 * (docs/design.md §15). It shares the onboarding's record, thread and ways (a run, stage steps,
 * Updates judged by one rule); its own steps are below.
 *
 * The process, stage by stage: the request is checked (an open onboarding of the same person is
 * cancelled first), approved by whom the policy says, the user is taken out of every group and the
 * contact out of the authorization record at once, the tech deletes the user in IT Glue (its API
 * cannot), the sweep finds the user gone, and the primary contact gets a receipt.
 */
import { awaitResume } from '../onboarding/stalled';
import { runProcess, type Step } from '../onboarding/steps';
import type { Stage } from '../stages';
import type { OffboardingInput, OnboardingStatus } from '../types';
import { awaitRemovalApproval } from './approval';
import { awaitDeletion } from './deletion';
import { removeAccess } from './removal';
import { validateOffboarding } from './validate';

const PROCESS: Partial<Record<Stage, Step>> = {
  VALIDATING: validateOffboarding, // → AWAITING_APPROVAL, or on without one; REJECTED
  AWAITING_APPROVAL: awaitRemovalApproval, // → REMOVING_ACCESS; DENIED, APPROVAL_EXPIRED
  REMOVING_ACCESS: removeAccess, // → AWAITING_DELETION
  AWAITING_DELETION: awaitDeletion, // → COMPLETED (receipt mailed)
  STALLED: awaitResume, // → the stage that stalled
};

export async function offboarding(input: OffboardingInput): Promise<OnboardingStatus> {
  return runProcess(input, 'offboarding', PROCESS);
}
