/**
 * The periodic IT Glue sweep, started by a Temporal schedule: one activity lists IT Glue's users
 * (1000 a page) and signals every waiting onboarding whose invitee's user changed. Its cost in
 * IT Glue requests grows with the number of IT Glue users, not of waiting onboardings; it also
 * keeps the API key in use (IT Glue revokes keys unused for 90 days).
 */
import * as wf from '@temporalio/workflow';
import type { ItGlueMaintenanceActivities, SweepReport } from '../activities/contracts';
import { ACTIVITY_HEARTBEAT_TIMEOUT } from './messages';

export const SWEEP_SCHEDULE_ID = 'invite-lite-itglue-sweep';

export async function itglueSweep(): Promise<SweepReport> {
  const { sweepUsers } = wf.proxyActivities<ItGlueMaintenanceActivities>({
    taskQueue: `${wf.workflowInfo().taskQueue}-itglue`,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
  });
  return sweepUsers();
}
