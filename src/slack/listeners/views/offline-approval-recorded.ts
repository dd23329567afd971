/** "Record offline approval" modal submitted: the onboarding records the approval and goes ahead. */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { sendSignal } from '../../../onboardings';
import type { SlackDeps } from '../../deps';
import { statusOf } from '../../overview';
import { errorsOnBlocks } from '../../view-submission';
import { buttonModalMetadata, isOfflineChannel, OFFLINE_CHANNEL_FIELD, OFFLINE_NOTE_FIELD } from '../../views/approval-modals';

export function offlineApprovalRecorded(deps: SlackDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const key = `view:${view.id}`;
    if (!deps.recent.first(key, 60_000)) return ack();
    const metadata = buttonModalMetadata(view.private_metadata);
    const values = view.state.values;
    const channel = values[OFFLINE_CHANNEL_FIELD.block]?.[OFFLINE_CHANNEL_FIELD.action]?.selected_option?.value;
    const note = values[OFFLINE_NOTE_FIELD.block]?.[OFFLINE_NOTE_FIELD.action]?.value?.trim() ?? '';
    // Answered within Slack's 3 seconds: the status may take at most 2.
    const status = metadata ? await statusOf(deps, metadata.workflowId, 2_000) : null;
    const errors: Record<string, string> = {};
    if (!metadata || !status) errors[OFFLINE_CHANNEL_FIELD.block] = 'This onboarding cannot be found any more.';
    else if (status.stage !== 'AWAITING_APPROVAL' || status.evidence) {
      errors[OFFLINE_CHANNEL_FIELD.block] = 'This onboarding is no longer waiting for approval: nothing was recorded.';
    } else {
      if (!isOfflineChannel(channel)) errors[OFFLINE_CHANNEL_FIELD.block] = 'Choose how the approval arrived.';
      if (note.length < 3) errors[OFFLINE_NOTE_FIELD.block] = 'Say who approved, when, and where the document is kept.';
    }
    if (Object.keys(errors).length > 0) {
      deps.recent.forget(key);
      return ack(errorsOnBlocks(view, errors));
    }
    await ack();
    await sendSignal(deps.temporal, metadata!.workflowId, 'offline-approval', { by: body.user.id, channel, note });
    deps.log('slack.signalled', { workflowId: metadata!.workflowId, signal: 'offline-approval', by: body.user.id });
  };
}
