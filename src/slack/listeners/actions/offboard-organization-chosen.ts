/** /offboard-lite modal: an organization was chosen; the modal shows its contacts. */
import type { SlackDeps } from '../../deps';
import { type ModalActionArgs, updateModal } from '../../invite-refresh';
import { buildOffboardModal, readOffboard } from '../../offboard-form';
import { inviteMetadata } from '../../views/invite-values';

export function offboardOrganizationChosen(deps: SlackDeps) {
  return async ({ ack, body, client }: ModalActionArgs): Promise<void> => {
    await ack();
    const view = body.view;
    if (!view) return;
    const metadata = inviteMetadata(view.private_metadata);
    const { orgId, ...selected } = readOffboard(view.state?.values as Parameters<typeof readOffboard>[0], metadata.orgId);
    // A new organization starts its own fields afresh; the same one keeps what was chosen.
    const next = await buildOffboardModal(deps, { channelId: metadata.channelId, orgId, selected: orgId === metadata.orgId ? selected : {} });
    await updateModal(client, view, next);
  };
}
