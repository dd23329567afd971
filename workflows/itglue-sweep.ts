/**
 * The periodic IT Glue sweep, started by a Temporal schedule: one activity lists IT Glue's users
 * (1000 a page) and signals every waiting onboarding whose invitee's user changed. Its cost in
 * IT Glue requests grows with the number of IT Glue users, not of waiting onboardings; it also
 * keeps the API key in use (IT Glue revokes keys unused for 90 days).
 */
import * as wf from '@temporalio/workflow';
import type { ItGlueMaintenanceActivities, SweepReport } from '../activities/contracts';
import { itglueTaskQueue, SWEEP_ITGLUE } from './activity-options';

export const SWEEP_SCHEDULE_ID = 'invite-lite-itglue-sweep';

export async function itglueSweep(): Promise<SweepReport> {
  const { sweepUsers } = wf.proxyActivities<ItGlueMaintenanceActivities>({
    ...SWEEP_ITGLUE,
    taskQueue: itglueTaskQueue(wf.workflowInfo().taskQueue),
  });
  return sweepUsers();
}
