/**
 * The audit export (docs/design.md §15.4): every onboarding, offboarding and access review that was
 * open at some moment of a period, with its decision and that decision's evidence (who, when, IP,
 * user agent, comment, channel), the settings confirmation, the removal and the review's answers,
 * as CSV or JSON. Times are ISO 8601
 * UTC, as the records keep them.
 *
 * Records are read from Temporal: a completed workflow's result, otherwise its `status` query.
 * The list is read once; its records one at a time, with progress told to `progress`.
 */
import type { Client } from '@temporalio/client';
import { stringify } from 'csv-stringify/sync';
import { isFinal } from '../workflows/stages';
import type { Evidence, OnboardingStatus, Process } from '../workflows/types';
import { getStatus, InvalidInputError, listOnboardings, onboardingQuery } from './onboardings';
import { visibilityQuery } from './temporal/visibility-query';

export type ExportFormat = 'csv' | 'json';

export interface ExportPeriod {
  /** ISO 8601 instants; `from` included, `to` excluded. */
  from: string;
  to: string;
}

/** One onboarding or offboarding, flat: one CSV row. */
export interface AuditRecord {
  workflowId: string;
  process: Process;
  orgId: string;
  organization: string | null;
  person: string | null;
  email: string | null;
  kind: string;
  requestedBy: string;
  ticket: string | null;
  reason: string | null;
  startedAt: string;
  stage: string;
  endedAt: string | null;
  /** approve, deny, or null (no decision yet, or none needed). */
  decision: string | null;
  /** link, cli, offline, manager, not-needed. */
  decisionVia: string | null;
  /** The approver's name and email, the manager's or operator's Slack user ID. */
  decidedBy: string | null;
  decidedAt: string | null;
  ip: string | null;
  userAgent: string | null;
  comment: string | null;
  /** Where the decision was given: approval link, command line, fax, postal-mail, email, slack. */
  channel: string | null;
  /** The person who recorded a decision given elsewhere (CLI, offline). */
  recordedBy: string | null;
  settingsConfirmedBy: string | null;
  settingsConfirmedAt: string | null;
  groupsLeft: string | null;
  authorizationRemoved: boolean | null;
  deletedAt: string | null;
  /** An access review's answers: "email: keep; email: remove"; null for the other processes or before the answer. */
  reviewAnswers: string | null;
}

export const AUDIT_COLUMNS: readonly (keyof AuditRecord)[] = [
  'workflowId',
  'process',
  'orgId',
  'organization',
  'person',
  'email',
  'kind',
  'requestedBy',
  'ticket',
  'reason',
  'startedAt',
  'stage',
  'endedAt',
  'decision',
  'decisionVia',
  'decidedBy',
  'decidedAt',
  'ip',
  'userAgent',
  'comment',
  'channel',
  'recordedBy',
  'settingsConfirmedBy',
  'settingsConfirmedAt',
  'groupsLeft',
  'authorizationRemoved',
  'deletedAt',
  'reviewAnswers',
];

