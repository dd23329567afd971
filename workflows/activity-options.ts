/**
 * Where each kind of activity runs and how it is retried: one place for the task-queue names and
 * the activity options every workflow uses. IT Glue activities run on their own task queue
 * (`<taskQueue>-itglue`), whose workers the server rate-limits for the whole deployment.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/** The IT Glue task queue beside a main task queue. */
export function itglueTaskQueue(taskQueue: string): string {
  return `${taskQueue}-itglue`;
}

/**
 * How long an activity may go without a heartbeat before Temporal retries it elsewhere: mail
 * activities heartbeat while they run, IT Glue activities with each answer from IT Glue
 * (src/temporal/heartbeat.ts), so this is how soon work in flight when a worker died, or an IT
 * Glue request that gets no answer, is taken up again, rather than after its start-to-close timeout.
 */
export const ACTIVITY_HEARTBEAT_TIMEOUT = '20 seconds';

/** The onboarding's IT Glue reads and writes: retried until they succeed or fail for good. */
export const ONBOARDING_ITGLUE: Omit<ActivityOptions, 'taskQueue'> = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

/** Mail: retried through an SMTP outage. */
export const MAIL: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

/** Slack posts and updates. */
export const SLACK: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** The IT Glue writers' activities (one writer per group or organization): a write is tried 10 times at most. */
export const WRITER_ITGLUE: Omit<ActivityOptions, 'taskQueue'> = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};

/** The scope watch's reads: a check that keeps failing is left to the next one, which reads the same days again. */
export const SCOPE_WATCH_ITGLUE: Omit<ActivityOptions, 'taskQueue'> = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 3 },
};

/** The periodic sweep of IT Glue's users: a sweep that keeps failing is left to the next one. */
export const SWEEP_ITGLUE: Omit<ActivityOptions, 'taskQueue'> = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
};
