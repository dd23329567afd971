/**
 * How an IT Glue activity talks to IT Glue: its requests carry the activity's cancellation and a
 * heartbeat with each answer; IT Glue's errors become Temporal failures (retried or not, after
 * Retry-After when IT Glue sends one).
 */
import { ApplicationFailure } from '@temporalio/client';
import { withRequestOptions, type RequestOptions } from '../src/itglue/client';
import { ItGlueError } from '../src/itglue/errors';
import { currentActivity } from '../src/temporal/heartbeat';

/** Turns an IT Glue error into the Temporal failure that retries it, or not. */
function toFailure(error: unknown): unknown {
  if (!(error instanceof ItGlueError)) return error;
  return ApplicationFailure.create({
    message: error.message,
    type: `ItGlue.${error.kind}`,
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryAfterMs ?? undefined,
  });
}

/**
 * What the running activity's IT Glue requests carry: its cancellation, a heartbeat with each
 * answer, and a wait for an answer of at most a second past the heartbeat timeout. By then
 * Temporal has taken the activity back to retry it (after at least the workflows' 2 s retry
 * interval), so the attempt it gave up on sends nothing more.
 */
function activityRequestOptions(): RequestOptions {
  const context = currentActivity();
  if (!context) return {};
  const heartbeatTimeoutMs = context.info.heartbeatTimeoutMs;
  return {
    signal: context.cancellationSignal,
    onProgress: () => context.heartbeat(),
    ...(heartbeatTimeoutMs ? { timeoutMs: heartbeatTimeoutMs + 1_000 } : {}),
  };
}

/**
 * An IT Glue activity: its requests carry the activity's cancellation and heartbeat, and IT Glue's
 * errors become the Temporal failures that retry them, or not.
 */
export function guarded<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await withRequestOptions(activityRequestOptions(), () => fn(...args));
    } catch (error) {
      throw toFailure(error);
    }
  };
}
