/** The App Home tab: a manager's dashboard, a tech's own onboardings, or a short notice. */
import type { HomeView, KnownBlock } from '@slack/types';
import { escapeMrkdwn, slackDate, truncate } from '../escape';
import type { Completed, Dashboard, Item } from './models';
import { completedLine, duration, itemLine, linesInSections, STAGE_LABELS } from './format';
import { reviewHomeBlocks } from './review-list';
import { groupBlocks, groupsOf } from './status-list';
import { removeAccessButton } from './thread-buttons';

/** Slack's limit for a Home tab. */
export const MAX_HOME_BLOCKS = 100;
/** The most blocks the access reviews take in a manager's Home tab. */
const REVIEW_BLOCKS = 20;

const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, 150) } });
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, 3000) }] });
const divider: KnownBlock = { type: 'divider' };

function home(blocks: KnownBlock[]): HomeView {
  return { type: 'home', blocks: blocks.slice(0, MAX_HOME_BLOCKS) };
}

export function homeNotice(text: string): HomeView {
  return home([header('invite-lite'), section(escapeMrkdwn(text))]);
}

export function nobodyHome(): HomeView {
  return homeNotice('invite-lite onboards customer contacts as IT Glue Lite or MyGlue users. Only the techs and managers can use it: ask your Slack admin to add you.');
}

function listBlocks(lines: string[], max: number): KnownBlock[] {
  return linesInSections(lines).slice(0, max).map(section);
}

/** One section per completion; a completed onboarding's with its Remove access (docs/design.md §15). */
function completedBlocks(recent: Completed[]): KnownBlock[] {
  return recent.map((c) => {
    const row = section(completedLine(c));
    if (!c.removable) return row;
    return { ...row, accessory: removeAccessButton({ workflowId: c.workflowId, inviteeName: c.invitee, orgName: c.orgName }) } as KnownBlock;
  });
}

export function managerHome(d: Dashboard, now: number): HomeView {
  const blocks: KnownBlock[] = [header('Onboardings'), context(`Updated ${slackDate(now, new Date(now).toISOString())}`)];

  const open = d.counts.reduce((sum, c) => sum + c.count, 0);
  const countLines = d.counts.filter((c) => c.count > 0).map((c) => `${STAGE_LABELS[c.stage]}: *${c.count}*`);
  blocks.push(section(`*Open: ${open}*${countLines.length ? `\n${countLines.join('\n')}` : ''}`));

  const stalled = Math.max(d.stalled.length, d.counts.find((c) => c.stage === 'STALLED')?.count ?? 0);
  blocks.push(divider, header(`Stalled (${stalled})`));
  blocks.push(
    ...(d.stalled.length
      ? listBlocks(
          d.stalled.map((i) => itemLine(i, now)),
          10,
        )
      : [context('None.')]),
  );

  blocks.push(divider, header(`Overdue (${d.overdue.length})`));
  blocks.push(
    ...(d.overdue.length
      ? listBlocks(
          d.overdue.map((i) => itemLine(i, now, true)),
          10,
        )
      : [context('None.')]),
  );

  blocks.push(divider, header('Recently completed'));
  if (d.recent.length === 0) blocks.push(context(`None in the last ${d.recentDays} days.`));
  else blocks.push(...completedBlocks(d.recent.slice(0, 5)));

  blocks.push(divider, header('Median time per stage'));
  if (d.medians.length === 0) blocks.push(context(`No onboarding completed in the last ${d.recentDays} days.`));
  else {
    blocks.push(section(d.medians.map((m) => `${STAGE_LABELS[m.stage]}: *${duration(m.medianMs)}*`).join('\n')));
    blocks.push(context(`From the ${d.recent.length === 1 ? 'onboarding' : 'onboardings'} completed in the last ${d.recentDays} days.`));
  }

  // The access reviews (docs/design.md §15.2): due, overdue, recent outcomes.
  if (d.reviews) blocks.push(divider, ...reviewHomeBlocks(d.reviews, now, REVIEW_BLOCKS));

  // The open onboardings (the most urgent, when there are many), by stage, with what room is left.
  const rest = MAX_HOME_BLOCKS - blocks.length - 2;
  if (d.open.length > 0 && rest > 2) {
    blocks.push(divider, header(d.open.length < open ? `Open onboardings (${d.open.length} of ${open}, most urgent first)` : `All open onboardings (${d.open.length})`));
    blocks.push(...groupBlocks(groupsOf(d.open, now), rest, 100));
  }
  return home(blocks);
}

/** A tech's own open onboardings and offboardings, then their recent completions (each a row with its Remove access). */
export function techHome(items: Item[], now: number, recent: Completed[] = []): HomeView {
  const blocks: KnownBlock[] = [header('Your onboardings'), context(`Updated ${slackDate(now, new Date(now).toISOString())} · start one with \`/invite-lite\``)];
  const completed = recent.slice(0, 5);
  // Room kept for the completions, after the open ones.
  const kept = completed.length > 0 ? completed.length + 2 : 0;
  if (items.length === 0) blocks.push(section('You have no open onboardings.'));
  else blocks.push(...groupBlocks(groupsOf(items, now), MAX_HOME_BLOCKS - blocks.length - kept, 150));
  if (completed.length > 0) blocks.push(divider, header('Recently completed'), ...completedBlocks(completed));
  return home(blocks);
}
