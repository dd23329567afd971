/**
 * Reads of the workflows that the Slack views share: a record's status (a running one's query, a
 * finished one's result), within a short deadline, and this deployment's part of a visibility query.
 */
import { getStatus } from '../onboardings';
import { visibilityQuery } from '../temporal/visibility-query';
import type { OnboardingStatus } from '../../workflows/types';
import type { SlackDeps } from './deps';

const STATUS_TIMEOUT_MS = 3_000;

/** The onboarding's status, or null when it cannot be had in time (no such onboarding, no worker answering). */
export async function statusOf(deps: Pick<SlackDeps, 'temporal'>, workflowId: string, timeoutMs = STATUS_TIMEOUT_MS): Promise<OnboardingStatus | null> {
  try {
    return await deps.temporal.withDeadline(Date.now() + timeoutMs, () => getStatus(deps.temporal, workflowId));
  } catch {
    return null;
  }
}

/**
 * The status a finished run returned (read from its history: no worker needed); null when it cannot
 * be had. Without `runId`, the workflow ID's latest run.
 */
export async function resultOf(deps: Pick<SlackDeps, 'temporal'>, workflowId: string, runId?: string): Promise<OnboardingStatus | null> {
  try {
    const handle = deps.temporal.workflow.getHandle(workflowId, runId);
    return (await deps.temporal.withDeadline(Date.now() + STATUS_TIMEOUT_MS, () => handle.result())) as OnboardingStatus;
  } catch {
    return null;
  }
}

/** `fn` over the items, at most `limit` at a time, the results in the items' order. */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * This deployment's onboardings: those on its task queue (a namespace may hold others'). What a
 * query value cannot hold is left out of the name.
 */
export function ours(deps: Pick<SlackDeps, 'taskQueue'>, query: string): string {
  const taskQueue = deps.taskQueue.replace(/["\\\u0000-\u001f\u007f]/g, '');
  return visibilityQuery(query).where('TaskQueue', '=', taskQueue).toString();
}
