/**
 * What the IT Glue writer workflows (one per group, per organization's Site Summary, per
 * organization's group creation) share: their activities, waiting for the next request, and
 * ending once a quiet minute has passed.
 */
import * as wf from '@temporalio/workflow';
import type { ItGlueMaintenanceActivities } from '../activities/contracts';
import { ACTIVITY_HEARTBEAT_TIMEOUT } from './messages';

/** The writers' IT Glue activities, on the IT Glue task queue; a write is tried 10 times at most. */
export function writerActivities() {
  return wf.proxyActivities<ItGlueMaintenanceActivities>({
    taskQueue: `${wf.workflowInfo().taskQueue}-itglue`,
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  });
}

/**
 * Waits for work (`waiting()` true); false once a minute has passed without any and every
 * request handler has finished, when the writer ends.
 */
export async function workArrives(waiting: () => boolean): Promise<boolean> {
  for (;;) {
    if (await wf.condition(waiting, '1 minute')) return true;
    await wf.condition(wf.allHandlersFinished);
    if (!waiting()) return false;
  }
}
