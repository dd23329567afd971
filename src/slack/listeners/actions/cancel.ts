/** Thread button — Cancel: stops the onboarding for good (tech or manager). */
import type { SlackDeps } from '../../deps';
import { signalFromButton, type ButtonArgs } from '../../thread-buttons';

export function cancel(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => signalFromButton(deps, args, 'cancel');
}
