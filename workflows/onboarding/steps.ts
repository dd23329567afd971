/**
 * Runs a process (the onboarding's or the offboarding's) stage by stage: each stage's step does its
 * work, waits for people or timers, and moves on. A cancel stops any step at once; a step that
 * fails for good stalls the process for a manager, whose Resume goes back to it.
 */
import * as wf from '@temporalio/workflow';
import type { Stage } from '../stages';
import type { OffboardingInput, OnboardingInput, OnboardingStatus, Process } from '../types';
import { registerHandlers } from './actions';
import { cancelled, stall } from './endings';
import { OnboardingRun } from './run';

export type Step = (run: OnboardingRun) => Promise<void>;

export async function runProcess(input: OnboardingInput | OffboardingInput, process: Process, steps: Partial<Record<Stage, Step>>): Promise<OnboardingStatus> {
  const run = new OnboardingRun(input, process);
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
    await runStep(run, steps[run.state.stage]!);
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
