/**
 * One onboarding of a customer contact as an IT Glue Lite or MyGlue user (docs/design.md §4).
 *
 * The process, stage by stage; each step does its work, waits for people or timers, and moves to
 * the next stage (or ends the onboarding). A cancel stops any step at once; a step that fails for
 * good stalls the onboarding for a manager, whose Resume goes back to it.
 */
import type { Stage } from '../stages';
import type { OnboardingInput, OnboardingStatus } from '../types';
import { awaitAcceptance } from './acceptance';
import { awaitApproval } from './approval';
import { recordAuthorization } from './authorization';
import { sendInstructions } from './instructions';
import { awaitInvite } from './invite';
import { awaitResume } from './stalled';
import { runProcess, type Step } from './steps';
import { awaitTwoFactor } from './two-factor';
import { validate } from './validate';
import { verify } from './verify';

/** Every open stage's step, in the order a normal onboarding passes them. */
const PROCESS: Partial<Record<Stage, Step>> = {
  VALIDATING: validate, // → AWAITING_APPROVAL, or on without one; REJECTED
  AWAITING_APPROVAL: awaitApproval, // → RECORDING_AUTHORIZATION or SENDING_INSTRUCTIONS; DENIED, APPROVAL_EXPIRED
  RECORDING_AUTHORIZATION: recordAuthorization, // → SENDING_INSTRUCTIONS
  SENDING_INSTRUCTIONS: sendInstructions, // → AWAITING_INVITE
  AWAITING_INVITE: awaitInvite, // → VERIFYING
  VERIFYING: verify, // → AWAITING_ACCEPTANCE
  AWAITING_ACCEPTANCE: awaitAcceptance, // → AWAITING_2FA; STALLED after too many expiries
  AWAITING_2FA: awaitTwoFactor, // → COMPLETED
  STALLED: awaitResume, // → the stage that stalled
};

export async function onboarding(input: OnboardingInput): Promise<OnboardingStatus> {
  return runProcess(input, 'onboarding', PROCESS);
}
