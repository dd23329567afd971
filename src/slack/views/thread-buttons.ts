/** The thread root's buttons: one for each person action the onboarding accepts now (its own rule). */
import type { ActionsBlock, Button } from '@slack/web-api';
import { personActionsNow, type PersonAction } from '../../../workflows/person-actions';
import type { OnboardingStatus } from '../../../workflows/types';
import { ACTIONS, type ActionId, pressValue, THREAD_ACTIONS_BLOCK_ID } from '../action-ids';
import { truncate } from '../escape';
import { names } from './thread-parts';

function button(text: string, actionId: ActionId, value: string, extra: Partial<Button> = {}): Button {
  return { type: 'button', text: { type: 'plain_text', text, emoji: true }, action_id: actionId, value, ...extra };
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
  changeApprover: (_, value) => button('Ask another contact', ACTIONS.askAnotherContact, value),
  offlineApproval: (_, value) => button('Record offline approval', ACTIONS.recordOfflineApproval, value),
  invitationSent: (s, value) => button('Invitation sent', ACTIONS.invitationSent, value, { style: 'primary', ...confirmSettings(s, 'Invitation sent?') }),
  fixed: (_, value) => button('Fixed', ACTIONS.fixed, value, { style: 'primary' }),
  settingsConfirmed: (s, value) => button('Settings confirmed', ACTIONS.settingsConfirmed, value, { style: 'primary', ...confirmSettings(s, 'Settings as listed?') }),
  invitationResent: (_, value) => button('Resent', ACTIONS.resent, value, { style: 'primary' }),
  twoFactorConfirmed: (_, value) => button('2FA confirmed', ACTIONS.twoFactorConfirmed, value),
  resume: (_, value) => button('Resume', ACTIONS.resume, value, { style: 'primary' }),
  cancel: (s, value) =>
    button('Cancel', ACTIONS.cancel, value, {
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
