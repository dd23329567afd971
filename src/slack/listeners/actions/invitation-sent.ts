/** Thread button — Invitation sent: the tech created the user in IT Glue; the onboarding checks at once. */
import type { SlackDeps } from '../../deps';
import { signalFromButton, type ButtonArgs } from '../../thread-buttons';

export function invitationSent(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => signalFromButton(deps, args, 'invitation-sent');
}
