/**
 * /onboarding-status [org | @user | stage]: the open onboardings, ephemeral (a tech's own only).
 * Managers also: `reviews` (the access reviews), `review <organization>` (start one), `export
 * [from to]` (the audit export, as a file in a direct message); a tech is refused them privately.
 */
import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { type Rights, rightsOf } from '../../authorization';
import { exportPeriod, EXPORT_USAGE, exportToDm, periodText } from '../../audit-dm';
import type { SlackDeps } from '../../deps';
import { correlationId, errorText } from '../../errors';
import { openOnboardings } from '../../overview';
import { reviewsOverview } from '../../review-overview';
import { startReviewFromSlack } from '../../review-start';
import { type ManagerRequest, MANAGERS_ONLY, managerRequest, statusScope } from '../../status-scope';
import { reviewsMessage } from '../../views/review-list';
import { statusMessage } from '../../views/status-list';

export function onboardingStatus(deps: SlackDeps) {
  return async ({ command, ack, respond, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    if (!deps.recent.first(`trigger:${command.trigger_id}`, 60_000)) return;
    const asked = managerRequest(command.text ?? '');
    if (asked) return managerForm(deps, asked, command.user_id, rightsOf(context), respond);
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

/** A manager's form of the command; a tech is refused it, privately. */
async function managerForm(deps: SlackDeps, asked: ManagerRequest, user: string, rights: Rights, respond: RespondFn): Promise<void> {
  const tell = (text: string) => respond({ response_type: 'ephemeral', text });
  if (!rights.manager) {
    deps.log('slack.refused', { user, rule: `managers only: ${asked.kind}` });
    await tell(MANAGERS_ONLY[asked.kind]);
    return;
  }
  switch (asked.kind) {
    case 'reviews': {
      const now = Date.now();
      await respond({ response_type: 'ephemeral', ...reviewsMessage(await reviewsOverview(deps, now), now) });
      return;
    }
    case 'review':
      await tell(await startReviewFromSlack(deps, asked.organization, user));
      return;
    case 'export': {
      const period = exportPeriod(asked.period);
      if (!period) return void (await tell(EXPORT_USAGE));
      await tell(`Preparing the export for ${periodText(period)}… it comes as a file in your direct messages with the app.`);
      // In the background: reading every record takes a while. A failure is told with a reference.
      void exportToDm(deps, user, period).then(tell, async (error: unknown) => {
        const id = correlationId();
        deps.log('slack.error', { correlationId: id, kind: 'export', user, error: error instanceof Error ? error.message : String(error) });
        await tell(errorText(id)).catch(() => undefined);
      });
      return;
    }
  }
}
