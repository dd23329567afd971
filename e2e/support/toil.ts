/**
 * The tech's toil in one onboarding, as the service recorded it: the modal that started the
 * onboarding, the user the tech created in IT Glue (the API cannot create users), and each kind of
 * thread button the tech pressed that reached the onboarding. A press repeated because the service
 * was down, or taken as a double click, is the same action; a press of a button that no longer
 * applied reached nothing and is not an action the onboarding needed.
 */
import { actionsIn } from '../../test/support/history';
import type { PersonAction } from '../../workflows/person-actions';
import type { Stack } from './stack';

/** The person actions (workflows/person-actions.ts) that the thread's buttons and their modals send, as the tech's action. */
const BUTTONS: Record<PersonAction, string> = {
  invitationSent: 'pressed Invitation sent',
  settingsConfirmed: 'pressed Settings confirmed',
  fixed: 'pressed Fixed',
  invitationResent: 'pressed Resent',
  twoFactorConfirmed: 'pressed 2FA confirmed',
  offlineApproval: 'recorded an offline approval',
  changeApprover: 'asked another contact',
  cancel: 'pressed Cancel',
  resume: 'pressed Resume',
  approveRemoval: 'pressed Approve removal',
  userDeleted: 'pressed User deleted',
};

/** The distinct actions of the tech who started the onboarding, in the order first taken. */
export async function techActions(stack: Stack, workflowId: string): Promise<string[]> {
  const s = await stack.status(workflowId);
  const tech = s.request.requestedBy;
  const actions = ['submitted the modal'];
  if (s.user) actions.push('created the user in IT Glue');
  const history = await (await stack.temporal()).workflow.getHandle(workflowId).fetchHistory();
  for (const taken of actionsIn(history)) {
    if (taken.by !== tech) continue;
    const action = BUTTONS[taken.action];
    if (!actions.includes(action)) actions.push(action);
  }
  return actions;
}
