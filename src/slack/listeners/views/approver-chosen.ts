/** "Ask another contact" modal submitted: the onboarding asks the chosen contact to approve (a new round). */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { SlackDeps } from '../../deps';
import { actOnSubmission } from '../../press';
import { errorsOnBlocks } from '../../view-submission';
import { APPROVER_FIELD, buttonModalMetadata } from '../../views/approval-modals';

export function approverChosen(deps: SlackDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const metadata = buttonModalMetadata(view.private_metadata);
    const contactId = view.state.values[APPROVER_FIELD.block]?.[APPROVER_FIELD.action]?.selected_option?.value;
    const problem = !metadata ? 'This onboarding cannot be found any more.' : !contactId ? 'Choose a contact.' : null;
    if (problem || !metadata) return ack(errorsOnBlocks(view, { [APPROVER_FIELD.block]: problem ?? '' }));
    const submission = { metadata, user: body.user.id, viewId: view.id, ack, view, block: APPROVER_FIELD.block };
    await actOnSubmission(deps, submission, 'change-approver', { approverContactId: contactId });
  };
}
