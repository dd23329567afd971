/** /onboarding-status [org | @user | stage]: the open onboardings, ephemeral (a tech's own only). */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { rightsOf } from '../../authorization';
import type { SlackDeps } from '../../deps';
import { openOnboardings } from '../../overview';
import { statusScope } from '../../status-scope';
import { statusMessage } from '../../views/status-list';

export function onboardingStatus(deps: SlackDeps) {
  return async ({ command, ack, respond, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    if (!deps.recent.first(`trigger:${command.trigger_id}`, 60_000)) return;
    const scope = await statusScope(deps, command.text ?? '', command.user_id, rightsOf(context));
    if (scope.refused) {
      deps.log('slack.refused', { user: command.user_id, rule: 'own onboardings only' });
      await respond({ response_type: 'ephemeral', text: scope.text });
      return;
    }
    const now = Date.now();
    const { items, total } = await openOnboardings(deps, scope.filter, now);
    const shown = scope.overdueOnly ? items.filter((i) => i.overdue) : items;
    await respond({ response_type: 'ephemeral', ...statusMessage(scope.label, shown, scope.overdueOnly ? shown.length : total, now) });
  };
}
