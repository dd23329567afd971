/**
 * The periodic access reviews (docs/design.md §15.2), started daily by a Temporal schedule: one
 * activity finds the organizations whose review is due (visibility only) and starts a review of
 * each, with the policy the schedule was given at the service's start.
 */
import * as wf from '@temporalio/workflow';
import type { DueReviews, ItGlueMaintenanceActivities } from '../activities/contracts';
import { itglueTaskQueue, SWEEP_ITGLUE } from './activity-options';
import type { Policy } from './policy';

export const REVIEW_SCHEDULE_ID = 'invite-lite-access-reviews';

export async function reviewPlanner(input: { policy: Policy }): Promise<DueReviews> {
  const { dueReviews } = wf.proxyActivities<ItGlueMaintenanceActivities>({
    ...SWEEP_ITGLUE,
    taskQueue: itglueTaskQueue(wf.workflowInfo().taskQueue),
  });
  return dueReviews({ policy: input.policy });
}
