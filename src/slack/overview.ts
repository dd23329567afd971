/**
 * What /onboarding-status and the App Home show, read from Temporal: visibility list and count
 * queries (by the onboarding search attributes) for which onboardings there are, then each one's
 * `status` query (or, once finished, its result) for names, thread, deadline and stage history.
 */
import { getStatus, listOnboardings, onboardingQuery, type OnboardingSummary } from '../onboardings';
import { ONBOARDING_ORG_ID } from '../../workflows/messages';
import { isFinal, STAGES, type Stage, type WaitingOn } from '../../workflows/stages';
import type { OnboardingStatus } from '../../workflows/types';
import type { SlackDeps } from './deps';

/** Stages an open onboarding can be in, in the order of the process. */
export const OPEN_STAGES: readonly Stage[] = STAGES.filter((s) => !isFinal(s));

/** Events after which an onboarding is late for a person even before its deadline. */
const LATE_EVENTS = new Set(['escalated', 'tech-reminder', 'invite-expired']);

const STATUS_TIMEOUT_MS = 3_000;
const STATUS_CONCURRENCY = 10;

export interface Item {
  workflowId: string;
  stage: Stage;
  orgId: string | null;
  orgName: string;
  invitee: string;
  requestedBy: string | null;
  startedAt: string;
  deadline: string | null;
  waitingOn: WaitingOn | null;
  subState: string | null;
  /** The deadline has passed, or the stage has been escalated / a reminder was needed. */
  overdue: boolean;
  link: string | null;
  reason: string | null;
}

export interface OpenFilter {
  requestedBy?: string;
  stage?: Stage;
  orgIds?: string[];
}

/** Late: the deadline has passed, or the person waited on had to be reminded or was escalated past. */
export function isOverdue(status: Pick<OnboardingStatus, 'deadline' | 'stages' | 'events' | 'subState'>, now: number): boolean {
  if (status.deadline && Date.parse(status.deadline) < now) return true;
  if (status.subState === 'INVITE_EXPIRED') return true;
  const enteredAt = status.stages[status.stages.length - 1]?.enteredAt ?? '';
  // A new approver starts the approval clock again.
  const since = status.events.reduce((latest, e) => (e.type === 'approver-changed' && e.at > latest ? e.at : latest), enteredAt);
  return status.events.some((e) => e.at >= since && LATE_EVENTS.has(e.type));
}

/** The onboarding's status, or null when it cannot be had in time (no such onboarding, no worker answering). */
export async function statusOf(deps: Pick<SlackDeps, 'temporal'>, workflowId: string, timeoutMs = STATUS_TIMEOUT_MS): Promise<OnboardingStatus | null> {
  try {
    return await deps.temporal.withDeadline(Date.now() + timeoutMs, () => getStatus(deps.temporal, workflowId));
  } catch {
    return null;
  }
}

/** The status a finished onboarding returned (read from its history: no worker needed). */
async function resultOf(deps: Pick<SlackDeps, 'temporal'>, workflowId: string): Promise<OnboardingStatus | null> {
  try {
    const handle = deps.temporal.workflow.getHandle(workflowId);
    return (await deps.temporal.withDeadline(Date.now() + STATUS_TIMEOUT_MS, () => handle.result())) as OnboardingStatus;
  } catch {
    return null;
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
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

function contactIdOf(workflowId: string): string {
  return workflowId.split(':')[2] ?? workflowId;
}

async function itemOf(deps: SlackDeps, summary: OnboardingSummary, status: OnboardingStatus | null, now: number): Promise<Item> {
  const stage = status?.stage ?? summary.stage ?? 'VALIDATING';
  return {
    workflowId: summary.workflowId,
    stage,
    orgId: summary.orgId,
    orgName: status?.org?.name ?? `Organization ${summary.orgId ?? '?'}`,
    invitee: status?.invitee?.name ?? `Contact ${contactIdOf(summary.workflowId)}`,
    requestedBy: summary.requestedBy,
    startedAt: status?.startedAt ?? summary.startedAt,
    deadline: status ? status.deadline : summary.deadline,
    waitingOn: status?.waitingOn ?? null,
    subState: status?.subState ?? null,
    overdue: status ? isOverdue(status, now) : !!summary.deadline && Date.parse(summary.deadline) < now,
    link: await deps.permalinks.of(status?.thread ?? null),
    reason: status?.reason ?? null,
  };
}

/** Late ones first, then by stage in the order of the process, oldest first. */
export function byUrgency(a: Item, b: Item): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const stage = STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage);
  return stage || a.startedAt.localeCompare(b.startedAt);
}

