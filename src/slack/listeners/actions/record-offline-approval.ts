/** Thread button "Record offline approval": opens a modal for how the written approval arrived, with a note. */
import type { SlackDeps } from '../../deps';
import { openModal } from '../../open-modal';
import { type ButtonArgs, onboardingOf, pressOf, tellPresser } from '../../middleware/thread-press';
import { whyNotNow } from '../../refusals';
import { offlineApprovalModal } from '../../views/approval-modals';

export function recordOfflineApproval(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const press = pressOf(args);
    const status = onboardingOf(args);
    const refused = whyNotNow(status, 'offlineApproval');
    if (refused) return tellPresser(deps, args, refused);
    await openModal({
      client: args.client,
      triggerId: args.body.trigger_id,
      title: 'Record offline approval',
      log: deps.log,
      build: async () =>
        offlineApprovalModal({
          metadata: {
            workflowId: press.workflowId,
            channel: press.message?.channel ?? null,
            threadTs: press.message?.threadTs ?? null,
            ...(press.seen === undefined ? {} : { seen: press.seen }),
          },
          orgName: status.org?.name ?? `organization ${status.request.orgId}`,
          inviteeName: status.invitee?.name ?? `contact ${status.request.contactId}`,
          approverName: status.approver?.name ?? null,
        }),
    });
  };
}
