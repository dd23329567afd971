/** Thread button — 2FA confirmed: the tech confirms the invitee has set up 2FA. */
import type { SlackDeps } from '../../deps';
import type { ButtonArgs } from '../../middleware/thread-press';
import { actOnPress } from '../../press';

export function twoFactorConfirmed(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => actOnPress(deps, args, 'two-factor-confirmed');
}
