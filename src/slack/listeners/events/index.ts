import type { App } from '@slack/bolt';
import { authorize } from '../../authorization';
import type { SlackDeps } from '../../deps';
import { appHomeOpened } from './app-home-opened';

export function registerEvents(app: App, deps: SlackDeps): void {
  // Everyone may open the Home tab; what it shows depends on their rights.
  app.event('app_home_opened', authorize(deps.roles, 'anyone', deps.log), appHomeOpened(deps));
}
