/**
 * Who may be invited, and who may approve: pure checks over what IT Glue says of the organization,
 * the contact and any user with the contact's email. The /invite-lite modal checks a submission
 * with them (src/slack/invite-form.ts), and the onboarding checks its request with them again
 * (validateRequest in activities/itglue.ts), so both refuse the same people for the same reasons.
 *
 * Each refusal has a reason and a message. The message speaks to where it is shown: `form`, the
 * tech at the modal, who picked the contact from a list (the user's email helps them recognise
 * who is meant); `request`, the onboarding's validation of a request (the contact's ID, the date
 * an active user accepted).
 */
import type { ItGlueUser, OnboardingRequest } from '../../workflows/types';
import type { ItGlueContact, ItGlueOrganization } from './schemas';

export type Audience = 'form' | 'request';

/** The contact's part: the invitee, the approver named in the request, or the primary contact found by the policy's rule. */
export type ContactRole = 'invitee' | 'approver' | 'primary-contact';

export type RefusalReason = 'myglue-not-set-up' | 'not-a-contact' | 'no-email' | 'other-kind-of-user' | 'already-active' | 'self-approval';

export interface Refusal {
  reason: RefusalReason;
  message: string;
}

type ContactFacts = Pick<ItGlueContact, 'id' | 'name' | 'email' | 'organizationId'>;
type OrganizationFacts = Pick<ItGlueOrganization, 'id' | 'name'>;
type UserFacts = Pick<ItGlueUser, 'email' | 'myGlue' | 'invitationAcceptedAt'>;

/** Whether the contact can receive mail from the onboarding: an invitation, or an approval request. */
export function hasEmail<C extends Pick<ItGlueContact, 'email'>>(contact: C): contact is C & { email: string } {
  return !!contact.email;
}

/** MyGlue access needs MyGlue set up for the organization. */
export function kindRefusal(org: OrganizationFacts & Pick<ItGlueOrganization, 'myGlueAccountId'>, kind: OnboardingRequest['kind']): Refusal | null {
  return kind === 'myglue' && !org.myGlueAccountId ? { reason: 'myglue-not-set-up', message: `MyGlue is not set up for ${org.name}.` } : null;
}

/** A contact that can take its part (it has an email), or why not. */
export type ContactCheck<C extends ContactFacts> = { ok: true; contact: C & { email: string } } | ({ ok: false } & Refusal);

/**
 * Whether this contact can take its part for the organization: it must be a contact of the
 * organization (`contact` null: IT Glue has none with `contactId`) and have an email. The primary
 * contact is found among the organization's contacts, so only its email is checked.
 */
export function checkContact<C extends ContactFacts>(
  contactId: string,
  contact: C | null,
  org: OrganizationFacts,
  role: ContactRole,
  audience: Audience,
): ContactCheck<C> {
  const form = audience === 'form';
  if (!contact || (role !== 'primary-contact' && contact.organizationId !== org.id)) {
    const message = !form
      ? `Contact ${contactId} is not a contact of ${org.name} in IT Glue.`
      : role === 'approver'
        ? `Choose a contact of ${org.name} as approver.`
        : `This contact is not (or no longer) a contact of ${org.name} in IT Glue.`;
    return { ok: false, reason: 'not-a-contact', message };
  }
  if (!hasEmail(contact)) {
    const message =
      role === 'primary-contact'
        ? `The primary contact ${contact.name} has no email address in IT Glue: add one, or choose the approver.`
        : form && role === 'approver'
          ? `${contact.name} has no email address in IT Glue, so cannot approve by email.`
          : `${contact.name} has no email address in IT Glue: add one to the contact${form ? ' there' : ''}, then start again.`;
    return { ok: false, reason: 'no-email', message };
  }
  return { ok: true, contact };
}

/**
 * Why the invitee cannot get this kind of access given the IT Glue user with their email, or null:
 * a customer is an IT Glue Lite user or a MyGlue user, never both, and an active user is not
 * invited again.
 */
export function existingUserRefusal(inviteeName: string, existing: UserFacts | null, kind: OnboardingRequest['kind'], audience: Audience): Refusal | null {
  if (!existing) return null;
  const form = audience === 'form';
  if (existing.myGlue !== (kind === 'myglue')) {
    const seen = form ? ` (${existing.email})` : '';
    return {
      reason: 'other-kind-of-user',
      message: `${inviteeName} is already ${existing.myGlue ? 'a MyGlue' : 'an IT Glue'} user${seen}; a customer can be an IT Glue Lite user or a MyGlue user, never both.`,
    };
  }
  if (existing.invitationAcceptedAt) {
    const seen = form ? existing.email : `since ${existing.invitationAcceptedAt}`;
    return { reason: 'already-active', message: `${inviteeName} is already an active ${existing.myGlue ? 'MyGlue' : 'IT Glue'} user (${seen}).` };
  }
  return null;
}

/** Why an invitee who is not a primary contact cannot be the approver (docs/design.md §4.1). */
export function selfApprovalRefusal(inviteeName: string, orgName: string): string {
  return `${inviteeName} is not a primary contact of ${orgName}, so cannot approve their own access: choose the primary contact (or another authorized contact) as approver.`;
}

/** The invitee named as their own approver may approve only as a primary contact (by the policy's rule). */
export function selfApproval(inviteeName: string, org: OrganizationFacts, isPrimary: boolean): Refusal | null {
  return isPrimary ? null : { reason: 'self-approval', message: selfApprovalRefusal(inviteeName, org.name) };
}
