/** The /onboarding-status answer: open onboardings by stage, late ones first, each linked to its thread. */
import type { KnownBlock } from '@slack/types';
import { OPEN_STAGES, type Item } from './models';
import { itemLine, linesInSections, STAGE_LABELS } from './format';

const MAX_BLOCKS = 48;

export interface Group {
  title: string;
  lines: string[];
}

/** Late ones in their own group first, the others by stage in the order of the process. */
export function groupsOf(items: Item[], now: number): Group[] {
  const groups: Group[] = [];
  const late = items.filter((i) => i.overdue);
  if (late.length > 0) groups.push({ title: `:warning: Overdue (${late.length})`, lines: late.map((i) => itemLine(i, now, true)) });
  for (const stage of OPEN_STAGES) {
    const here = items.filter((i) => !i.overdue && i.stage === stage);
    if (here.length > 0) groups.push({ title: `${STAGE_LABELS[stage]} (${here.length})`, lines: here.map((i) => itemLine(i, now)) });
  }
  return groups;
}

/** Blocks for the groups within `maxBlocks` and `maxLines`; what does not fit is counted in a last line. */
export function groupBlocks(groups: Group[], maxBlocks: number, maxLines = 60): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let left = 0;
  let lines = 0;
  for (const group of groups) {
    const room = Math.max(maxLines - lines, 0);
    const shown = group.lines.slice(0, room);
    left += group.lines.length - shown.length;
    const sections = linesInSections(shown);
    if (shown.length === 0 || blocks.length + 1 + sections.length > maxBlocks - 1) {
      left += shown.length;
      continue;
    }
    lines += shown.length;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${group.title}*` } });
    for (const text of sections) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  }
  if (left > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${left} more not shown here.` }] });
  return blocks;
}

/** `scope` is mrkdwn (its values already escaped). */
export function statusMessage(scope: string, items: Item[], total: number, now: number): { text: string; blocks: KnownBlock[] } {
  const heading = `Open onboardings — ${scope}: ${total}`;
  if (items.length === 0) {
    const text = `No open onboardings — ${scope}.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${heading}*` } }];
  blocks.push(...groupBlocks(groupsOf(items, now), MAX_BLOCKS - blocks.length));
  if (total > items.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Showing ${items.length} of ${total}: name an organization, a person or a stage to narrow the list.` }],
    });
  }
  return { text: `${heading}`, blocks };
}
