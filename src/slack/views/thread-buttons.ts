/** The thread root's buttons: one for each person action the onboarding accepts now (its own rule). */
import type { ActionsBlock, Button } from '@slack/web-api';
import { personActionsNow, type PersonAction } from '../../../workflows/person-actions';
import type { OnboardingStatus } from '../../../workflows/types';
import { ACTIONS, type ActionId, pressValue, THREAD_ACTIONS_BLOCK_ID } from '../action-ids';
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
  const invitee = defang(oneLine(s.invitee?.name ?? `contact ${s.request.contactId}`).trim());
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

/** The button the thread shows for each person action the workflow accepts now. */
const BUTTONS: Record<PersonAction, (s: OnboardingStatus, value: string) => Button> = {
  changeApprover: (s, value) => personButton(s, 'Ask another contact', 'Ask another contact to approve access for', ACTIONS.askAnotherContact, value),
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
  resume: (s, value) => personButton(s, 'Resume', 'Resume the onboarding of', ACTIONS.resume, value, { style: 'primary' }),
  cancel: (s, value) =>
    personButton(s, 'Cancel', 'Cancel the onboarding of', ACTIONS.cancel, value, {
      style: 'danger',
      confirm: {
        title: { type: 'plain_text', text: 'Cancel this onboarding?' },
        text: { type: 'mrkdwn', text: truncate(`The onboarding of ${names(s).invitee} stops for good. Anything already done in IT Glue stays as it is.`, 300) },
        confirm: { type: 'plain_text', text: 'Cancel it' },
        deny: { type: 'plain_text', text: 'Keep it' },
        style: 'danger',
      },
    }),
};
