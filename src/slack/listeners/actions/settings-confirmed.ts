/**
 * Thread button — Settings confirmed: the tech checked in IT Glue what the API cannot read (the
 * user's own organization access); the onboarding keeps who and when as evidence.
 */
import type { SlackDeps } from '../../deps';
import type { ButtonArgs } from '../../middleware/thread-press';
import { actOnPress } from '../../press';

export function settingsConfirmed(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => actOnPress(deps, args, 'settings-confirmed');
}
