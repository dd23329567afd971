/**
 * Activities that only log what they would do: the service runs end to end before IT Glue,
 * mail and Slack are configured. Each call is one line of the service's log (src/log.ts).
 */
import type { ItGlueActivities, ItGlueMaintenanceActivities, MailActivities, SlackActivities } from './contracts';
import type { Person } from '../workflows/types';
import type { ReviewedUser } from '../workflows/review/record';
import { customerGroupFor, customerGroupNames } from '../workflows/policy';
import { SIMULATED_ITGLUE } from '../src/wording';
import { jsonLog, type Log } from '../src/log';

function placeholderPerson(contactId: string): Person {
  return {
    contactId,
    name: `Contact ${contactId}`,
    firstName: `Contact ${contactId}`,
    email: `contact-${contactId}@example.invalid`,
  };
}

export function loggingItGlueActivities(log: Log = jsonLog): ItGlueActivities & ItGlueMaintenanceActivities {
  return {
    async validateRequest(request, policy) {
      log('itglue.validate', { orgId: request.orgId, contactId: request.contactId, kind: request.kind });
      const approverId = request.approverContactId;
      return {
        ok: true,
        org: { id: request.orgId, name: `Organization ${request.orgId}` },
        invitee: placeholderPerson(request.contactId),
        approver: approverId && approverId !== request.contactId ? placeholderPerson(approverId) : null,
        groupNames: [customerGroupFor(policy, `Organization ${request.orgId}`, request.passwordAccess)],
        existingUser: null,
        simulated: true,
      };
    },
    async findContact(orgId, contactId) {
      log('itglue.findContact', { orgId, contactId });
      return placeholderPerson(contactId);
    },
    async findUser(email) {
      log('itglue.findUser', { email });
      return null;
    },
    async verifyUser({ user, groupNames }) {
      log('itglue.verifyUser', { userId: user.id, groupNames });
      return { mismatches: [] };
    },
    async recordAuthorization({ orgId, contactId }) {
      log('itglue.recordAuthorization', { orgId, contactId });
    },
    async addGroupMembers(groupId, userIds) {
      log('itglue.addGroupMembers', { groupId, userIds });
      return userIds;
    },
    async recordAuthorizedContacts({ orgId, contactIds, remove, assetTypeName, fieldNameKey }) {
      log('itglue.recordAuthorizedContacts', { orgId, contactIds, ...(remove ? { remove } : {}), assetTypeName, fieldNameKey });
      return remove ? { contactIds: [], added: [], removed: contactIds } : { contactIds, added: contactIds };
    },
    async createCustomerGroup({ name, orgId }) {
      log('itglue.createCustomerGroup', { name, orgId });
      return { id: `group-${orgId}`, created: false };
    },
    async changeGroupMembers(groupId, change) {
      log('itglue.changeGroupMembers', { groupId, ...change });
      return change.add;
    },
    async sweepUsers() {
      log('itglue.sweepUsers', {});
      return { users: 0, waiting: 0, signalled: 0, itglueRequests: 0 };
    },
    async userActivity({ userId, from, to }) {
      log('itglue.userActivity', { userId, from, to });
      return { rows: [], complete: true, organizationNames: {} };
    },
    async validateOffboarding(request) {
      log('itglue.validateOffboarding', { orgId: request.orgId, contactId: request.contactId, userId: request.userId });
      const contact = placeholderPerson(request.contactId);
      const myGlue = request.kind === 'myglue';
      return {
        ok: true,
        org: { id: request.orgId, name: `Organization ${request.orgId}` },
        contact,
        user: {
          id: request.userId,
          email: contact.email,
          roleName: myGlue ? (request.myGlueRole ?? 'Creator') : 'Lite',
          myGlue,
          invitationSentAt: null,
          invitationAcceptedAt: null,
          currentSignInAt: null,
        },
        // A made-up primary contact, so that an approval or a receipt goes somewhere (the outbox).
        primaryContact: placeholderPerson(request.approverContactId ?? `primary-${request.orgId}`),
        simulated: true,
      };
    },
    async removeAccess({ orgId, userId, contactId, policy }) {
      const names = customerGroupNames(policy, `Organization ${orgId}`);
      const groupsLeft = [...new Set([names.noPasswordAccess, names.passwordAccess])];
      log('itglue.removeAccess', { orgId, userId, contactId, groupsLeft, authorization: policy.authorization.record });
      return { groupsLeft, authorizationRemoved: policy.authorization.record };
    },
    async userById(userId) {
      // IT Glue is not asked: the user counts as deleted once the offboarding asks.
      log('itglue.userById', { userId, simulated: true });
      return null;
    },
    async gatherReview({ orgId, approverContactId, now }) {
      log('itglue.gatherReview', { orgId, ...(approverContactId ? { approverContactId } : {}) });
      // One made-up user, matched by email, for the made-up primary contact to keep or remove.
      const contact = placeholderPerson(`user-${orgId}`);
      const user: ReviewedUser = {
        userId: `simulated-${orgId}`,
        contactId: contact.contactId,
        name: contact.name,
        email: contact.email,
        roleName: 'Lite',
        myGlue: false,
        passwordAccess: null,
        invitedAt: now,
        approvedBy: null,
        approvedAt: null,
        onboardingId: null,
        lastSignInAt: null,
        dormant: false,
      };
      return {
        ok: true,
        org: { id: orgId, name: `Organization ${orgId}` },
        primaryContact: placeholderPerson(approverContactId ?? `primary-${orgId}`),
        users: [user],
        simulated: true,
      };
    },
    async dueReviews() {
      // Without IT Glue no review is planned (the schedule is created with ITGLUE_API_KEY only).
      log('itglue.dueReviews', { simulated: true });
      return { organizations: 0, due: [], started: [] };
    },
  };
}

