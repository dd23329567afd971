/**
 * What /onboarding-status and the App Home show, read from Temporal: visibility count queries for
 * the totals, and list queries for the onboardings (and offboardings, docs/design.md §15) shown (overdue ones first, then the newest),
 * each drawn from the overview its workflow publishes in its memo. Only an onboarding without one
 * (started before overviews were published) is asked for its `status`.
 */
import { listOnboardingOverviews, onboardingQuery, REVIEW_WORKFLOW_TYPE, type OnboardingFilter, type OnboardingListed } from '../onboardings';
import { ONBOARDING_DEADLINE, ONBOARDING_ORG_ID } from '../../workflows/messages';
import { isFinal, STAGES, type Stage } from '../../workflows/stages';
import { offboardedUserOf, type OnboardingStatus, type Process, type ThreadRef } from '../../workflows/types';
import { isLate } from '../../workflows/memo';
import type { SlackDeps } from './deps';
import { visibilityQuery } from '../temporal/visibility-query';
import { OPEN_STAGES, type Completed, type Dashboard, type Item, type StageMedian } from './views/models';
import { mapLimited, ours, resultOf, statusOf } from './workflow-reads';
import { reviewsOverview } from './review-overview';

export { ours, resultOf, statusOf } from './workflow-reads';

const STATUS_CONCURRENCY = 10;
/** Onboardings listed for one view: more than /onboarding-status or the Home tab can show. */
export const SHOWN_LIMIT = 100;

export interface OpenFilter {
  requestedBy?: string;
  stage?: Stage;
  orgIds?: string[];
  /** Only onboardings, or only offboardings; both when absent. */
  process?: Process;
}

/** Late: the deadline has passed, or the person waited on had to be reminded or was escalated past. */
export function isOverdue(status: Pick<OnboardingStatus, 'deadline' | 'stages' | 'events' | 'subState'>, now: number): boolean {
  if (status.deadline && Date.parse(status.deadline) < now) return true;
  return isLate(status);
}

/**
 * The records the onboarding views mean: onboardings and offboardings, or the one process asked
 * for. Access reviews have views of their own (./review-overview.ts).
 */
export function lifecycleQuery(filter: OnboardingFilter): string {
  const query = onboardingQuery(filter);
  return filter.process ? query : visibilityQuery(query).where('WorkflowType', '!=', REVIEW_WORKFLOW_TYPE).toString();
}

function contactIdOf(workflowId: string): string {
  return workflowId.split(':')[2] ?? workflowId;
}

/** Whether a workflow ID is an offboarding's (`offboarding:<orgId>:<userId>`). */
function isOffboarding(workflowId: string): boolean {
  return offboardedUserOf(workflowId) !== null;
}

/** An item without its link yet (links are looked up for the items shown only), and its thread. */
type Unlinked = { item: Item; thread: ThreadRef | null };

/** From the overview the onboarding published, else from its status, else from the search attributes alone. */
function itemOf(listed: OnboardingListed, status: OnboardingStatus | null, now: number): Unlinked {
  const o = listed.overview;
  const fallbackOrg = `Organization ${listed.orgId ?? '?'}`;
  const offboarding = isOffboarding(listed.workflowId);
  // An offboarding's ID names the IT Glue user, not the contact.
  const fallbackInvitee = offboarding ? `User ${contactIdOf(listed.workflowId)}` : `Contact ${contactIdOf(listed.workflowId)}`;
  const base = {
    workflowId: listed.workflowId,
    ...(offboarding ? { process: 'offboarding' as const } : {}),
    orgId: listed.orgId,
    requestedBy: listed.requestedBy,
    link: null,
  };
  if (o) {
    return {
      item: {
        ...base,
        stage: o.stage,
        orgName: o.orgName ?? fallbackOrg,
        invitee: o.inviteeName ?? fallbackInvitee,
        startedAt: o.startedAt,
        deadline: o.deadline,
        waitingOn: o.waitingOn,
        subState: o.subState,
        overdue: o.late || (!!o.deadline && Date.parse(o.deadline) < now),
        reason: o.reason,
      },
      thread: o.thread,
    };
  }
  return {
    item: {
      ...base,
      stage: status?.stage ?? listed.stage ?? 'VALIDATING',
      orgName: status?.org?.name ?? fallbackOrg,
      invitee: status?.invitee?.name ?? fallbackInvitee,
      startedAt: status?.startedAt ?? listed.startedAt,
      deadline: status ? status.deadline : listed.deadline,
      waitingOn: status?.waitingOn ?? null,
      subState: status?.subState ?? null,
      overdue: status ? isOverdue(status, now) : !!listed.deadline && Date.parse(listed.deadline) < now,
      reason: status?.reason ?? null,
    },
    thread: status?.thread ?? null,
  };
}

