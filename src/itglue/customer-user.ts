/**
 * Whether an IT Glue user is the customer user an offboarding may remove (docs/design.md §1, §15):
 * an IT Glue Lite user, or a MyGlue user (role Lite, Creator or Editor), whose email is the contact's
 * primary email. Pure checks over what IT Glue says; the offboarding's validation asks them
 * (validateOffboarding in activities/itglue.ts).
 */
import type { ItGlueUser } from '../../workflows/types';

/** The roles of customer users: IT Glue Lite, and MyGlue's three. */
const ITGLUE_CUSTOMER_ROLES = ['lite'];
const MYGLUE_CUSTOMER_ROLES = ['lite', 'creator', 'editor'];

type UserFacts = Pick<ItGlueUser, 'email' | 'roleName' | 'myGlue'>;

/** Why the user is not a customer's user (an MSP staff account), or null. */
export function staffUserRefusal(user: UserFacts): string | null {
  const role = user.roleName.trim();
  const allowed = user.myGlue ? MYGLUE_CUSTOMER_ROLES : ITGLUE_CUSTOMER_ROLES;
  if (allowed.includes(role.toLowerCase())) return null;
  const named = role ? `role ${role}` : 'no role';
  return user.myGlue
    ? `The MyGlue user ${user.email} has ${named}, not a customer's (Lite, Creator or Editor): only customer users are offboarded here.`
    : `The IT Glue user ${user.email} has ${named}: an MSP staff account, not a customer's Lite user. Only customer users are offboarded here.`;
}

/**
 * Why the user is not the contact's (their emails differ, compared case-insensitively, or the
 * contact has none), or null.
 */
export function notContactsUserRefusal(user: UserFacts, contact: { name: string; email: string | null }): string | null {
  const product = user.myGlue ? 'MyGlue' : 'IT Glue';
  if (!contact.email) return `The ${product} user ${user.email} is not ${contact.name}'s: ${contact.name} has no email address in IT Glue.`;
  if (user.email.trim().toLowerCase() === contact.email.trim().toLowerCase()) return null;
  return `The ${product} user ${user.email} is not ${contact.name}'s: ${contact.name}'s email in IT Glue is ${contact.email}.`;
}
