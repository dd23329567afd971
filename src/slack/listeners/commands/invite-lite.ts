/** /invite-lite [email | organization]: opens the onboarding modal. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps';
import { buildInviteModal } from '../../invite-form';
import { openModal } from '../../open-modal';

export function inviteLite(deps: SlackDeps) {
  return async ({ command, ack, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    // A delivery of the same command again (same trigger_id) opens nothing more.
    if (!deps.recent.first(`trigger:${command.trigger_id}`, 60_000)) return;
    await openModal({
      client,
      triggerId: command.trigger_id,
      title: 'Onboard a customer',
      log: deps.log,
      build: () => buildInviteModal(deps, { channelId: command.channel_id ?? null, text: command.text }),
    });
  };
}
