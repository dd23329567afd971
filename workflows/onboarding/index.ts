/**
 * One onboarding of a customer contact as an IT Glue Lite or MyGlue user (docs/design.md §4).
 *
 * The process, stage by stage; each step does its work, waits for people or timers, and moves to
 * the next stage (or ends the onboarding). A cancel stops any step at once; a step that fails for
 * good stalls the onboarding for a manager, whose Resume goes back to it.
 */
import * as wf from '@temporalio/workflow';
import type { Stage } from '../stages';
import type { OnboardingInput, OnboardingStatus } from '../types';
import { awaitAcceptance } from './acceptance';
import { registerHandlers } from './actions';
import { awaitApproval } from './approval';
import { recordAuthorization } from './authorization';
import { cancelled, stall } from './endings';
import { sendInstructions } from './instructions';
import { awaitInvite } from './invite';
import { OnboardingRun } from './run';
import { awaitResume } from './stalled';
import { awaitTwoFactor } from './two-factor';
import { validate } from './validate';
import { verify } from './verify';

type Step = (run: OnboardingRun) => Promise<void>;

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
  const run = new OnboardingRun(input);
  registerHandlers(run);
  run.publisher.searchAttributes();
  run.publisher.sweepMemo();
  while (!run.state.ended) {
    const stop = run.stopping ?? run.inbox.takeCancel();
    run.stopping = undefined;
    if (stop) {
      await cancelled(run, stop);
      break;
    }
    await runStep(run, PROCESS[run.state.stage]!);
  }
  return run.status;
}

/** Runs a stage's step; a failure that retrying cannot mend (bad API key, refused request) stalls it. */
async function runStep(run: OnboardingRun, step: Step): Promise<void> {
  try {
    if (!run.status.thread) await run.publisher.thread();
    await run.cancellable(() => step(run));
  } catch (error) {
    // A cancel stopped the step's work: handled before the next step.
    if (wf.isCancellation(error) && run.stopping) return;
    if (!(error instanceof wf.ActivityFailure)) throw error;
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    await stall(run, `${run.state.stage} failed: ${cause}`);
  }
}
