/** Words and small pieces shared by the status list, the App Home and the modals. */
import type { WaitingOn } from '../../../workflows/stages';
import { escapeMrkdwn, linkTarget, mention, slackDate, truncate } from '../escape';
import type { Completed, Item } from './models';
import { STAGE_LABEL } from './thread-parts';

/** Plain words for each stage (the thread's own). */
export const STAGE_LABELS = STAGE_LABEL;

const WAITING: Record<WaitingOn, string> = {
  system: 'in progress',
  approver: 'waiting on the approver',
  tech: 'waiting on the tech',
  invitee: 'waiting on the invitee',
  manager: 'waiting on a manager',
  nobody: 'done',
};

export function waitingLabel(waitingOn: WaitingOn | null): string | null {
  return waitingOn ? WAITING[waitingOn] : null;
}

/** "3d 4h", "2h 5m", "7m", "under a minute". */
export function duration(ms: number): string {
  const minutes = Math.floor(Math.max(ms, 0) / 60_000);
  if (minutes < 1) return 'under a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return mins > 0 ? `${hours}h ${mins}m` : `${hours}h`;
  return `${mins}m`;
}

/** What marks an offboarding's row among onboardings' (docs/design.md §15). */
export const OFFBOARDING_MARK = ':door: Offboarding:';

/** Who and where, linked to the thread when there is a link; an offboarding's marked as one. */
function rowTitle(row: Pick<Item, 'invitee' | 'orgName' | 'link' | 'process'>): string {
  const who = `*${escapeMrkdwn(row.invitee)}* · ${escapeMrkdwn(row.orgName)}`;
  const title = row.link ? `<${row.link}|${who.replace(/\|/g, '/')}>` : who;
  return row.process === 'offboarding' ? `${OFFBOARDING_MARK} ${title}` : title;
}

/** One onboarding (or offboarding) on one line: who, where, how old, who it waits on, its deadline, a link to its thread. */
export function itemLine(item: Item, now: number, showStage = false): string {
  const title = rowTitle(item);
  const parts = [`${duration(now - Date.parse(item.startedAt))} old`];
  if (showStage) parts.unshift(STAGE_LABELS[item.stage]);
  const waiting = waitingLabel(item.waitingOn);
  if (waiting && item.stage !== 'STALLED') parts.push(waiting);
  if (item.deadline) {
    const at = Date.parse(item.deadline);
    parts.push(at < now ? `deadline passed ${duration(now - at)} ago` : `next deadline ${slackDate(item.deadline, item.deadline)}`);
  }
  if (item.requestedBy) parts.push(`by ${mention(item.requestedBy)}`);
  if (item.reason) parts.push(escapeMrkdwn(truncate(item.reason, 200)));
  if (item.details) parts.push(`<${linkTarget(item.details)}|Details>`);
  const flag = item.overdue ? ':warning: ' : '';
  return `${flag}${title} — ${parts.join(' · ')}`;
}

/** Section texts of at most 3000 characters, one line per item. */
export function linesInSections(lines: string[], max = 2900): string[] {
  const sections: string[] = [];
  let current = '';
  for (const line of lines) {
    const cut = truncate(line, max);
    if (current && current.length + 1 + cut.length > max) {
      sections.push(current);
      current = '';
    }
    current = current ? `${current}\n${cut}` : cut;
  }
  if (current) sections.push(current);
  return sections;
}

/** A completed onboarding (or offboarding) on one line: who, where, when, after how long, requested by whom. */
export function completedLine(c: Completed): string {
  const what = c.process === 'offboarding' ? 'access removed' : 'completed';
  return `${rowTitle(c)} — ${what} ${slackDate(c.completedAt, c.completedAt)} after ${duration(Date.parse(c.completedAt) - Date.parse(c.startedAt))} · by ${mention(c.requestedBy)}`;
}
