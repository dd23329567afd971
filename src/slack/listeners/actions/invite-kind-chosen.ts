/** /invite-lite modal: IT Glue Lite or MyGlue was chosen; the modal shows the fields of that kind. */
import type { SlackDeps } from '../../deps';
import { refreshInviteModal, type ModalActionArgs } from '../../invite-refresh';

export function inviteKindChosen(deps: SlackDeps) {
  return async (args: ModalActionArgs): Promise<void> => {
    await args.ack();
    await refreshInviteModal(deps, args);
  };
}
