/**
 * The access reviews as the managers see them (docs/design.md §15.2): `/onboarding-status reviews`
 * and the App Home's section. Open reviews overdue first, each with its organization, age, who
 * answers, its deadline and its thread; then the outcomes of the recent ones.
 */
import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn, slackDate, truncate } from '../escape';
import { duration, linesInSections } from './format';
import type { ReviewItem, ReviewOutcome, ReviewsOverview } from './models';
import { REVIEW_STAGE_LABEL } from './thread-review';

const MAX_BLOCKS = 48;

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, 3000) }] });

/** The organization in bold, linked to the review's thread when there is a link. */
function title(row: { orgName: string; link: string | null }): string {
  const org = `*${escapeMrkdwn(row.orgName)}*`;
  return row.link ? `<${row.link}|${org.replace(/\|/g, '/')}>` : org;
}

/** One open review: organization, age, who answers, deadline, thread. */
export function reviewLine(r: ReviewItem, now: number): string {
  const parts = [`${duration(now - Date.parse(r.startedAt))} old`];
  if (r.stage !== 'AWAITING_APPROVAL') parts.unshift(REVIEW_STAGE_LABEL[r.stage] ?? r.stage);
  if (r.answerer) parts.push(`answers: ${escapeMrkdwn(r.answerer)}`);
  if (r.deadline) {
    const at = Date.parse(r.deadline);
    parts.push(at < now ? `deadline passed ${duration(now - at)} ago` : `answer due ${slackDate(r.deadline, r.deadline)}`);
  }
  return `${r.overdue ? ':warning: ' : ''}${title(r)} — ${parts.join(' · ')}`;
}

/** What became of a recent review's users. */
export function outcomeLine(o: ReviewOutcome): string {
  const closed = `closed ${slackDate(o.closedAt, o.closedAt)}`;
  if (o.kept !== null && o.removed !== null) {
    const what = `${o.kept} kept, ${o.removed} removed${o.unanswered ? ' (unanswered: removed by the policy)' : ''}`;
    return `${title(o)} — ${what} · ${closed}`;
  }
  const what = o.unanswered ? ':hourglass: unanswered' : (REVIEW_STAGE_LABEL[o.stage] ?? o.stage).toLowerCase();
  return `${title(o)} — ${what} · ${closed}`;
}

/** A titled list within `maxBlocks`; "None." when empty. */
function group(heading: string, lines: string[], maxBlocks: number, none = 'None.'): KnownBlock[] {
  if (lines.length === 0) return [section(`*${heading}*`), context(none)];
  const sections = linesInSections(lines);
  const shown = sections.slice(0, Math.max(maxBlocks - 2, 1));
  const blocks = [section(`*${heading}*`), ...shown.map(section)];
  if (shown.length < sections.length) blocks.push(context('…and more not shown here.'));
  return blocks;
}

/** The open reviews' groups: overdue, then due. */
function openGroups(r: ReviewsOverview, now: number, maxBlocks: number): KnownBlock[] {
  const overdue = r.open.filter((i) => i.overdue);
  const due = r.open.filter((i) => !i.overdue);
  const half = Math.floor(maxBlocks / 2);
  return [
    ...group(
      `:warning: Overdue (${overdue.length})`,
      overdue.map((i) => reviewLine(i, now)),
      half,
    ),
    ...group(
      `Due (${due.length})`,
      due.map((i) => reviewLine(i, now)),
      half,
    ),
  ];
}

/** The recent outcomes' totals and lines. */
function outcomeGroup(r: ReviewsOverview, maxBlocks: number): KnownBlock[] {
  const kept = r.recent.reduce((sum, o) => sum + (o.kept ?? 0), 0);
  const removed = r.recent.reduce((sum, o) => sum + (o.removed ?? 0), 0);
  const unanswered = r.recent.filter((o) => o.unanswered).length;
  const heading = `Recent outcomes (last ${r.recentDays} days): ${kept} kept, ${removed} removed, ${unanswered} unanswered`;
  return group(heading, r.recent.map(outcomeLine), maxBlocks, `No review closed in the last ${r.recentDays} days.`);
}

/** The `/onboarding-status reviews` answer. */
export function reviewsMessage(r: ReviewsOverview, now: number): { text: string; blocks: KnownBlock[] } {
  const heading = `Open access reviews: ${r.total}`;
  const blocks: KnownBlock[] = [section(`*${heading}*`)];
  blocks.push(...openGroups(r, now, 28));
  if (r.total > r.open.length) blocks.push(context(`Showing ${r.open.length} of ${r.total}.`));
  blocks.push(...outcomeGroup(r, MAX_BLOCKS - blocks.length));
  return { text: heading, blocks: blocks.slice(0, MAX_BLOCKS) };
}

/** The App Home's "Access reviews" section (managers), within `maxBlocks`. */
export function reviewHomeBlocks(r: ReviewsOverview, now: number, maxBlocks: number): KnownBlock[] {
  if (maxBlocks < 4) return [];
  const open = openGroups(r, now, Math.max(Math.floor((maxBlocks - 1) / 2), 4));
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: `Access reviews (${r.total} open)` } }, ...open];
  blocks.push(...outcomeGroup(r, maxBlocks - blocks.length));
  return blocks.slice(0, maxBlocks);
}
