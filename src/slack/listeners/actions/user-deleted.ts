/** Thread button — User deleted: the tech deleted the offboarded user in IT Glue; the offboarding checks at once. */
import type { SlackDeps } from '../../deps';
import type { ButtonArgs } from '../../middleware/thread-press';
import { actOnPress } from '../../press';

export function userDeleted(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => actOnPress(deps, args, 'user-deleted');
}