/** This deployment's onboardings: those on its task queue (a namespace may hold others'). */
export function ours(deps: Pick<SlackDeps, 'taskQueue'>, query: string): string {
  return `${query} AND TaskQueue = "${deps.taskQueue.replace(/["\\]/g, '')}"`;
}

export function openQuery(deps: Pick<SlackDeps, 'taskQueue'>, filter: OpenFilter): string {
  let query = ours(deps, onboardingQuery({ open: true, stage: filter.stage, requestedBy: filter.requestedBy }));
  if (filter.orgIds) {
    const ids = filter.orgIds.filter((id) => /^[\w-]+$/.test(id));
    query += ` AND ${ONBOARDING_ORG_ID.name} IN (${ids.map((id) => `"${id}"`).join(', ')})`;
  }
  return query;
}

/**
 * Open onboardings matching the filter, most urgent first. `total` counts them all; the status of
 * at most `statusLimit` (the newest) is read, the rest are left out of `items`.
 */
export async function openOnboardings(
  deps: SlackDeps,
  filter: OpenFilter,
  now = Date.now(),
  statusLimit = 100,
): Promise<{ items: Item[]; total: number }> {
  if (filter.orgIds && filter.orgIds.length === 0) return { items: [], total: 0 };
  const summaries = (await listOnboardings(deps.temporal, openQuery(deps, filter))).slice(0, statusLimit);
  const statuses = await mapLimited(summaries, STATUS_CONCURRENCY, (s) => statusOf(deps, s.workflowId));
  const items = await Promise.all(summaries.map((s, i) => itemOf(deps, s, statuses[i] ?? null, now)));
  // A stage filter is applied to what the status says too (visibility lags behind a little).
  const wanted = filter.stage ? items.filter((i) => i.stage === filter.stage) : items;
  return { items: wanted.sort(byUrgency), total: wanted.length };
}

export interface Completed {
  workflowId: string;
  orgName: string;
  invitee: string;
  requestedBy: string;
  startedAt: string;
  completedAt: string;
  link: string | null;
}

export interface StageMedian {
  stage: Stage;
  medianMs: number;
  samples: number;
}

export interface Dashboard {
  counts: Array<{ stage: Stage; count: number }>;
  open: Item[];
  stalled: Item[];
  overdue: Item[];
  recent: Completed[];
  medians: StageMedian[];
  /** The window the completions and medians are taken from. */
  recentDays: number;
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

/** Onboardings completed in the last `days`, newest first (at most `limit`). */
async function recentCompletions(deps: SlackDeps, days: number, limit: number, now: number) {
  const since = new Date(now - days * 86_400_000).toISOString();
  const query = ours(deps, `${onboardingQuery({ stage: 'COMPLETED' })} AND CloseTime > "${since}"`);
  const summaries = (await listOnboardings(deps.temporal, query)).slice(0, limit);
  const results = await mapLimited(summaries, STATUS_CONCURRENCY, (s) => resultOf(deps, s.workflowId));
  return results.filter((r): r is OnboardingStatus => r !== null && r.stage === 'COMPLETED');
}

export async function managerDashboard(deps: SlackDeps, now = Date.now(), recentDays = 30): Promise<Dashboard> {
  const [counts, open, completed] = await Promise.all([
    Promise.all(
      OPEN_STAGES.map(async (stage) => ({
        stage,
        count: (await deps.temporal.workflow.count(ours(deps, onboardingQuery({ open: true, stage })))).count,
      })),
    ),
    openOnboardings(deps, {}, now),
    recentCompletions(deps, recentDays, 50, now),
  ]);
  const completedAt = (s: OnboardingStatus) => s.stages[s.stages.length - 1]?.enteredAt ?? s.startedAt;
  const newest = [...completed].sort((a, b) => completedAt(b).localeCompare(completedAt(a)));
  const recent = await Promise.all(
    newest.slice(0, 5).map(async (s) => ({
      workflowId: s.workflowId,
      orgName: s.org?.name ?? `Organization ${s.request.orgId}`,
      invitee: s.invitee?.name ?? `Contact ${s.request.contactId}`,
      requestedBy: s.request.requestedBy,
      startedAt: s.startedAt,
      completedAt: completedAt(s),
      link: await deps.permalinks.of(s.thread),
    })),
  );
  return {
    counts,
    open: open.items,
    stalled: open.items.filter((i) => i.stage === 'STALLED'),
    overdue: open.items.filter((i) => i.overdue && i.stage !== 'STALLED'),
    recent,
    medians: stageMedians(completed),
    recentDays,
  };
}
