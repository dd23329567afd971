/** Thread button — Fixed: the tech corrected the user's settings in IT Glue; the onboarding verifies again. */
import type { SlackDeps } from '../../deps';
import type { ButtonArgs } from '../../middleware/thread-press';
import { actOnPress } from '../../press';

export function fixed(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => actOnPress(deps, args, 'fixed');
}
