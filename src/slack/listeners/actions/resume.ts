/** Thread button — Resume: a manager resumes a stalled onboarding where it stalled. */
import type { SlackDeps } from '../../deps';
import { signalFromButton, type ButtonArgs } from '../../thread-buttons';

export function resume(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => signalFromButton(deps, args, 'resume');
}
