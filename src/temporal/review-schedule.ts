/**
 * The Temporal schedule that plans the access reviews (workflows/review-planner.ts) once a day;
 * created at start-up, or updated (the policy it passes on, the task queue) when it exists.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Policy } from '../../workflows/policy';
import { REVIEW_SCHEDULE_ID, reviewPlanner } from '../../workflows/review-planner';

const DAY = 86_400_000;

export async function ensureReviewSchedule(client: Client, taskQueue: string, policy: Policy): Promise<void> {
  const spec = { intervals: [{ every: DAY }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: reviewPlanner,
    taskQueue,
    workflowId: `${REVIEW_SCHEDULE_ID}-run`,
    args: [{ policy }] as [{ policy: Policy }],
  };
  try {
    await client.schedule.create({
      scheduleId: REVIEW_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: DAY },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(REVIEW_SCHEDULE_ID).update((current) => ({ ...current, spec, action }));
  }
}
