/**
 * The thread root's buttons: one for each person action the onboarding (or offboarding) accepts now
 * (its own rule), and Remove access on a completed onboarding.
 */
import type { ActionsBlock, Button, SectionBlock } from '@slack/web-api';
import { personActionsNow, type PersonAction } from '../../../workflows/person-actions';
import type { OnboardingStatus } from '../../../workflows/types';
import { ACTIONS, type ActionId, pressValue, REMOVE_ACCESS_BLOCK_ID, THREAD_ACTIONS_BLOCK_ID } from '../action-ids';
import { oneLine } from '../../../workflows/text';
import { defang } from '../../defang';
import { truncate } from '../escape';
import { names } from './thread-parts';

/** Slack's limit on a button's accessibility label. */
export const LABEL_MAX = 75;

function button(text: string, actionId: ActionId, value: string, extra: Partial<Button> = {}): Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, value, ...extra };
}

/**
 * What a screen reader says for a button (plain text, within Slack's limit): what it does and for
 * whom, since a channel holds the buttons of many onboardings. The name is shortened, never the verb,
 * and web addresses in it are unclickable, as everywhere a name is shown.
 */
export function accessibilityLabel(phrase: string, s: OnboardingStatus): string {
  // An access review is about its organization, not one person.
  const subject = s.process === 'review' ? (s.org?.name ?? `organization ${s.request.orgId}`) : (s.invitee?.name ?? `contact ${s.request.contactId}`);
  const invitee = defang(oneLine(subject).trim());
  return `${phrase} ${truncate(invitee, LABEL_MAX - phrase.length - 1)}`;
}

/** A button of the thread, labelled for screen readers with the invitee's name. */
function personButton(s: OnboardingStatus, text: string, phrase: string, actionId: ActionId, value: string, extra: Partial<Button> = {}): Button {
  return button(text, actionId, value, { accessibility_label: accessibilityLabel(phrase, s), ...extra });
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
  const now = personActionsNow(s);
  if (now.length === 0) return null;
  const value = pressValue(s.workflowId, s.actionsTaken ?? 0);
  const buttons = now.map((action) => BUTTONS[action](s, value));
  return { type: 'actions', block_id: THREAD_ACTIONS_BLOCK_ID, elements: buttons };
}

/** "onboarding", "offboarding" or "access review", for the words of the buttons they share. */
function processWord(s: OnboardingStatus): string {
  return s.process === 'offboarding' ? 'offboarding' : s.process === 'review' ? 'access review' : 'onboarding';
}

/** What Cancel's confirmation says stops. */
function cancelText(s: OnboardingStatus): string {
  const who = names(s).invitee;
  if (s.process === 'review') return `The access review of ${names(s).org} stops for good: nobody's access changes, and the link sent to ${who} stops working.`;
  return s.process === 'offboarding'
    ? `The removal of ${who}'s access stops for good. Anything already done in IT Glue stays as it is.`
    : `The onboarding of ${who} stops for good. Anything already done in IT Glue stays as it is.`;
}

