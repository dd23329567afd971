/** Words and small pieces shared by the status list, the App Home and the modals. */
import type { WaitingOn } from '../../../workflows/stages';
import { escapeMrkdwn, linkTarget, mention, slackDate, truncate } from '../escape';
import type { Item } from './models';
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

/** One onboarding on one line: who, where, how old, who it waits on, its deadline, a link to its thread. */
export function itemLine(item: Item, now: number, showStage = false): string {
  const who = `*${escapeMrkdwn(item.invitee)}* · ${escapeMrkdwn(item.orgName)}`;
  const title = item.link ? `<${item.link}|${who.replace(/\|/g, '/')}>` : who;
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
