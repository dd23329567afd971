/** What a person is told in Slack when the onboarding refuses their action (the workflow's typed reason). */
import { ACTION_REFUSED, type PersonAction, personActionsNow } from '../../workflows/person-actions';
import { isFinal, type Stage } from '../../workflows/stages';
import type { OnboardingStatus } from '../../workflows/types';
import { ActionRefusedError } from '../onboarding-messages';
import { STAGE_LABEL } from './views/thread-parts';

/** What the presser is told when the onboarding refused the action. */
export function refusalText(error: ActionRefusedError): string {
  const stage = error.stage ? STAGE_LABEL[error.stage as Stage] : null;
  switch (error.reason) {
    case ACTION_REFUSED.ended:
      return stage ? `This onboarding has already ended (${stage}). Nothing was changed.` : 'This onboarding has already ended. Nothing was changed.';
    case ACTION_REFUSED.stale:
      return 'Someone acted on this onboarding since this button was drawn: see the thread for what is next. Nothing was changed.';
    case ACTION_REFUSED.notNow:
      return stage ? `This button no longer applies: the onboarding is now at “${stage}”. Nothing was changed.` : 'This button no longer applies. Nothing was changed.';
    default:
      return error.message;
  }
}

/**
 * For buttons that open a modal before the action is sent: what to tell the presser when the
 * onboarding would refuse the action now (its own rule), or null when it would take it.
 */
export function whyNotNow(status: OnboardingStatus, action: PersonAction): string | null {
  if (personActionsNow(status).includes(action)) return null;
  const reason = isFinal(status.stage) ? ACTION_REFUSED.ended : ACTION_REFUSED.notNow;
  return refusalText(new ActionRefusedError(reason, '', status.stage));
}
