import type { App, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { authorize } from '../../authorization';
import type { SlackDeps } from '../../deps';
import { INVITE } from '../../views/invite-modal';
import { OFFBOARD } from '../../views/offboard-modal';
import { contacts } from './contacts';
import { organizations } from './organizations';

export function registerOptions(app: App, deps: SlackDeps): void {
  const tech = authorize<SlackOptionsMiddlewareArgs<'block_suggestion'>>(deps.roles, 'tech', deps.log);
  app.options<'block_suggestion'>(INVITE.org.action, tech, organizations(deps));
  app.options<'block_suggestion'>(INVITE.contact.action, tech, contacts(deps));
  app.options<'block_suggestion'>(INVITE.approver.action, tech, contacts(deps));
  // The /offboard-lite modal's: the same lists.
  app.options<'block_suggestion'>(OFFBOARD.org.action, tech, organizations(deps));
  app.options<'block_suggestion'>(OFFBOARD.contact.action, tech, contacts(deps));
}
