/**
 * The onboarding thread (PRODUCT.md §5): its root message, updated in place at every stage change,
 * and one reply per event. Pure functions of the onboarding's status: the Slack activities post
 * what these return, and the listeners can show the same message (e.g. for an onboarding that is
 * already open).
 *
 * Every value from IT Glue, the request or a person goes through src/slack/escape.ts.
 */
import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/web-api';
import type { Stage, WaitingOn } from '../../../workflows/stages';
import { isFinal } from '../../../workflows/stages';
import type { Mention, OnboardingEvent, OnboardingStatus } from '../../../workflows/types';
import { accessLevel, formatTime, passwordAccess, SIMULATED_ITGLUE } from '../../wording';
import { ACTIONS, THREAD_ACTIONS_BLOCK_ID, type ActionId } from '../action-ids';
import { oneLine } from '../../../workflows/text';
import { bold, code, escapeMrkdwn, isSlackUserId, isSlackUsergroupId, linkTarget, mention, slackDate, truncate, usergroupMention } from '../escape';

export type Block = KnownBlock;

export interface SlackMessage {
  /** The notification and fallback text (mrkdwn, escaped). */
  text: string;
  blocks: Block[];
}

export interface ThreadRootOptions {
  /** A page with the onboarding's details (e.g. its workflow in the Temporal UI), linked from the root. */
  dashboardUrl?: string;
}

/** Slack's limits: a section's text, one field of a section, a button's value. */
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const NOTE_MAX = 500;

const STAGE_EMOJI: Record<Stage, string> = {
  VALIDATING: ':mag:',
  AWAITING_APPROVAL: ':hourglass_flowing_sand:',
  RECORDING_AUTHORIZATION: ':gear:',
  SENDING_INSTRUCTIONS: ':email:',
  AWAITING_INVITE: ':hammer_and_wrench:',
  VERIFYING: ':mag:',
  AWAITING_ACCEPTANCE: ':hourglass_flowing_sand:',
  AWAITING_2FA: ':closed_lock_with_key:',
  COMPLETED: ':white_check_mark:',
  REJECTED: ':no_entry_sign:',
  DENIED: ':no_entry:',
  APPROVAL_EXPIRED: ':hourglass:',
  CANCELLED: ':x:',
  STALLED: ':rotating_light:',
};

/** The deadline's meaning in each stage that has one. */
const DEADLINE_LABEL: Partial<Record<Stage, string>> = {
  AWAITING_APPROVAL: 'Approval request expires',
  AWAITING_INVITE: 'Next reminder to the tech',
  AWAITING_ACCEPTANCE: 'Invitation link expires',
  AWAITING_2FA: 'Next 2FA reminder',
};

/** Plain words for a stage, for lists and for "resumes at …". */
export const STAGE_LABEL: Record<Stage, string> = {
  VALIDATING: 'Checking the request',
  AWAITING_APPROVAL: 'Waiting for approval',
  RECORDING_AUTHORIZATION: 'Recording the authorization',
  SENDING_INSTRUCTIONS: 'Sending the instructions',
  AWAITING_INVITE: 'Waiting for the IT Glue invitation',
  VERIFYING: 'Verifying the IT Glue user',
  AWAITING_ACCEPTANCE: 'Waiting for the invitation to be accepted',
  AWAITING_2FA: 'Waiting for 2FA',
  COMPLETED: 'Completed',
  REJECTED: 'Rejected',
  DENIED: 'Denied',
  APPROVAL_EXPIRED: 'Approval expired',
  CANCELLED: 'Cancelled',
  STALLED: 'Stalled',
};

/** Names as mrkdwn, escaped and on one line, with a placeholder before IT Glue has been read. */
function names(s: OnboardingStatus) {
  return {
    invitee: escapeMrkdwn(oneLine(s.invitee?.name ?? `contact ${s.request.contactId}`)),
    org: escapeMrkdwn(oneLine(s.org?.name ?? `organization ${s.request.orgId}`)),
    approver: s.approver ? escapeMrkdwn(oneLine(s.approver.name)) : null,
    product: s.request.kind === 'myglue' ? 'MyGlue' : 'IT Glue',
  };
}

