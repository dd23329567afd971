/** Thread button — Cancel: stops the onboarding for good (tech or manager). */
import type { SlackDeps } from '../../deps';
import type { ButtonArgs } from '../../middleware/thread-press';
import { actOnPress } from '../../press';

export function cancel(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => actOnPress(deps, args, 'cancel');
}
