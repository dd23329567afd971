/** Thread button — Approve removal: a manager approves an offboarding (the policy's `offboarding.approval: manager`). */
import type { SlackDeps } from '../../deps';
import type { ButtonArgs } from '../../middleware/thread-press';
import { actOnPress } from '../../press';

export function approveRemoval(deps: SlackDeps) {
  return (args: ButtonArgs): Promise<void> => actOnPress(deps, args, 'approve-removal');
}
