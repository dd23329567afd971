/** /invite-lite modal: an organization was chosen; the modal shows its contacts and approver. */
import type { SlackDeps } from '../../deps';
import { refreshInviteModal, type ModalActionArgs } from '../../invite-refresh';

export function inviteOrganizationChosen(deps: SlackDeps) {
  return async (args: ModalActionArgs): Promise<void> => {
    await args.ack();
    await refreshInviteModal(deps, args);
  };
}
