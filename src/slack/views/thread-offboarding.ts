/**
 * What an offboarding's thread root says that an onboarding's does not (docs/design.md §15): whose
 * access is being removed, its own stages in plain words, what was removed, and what the tech must
 * do in IT Glue. The root's frame (status, progress line, buttons, context) is the onboarding's
 * (./thread.ts). An offboarding's `invitee` is the contact losing access, `user` its IT Glue user,
 * `approver` the primary contact (approver where the policy asks one, and the receipt's addressee).
 */
import type { OnboardingStatus } from '../../../workflows/types';
import { offboardedUserOf } from '../../../workflows/types';
import { formatTime } from '../../wording';
import { code, escapeMrkdwn, slackDate, truncate } from '../escape';
import { field, names } from './thread-parts';

/** Slack's limit is larger; a reason is a line or two. */
const REASON_MAX = 500;

/** The user as shown: its email once IT Glue was read, else its ID. */
function userText(s: OnboardingStatus): string {
  if (s.user) return code(s.user.email);
  const id = offboardedUserOf(s.workflowId);
  return id ? `user ${escapeMrkdwn(id)}` : 'the user';
}

/** The reason whoever asked gave for the removal, when one was given. */
function removalReason(s: OnboardingStatus): string | null {
  const reason = (s.request as { reason?: unknown }).reason;
  return typeof reason === 'string' && reason.trim() ? reason : null;
}

/** The root's title (mrkdwn, escaped): access is being removed, of whom, which user, where. */
export function removalTitle(s: OnboardingStatus): string {
  const n = names(s);
  return `:door: *Offboarding: removing the ${n.product} access of ${n.invitee} (${userText(s)}) to ${n.org}*`;
}

/** The notification text's subject, e.g. "Offboarding of Ines Invitee (Acme Dental)". */
export function removalSubject(s: OnboardingStatus): string {
  const n = names(s);
  return `Offboarding of ${n.invitee} (${n.org})`;
}

/** The stage said plainly, where an offboarding's words differ from an onboarding's; null where they are the same. */
export function removalHeadline(s: OnboardingStatus): string | null {
  const n = names(s);
  switch (s.stage) {
    case 'AWAITING_APPROVAL':
      if (s.waitingOn === 'manager') return 'Waiting for a manager to approve the removal';
      return n.approver ? `Waiting for ${n.approver} to approve the removal` : 'Waiting for the removal to be approved';
    case 'REMOVING_ACCESS':
      return `Removing the access: taking ${userText(s)} out of every group`;
    case 'AWAITING_DELETION':
      return s.removal?.deletedAt ? `The user is deleted: sending the receipt` : `Waiting for a tech to delete the ${n.product} user in IT Glue`;
    case 'COMPLETED':
      return `Completed: ${n.invitee}'s access to ${n.org} is removed`;
    case 'REJECTED':
      return 'Rejected: this offboarding cannot go ahead';
    case 'DENIED':
      return n.approver ? `Denied by ${n.approver}: the access stays` : 'Denied: the access stays';
    case 'APPROVAL_EXPIRED':
      // Under a manager's approval no approval link was sent (no round).
      return s.approvalRound > 0 && n.approver ? `Approval expired: ${n.approver} did not answer in time` : 'Approval expired: no manager approved the removal in time';
    default:
      return null;
  }
}

/** What was removed, one line each; null until the access is removed. */
function removedText(s: OnboardingStatus): string | null {
  const r = s.removal;
  if (!r || !s.events.some((e) => e.type === 'access-removed')) return null;
  const groups = r.groupsLeft.length ? `Out of ${r.groupsLeft.map((g) => escapeMrkdwn(g)).join(', ')}` : 'In no group';
  return `${groups}\n${r.authorizationRemoved ? 'Taken out of the authorized contacts' : 'Not in the authorized contacts'}`;
}

/** The offboarding's facts, after the organization and the approval that ./thread.ts draws for both. */
export function removalFields(s: OnboardingStatus, approval: string) {
  const n = names(s);
  const product = s.user ? `${n.product}, role ${escapeMrkdwn(s.user.roleName)}` : n.product;
  const fields = [
    field('Organization', n.org),
    field('Contact', s.invitee ? `${n.invitee}\n${escapeMrkdwn(s.invitee.email)}` : n.invitee),
    field('IT Glue user', `${userText(s)}\n${product}`),
    field('Approval', approval),
    field(
      'Receipt to',
      s.approver ? `${n.approver}\n${escapeMrkdwn(s.approver.email)}` : s.stage === 'VALIDATING' ? 'To be found' : 'Nobody: no primary contact was found',
    ),
  ];
  const removed = removedText(s);
  if (removed) fields.push(field('Removed', removed));
  if (s.removal?.deletedAt) fields.push(field('User deleted', slackDate(s.removal.deletedAt, formatTime(s.removal.deletedAt))));
  const reason = removalReason(s);
  if (reason) fields.push(field('Reason', escapeMrkdwn(truncate(reason, REASON_MAX))));
  return fields;
}

/** What an offboarding's stage needs from people; null where it needs nothing (or the onboarding's words serve). */
export function removalDetail(s: OnboardingStatus): string | null {
  switch (s.stage) {
    case 'AWAITING_APPROVAL':
      return s.waitingOn === 'manager' && !s.evidence ? '*A manager approves the removal* with *Approve removal* (not the person who asked for it).' : null;
    case 'AWAITING_DELETION': {
      if (s.removal?.deletedAt) return null;
      const n = names(s);
      const myGlue = s.request.kind === 'myglue';
      return [
        `*Delete the user in IT Glue* (its API cannot), then press *User deleted*:`,
        `1. IT Glue → *Account* > *Users* > *${myGlue ? 'MyGlue' : 'IT Glue'}* tab`,
        `2. The row of ${userText(s)} → the delete (trash) icon`,
        myGlue
          ? ":warning: Deleting a MyGlue user also deletes the user's personal passwords and every asset they have not shared: ask the customer to move what they need first."
          : null,
        `${n.invitee} is already out of every group: the bot also checks IT Glue at every sweep.`,
      ]
        .filter(Boolean)
        .join('\n');
    }
    default:
      return null;
  }
}