function article(phrase: string): string {
  return /^[aeiou]/i.test(phrase) || /^IT\b/.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

/** The Slack user who cancelled, from the status's last `cancelled` event. */
function cancelledBy(s: OnboardingStatus): string | null {
  const by = [...s.events].reverse().find((e) => e.type === 'cancelled')?.by;
  return isSlackUserId(by) ? by : null;
}

/** The stage, said plainly (mrkdwn, escaped): "Waiting for approval by Paula Primary". */
export function stageHeadline(s: OnboardingStatus): string {
  const n = names(s);
  switch (s.stage) {
    case 'VALIDATING':
      return 'Checking the request in IT Glue';
    case 'AWAITING_APPROVAL':
      return n.approver ? `Waiting for approval by ${n.approver}` : 'Waiting for approval';
    case 'RECORDING_AUTHORIZATION':
      return 'Recording the authorization in IT Glue';
    case 'SENDING_INSTRUCTIONS':
      return `Emailing the access instructions to ${n.invitee}`;
    case 'AWAITING_INVITE':
      return `Waiting for a tech to create the ${n.product} user in IT Glue`;
    case 'VERIFYING':
      if (s.subState === 'CONFIRM_SETTINGS') return 'Waiting for a tech to confirm the settings in IT Glue';
      if (s.subState !== 'MISMATCH') return "Checking the user's settings in IT Glue";
      return s.waitingOn === 'manager' ? 'Waiting for a manager to fix the IT Glue account' : 'Waiting for the settings in IT Glue to be fixed';
    case 'AWAITING_ACCEPTANCE':
      return s.subState === 'INVITE_EXPIRED'
        ? 'The invitation expired: waiting for it to be resent'
        : `Waiting for ${n.invitee} to accept the invitation`;
    case 'AWAITING_2FA':
      return s.waitingOn === 'tech'
        ? `Waiting for a tech to confirm that ${n.invitee} has set up 2FA`
        : `Waiting for ${n.invitee} to sign in with 2FA`;
    case 'COMPLETED':
      return `Completed: ${n.invitee} is now ${article(accessLevel(s.request))}`;
    case 'REJECTED':
      return 'Rejected: this onboarding cannot go ahead';
    case 'DENIED':
      return n.approver ? `Denied by ${n.approver}` : 'Denied';
    case 'APPROVAL_EXPIRED':
      return n.approver ? `Approval expired: ${n.approver} did not answer in time` : 'Approval expired';
    case 'CANCELLED': {
      const by = cancelledBy(s);
      return by ? `Cancelled by ${mention(by)}` : 'Cancelled';
    }
    case 'STALLED':
      return 'Stalled: needs a manager';
  }
}

function waitingOnText(waitingOn: WaitingOn, s: OnboardingStatus): string | null {
  const n = names(s);
  switch (waitingOn) {
    case 'approver':
      return n.approver ? `${n.approver}, the approver` : 'the approver';
    case 'tech':
      return `${mention(s.request.requestedBy)} or another tech`;
    case 'invitee':
      return `${n.invitee}, the invitee`;
    case 'manager':
      return 'a manager';
    default:
      return null;
  }
}

/** "<!date^1700000000^{date_short_pretty} {time}|Tuesday 14 November 2023 at 22:13 UTC>". */
export function deadlineText(deadline: string): string {
  return slackDate(deadline, formatTime(deadline));
}

function approvalText(s: OnboardingStatus): string {
  const e = s.evidence;
  if (e?.via === 'not-needed') return 'Not needed: the invitee is the primary contact';
  if (e?.via === 'offline') return `Received by ${escapeMrkdwn(e.channel)}, recorded by ${mention(e.recordedBy)}`;
  if (e?.via === 'link') {
    const verb = e.decision === 'approve' ? 'Approved' : 'Denied';
    return `${verb} by ${escapeMrkdwn(oneLine(e.approver.name))}, ${slackDate(e.at, formatTime(e.at))}`;
  }
  if (e?.via === 'cli') {
    const verb = e.decision === 'approve' ? 'Approved' : 'Denied';
    return `${verb} by ${escapeMrkdwn(oneLine(e.approver.name))} (recorded by ${mention(e.recordedBy)} with the command line), ${slackDate(e.at, formatTime(e.at))}`;
  }
  if (s.approver) return escapeMrkdwn(oneLine(s.approver.name));
  return s.stage === 'VALIDATING' ? 'To be found' : 'None';
}

function field(label: string, value: string) {
  return { type: 'mrkdwn' as const, text: truncate(`*${label}*\n${value}`, FIELD_MAX) };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } };
}

