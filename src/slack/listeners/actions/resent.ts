/** Thread button — Resent: the tech reset the expired IT Glue invitation. */
import type { SlackDeps } from '../../deps';
import { signalFromButton, type ButtonArgs } from '../../thread-buttons';

export function resent(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => signalFromButton(deps, args, 'invitation-resent');
}