/** Items for what was listed: a status query only for those that published no overview. */
async function itemsOf(deps: SlackDeps, listed: OnboardingListed[], now: number): Promise<Unlinked[]> {
  const statuses = await mapLimited(listed, STATUS_CONCURRENCY, (l) => (l.overview ? Promise.resolve(null) : statusOf(deps, l.workflowId)));
  return listed.map((l, i) => itemOf(l, statuses[i] ?? null, now));
}

async function linked(deps: SlackDeps, unlinked: Unlinked[]): Promise<Item[]> {
  return Promise.all(
    unlinked.map(async ({ item, thread }) => ({ ...item, link: await deps.permalinks.of(thread), details: deps.workflowPage?.(item.workflowId) ?? null })),
  );
}

/** Late ones first, then by stage in the order of the process, oldest first. */
export function byUrgency(a: Item, b: Item): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const stage = STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage);
  return stage || a.startedAt.localeCompare(b.startedAt);
}

export function openQuery(deps: Pick<SlackDeps, 'taskQueue'>, filter: OpenFilter): string {
  const query = visibilityQuery(ours(deps, lifecycleQuery({ open: true, stage: filter.stage, requestedBy: filter.requestedBy, process: filter.process })));
  if (filter.orgIds) {
    const ids = filter.orgIds.filter((id) => /^[\w-]+$/.test(id));
    query.whereIn(ONBOARDING_ORG_ID, ids);
  }
  return query.toString();
}

/** Those of `query` whose deadline has passed at `now`. */
export function pastDeadline(query: string, now: number): string {
  return visibilityQuery(query).where(ONBOARDING_DEADLINE, '<', new Date(now).toISOString()).toString();
}

/** Open onboardings of `query`, most urgent first, at most `limit`: those past their deadline, then the newest. */
async function listOpen(deps: SlackDeps, query: string, now: number, limit: number, stage?: Stage): Promise<Unlinked[]> {
  const [late, newest] = await Promise.all([
    listOnboardingOverviews(deps.temporal, pastDeadline(query, now), limit),
    listOnboardingOverviews(deps.temporal, query, limit),
  ]);
  const seen = new Set<string>();
  const listed = [...late, ...newest].filter((l) => !seen.has(l.workflowId) && !!seen.add(l.workflowId));
  const unlinked = await itemsOf(deps, listed, now);
  // A stage filter is applied to what the onboarding says too (visibility lags behind a little).
  const wanted = stage ? unlinked.filter((u) => u.item.stage === stage) : unlinked;
  return wanted.sort((a, b) => byUrgency(a.item, b.item)).slice(0, limit);
}

/**
 * Open onboardings matching the filter, most urgent first: `total` counts them all (a count
 * query); `items` holds at most `limit` of them, read with two lists of at most `limit` each:
 * those past their deadline, and the newest.
 */