/** The exact steps for the tech in AWAITING_INVITE (PRODUCT.md §3 step 5, the MSP's procedure). */
export function inviteChecklist(s: OnboardingStatus): string {
  const n = names(s);
  const myGlue = s.request.kind === 'myglue';
  const email = s.invitee ? code(s.invitee.email) : `${n.invitee}'s email from IT Glue`;
  const role = myGlue ? (s.request.myGlueRole ?? 'Lite') : 'Lite';
  const groups = s.groupNames.map((g) => bold(g));
  const groupLine = myGlue
    ? `Group${groups.length === 1 ? '' : 's'}: ${groups.join(', ') || 'the MyGlue groups chosen for this request'}`
    : `Group: ${groups[0] ?? 'the customer group'}, and no other group`;
  return [
    `*Create the user in IT Glue*, then press *Invitation sent*:`,
    `1. IT Glue → *Account* > *Users* > *${myGlue ? 'MyGlue' : 'IT Glue'}* tab > *+ New*`,
    `2. Email: ${email} (copy and paste it, then check it)`,
    `3. Role: *${escapeMrkdwn(role)}*`,
    `4. ${groupLine}`,
    `5. Organization access: *${n.org}* and ONLY ${n.org}`,
    '6. Check the settings, then *Save*.',
  ].join('\n');
}

/** What the stage needs from people, beyond the headline; null when nothing. */
function stageDetail(s: OnboardingStatus): string | null {
  switch (s.stage) {
    case 'AWAITING_INVITE':
      return inviteChecklist(s);
    case 'VERIFYING': {
      if (s.subState === 'CONFIRM_SETTINGS') {
        return [
          '*Check in IT Glue* (Account > Users > the user), then press *Settings confirmed*:',
          ...(s.settingsToConfirm ?? []).map((item) => `• ${escapeMrkdwn(item)}`),
        ].join('\n');
      }
      if (s.subState !== 'MISMATCH') return null;
      const account = s.accountMismatches ?? [];
      const parts = [
        account.length > 0 ? ['*Needs a manager: fix in IT Glue, then press Fixed:*', ...account.map((m) => `• ${escapeMrkdwn(m)}`)].join('\n') : null,
        s.mismatches.length > 0 ? [`*Fix in IT Glue, then press Fixed:*`, ...s.mismatches.map((m) => `• ${escapeMrkdwn(m)}`)].join('\n') : null,
      ].filter((part): part is string => part !== null);
      return parts.length > 0 ? parts.join('\n') : null;
    }
    case 'AWAITING_ACCEPTANCE':
      if (s.subState !== 'INVITE_EXPIRED') return null;
      return [
        `*The invitation link for ${s.user ? code(s.user.email) : names(s).invitee} expired unused.*`,
        'Resend it: IT Glue → *Account* > *Users* > the “Invited User” row > *Reset Invitation*, then press *Resent*.',
        s.resends > 0 ? `Resent ${s.resends} time${s.resends === 1 ? '' : 's'} so far.` : null,
      ]
        .filter(Boolean)
        .join('\n');
    case 'STALLED': {
      const back = s.stalledFrom ? ` at “${STAGE_LABEL[s.stalledFrom]}”` : '';
      return `*Needs a manager:* ${escapeMrkdwn(s.reason ?? 'no reason recorded')}\nA manager can resume it${back} or cancel it.`;
    }
    case 'REJECTED':
    case 'CANCELLED':
      return s.reason ? `*Reason:* ${escapeMrkdwn(s.reason)}` : null;
    default:
      return null;
  }
}

function button(text: string, actionId: ActionId, workflowId: string, extra: Partial<Button> = {}): Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, value: workflowId, ...extra };
}

/**
 * Where the tech must confirm settings the API cannot read, the button asks once more before it
 * counts, listing them: pressing it is the confirmation kept as evidence.
 */
function confirmSettings(s: OnboardingStatus, title: string): Partial<Button> {
  const items = s.settingsToConfirm;
  if (!items || items.length === 0) return {};
  return {
    confirm: {
      title: { type: 'plain_text', text: title },
      text: { type: 'plain_text', text: truncate(`I checked in IT Glue: ${items.join('; ')}.`, 300) },
      confirm: { type: 'plain_text', text: 'Yes, all set' },
      deny: { type: 'plain_text', text: 'Not yet' },
    },
  };
}

