/**
 * What the IT Glue writer workflows (one per group, per organization's Site Summary, per
 * organization's group creation) share: their activities, waiting for the next request, and
 * ending once a quiet minute has passed.
 */
import * as wf from '@temporalio/workflow';
import type { ItGlueMaintenanceActivities } from '../activities/contracts';
import { itglueTaskQueue, WRITER_ITGLUE } from './activity-options';

/** The writers' IT Glue activities, on the IT Glue task queue; a write is tried 10 times at most. */
export function writerActivities() {
  return wf.proxyActivities<ItGlueMaintenanceActivities>({ ...WRITER_ITGLUE, taskQueue: itglueTaskQueue(wf.workflowInfo().taskQueue) });
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
