/**
 * The onboarding's outcomes as metrics (docs/operations.md, Metrics): through the workflow's
 * metric meter, which the worker's runtime exports with the SDK's own metrics. The meter writes
 * nothing while a history is replayed, and issues no command, so an outcome is counted once and
 * the workflow's history is the same with or without it.
 */
import { metricMeter } from '@temporalio/workflow';
import type { Stage } from '../stages';

/** Metric names; the runtime adds no prefix to metrics the workflow names (src/temporal/runtime.ts). */
export const OUTCOMES_METRIC = 'invite_lite_onboarding_outcomes';
export const TIME_TO_COMPLETE_METRIC = 'invite_lite_onboarding_time_to_complete_seconds';

/** The stages an onboarding ends in, and STALLED, each counted as an outcome. */
const OUTCOMES: Partial<Record<Stage, string>> = {
  COMPLETED: 'completed',
  CANCELLED: 'cancelled',
  DENIED: 'denied',
  REJECTED: 'rejected',
  APPROVAL_EXPIRED: 'approval_expired',
  STALLED: 'stalled',
};

/** Counts the outcome the onboarding reached with `stage`, and for COMPLETED how long it took (`startedAt` to `at`). */
export function countOutcome(stage: Stage, startedAt: string, at: string): void {
  const outcome = OUTCOMES[stage];
  if (!outcome) return;
  metricMeter.createCounter(OUTCOMES_METRIC, undefined, 'Onboardings that ended, or stalled, by outcome').add(1, { outcome });
  if (stage !== 'COMPLETED') return;
  const seconds = Math.max(0, (Date.parse(at) - Date.parse(startedAt)) / 1000);
  metricMeter.createHistogram(TIME_TO_COMPLETE_METRIC, 'float', 's', 'Time from the request to completion, in seconds').record(seconds);
}
