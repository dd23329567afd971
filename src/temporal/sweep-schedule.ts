/**
 * The Temporal schedule that runs the IT Glue sweep (workflows/itglue-sweep.ts) every
 * `policy.sweep.every`; created at start-up, or updated when the interval changed.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { itglueSweep, SWEEP_SCHEDULE_ID } from '../../workflows/itglue-sweep';

export async function ensureSweepSchedule(client: Client, taskQueue: string, everyMs: number): Promise<void> {
  const spec = { intervals: [{ every: everyMs }] };
  const action = { type: 'startWorkflow' as const, workflowType: itglueSweep, taskQueue, workflowId: `${SWEEP_SCHEDULE_ID}-run`, args: [] as [] };
  try {
    await client.schedule.create({
      scheduleId: SWEEP_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: everyMs },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(SWEEP_SCHEDULE_ID).update((current) => ({ ...current, spec, action }));
  }
}
