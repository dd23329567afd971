/**
 * What the managers' views show of the access reviews (docs/design.md §15.2), read from Temporal:
 * the open reviews from the overview each publishes in its memo (a count query for their number),
 * overdue ones first; and the outcomes of those closed in the recent window, from their results
 * (what was kept, removed, or left unanswered).
 */
import { listOnboardingOverviews, onboardingQuery, type OnboardingListed } from '../onboardings';
import { visibilityQuery } from '../temporal/visibility-query';
import { isLate } from '../../workflows/memo';
import type { OnboardingStatus } from '../../workflows/types';
import type { SlackDeps } from './deps';
import type { ReviewItem, ReviewOutcome, ReviewsOverview } from './views/models';
import { reviewCounts } from './views/thread-review';
import { mapLimited, ours, resultOf, statusOf } from './workflow-reads';

/** Open reviews listed; more are counted. */
const OPEN_SHOWN = 100;
/** Closed reviews read for the recent outcomes. */
const RECENT_READ = 50;
const CONCURRENCY = 10;

/** Overdue first, then the soonest deadline, then the oldest. */
export function byDue(a: ReviewItem, b: ReviewItem): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const deadline = (a.deadline ?? '\uffff').localeCompare(b.deadline ?? '\uffff');
  return deadline || a.startedAt.localeCompare(b.startedAt);
}

/** From the overview the review published, else from its status (it has not waited yet), else from the search attributes. */
function itemOf(listed: OnboardingListed, status: OnboardingStatus | null, now: number): { item: ReviewItem; thread: OnboardingStatus['thread'] } {
  const o = listed.overview;
  const fallbackOrg = `Organization ${listed.orgId ?? '?'}`;
  const base = { workflowId: listed.workflowId, link: null };
  if (o) {
    const overdue = o.late || (!!o.deadline && Date.parse(o.deadline) < now);
    const item = { ...base, stage: o.stage, orgName: o.orgName ?? fallbackOrg, answerer: o.inviteeName, startedAt: o.startedAt, deadline: o.deadline, overdue };
    return { item, thread: o.thread };
  }
  const deadline = status ? status.deadline : listed.deadline;
  return {
    item: {
      ...base,
      stage: status?.stage ?? listed.stage ?? 'VALIDATING',
      orgName: status?.org?.name ?? fallbackOrg,
      answerer: status?.approver?.name ?? null,
      startedAt: status?.startedAt ?? listed.startedAt,
      deadline,
      overdue: (!!status && isLate(status)) || (!!deadline && Date.parse(deadline) < now),
    },
    thread: status?.thread ?? null,
  };
}

/** This deployment's open access reviews, overdue first, with their number. */
export async function openReviews(deps: SlackDeps, now = Date.now(), limit = OPEN_SHOWN): Promise<{ items: ReviewItem[]; total: number }> {
  const query = ours(deps, onboardingQuery({ process: 'review', open: true }));
  const [total, listed] = await Promise.all([deps.temporal.workflow.count(query).then((c) => c.count), listOnboardingOverviews(deps.temporal, query, limit)]);
  const statuses = await mapLimited(listed, CONCURRENCY, (l) => (l.overview ? Promise.resolve(null) : statusOf(deps, l.workflowId)));
  const items = await Promise.all(
    listed.map(async (l, i) => {
      const { item, thread } = itemOf(l, statuses[i] ?? null, now);
      return { ...item, link: await deps.permalinks.of(thread) };
    }),
  );
  return { items: items.sort(byDue), total: Math.max(total, items.length) };
}

/** What became of a closed review's users. */
export function outcomeOf(s: OnboardingStatus): Omit<ReviewOutcome, 'link'> {
  const counts = reviewCounts(s);
  const closedAt = s.stages[s.stages.length - 1]?.enteredAt ?? s.startedAt;
  const base = { workflowId: s.workflowId, stage: s.stage, orgName: s.org?.name ?? `Organization ${s.request.orgId}`, closedAt };
  if (s.stage === 'COMPLETED') {
    const users = s.review?.users.length ?? 0;
    // Removed by the policy (review.onNoAnswer: remove): nobody answered.
    const unanswered = s.evidence?.via === 'not-needed';
    return { ...base, kept: counts?.kept ?? users, removed: counts?.removed ?? 0, unanswered };
  }
  return { ...base, kept: null, removed: null, unanswered: s.stage === 'APPROVAL_EXPIRED' };
}

/** Access reviews closed in the last `days`, newest first, from their results. */
export async function recentReviewOutcomes(deps: SlackDeps, now = Date.now(), days = 30): Promise<ReviewOutcome[]> {
  const since = new Date(now - days * 86_400_000).toISOString();
  const query = ours(
    deps,
    visibilityQuery(onboardingQuery({ process: 'review' }))
      .where('ExecutionStatus', '!=', 'Running')
      .where('CloseTime', '>', since)
      .toString(),
  );
  const listed = await listOnboardingOverviews(deps.temporal, query, RECENT_READ);
  const results = await mapLimited(listed, CONCURRENCY, (l) => resultOf(deps, l.workflowId, l.runId));
  const closed = results.filter((r): r is OnboardingStatus => r !== null && r.process === 'review');
  const outcomes = await Promise.all(closed.map(async (s) => ({ ...outcomeOf(s), link: await deps.permalinks.of(s.thread) })));
  return outcomes.sort((a, b) => b.closedAt.localeCompare(a.closedAt));
}

/** The managers' view of the access reviews: open ones, overdue first, and the recent outcomes. */
export async function reviewsOverview(deps: SlackDeps, now = Date.now(), recentDays = 30): Promise<ReviewsOverview> {
  const [open, recent] = await Promise.all([openReviews(deps, now), recentReviewOutcomes(deps, now, recentDays)]);
  return { open: open.items, total: open.total, recent, recentDays };
}
