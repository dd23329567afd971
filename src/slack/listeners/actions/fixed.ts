/** Thread button — Fixed: the tech corrected the user's settings in IT Glue; the onboarding verifies again. */
import type { SlackDeps } from '../../deps';
import { signalFromButton, type ButtonArgs } from '../../thread-buttons';

export function fixed(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => signalFromButton(deps, args, 'fixed');
}
