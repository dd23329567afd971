/**
 * The benchmark's baseline workflows, bundled on their own (bench/worker.ts):
 *
 * - `benchTrivial`: waits for one `decide` update, answers it at once, and ends. The bare Update
 *   round trip that the approval page's POST is compared with.
 * - `benchMirror`: replays the shape of a real onboarding's run (its plan is taken from the history
 *   of one, see bench/support/flows.ts): the same activities, by name and task queue, in the same
 *   order, and the same messages (the `decide` and `confirmInvitationSent` Updates) waited for at
 *   the same points, with a timer while waiting as the onboarding has. Its activities do nothing.
 */
import * as wf from '@temporalio/workflow';
import { itglueTaskQueue, MAIL, ONBOARDING_ITGLUE } from '../workflows/activity-options';

export const benchDecide = wf.defineUpdate<{ decidedAt: string }, [unknown]>('decide');
export const benchInvitationSent = wf.defineUpdate<void, [unknown]>('confirmInvitationSent');
export const benchWaiting = wf.defineQuery<boolean>('waiting');

export async function benchTrivial(): Promise<void> {
  let decided = false;
  wf.setHandler(benchWaiting, () => !decided);
  wf.setHandler(benchDecide, () => {
    decided = true;
    return { decidedAt: new Date(Date.now()).toISOString() };
  });
  await wf.condition(() => decided);
}

export type PlanStep = { activity: string; queue: 'main' | 'itglue' } | { wait: 'update' | 'signal' };

type Activities = Record<string, (workflowId: string) => Promise<void>>;

/** How long a wait may last before its timer fires (never, in a benchmark run). */
const WAIT_TIMER = '1 hour';

export async function benchMirror(input: { plan: PlanStep[] }): Promise<number> {
  const info = wf.workflowInfo();
  // The onboarding's activity options.
  const main = wf.proxyActivities<Activities>(MAIL);
  const itglue = wf.proxyActivities<Activities>({ ...ONBOARDING_ITGLUE, taskQueue: itglueTaskQueue(info.taskQueue) });
  const received = { update: 0, signal: 0 };
  const taken = { update: 0, signal: 0 };
  wf.setHandler(benchDecide, () => {
    received.update += 1;
    return { decidedAt: new Date(Date.now()).toISOString() };
  });
  wf.setHandler(benchInvitationSent, () => void (received.update += 1));

  for (const step of input.plan) {
    if ('activity' in step) {
      await (step.queue === 'itglue' ? itglue : main)[step.activity]!(info.workflowId);
      continue;
    }
    const kind = step.wait;
    if (received[kind] === taken[kind]) await wf.condition(() => received[kind] > taken[kind], WAIT_TIMER);
    taken[kind] += 1;
  }
  return input.plan.length;
}
