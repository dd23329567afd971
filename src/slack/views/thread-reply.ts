/** One reply in the onboarding's thread per event: its emoji, its text, and whom it mentions. */
import type { KnownBlock } from '@slack/web-api';
import type { Mention, OnboardingEvent } from '../../../workflows/types';
import { formatTime } from '../../wording';
import { escapeMrkdwn, isSlackUserId, isSlackUsergroupId, mention, slackDate, truncate, usergroupMention } from '../escape';
import type { Stage } from '../../../workflows/stages';
import { SECTION_MAX, section, STAGE_LABEL } from './thread-parts';

const EVENT_EMOJI: Record<string, string> = {
  'approval-not-needed': ':information_source:',
  'approval-requested': ':email:',
  'approval-reminder': ':bell:',
  escalated: ':warning:',
  approved: ':white_check_mark:',
  'approved-offline': ':memo:',
  denied: ':no_entry:',
  'approval-expired': ':hourglass:',
  'approver-changed': ':busts_in_silhouette:',
  'approver-not-found': ':warning:',
  'authorization-recorded': ':lock:',
  'instructions-sent': ':email:',
  'settings-confirmed': ':ballot_box_with_check:',
  'confirm-settings': ':mag:',
  'group-changed': ':busts_in_silhouette:',
  'account-mismatch': ':rotating_light:',
  'invitation-sent': ':outbox_tray:',
  'user-not-found': ':mag:',
  'user-found': ':bust_in_silhouette:',
  'tech-reminder': ':bell:',
  mismatch: ':warning:',
  fixed: ':wrench:',
  verified: ':white_check_mark:',
  'invite-expired': ':hourglass:',
  resent: ':repeat:',
  accepted: ':tada:',
  '2fa-reminder': ':bell:',
  'signed-in': ':closed_lock_with_key:',
  '2fa-confirmed': ':closed_lock_with_key:',
  stalled: ':rotating_light:',
  resumed: ':arrow_forward:',
  cancelled: ':x:',
  rejected: ':no_entry_sign:',
  completed: ':white_check_mark:',
  'scope-alert': ':rotating_light:',
  // An offboarding's (docs/design.md §15).
  'onboarding-cancelled': ':x:',
  'access-removed': ':scissors:',
  'delete-user': ':wastebasket:',
  'user-still-there': ':warning:',
  'user-deleted': ':white_check_mark:',
  'receipt-sent': ':email:',
  // An access review's (docs/design.md §15.2).
  'review-started': ':clipboard:',
  reviewed: ':ballot_box_with_check:',
  'review-applied': ':scissors:',
};

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g;

/**
 * An event's text as mrkdwn: everything escaped, then the one mention the workflow itself writes
 * (`<@by>`, the Slack user who acted) restored, and ISO times shown in the reader's time zone.
 */
export function eventText(event: OnboardingEvent): string {
  let text = escapeMrkdwn(event.text);
  if (isSlackUserId(event.by)) text = text.split(`&lt;@${event.by}&gt;`).join(mention(event.by));
  return text.replace(ISO_TIME, (iso) => slackDate(iso, formatTime(iso)));
}

/** Who "the managers" are in a mention (SLACK_MANAGER_USERGROUP_ID, SLACK_MANAGER_USER_IDS). */
export interface ManagerMentions {
  usergroupId?: string | null;
  userIds?: readonly string[];
}

export interface ThreadReplyOptions {
  /** Unset or empty: an event that asks the managers mentions nobody for them. */
  managers?: ManagerMentions;
}

/**
 * The mentions that make Slack notify the people an event asks to act, space-separated, or ''
 * when none: `<@U…>` for each user, then the managers as their user group's handle
 * (`<!subteam^S…>`) or, without a group, each listed manager. Built from validated IDs only (never
 * from the event's text); each user is mentioned once.
 */
export function mentionsText(who: Mention | undefined, managers: ManagerMentions = {}): string {
  if (!who) return '';
  const users = (who.users ?? []).filter(isSlackUserId);
  const parts: string[] = [];
  if (who.managers) {
    if (isSlackUsergroupId(managers.usergroupId)) parts.push(usergroupMention(managers.usergroupId));
    else users.push(...(managers.userIds ?? []).filter(isSlackUserId));
  }
  return [...[...new Set(users)].map((id) => mention(id)), ...parts].join(' ');
}

/** A reply in the thread for one event, starting with the mentions of the people it asks to act. */
export function threadReply(event: OnboardingEvent, options: ThreadReplyOptions = {}): { text: string; blocks?: KnownBlock[] } {
  const emoji = EVENT_EMOJI[event.type] ?? ':small_blue_diamond:';
  const body = event.type === 'stage' && event.text in STAGE_LABEL ? STAGE_LABEL[event.text as Stage] : eventText(event);
  const mentions = mentionsText(event.mention, options.managers);
  const text = truncate(`${mentions ? `${mentions} ` : ''}${emoji} ${body}`, SECTION_MAX);
  return { text, blocks: [section(text)] };
}
