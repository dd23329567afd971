/**
 * Thread button — Settings confirmed: the tech checked in IT Glue what the API cannot read (the
 * user's own organization access); the onboarding keeps who and when as evidence.
 */
import type { SlackDeps } from '../../deps';
import { signalFromButton, type ButtonArgs } from '../../thread-buttons';

export function settingsConfirmed(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => signalFromButton(deps, args, 'settings-confirmed');
}
