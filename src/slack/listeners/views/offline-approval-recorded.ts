/** "Record offline approval" modal submitted: the onboarding records the approval and goes ahead. */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { SlackDeps } from '../../deps';
import { actOnSubmission } from '../../press';
import { errorsOnBlocks } from '../../view-submission';
import { buttonModalMetadata, isOfflineChannel, OFFLINE_CHANNEL_FIELD, OFFLINE_NOTE_FIELD } from '../../views/approval-modals';

export function offlineApprovalRecorded(deps: SlackDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const metadata = buttonModalMetadata(view.private_metadata);
    const values = view.state.values;
    const channel = values[OFFLINE_CHANNEL_FIELD.block]?.[OFFLINE_CHANNEL_FIELD.action]?.selected_option?.value;
    const note = values[OFFLINE_NOTE_FIELD.block]?.[OFFLINE_NOTE_FIELD.action]?.value?.trim() ?? '';
    const errors: Record<string, string> = {};
    if (!metadata) errors[OFFLINE_CHANNEL_FIELD.block] = 'This onboarding cannot be found any more.';
    else {
      if (!isOfflineChannel(channel)) errors[OFFLINE_CHANNEL_FIELD.block] = 'Choose how the approval arrived.';
      if (note.length < 3) errors[OFFLINE_NOTE_FIELD.block] = 'Say who approved, when, and where the document is kept.';
    }
    if (Object.keys(errors).length > 0 || !metadata) return ack(errorsOnBlocks(view, errors));
    const submission = { metadata, user: body.user.id, viewId: view.id, ack, view, block: OFFLINE_CHANNEL_FIELD.block };
    await actOnSubmission(deps, submission, 'offline-approval', { channel, note });
  };
}
