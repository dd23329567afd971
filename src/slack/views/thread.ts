/**
 * The onboarding thread (docs/design.md §10): its root message, updated in place at every stage change,
 * and one reply per event. Pure functions of the onboarding's status: the Slack activities post
 * what these return, and the listeners can show the same message (e.g. for an onboarding that is
 * already open).
 *
 * Every value from IT Glue, the request or a person goes through src/slack/escape.ts.
 */
import type { ContextBlock, KnownBlock } from '@slack/web-api';
import type { Stage, WaitingOn } from '../../../workflows/stages';
import { isFinal } from '../../../workflows/stages';
import type { OnboardingStatus } from '../../../workflows/types';
import { accessLevel, formatTime, passwordAccess, SIMULATED_ITGLUE } from '../../wording';
import { actionsFor, removeAccessBlock } from './thread-buttons';
import { removalDetail, removalFields, removalHeadline, removalSubject, removalTitle } from './thread-offboarding';
import { reviewDetail, reviewFields, reviewHeadline, reviewSubject, reviewTitle } from './thread-review';
import { field, names, section, STAGE_LABEL } from './thread-parts';
import { progressLine } from './thread-progress';
import { oneLine } from '../../../workflows/text';
import { bold, code, escapeMrkdwn, isSlackUserId, linkTarget, mention, slackDate, truncate } from '../escape';

export type Block = KnownBlock;

export interface SlackMessage {
  /** The notification and fallback text (mrkdwn, escaped). */
  text: string;
  blocks: Block[];
}

export interface ThreadRootOptions {
  /** A page with the onboarding's details (e.g. its workflow in the Temporal UI), linked from the root. */
  dashboardUrl?: string;
  /** A link to another workflow's thread (an access review's offboardings), when known; else its ID is shown. */
  threadLink?: (workflowId: string) => string | null;
}

/** Slack's limit is larger; a note is a line or two. */
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
  REMOVING_ACCESS: ':scissors:',
  AWAITING_DELETION: ':wastebasket:',
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
  AWAITING_DELETION: 'Next reminder to the tech',
};

/** Names as mrkdwn, escaped and on one line, with a placeholder before IT Glue has been read. */
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
  if (s.process === 'review') return reviewHeadline(s);
  const removal = s.process === 'offboarding' ? removalHeadline(s) : null;
  if (removal) return removal;
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
      return s.subState === 'INVITE_EXPIRED' ? 'The invitation expired: waiting for it to be resent' : `Waiting for ${n.invitee} to accept the invitation`;
    case 'AWAITING_2FA':
      return s.waitingOn === 'tech' ? `Waiting for a tech to confirm that ${n.invitee} has set up 2FA` : `Waiting for ${n.invitee} to sign in with 2FA`;
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
    case 'REMOVING_ACCESS':
    case 'AWAITING_DELETION':
      // An offboarding's own stages, said above.
      return STAGE_LABEL[s.stage];
  }
}

function waitingOnText(waitingOn: WaitingOn, s: OnboardingStatus): string | null {
  const n = names(s);
  switch (waitingOn) {
    case 'approver': {
      const role = s.process === 'offboarding' || s.process === 'review' ? 'the primary contact' : 'the approver';
      return n.approver ? `${n.approver}, ${role}` : role;
    }
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
  if (e?.via === 'not-needed') return s.process === 'offboarding' ? `Not needed: ${escapeMrkdwn(e.reason)}` : 'Not needed: the invitee is the primary contact';
  if (e?.via === 'manager') return `Approved by ${mention(e.by)}, a manager, ${slackDate(e.at, formatTime(e.at))}`;
  if (s.process === 'offboarding' && s.stage === 'AWAITING_APPROVAL' && s.waitingOn === 'manager') return 'A manager, in Slack';
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

/** The exact steps for the tech in AWAITING_INVITE (docs/design.md §4.5, the MSP's procedure). */
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

/** The thread's root message for the onboarding's current status. */
export function threadRoot(s: OnboardingStatus, options: ThreadRootOptions = {}): SlackMessage {
  const n = names(s);
  const offboarding = s.process === 'offboarding';
  const review = s.process === 'review';
  const headline = stageHeadline(s);
  const status: string[] = [`${STAGE_EMOJI[s.stage]} *${headline}*`, progressLine(s)];
  const waiting = isFinal(s.stage) ? null : waitingOnText(s.waitingOn, s);
  if (waiting) status.push(`*Waiting on:* ${waiting}`);
  if (s.deadline && !isFinal(s.stage)) status.push(`*${(review ? 'Answer due' : DEADLINE_LABEL[s.stage]) ?? 'Next deadline'}:* ${deadlineText(s.deadline)}`);

  const fields = review ? reviewFields(s) : offboarding ? removalFields(s, approvalText(s)) : onboardingFields(s);
  if (s.request.ticket) fields.push(field('Ticket', escapeMrkdwn(s.request.ticket)));
  fields.push(field('Requested by', mention(s.request.requestedBy)));
  if (s.request.note) fields.push(field('Note', escapeMrkdwn(truncate(s.request.note, NOTE_MAX))));

  const context: string[] = [`Started ${slackDate(s.startedAt, formatTime(s.startedAt))}`, `ID ${code(s.workflowId)}`];
  if (options.dashboardUrl) context.push(`<${linkTarget(options.dashboardUrl)}|Details>`);
  if (s.itglueSimulated) context.push(`:warning: ${escapeMrkdwn(SIMULATED_ITGLUE)}`);

  const title = review ? reviewTitle(s) : offboarding ? removalTitle(s) : `*Onboarding: ${n.invitee}, ${n.org}*`;
  const blocks: Block[] = [section(title), section(status.join('\n')), { type: 'section', fields: fields.slice(0, 10) }];
  // A review's users come after what its stage needs (a stall's reason, a rejection's).
  const detail = review
    ? [stageDetail(s), reviewDetail(s, options.threadLink)].filter(Boolean).join('\n\n') || null
    : ((offboarding ? removalDetail(s) : null) ?? stageDetail(s));
  if (detail) blocks.push(section(detail));
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) } satisfies ContextBlock);
  const actions = actionsFor(s) ?? removeAccessBlock(s);
  if (actions) blocks.push(actions);

  const subject = review ? reviewSubject(s) : offboarding ? removalSubject(s) : `Onboarding of ${n.invitee} (${n.org})`;
  return { text: `${subject}: ${headline}`, blocks };
}

/** An onboarding's facts: who is invited where, with which access, approved how. */
function onboardingFields(s: OnboardingStatus) {
  const n = names(s);
  const fields = [
    field('Organization', n.org),
    field('Invitee', s.invitee ? `${n.invitee}\n${escapeMrkdwn(s.invitee.email)}` : n.invitee),
    field('Access', escapeMrkdwn(accessLevel(s.request))),
    field('Password access', escapeMrkdwn(passwordAccess(s.request))),
  ];
  if (s.groupNames.length > 0) fields.push(field(s.groupNames.length === 1 ? 'Group' : 'Groups', s.groupNames.map(escapeMrkdwn).join(', ')));
  fields.push(field('Approval', approvalText(s)));
  return fields;
}
