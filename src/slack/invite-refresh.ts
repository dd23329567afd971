/** Rebuilds the /invite-lite modal after a choice that changes it (organization, kind of access). */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from './deps';
import { buildInviteModal } from './invite-form';
import { inviteMetadata, readInvite } from './views/invite-values';

export type ModalActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export async function refreshInviteModal(deps: SlackDeps, { body, client }: ModalActionArgs): Promise<void> {
  const view = body.view;
  if (!view) return;
  const metadata = inviteMetadata(view.private_metadata);
  const form = readInvite(view.state?.values as Parameters<typeof readInvite>[0], metadata.orgId);
  // A new organization starts its own fields afresh; the same one keeps what was chosen.
  const sameOrg = form.orgId === metadata.orgId;
  const { orgId, ...selected } = form;
  const next = await buildInviteModal(deps, {
    channelId: metadata.channelId,
    orgId,
    selected: sameOrg ? selected : { kind: selected.kind },
  });
  await updateModal(client, view, next);
}

/** Replaces a modal the person is changing; one changed again meanwhile (that change rebuilds it) or closed is left alone. */
export async function updateModal(
  client: ModalActionArgs['client'],
  view: { id: string; hash: string },
  next: Parameters<ModalActionArgs['client']['views']['update']>[0]['view'],
): Promise<void> {
  try {
    await client.views.update({ view_id: view.id, hash: view.hash, view: next });
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code === 'hash_conflict' || code === 'not_found') return;
    throw error;
  }
}