export async function openOnboardings(deps: SlackDeps, filter: OpenFilter, now = Date.now(), limit = SHOWN_LIMIT): Promise<{ items: Item[]; total: number }> {
  if (filter.orgIds && filter.orgIds.length === 0) return { items: [], total: 0 };
  const query = openQuery(deps, filter);
  const [total, shown] = await Promise.all([deps.temporal.workflow.count(query).then((c) => c.count), listOpen(deps, query, now, limit, filter.stage)]);
  return { items: await linked(deps, shown), total: Math.max(total, shown.length) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median time spent in each stage by these onboardings (a stage visited twice counts its total). */
export function stageMedians(statuses: Array<Pick<OnboardingStatus, 'stages'>>): StageMedian[] {
  const perStage = new Map<Stage, number[]>();
  for (const status of statuses) {
    const spent = new Map<Stage, number>();
    for (const visit of status.stages) {
      if (isFinal(visit.stage) || !visit.leftAt) continue;
      const ms = Date.parse(visit.leftAt) - Date.parse(visit.enteredAt);
      if (Number.isFinite(ms) && ms >= 0) spent.set(visit.stage, (spent.get(visit.stage) ?? 0) + ms);
    }
    for (const [stage, ms] of spent) perStage.set(stage, [...(perStage.get(stage) ?? []), ms]);
  }
  return OPEN_STAGES.filter((s) => perStage.has(s)).map((stage) => ({
    stage,
    medianMs: median(perStage.get(stage)!),
    samples: perStage.get(stage)!.length,
  }));
}

/** Onboardings and offboardings completed in the last `days` (those one tech requested, if named), newest first (at most `limit`). */
async function recentCompletions(deps: SlackDeps, days: number, limit: number, now: number, requestedBy?: string) {
  const since = new Date(now - days * 86_400_000).toISOString();
  const completed = visibilityQuery(lifecycleQuery({ stage: 'COMPLETED', requestedBy })).where('CloseTime', '>', since);
  const query = ours(deps, completed.toString());
  const summaries = await listOnboardingOverviews(deps.temporal, query, limit);
  const results = await mapLimited(summaries, STATUS_CONCURRENCY, (s) => resultOf(deps, s.workflowId, s.runId));
  return results.filter((r): r is OnboardingStatus => r !== null && r.stage === 'COMPLETED');
}

const completedAt = (s: OnboardingStatus) => s.stages[s.stages.length - 1]?.enteredAt ?? s.startedAt;

/** The newest `shown` completions as rows, each linked to its thread. */
async function completedRows(deps: SlackDeps, completed: OnboardingStatus[], shown: number): Promise<Completed[]> {
  const newest = [...completed].sort((a, b) => completedAt(b).localeCompare(completedAt(a)));
  return Promise.all(
    newest.slice(0, shown).map(async (s) => {
      const offboarding = s.process === 'offboarding';
      return {
        workflowId: s.workflowId,
        ...(offboarding ? { process: 'offboarding' as const } : { removable: !!s.user }),
        orgName: s.org?.name ?? `Organization ${s.request.orgId}`,
        invitee: s.invitee?.name ?? `Contact ${s.request.contactId}`,
        requestedBy: s.request.requestedBy,
        startedAt: s.startedAt,
        completedAt: completedAt(s),
        link: await deps.permalinks.of(s.thread),
      };
    }),
  );
}

/** Recent completions shown in the App Home. */
const RECENT_SHOWN = 5;

/** A tech's App Home: their own open onboardings and offboardings, and their recent completions. */
export async function techDashboard(deps: SlackDeps, user: string, now = Date.now(), recentDays = 30): Promise<{ open: Item[]; recent: Completed[] }> {
  const [open, completed] = await Promise.all([openOnboardings(deps, { requestedBy: user }, now), recentCompletions(deps, recentDays, 50, now, user)]);
  return { open: open.items, recent: await completedRows(deps, completed, RECENT_SHOWN) };
}

/** Stalled onboardings listed on the dashboard (their number comes from the counts). */
const STALLED_SHOWN = 50;

export async function managerDashboard(deps: SlackDeps, now = Date.now(), recentDays = 30): Promise<Dashboard> {
  const [counts, open, stalled, completed, reviews] = await Promise.all([
    Promise.all(
      OPEN_STAGES.map(async (stage) => ({
        stage,
        count: (await deps.temporal.workflow.count(ours(deps, lifecycleQuery({ open: true, stage })))).count,
      })),
    ),
    listOpen(deps, openQuery(deps, {}), now, SHOWN_LIMIT),
    listOpen(deps, openQuery(deps, { stage: 'STALLED' }), now, STALLED_SHOWN, 'STALLED'),
    recentCompletions(deps, recentDays, 50, now),
    reviewsOverview(deps, now, recentDays),
  ]);
  const [openItems, stalledItems, recent] = await Promise.all([linked(deps, open), linked(deps, stalled), completedRows(deps, completed, RECENT_SHOWN)]);
  return {
    counts,
    open: openItems,
    stalled: stalledItems,
    overdue: openItems.filter((i) => i.overdue && i.stage !== 'STALLED'),
    recent,
    // The time per stage of onboardings only: an offboarding's approval is another matter.
    medians: stageMedians(completed.filter((s) => s.process !== 'offboarding')),
    recentDays,
    reviews,
  };
}
