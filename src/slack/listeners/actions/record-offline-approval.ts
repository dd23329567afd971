/** Thread button "Record offline approval": opens a modal for how the written approval arrived, with a note. */
import type { SlackDeps } from '../../deps';
import { openModal } from '../../open-modal';
import { onboardingForModal, type ButtonArgs } from '../../thread-buttons';
import { offlineApprovalModal } from '../../views/approval-modals';

export function recordOfflineApproval(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const found = await onboardingForModal(deps, args);
    if (!found) return;
    const { press, status } = found;
    await openModal({
      client: args.client,
      triggerId: args.body.trigger_id,
      title: 'Record offline approval',
      log: deps.log,
      build: async () =>
        offlineApprovalModal({
          metadata: { workflowId: press.workflowId, channel: press.message?.channel ?? null, threadTs: press.message?.threadTs ?? null },
          orgName: status.org?.name ?? `organization ${status.request.orgId}`,
          inviteeName: status.invitee?.name ?? `contact ${status.request.contactId}`,
          approverName: status.approver?.name ?? null,
        }),
    });
  };
}
