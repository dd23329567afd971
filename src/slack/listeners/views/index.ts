import type { App } from '@slack/bolt';
import { authorize } from '../../authorization';
import type { SlackDeps } from '../../deps';
import { CHANGE_APPROVER_CALLBACK_ID, OFFLINE_APPROVAL_CALLBACK_ID } from '../../views/approval-modals';
import { INVITE_CALLBACK_ID } from '../../views/invite-modal';
import { OFFBOARD_CALLBACK_ID } from '../../views/offboard-modal';
import { approverChosen } from './approver-chosen';
import { inviteSubmitted } from './invite-submitted';
import { offboardSubmitted } from './offboard-submitted';
import { offlineApprovalRecorded } from './offline-approval-recorded';

export function registerViews(app: App, deps: SlackDeps): void {
  const tech = authorize(deps.roles, 'tech', deps.log);
  app.view(INVITE_CALLBACK_ID, tech, inviteSubmitted(deps));
  app.view(OFFBOARD_CALLBACK_ID, tech, offboardSubmitted(deps));
  // Techs ask another contact for an onboarding or offboarding, managers for an access review (checked in the listener).
  app.view(CHANGE_APPROVER_CALLBACK_ID, authorize(deps.roles, 'tech-or-manager', deps.log), approverChosen(deps));
  app.view(OFFLINE_APPROVAL_CALLBACK_ID, tech, offlineApprovalRecorded(deps));
}
