/** /invite-lite modal: MyGlue groups were chosen; the modal shows the password access they leave. */
import type { SlackDeps } from '../../deps';
import { refreshInviteModal, type ModalActionArgs } from '../../invite-refresh';

export function inviteGroupsChosen(deps: SlackDeps) {
  return async (args: ModalActionArgs): Promise<void> => {
    await args.ack();
    await refreshInviteModal(deps, args);
  };
}
