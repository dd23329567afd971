/** Thread button — Invitation sent: the tech created the user in IT Glue; the onboarding checks at once. */
import type { SlackDeps } from '../../deps';
import type { ButtonArgs } from '../../middleware/thread-press';
import { actOnPress } from '../../press';

export function invitationSent(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => actOnPress(deps, args, 'invitation-sent');
}
