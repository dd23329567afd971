/**
 * The periodic access reviews' activity (docs/design.md §15.2), run daily by the reviews' planner
 * (workflows/review-planner.ts): visibility alone (no IT Glue request) finds the organizations with
 * a completed onboarding on this deployment's task queue and no review started within
 * `review.every`, and a review of each is started (or the open one found).
 */
import type { Client } from '@temporalio/client';
import { InvalidInputError, startReview, WORKFLOW_TYPES } from '../src/onboardings';
import { heartbeatWhile } from '../src/temporal/heartbeat';
import { visibilityQuery } from '../src/temporal/visibility-query';
import { ONBOARDING_ORG_ID, ONBOARDING_STAGE } from '../workflows/messages';
import { reviewPolicyOf, type Policy } from '../workflows/policy';
import type { DueReviews } from './contracts';

/** The organization IDs of the workflows the query finds. */
async function organizationsOf(temporal: Client, query: string): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const execution of temporal.workflow.list({ query, pageSize: 1_000 })) {
    const orgId = execution.typedSearchAttributes.get(ONBOARDING_ORG_ID);
    if (orgId) found.add(orgId);
  }
  return found;
}

export function reviewPlanner({ temporal, taskQueue }: { temporal: Client; taskQueue: string }): (input: { policy: Policy }) => Promise<DueReviews> {
  return async function dueReviews({ policy }) {
    const since = new Date(Date.now() - reviewPolicyOf(policy).every).toISOString();
    const onboarded = visibilityQuery()
      .where('WorkflowType', '=', WORKFLOW_TYPES.onboarding)
      .where('ExecutionStatus', '=', 'Completed')
      .where(ONBOARDING_STAGE, '=', 'COMPLETED')
      .where('TaskQueue', '=', taskQueue)
      .toString();
    const reviewed = visibilityQuery().where('WorkflowType', '=', WORKFLOW_TYPES.review).where('StartTime', '>=', since).where('TaskQueue', '=', taskQueue).toString();
    const [organizations, recent] = await heartbeatWhile(Promise.all([organizationsOf(temporal, onboarded), organizationsOf(temporal, reviewed)]));
    const due = [...organizations].filter((orgId) => !recent.has(orgId)).sort();
    const started: string[] = [];
    for (const orgId of due) {
      try {
        const review = await heartbeatWhile(startReview(temporal, taskQueue, { orgId, requestedBy: 'schedule' }, policy));
        if (review.created) started.push(review.workflowId);
      } catch (error) {
        // An organization ID a review cannot take is left out; Temporal out of reach fails the run.
        if (!(error instanceof InvalidInputError)) throw error;
      }
    }
    return { organizations: organizations.size, due, started };
  };
}