/** The button the thread shows for each person action the workflow accepts now. */
const BUTTONS: Record<PersonAction, (s: OnboardingStatus, value: string) => Button> = {
  changeApprover: (s, value) =>
    personButton(
      s,
      'Ask another contact',
      s.process === 'review' ? 'Ask another contact to answer the access review of' : 'Ask another contact to approve access for',
      ACTIONS.askAnotherContact,
      value,
    ),
  offlineApproval: (s, value) => personButton(s, 'Record offline approval', 'Record an offline approval for', ACTIONS.recordOfflineApproval, value),
  invitationSent: (s, value) =>
    personButton(s, 'Invitation sent', 'Confirm the IT Glue invitation was sent to', ACTIONS.invitationSent, value, {
      style: 'primary',
      ...confirmSettings(s, 'Invitation sent?'),
    }),
  fixed: (s, value) => personButton(s, 'Fixed', 'Confirm the IT Glue user is fixed for', ACTIONS.fixed, value, { style: 'primary' }),
  settingsConfirmed: (s, value) =>
    personButton(s, 'Settings confirmed', 'Confirm the IT Glue settings of', ACTIONS.settingsConfirmed, value, {
      style: 'primary',
      ...confirmSettings(s, 'Settings as listed?'),
    }),
  invitationResent: (s, value) => personButton(s, 'Resent', 'Confirm the invitation was resent to', ACTIONS.resent, value, { style: 'primary' }),
  twoFactorConfirmed: (s, value) => personButton(s, '2FA confirmed', 'Confirm 2FA is set up by', ACTIONS.twoFactorConfirmed, value),
  resume: (s, value) => personButton(s, 'Resume', `Resume the ${processWord(s)} of`, ACTIONS.resume, value, { style: 'primary' }),
  approveRemoval: (s, value) =>
    personButton(s, 'Approve removal', 'Approve removing the access of', ACTIONS.approveRemoval, value, {
      style: 'primary',
      confirm: {
        title: { type: 'plain_text', text: 'Approve the removal?' },
        text: {
          type: 'mrkdwn',
          text: truncate(`${names(s).invitee} loses access to ${names(s).org} at once: out of every group, then the user is deleted in IT Glue.`, 300),
        },
        confirm: { type: 'plain_text', text: 'Approve removal' },
        deny: { type: 'plain_text', text: 'Not yet' },
      },
    }),
  userDeleted: (s, value) => personButton(s, 'User deleted', 'Confirm the IT Glue user is deleted for', ACTIONS.userDeleted, value, { style: 'primary' }),
  cancel: (s, value) =>
    personButton(s, 'Cancel', `Cancel the ${processWord(s)} of`, ACTIONS.cancel, value, {
      style: 'danger',
      confirm: {
        title: { type: 'plain_text', text: `Cancel this ${processWord(s)}?` },
        text: { type: 'mrkdwn', text: truncate(cancelText(s), 300) },
        confirm: { type: 'plain_text', text: 'Cancel it' },
        deny: { type: 'plain_text', text: 'Keep it' },
        style: 'danger',
      },
    }),
};

/** Who loses access, to what, as the Remove access button names them (plain text). */
export interface RemovalTarget {
  /** The completed onboarding's workflow ID: the button's value. */
  workflowId: string;
  inviteeName: string;
  orgName: string;
}

/**
 * Remove access: starts the offboarding of a completed onboarding's user, after Slack asks once
 * more (docs/design.md §15). Its value is the onboarding's workflow ID; the rest is read from the
 * onboarding when pressed.
 */
export function removeAccessButton(target: RemovalTarget): Button {
  const who = defang(oneLine(target.inviteeName).trim());
  const org = defang(oneLine(target.orgName).trim());
  const phrase = 'Remove the access of';
  return button('Remove access', ACTIONS.removeAccess, target.workflowId, {
    style: 'danger',
    accessibility_label: `${phrase} ${truncate(who, LABEL_MAX - phrase.length - 1)}`,
    confirm: {
      title: { type: 'plain_text', text: 'Remove access?' },
      text: {
        type: 'plain_text',
        text: truncate(`Remove the access of ${who} to ${org}? They are taken out of every group now, then you delete the user in IT Glue.`, 300),
      },
      confirm: { type: 'plain_text', text: 'Remove access' },
      deny: { type: 'plain_text', text: 'Keep it' },
      style: 'danger',
    },
  });
}

/** The completed onboarding's Remove access, beside a line that says what it does; null for anything else. */
export function removeAccessBlock(s: OnboardingStatus): SectionBlock | null {
  if (s.process === 'offboarding' || s.process === 'review' || s.stage !== 'COMPLETED' || !s.user) return null;
  const target = {
    workflowId: s.workflowId,
    inviteeName: s.invitee?.name ?? `contact ${s.request.contactId}`,
    orgName: s.org?.name ?? `organization ${s.request.orgId}`,
  };
  return {
    type: 'section',
    block_id: REMOVE_ACCESS_BLOCK_ID,
    text: { type: 'mrkdwn', text: 'Access no longer needed? *Remove access* starts the offboarding.' },
    accessory: removeAccessButton(target),
  };
}
