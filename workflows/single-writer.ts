/**
 * What the IT Glue writer workflows (one per group, one per organization's Site Summary) share:
 * waiting for the next request, and ending once a quiet minute has passed.
 */
import * as wf from '@temporalio/workflow';

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
