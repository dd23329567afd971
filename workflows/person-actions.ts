/**
 * What a person may do to an onboarding now. The workflow's Update validators refuse anything
 * else; the Slack thread draws a button for each (one rule for both).
 */
import { isFinal } from './stages';
import type { OnboardingStatus } from './types';

export type PersonAction =
  | 'invitationSent'
  | 'invitationResent'
  | 'fixed'
  | 'settingsConfirmed'
  | 'twoFactorConfirmed'
  | 'offlineApproval'
  | 'changeApprover'
  | 'cancel'
  | 'resume'
  | 'approveRemoval'
  | 'userDeleted';

/** Failure types of a refused person action, so that callers can say which. */
export const ACTION_REFUSED = {
  /** The onboarding has ended. */
  ended: 'OnboardingEnded',
  /** The action does not fit the onboarding's stage now. */
  notNow: 'ActionNotNow',
  /** The press came from a drawing of the thread older than the last action (a double click, someone else first). */
  stale: 'StalePress',
  /** The action's fields are not valid. */
  invalid: 'InvalidAction',
} as const;

type Status = Pick<OnboardingStatus, 'stage' | 'subState' | 'evidence' | 'waitingOn'> & Partial<Pick<OnboardingStatus, 'process'>>;

/** The person actions that fit the onboarding (or offboarding) now, in the order the thread shows them (Cancel last). */
export function personActionsNow(s: Status): PersonAction[] {
  if (isFinal(s.stage)) return [];
  const now: PersonAction[] = [];
  switch (s.stage) {
    case 'AWAITING_APPROVAL':
      // A review is answered on its page only; an offboarding approved by a manager waits on the
      // managers; otherwise the approver's link, or an approval received offline.
      if (!s.evidence && s.process === 'review') now.push('changeApprover');
      else if (!s.evidence)
        now.push(...(s.process === 'offboarding' && s.waitingOn === 'manager' ? (['approveRemoval'] as const) : (['changeApprover', 'offlineApproval'] as const)));
      break;
    case 'AWAITING_DELETION':
      now.push('userDeleted');
      break;
    case 'AWAITING_INVITE':
      now.push('invitationSent');
      break;
    case 'VERIFYING':
      if (s.subState === 'MISMATCH') now.push('fixed');
      if (s.subState === 'CONFIRM_SETTINGS') now.push('settingsConfirmed');
      break;
    case 'AWAITING_ACCEPTANCE':
      if (s.subState === 'INVITE_EXPIRED') now.push('invitationResent');
      break;
    case 'AWAITING_2FA':
      now.push('twoFactorConfirmed');
      break;
    case 'STALLED':
      now.push('resume');
      break;
    default:
      break;
  }
  now.push('cancel');
  return now;
}