export function loggingMailActivities(log: Log = jsonLog): MailActivities {
  return {
    async sendApprovalRequest(mail) {
      log('mail.approvalRequest', {
        workflowId: mail.workflowId,
        to: mail.approver.contactId,
        round: mail.round,
        reminder: mail.reminder,
        ...processOf(mail),
        // An access review: how many users it asks about (who they are stays out of the log).
        ...(mail.review ? { users: mail.review.users.length } : {}),
      });
    },
    async sendBatchApprovalRequest(mail) {
      log('mail.batchApprovalRequest', {
        workflowId: mail.workflowId,
        to: mail.approver.contactId,
        round: mail.round,
        reminder: mail.reminder,
        members: mail.members.length,
      });
    },
    async sendDecisionReceipt(mail) {
      const answers = Object.values(mail.review?.answers ?? {});
      log('mail.decisionReceipt', {
        workflowId: mail.workflowId,
        to: mail.approver.contactId,
        decision: mail.result.decision,
        ...processOf(mail),
        ...(mail.review ? { kept: answers.filter((a) => a === 'keep').length, removed: answers.filter((a) => a === 'remove').length } : {}),
      });
    },
    async sendInstructions(mail) {
      log('mail.instructions', { workflowId: mail.workflowId, to: mail.invitee.contactId });
    },
    async sendInviteExpired(mail) {
      log('mail.inviteExpired', { workflowId: mail.workflowId, to: mail.invitee.contactId, expiry: mail.expiry });
    },
    async sendTwoFactorReminder(mail) {
      log('mail.twoFactorReminder', { workflowId: mail.workflowId, to: mail.invitee.contactId, reminder: mail.reminder });
    },
    async sendRemovalReceipt(mail) {
      log('mail.removalReceipt', {
        workflowId: mail.workflowId,
        to: mail.to.contactId,
        groupsLeft: mail.groupsLeft.length,
        authorizationRemoved: mail.authorizationRemoved,
      });
    },
  };
}

/** The mail's process for the log line: an access review's mail carries its users. */
function processOf(mail: { process?: string; review?: unknown }): { process?: string } {
  const process = mail.process ?? (mail.review ? 'review' : undefined);
  return process ? { process } : {};
}

export function loggingSlackActivities(log: Log = jsonLog): SlackActivities {
  return {
    async updateThread(status) {
      log('slack.updateThread', {
        workflowId: status.workflowId,
        stage: status.stage,
        waitingOn: status.waitingOn,
        ...(status.itglueSimulated ? { itglue: SIMULATED_ITGLUE } : {}),
      });
      return status.thread ?? { channel: 'log', ts: status.workflowId };
    },
    async postToThread({ workflowId, event }) {
      log('slack.postToThread', { workflowId, type: event.type, text: event.text, ...(event.mention ? { mention: event.mention } : {}) });
    },
  };
}
