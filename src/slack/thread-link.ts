/**
 * Links to a workflow's Slack thread in an answer to a person: once the new workflow has posted its
 * thread (it does as it starts), or where it will be.
 */
import type { OnboardingStatus } from '../../workflows/types';
import type { SlackDeps } from './deps';
import { escapeMrkdwn, linkTarget } from './escape';
import { statusOf } from './workflow-reads';

/** How long an answer waits for a new workflow's thread to be posted, to link it. */
const THREAD_WAIT_MS = 10_000;

/** The new workflow's status once its thread is posted, or the last read after a while. */
export async function threadPosted(deps: SlackDeps, workflowId: string): Promise<OnboardingStatus | null> {
  const deadline = Date.now() + THREAD_WAIT_MS;
  let status: OnboardingStatus | null = null;
  for (;;) {
    status = (await statusOf(deps, workflowId)) ?? status;
    if (status?.thread || Date.now() >= deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A link to the workflow's thread, or where it will be when it is not posted yet. */
export async function threadLink(deps: SlackDeps, status: OnboardingStatus | null, workflowId: string): Promise<string> {
  const link = await deps.permalinks.of(status?.thread ?? null);
  return link ? `<${linkTarget(link)}|its thread>` : `its thread will be in <#${deps.config.channelId}> (ID \`${escapeMrkdwn(workflowId)}\`)`;
}
