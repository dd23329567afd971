/** /offboard-lite [email | organization]: opens the offboarding modal (docs/design.md §15). */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps';
import { buildOffboardModal } from '../../offboard-form';
import { openModal } from '../../open-modal';
import { OFFBOARD_TITLE } from '../../views/offboard-modal';

export function offboardLite(deps: SlackDeps) {
  return async ({ command, ack, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    // A delivery of the same command again (same trigger_id) opens nothing more.
    if (!deps.recent.first(`trigger:${command.trigger_id}`, 60_000)) return;
    await openModal({
      client,
      triggerId: command.trigger_id,
      title: OFFBOARD_TITLE,
      log: deps.log,
      build: () => buildOffboardModal(deps, { channelId: command.channel_id ?? null, text: command.text }),
    });
  };
}
