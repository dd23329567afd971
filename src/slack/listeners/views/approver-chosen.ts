/** "Ask another contact" modal submitted: the onboarding asks the chosen contact to approve (a new round). */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { rightsOf } from '../../authorization';
import type { SlackDeps } from '../../deps';
import { actOnSubmission } from '../../press';
import { errorsOnBlocks } from '../../view-submission';
import { APPROVER_FIELD, buttonModalMetadata } from '../../views/approval-modals';

export function approverChosen(deps: SlackDeps) {
  return async ({ ack, body, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const metadata = buttonModalMetadata(view.private_metadata);
    const contactId = view.state.values[APPROVER_FIELD.block]?.[APPROVER_FIELD.action]?.selected_option?.value;
    // An access review is the managers' (docs/design.md §15.2); an onboarding's or offboarding's approver, the techs'.
    const rights = rightsOf(context);
    const allowed = metadata?.workflowId.startsWith('access-review:') ? rights.manager : rights.tech;
    const problem = !metadata
      ? 'This onboarding cannot be found any more.'
      : !allowed
        ? 'You cannot ask another contact here. Nothing was changed.'
        : !contactId
          ? 'Choose a contact.'
          : null;
    if (problem || !metadata) return ack(errorsOnBlocks(view, { [APPROVER_FIELD.block]: problem ?? '' }));
    const submission = { metadata, user: body.user.id, viewId: view.id, ack, view, block: APPROVER_FIELD.block };
    await actOnSubmission(deps, submission, 'change-approver', { approverContactId: contactId });
  };
}
