/** Every listener of the app, by kind. */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';
import { registerOptions } from './options';
import { registerViews } from './views';

export function registerListeners(app: App, deps: SlackDeps): void {
  registerCommands(app, deps);
  registerOptions(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
}
