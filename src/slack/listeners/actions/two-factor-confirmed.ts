/** Thread button — 2FA confirmed: the tech confirms the invitee has set up 2FA. */
import type { SlackDeps } from '../../deps';
import { signalFromButton, type ButtonArgs } from '../../thread-buttons';

export function twoFactorConfirmed(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => signalFromButton(deps, args, 'two-factor-confirmed');
}
