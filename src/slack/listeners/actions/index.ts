import type { App, BlockAction, Middleware, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ACTIONS } from '../../action-ids';
import { authorize, rightsOf } from '../../authorization';
import type { SlackDeps } from '../../deps';
import { INVITE } from '../../views/invite-modal';
import { OFFBOARD } from '../../views/offboard-modal';
import { modalPress, pressOf, tellPresser, threadPress } from '../../middleware/thread-press';
import { approveRemoval } from './approve-removal';
import { askAnotherContact } from './ask-another-contact';
import { cancel } from './cancel';
import { fixed } from './fixed';
import { invitationSent } from './invitation-sent';
import { inviteGroupsChosen } from './invite-groups-chosen';
import { inviteKindChosen } from './invite-kind-chosen';
import { inviteOrganizationChosen } from './invite-organization-chosen';
import { offboardOrganizationChosen } from './offboard-organization-chosen';
import { recordOfflineApproval } from './record-offline-approval';
import { removeAccess } from './remove-access';
import { resent } from './resent';
import { resume } from './resume';
import { settingsConfirmed } from './settings-confirmed';
import { twoFactorConfirmed } from './two-factor-confirmed';
import { userDeleted } from './user-deleted';

export function registerActions(app: App, deps: SlackDeps): void {
  const tech = authorize(deps.roles, 'tech', deps.log);
  const techOrManager = authorize(deps.roles, 'tech-or-manager', deps.log);
  const manager = authorize(deps.roles, 'manager', deps.log, 'Only a manager can resume what has stalled. Nothing was changed.');

  // The /invite-lite modal.
  app.action<BlockAction>(INVITE.org.action, tech, inviteOrganizationChosen(deps));
  app.action<BlockAction>(INVITE.kind.action, tech, inviteKindChosen(deps));
  app.action<BlockAction>(INVITE.groups.action, tech, inviteGroupsChosen(deps));
  // The /offboard-lite modal.
  app.action<BlockAction>(OFFBOARD.org.action, tech, offboardOrganizationChosen(deps));

  // The onboarding thread's buttons: rights, then which onboarding and drawing the press is about;
  // the listener sends the action, which the onboarding judges.
  const press = threadPress(deps);
  const modal = modalPress(deps);
  // An access review is the managers' (docs/design.md §15.2): its Cancel and Ask another contact too.
  const reviews = reviewsForManagers(deps);
  app.action<BlockAction>(ACTIONS.cancel, techOrManager, press, reviews, cancel(deps));
  app.action<BlockAction>(ACTIONS.askAnotherContact, techOrManager, press, reviews, techUnlessReview(deps), modal, askAnotherContact(deps));
  app.action<BlockAction>(ACTIONS.recordOfflineApproval, tech, press, modal, recordOfflineApproval(deps));
  app.action<BlockAction>(ACTIONS.invitationSent, tech, press, invitationSent(deps));
  // A shared group's organizations are the managers' to fix: they press Fixed too.
  app.action<BlockAction>(ACTIONS.fixed, techOrManager, press, fixed(deps));
  app.action<BlockAction>(ACTIONS.settingsConfirmed, tech, press, settingsConfirmed(deps));
  app.action<BlockAction>(ACTIONS.resent, tech, press, resent(deps));
  app.action<BlockAction>(ACTIONS.twoFactorConfirmed, tech, press, twoFactorConfirmed(deps));
  app.action<BlockAction>(ACTIONS.resume, manager, press, resume(deps));
  // An offboarding's (docs/design.md §15), and Remove access on a completed onboarding.
  const approver = authorize(deps.roles, 'manager', deps.log, 'Only a manager can approve a removal. Nothing was changed.');
  app.action<BlockAction>(ACTIONS.approveRemoval, approver, press, approveRemoval(deps));
  app.action<BlockAction>(ACTIONS.userDeleted, tech, press, userDeleted(deps));
  app.action<BlockAction>(ACTIONS.removeAccess, tech, press, removeAccess(deps));
}

const isReview = (workflowId: string) => workflowId.startsWith('access-review:');

/** A press on an access review's thread: managers only; refused privately for anyone else. */
function reviewsForManagers(deps: SlackDeps): Middleware<SlackActionMiddlewareArgs<BlockAction>> {
  return async (args) => {
    if (isReview(pressOf(args).workflowId) && !rightsOf(args.context).manager) {
      await tellPresser(deps, args, 'Only a manager can act on an access review. Nothing was changed.');
      return;
    }
    await args.next();
  };
}

/** Ask another contact stays the techs' on an onboarding or offboarding (managers pass for reviews above). */
function techUnlessReview(deps: SlackDeps): Middleware<SlackActionMiddlewareArgs<BlockAction>> {
  return async (args) => {
    if (!isReview(pressOf(args).workflowId) && !rightsOf(args.context).tech) {
      await tellPresser(deps, args, 'Only a tech can ask another contact. Nothing was changed.');
      return;
    }
    await args.next();
  };
}