/** The buttons that fit the stage; null in a final stage (no buttons). Every button's value is the workflow ID. */
export function actionsFor(s: OnboardingStatus): ActionsBlock | null {
  if (isFinal(s.stage)) return null;
  const id = s.workflowId;
  const buttons: Button[] = [];
  switch (s.stage) {
    case 'AWAITING_APPROVAL':
      buttons.push(button('Ask another contact', ACTIONS.askAnotherContact, id));
      buttons.push(button('Record offline approval', ACTIONS.recordOfflineApproval, id));
      break;
    case 'AWAITING_INVITE':
      buttons.push(button('Invitation sent', ACTIONS.invitationSent, id, { style: 'primary', ...confirmSettings(s, 'Invitation sent?') }));
      break;
    case 'VERIFYING':
      if (s.subState === 'MISMATCH') buttons.push(button('Fixed', ACTIONS.fixed, id, { style: 'primary' }));
      if (s.subState === 'CONFIRM_SETTINGS') {
        buttons.push(button('Settings confirmed', ACTIONS.settingsConfirmed, id, { style: 'primary', ...confirmSettings(s, 'Settings as listed?') }));
      }
      break;
    case 'AWAITING_ACCEPTANCE':
      if (s.subState === 'INVITE_EXPIRED') buttons.push(button('Resent', ACTIONS.resent, id, { style: 'primary' }));
      break;
    case 'AWAITING_2FA':
      buttons.push(button('2FA confirmed', ACTIONS.twoFactorConfirmed, id));
      break;
    case 'STALLED':
      buttons.push(button('Resume', ACTIONS.resume, id, { style: 'primary' }));
      break;
    default:
      break;
  }
  buttons.push(
    button('Cancel', ACTIONS.cancel, id, {
      style: 'danger',
      confirm: {
        title: { type: 'plain_text', text: 'Cancel this onboarding?' },
        text: { type: 'mrkdwn', text: truncate(`The onboarding of ${names(s).invitee} stops for good. Anything already done in IT Glue stays as it is.`, 300) },
        confirm: { type: 'plain_text', text: 'Cancel it' },
        deny: { type: 'plain_text', text: 'Keep it' },
        style: 'danger',
      },
    }),
  );
  return { type: 'actions', block_id: THREAD_ACTIONS_BLOCK_ID, elements: buttons };
}

/** The thread's root message for the onboarding's current status. */
export function threadRoot(s: OnboardingStatus, options: ThreadRootOptions = {}): SlackMessage {
  const n = names(s);
  const headline = stageHeadline(s);
  const status: string[] = [`${STAGE_EMOJI[s.stage]} *${headline}*`];
  const waiting = isFinal(s.stage) ? null : waitingOnText(s.waitingOn, s);
  if (waiting) status.push(`*Waiting on:* ${waiting}`);
  if (s.deadline && !isFinal(s.stage)) status.push(`*${DEADLINE_LABEL[s.stage] ?? 'Next deadline'}:* ${deadlineText(s.deadline)}`);

  const fields = [
    field('Organization', n.org),
    field('Invitee', s.invitee ? `${n.invitee}\n${escapeMrkdwn(s.invitee.email)}` : n.invitee),
    field('Access', escapeMrkdwn(accessLevel(s.request))),
    field('Password access', escapeMrkdwn(passwordAccess(s.request))),
  ];
  if (s.groupNames.length > 0) fields.push(field(s.groupNames.length === 1 ? 'Group' : 'Groups', s.groupNames.map(escapeMrkdwn).join(', ')));
  fields.push(field('Approval', approvalText(s)));
  if (s.request.ticket) fields.push(field('Ticket', escapeMrkdwn(s.request.ticket)));
  fields.push(field('Requested by', mention(s.request.requestedBy)));
  if (s.request.note) fields.push(field('Note', escapeMrkdwn(truncate(s.request.note, NOTE_MAX))));

  const context: string[] = [`Started ${slackDate(s.startedAt, formatTime(s.startedAt))}`, `ID ${code(s.workflowId)}`];
  if (options.dashboardUrl) context.push(`<${linkTarget(options.dashboardUrl)}|Details>`);
  if (s.itglueSimulated) context.push(`:warning: ${escapeMrkdwn(SIMULATED_ITGLUE)}`);

  const blocks: Block[] = [
    section(`*Onboarding: ${n.invitee}, ${n.org}*`),
    section(status.join('\n')),
    { type: 'section', fields: fields.slice(0, 10) },
  ];
  const detail = stageDetail(s);
  if (detail) blocks.push(section(detail));
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) } satisfies ContextBlock);
  const actions = actionsFor(s);
  if (actions) blocks.push(actions);

  return { text: `Onboarding of ${n.invitee} (${n.org}): ${headline}`, blocks };
}

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
export function threadReply(event: OnboardingEvent, options: ThreadReplyOptions = {}): { text: string; blocks?: Block[] } {
  const emoji = EVENT_EMOJI[event.type] ?? ':small_blue_diamond:';
  const body = event.type === 'stage' && event.text in STAGE_LABEL ? STAGE_LABEL[event.text as Stage] : eventText(event);
  const mentions = mentionsText(event.mention, options.managers);
  const text = truncate(`${mentions ? `${mentions} ` : ''}${emoji} ${body}`, SECTION_MAX);
  return { text, blocks: [section(text)] };
}
