/**
 * What invite-lite's own records say of an organization's users, for its access review
 * (docs/design.md §15.2): the organization's completed onboardings on this deployment's task queue,
 * found by visibility, each one's result (a closed workflow's result is read from its history: no
 * worker needed) naming the IT Glue user it gave access and how that access was approved.
 */
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPES } from '../src/onboardings';
import { heartbeatWhile } from '../src/temporal/heartbeat';
import { visibilityQuery } from '../src/temporal/visibility-query';
import { ONBOARDING_ORG_ID } from '../workflows/messages';
import type { Evidence, OnboardingStatus } from '../workflows/types';

/** The onboarding that gave a user access, and who approved it. */
export interface OnboardingRecord {
  onboardingId: string;
  approvedBy: string | null;
  approvedAt: string | null;
  startedAt: string;
}

/** Onboardings read at most for one organization (newest first). */
const MAX_ONBOARDINGS = 1_000;
/** Results read at once. */
const READ_AT_ONCE = 20;

/**
 * Who approved the access, as the customer reads it after "by" on the review page and in its mail:
 * a person's name, never the MSP's Slack user IDs.
 */
export function approvedByWords(evidence: Evidence): string {
  switch (evidence.via) {
    case 'link':
    case 'cli':
      return evidence.approver.name;
    case 'offline':
      return `written approval (${evidence.channel.replace('-', ' ')})`;
    case 'manager':
      return 'a manager of your IT provider';
    case 'not-needed':
      return 'the primary contact themself (no approval needed)';
  }
}

/** The completed onboardings of the organization, by the IT Glue user each gave access (the latest where several did). */
export async function onboardingRecords(temporal: Client, taskQueue: string, orgId: string): Promise<Map<string, OnboardingRecord>> {
  const query = visibilityQuery()
    .where('WorkflowType', '=', WORKFLOW_TYPES.onboarding)
    .where(ONBOARDING_ORG_ID, '=', orgId)
    .where('ExecutionStatus', '=', 'Completed')
    .where('TaskQueue', '=', taskQueue)
    .toString();
  const runs: Array<{ workflowId: string; runId: string }> = [];
  await heartbeatWhile(
    (async () => {
      for await (const execution of temporal.workflow.list({ query, pageSize: 100 })) {
        runs.push({ workflowId: execution.workflowId, runId: execution.runId });
        if (runs.length >= MAX_ONBOARDINGS) break;
      }
    })(),
  );
  const records = new Map<string, OnboardingRecord>();
  for (let i = 0; i < runs.length; i += READ_AT_ONCE) {
    const batch = runs.slice(i, i + READ_AT_ONCE);
    const results = await heartbeatWhile(Promise.all(batch.map((r) => temporal.workflow.getHandle(r.workflowId, r.runId).result() as Promise<OnboardingStatus>)));
    for (const s of results) {
      // A run that ended otherwise (rejected, denied, cancelled) gave no access.
      if (s.stage !== 'COMPLETED' || !s.user?.id) continue;
      const known = records.get(s.user.id);
      if (known && known.startedAt >= s.startedAt) continue;
      records.set(s.user.id, {
        onboardingId: s.workflowId,
        approvedBy: s.evidence ? approvedByWords(s.evidence) : null,
        approvedAt: s.evidence && s.evidence.via !== 'not-needed' ? s.evidence.at : null,
        startedAt: s.startedAt,
      });
    }
  }
  return records;
}
