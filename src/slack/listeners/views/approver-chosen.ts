/** "Ask another contact" modal submitted: the onboarding asks the chosen contact to approve (a new round). */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { sendSignal } from '../../../onboardings';
import type { SlackDeps } from '../../deps';
import { statusOf } from '../../overview';
import { errorsOnBlocks } from '../../view-submission';
import { APPROVER_FIELD, buttonModalMetadata } from '../../views/approval-modals';

export function approverChosen(deps: SlackDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const key = `view:${view.id}`;
    if (!deps.recent.first(key, 60_000)) return ack();
    const metadata = buttonModalMetadata(view.private_metadata);
    const contactId = view.state.values[APPROVER_FIELD.block]?.[APPROVER_FIELD.action]?.selected_option?.value;
    // Answered within Slack's 3 seconds: the status may take at most 2.
    const status = metadata ? await statusOf(deps, metadata.workflowId, 2_000) : null;
    const problem = !metadata || !status
      ? 'This onboarding cannot be found any more.'
      : status.stage !== 'AWAITING_APPROVAL' || status.evidence
        ? 'This onboarding is no longer waiting for approval: nothing was changed.'
        : !contactId
          ? 'Choose a contact.'
          : contactId === status.request.contactId
            ? 'The invitee cannot approve their own access: choose someone else.'
            : contactId === status.approver?.contactId
              ? 'This contact is already the approver: choose someone else.'
              : null;
    if (problem) {
      deps.recent.forget(key);
      return ack(errorsOnBlocks(view, { [APPROVER_FIELD.block]: problem }));
    }
    await ack();
    await sendSignal(deps.temporal, metadata!.workflowId, 'change-approver', { by: body.user.id, approverContactId: contactId });
    deps.log('slack.signalled', { workflowId: metadata!.workflowId, signal: 'change-approver', by: body.user.id });
  };
}
