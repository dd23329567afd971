/**
 * Activities heartbeat so that when the process running them dies (a crash, a SIGKILL, a lost
 * machine) Temporal retries them after the short heartbeat timeout the workflows set
 * (ACTIVITY_HEARTBEAT_TIMEOUT in workflows/activity-options.ts) instead of after their whole start-to-close
 * timeout.
 *
 * - Mail and Slack activities (the main task queue) heartbeat every few seconds while they run
 *   (`heartbeatInterceptor`).
 * - IT Glue activities heartbeat only when they make progress: after each answer from IT Glue
 *   (src/itglue/client.ts calls `onProgress`), and while they wait on Temporal for another
 *   workflow's work (`heartbeatWhile`). None is sent while an IT Glue request waits for its
 *   answer, so a request that gets none lets the heartbeat timeout expire and Temporal retries the
 *   activity, on another worker if there is one; a dead worker's activities are retried the same way.
 */
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';

/** How often a running activity tells Temporal it is alive (well under the workflows' heartbeat timeout). */
export const HEARTBEAT_EVERY_MS = 3_000;

/** The running activity's context; null outside an activity (e.g. a test calling it as a function). */
export function currentActivity(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

/** Heartbeats every HEARTBEAT_EVERY_MS, from now until `stop` is called. */
function beatEvery(context: Context): () => void {
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  return () => clearInterval(timer);
}

/**
 * Heartbeats while `work` runs (and not after): for an IT Glue activity's wait on Temporal, such as
 * an update of a group's single writer, whose own activity heartbeats with its IT Glue progress.
 */
export async function heartbeatWhile<T>(work: Promise<T>): Promise<T> {
  const context = currentActivity();
  if (!context) return work;
  const stop = beatEvery(context);
  try {
    return await work;
  } finally {
    stop();
  }
}

class HeartbeatInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly context: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const stop = beatEvery(this.context);
    try {
      return await next(input);
    } finally {
      stop();
    }
  }
}

/** For the main task queue's workers: every activity heartbeats while it runs. */
export const heartbeatInterceptor: ActivityInterceptorsFactory = (context) => ({ inbound: new HeartbeatInterceptor(context) });
