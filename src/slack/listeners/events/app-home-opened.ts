/** The App Home tab: a manager's dashboard, a tech's own open onboardings and recent completions, or a short notice for others. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { rightsOf } from '../../authorization';
import type { SlackDeps } from '../../deps';
import { managerDashboard, techDashboard } from '../../overview';
import { managerHome, nobodyHome, techHome } from '../../views/home';

export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, client, context }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== 'home') return;
    const rights = rightsOf(context);
    const now = Date.now();
    const view = rights.manager
      ? managerHome(await managerDashboard(deps, now), now)
      : rights.tech
        ? await techDashboard(deps, event.user, now).then(({ open, recent }) => techHome(open, now, recent))
        : nobodyHome();
    await client.views.publish({ user_id: event.user, view });
  };
}