/** Checks the period given on a command line: two ISO 8601 dates or instants, `from` before `to`. */
export function parsePeriod(from: string, to: string): ExportPeriod {
  const instant = (name: string, value: string) => {
    const ms = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))?$/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms))
      throw new InvalidInputError(`${name}: expected an ISO 8601 date or time such as 2026-01-31 or 2026-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
    return new Date(ms).toISOString();
  };
  const period = { from: instant('--from', from), to: instant('--to', to) };
  if (period.from >= period.to) throw new InvalidInputError(`--from must be before --to (${period.from} is not before ${period.to})`);
  return period;
}

function decisionOf(
  e: Evidence | null,
): Pick<AuditRecord, 'decision' | 'decisionVia' | 'decidedBy' | 'decidedAt' | 'ip' | 'userAgent' | 'comment' | 'channel' | 'recordedBy'> {
  const none = { decision: null, decisionVia: null, decidedBy: null, decidedAt: null, ip: null, userAgent: null, comment: null, channel: null, recordedBy: null };
  if (!e) return none;
  const approver = (p: { name: string; email: string }) => `${p.name} <${p.email}>`;
  switch (e.via) {
    case 'link':
      return {
        ...none,
        decision: e.decision,
        decisionVia: 'link',
        decidedBy: approver(e.approver),
        decidedAt: e.at,
        ip: e.ip,
        userAgent: e.userAgent,
        comment: e.comment,
        channel: 'approval link',
      };
    case 'cli':
      return {
        ...none,
        decision: e.decision,
        decisionVia: 'cli',
        decidedBy: approver(e.approver),
        decidedAt: e.at,
        comment: e.comment,
        channel: 'command line',
        recordedBy: e.recordedBy,
      };
    case 'offline':
      return { ...none, decision: e.decision, decisionVia: 'offline', decidedAt: e.at, comment: e.note, channel: e.channel, recordedBy: e.recordedBy };
    case 'manager':
      return { ...none, decision: e.decision, decisionVia: 'manager', decidedBy: e.by, decidedAt: e.at, channel: 'slack' };
    case 'not-needed':
      return { ...none, decisionVia: 'not-needed', decidedAt: e.at, comment: e.reason };
  }
}

export function auditRecord(s: OnboardingStatus): AuditRecord {
  const last = s.stages[s.stages.length - 1];
  const request = s.request as OnboardingStatus['request'] & { reason?: string };
  return {
    workflowId: s.workflowId,
    process: s.process ?? 'onboarding',
    orgId: request.orgId,
    organization: s.org?.name ?? null,
    person: s.invitee?.name ?? null,
    email: s.user?.email ?? s.invitee?.email ?? null,
    kind: request.kind,
    requestedBy: request.requestedBy,
    ticket: request.ticket ?? null,
    reason: request.reason ?? null,
    startedAt: s.startedAt,
    stage: s.stage,
    endedAt: isFinal(s.stage) && last ? last.enteredAt : null,
    ...decisionOf(s.evidence),
    settingsConfirmedBy: s.confirmation?.by ?? null,
    settingsConfirmedAt: s.confirmation?.at ?? null,
    groupsLeft: s.removal ? s.removal.groupsLeft.join('; ') : null,
    authorizationRemoved: s.removal ? s.removal.authorizationRemoved : null,
    deletedAt: s.removal?.deletedAt ?? null,
    reviewAnswers: reviewAnswersOf(s),
  };
}

function reviewAnswersOf(s: OnboardingStatus): string | null {
  const answers = s.review?.answers;
  if (!answers) return null;
  return s.review!.users.map((u) => `${u.email}: ${answers[u.userId] ?? '-'}`).join('; ');
}

/** Open at some moment of the period: started before its end, and not ended before its start. */
export function inPeriod(r: AuditRecord, period: ExportPeriod): boolean {
  return r.startedAt < period.to && (r.endedAt === null || r.endedAt >= period.from);
}

/**
 * A record's status: a completed workflow's result, a running one's status query; null for a
 * workflow stopped from outside (terminated, failed, timed out), which left no result.
 */
async function statusOf(client: Client, run: { workflowId: string; runId: string; executionStatus: string }): Promise<OnboardingStatus | null> {
  // This run's: a workflow ID may have run several times (each access review, a contact onboarded again).
  if (run.executionStatus === 'COMPLETED') return (await client.workflow.getHandle(run.workflowId, run.runId).result()) as OnboardingStatus;
  if (run.executionStatus !== 'RUNNING') return null;
  return client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => getStatus(client, run.workflowId));
}

const QUERY_TIMEOUT_MS = 10_000;

export interface ExportResult {
  records: AuditRecord[];
  /** Workflows whose record could not be read (stopped from outside, or not answering), by ID. */
  unreadable: string[];
}

/** Every record of this deployment (its task queue) open in the period. */
export async function collectAudit(client: Client, taskQueue: string, period: ExportPeriod, progress: (line: string) => void = () => undefined): Promise<ExportResult> {
  const query = visibilityQuery(onboardingQuery()).where('TaskQueue', '=', taskQueue).toString();
  const listed = await listOnboardings(client, query);
  progress(`reading ${listed.length} records`);
  const records: AuditRecord[] = [];
  const unreadable: string[] = [];
  for (const [i, w] of listed.entries()) {
    const status = await statusOf(client, w).catch(() => null);
    const record = status ? auditRecord(status) : null;
    if (!record) unreadable.push(w.workflowId);
    else if (inPeriod(record, period)) records.push(record);
    if ((i + 1) % 100 === 0) progress(`read ${i + 1} of ${listed.length}`);
  }
  records.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.workflowId.localeCompare(b.workflowId));
  return { records, unreadable };
}

/**
 * The records as CSV (a header, then one row each; a cell that a spreadsheet would read as a
 * formula is escaped) or as a JSON array.
 */
export function formatAudit(records: AuditRecord[], format: ExportFormat): string {
  if (format === 'json') return `${JSON.stringify(records, null, 2)}\n`;
  return stringify(
    records.map((r) => AUDIT_COLUMNS.map((c) => r[c] ?? '')),
    { header: true, columns: AUDIT_COLUMNS as string[], escape_formulas: true, cast: { boolean: (b) => (b ? 'true' : 'false') } },
  );
}
