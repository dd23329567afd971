/**
 * An access review's reads (docs/design.md §15.2): the organization, the contact who answers (the
 * one named, checked as an approver, or the primary contact by the policy's rule) and the
 * organization's customer users — the IT Glue Lite and MyGlue users whose email is the primary
 * email of one of its contacts — with their password access, last sign-in and, where invite-lite
 * onboarded them, who approved it (its own records in Temporal).
 *
 * The IT Glue requests are few and do not grow with the organization's users: the organization,
 * its contacts (one list), the users with those emails (one filtered list per 50 addresses), every
 * group with its members (one list per 1000 groups) and, for MyGlue users, each MyGlue group they
 * are in whose denied asset types the list did not tell; the primary-contact rule adds its own
 * (the flexible-asset rule two, a rule that finds nobody one more).
 */
import { filterValue, type ItGlueClient } from '../src/itglue/client';
import { staffUserRefusal } from '../src/itglue/customer-user';
import type { ItGlueDirectory } from '../src/itglue/directory';
import { checkContact } from '../src/itglue/eligibility';
import type { ItGlueGroups } from '../src/itglue/groups';
import { passwordVisibility } from '../src/itglue/password-access';
import { ruleContact } from '../src/itglue/primary-contact';
import { groupResource, reviewUserResource, type ItGlueContact, type ItGlueGroup, type ReviewUser } from '../src/itglue/schemas';
import { customerGroupNames, reviewPolicyOf } from '../workflows/policy';
import type { Person } from '../workflows/types';
import type { ReviewedUser } from '../workflows/review/record';
import type { GatherReviewInput, ItGlueActivities, ItGlueMaintenanceActivities, ReviewGathering } from './contracts';
import { guarded } from './itglue-requests';
import type { ItGlueActivityDeps } from './itglue-writers';
import { reviewPlanner } from './review-plan';
import { onboardingRecords, type OnboardingRecord } from './review-records';

/** Email addresses asked for in one users request (the filter goes in the URL). */
export const EMAILS_PER_REQUEST = 50;

const REMEDY = 'name the contact who answers';

export interface ReviewDeps extends ItGlueActivityDeps {
  directory: ItGlueDirectory;
  groups: ItGlueGroups;
}

/** The access reviews' activities, as the IT Glue worker runs them (wired in activities/itglue.ts). */
export function reviewActivities(deps: ReviewDeps): Pick<ItGlueActivities, 'gatherReview'> & Pick<ItGlueMaintenanceActivities, 'dueReviews'> {
  return { gatherReview: guarded(reviewGatherer(deps)), dueReviews: guarded(reviewPlanner(deps)) };
}

function person(contact: ItGlueContact & { email: string }): Person {
  return { contactId: contact.id, name: contact.name, firstName: contact.firstName || contact.name, email: contact.email };
}

/**
 * The IT Glue users with these addresses, in as few requests as the URL allows. Each address is
 * asked as the contact has it and in lower case, as IT Glue may compare them case-sensitively.
 */
async function usersByEmail(client: ItGlueClient, emails: string[]): Promise<ReviewUser[]> {
  const asked = [...new Set(emails.flatMap((e) => [e, e.toLowerCase()]))];
  const found = new Map<string, ReviewUser>();
  for (let i = 0; i < asked.length; i += EMAILS_PER_REQUEST) {
    const chunk = asked.slice(i, i + EMAILS_PER_REQUEST);
    for (const user of await client.list('/users', reviewUserResource, { 'filter[email]': filterValue(...chunk) })) found.set(user.id, user);
  }
  return [...found.values()];
}

/** Every group with its members, in one paged list. */
async function allGroups(client: ItGlueClient): Promise<ItGlueGroup[]> {
  return client.list('/groups', groupResource, { include: 'users' });
}

/** The latest sign-in IT Glue knows of (its last and current sign-in times, whichever is later). */
function lastSignIn(user: ReviewUser): string | null {
  const times = [user.lastSignInAt, user.currentSignInAt].filter((t): t is string => !!t && !Number.isNaN(Date.parse(t)));
  return times.sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? null;
}

/** No sign-in within `dormantAfter` before `now`, or never one since an invitation older than that. */
export function isDormant(lastSignInAt: string | null, invitedAt: string | null, now: string, dormantAfter: number): boolean {
  const since = Date.parse(now) - dormantAfter;
  if (lastSignInAt) return Date.parse(lastSignInAt) < since;
  return invitedAt !== null && Date.parse(invitedAt) < since;
}

/**
 * Whether the user's groups let it see passwords: for an IT Glue Lite user, its customer group
 * (the password-access group: yes; the other: no; neither: unknown); for a MyGlue user, the denied
 * asset types of its groups, the most restrictive winning (unknown where one group's are unknown
 * and none denies passwords).
 */
function passwordAccessOf(user: ReviewUser, memberOf: ItGlueGroup[], names: { passwordAccess: string; noPasswordAccess: string }): boolean | null {
  if (!user.myGlue) {
    if (memberOf.some((g) => g.name === names.passwordAccess)) return true;
    return memberOf.some((g) => g.name === names.noPasswordAccess) ? false : null;
  }
  const { visible, deniedBy, unknown } = passwordVisibility(memberOf);
  if (deniedBy.length > 0) return false;
  return unknown.length > 0 ? null : visible;
}

export function reviewGatherer({ client, directory, groups, temporal, taskQueue }: ReviewDeps): (input: GatherReviewInput) => Promise<ReviewGathering> {
  /** The contact who answers: the one named (checked as an approver), else the primary contact by the rule. */
  async function whoAnswers(org: { id: string; name: string }, contacts: ItGlueContact[], input: GatherReviewInput): Promise<Person | string> {
    const named = input.approverContactId;
    if (named) {
      const checked = checkContact(named, contacts.find((c) => c.id === named) ?? null, org, 'approver', 'request');
      return checked.ok ? person(checked.contact) : checked.message;
    }
    const found = await ruleContact(directory, org, input.policy, { remedy: REMEDY, contacts });
    return typeof found === 'string' ? found : person({ ...found, email: found.email! });
  }

  /** The MyGlue groups' denied asset types the list did not tell, read group by group. */
  async function withRestrictions(list: ItGlueGroup[], myGlueUserIds: Set<string>): Promise<ItGlueGroup[]> {
    return Promise.all(list.map((g) => (g.deniedResourceTypes == null && g.memberIds.some((id) => myGlueUserIds.has(id)) ? groups.get(g.id) : Promise.resolve(g))));
  }

  return async function gatherReview(input: GatherReviewInput): Promise<ReviewGathering> {
    const reject = (reason: string): ReviewGathering => ({ ok: false, reason });
    const org = await directory.organization(input.orgId);
    if (!org) return reject(`Organization ${input.orgId} was not found in IT Glue.`);
    if (org.primary) return reject(`${org.name} is your own organization, not a customer's.`);
    const contacts = await directory.contactsOf(org.id);
    const answers = await whoAnswers(org, contacts, input);
    if (typeof answers === 'string') return reject(answers);

    const primaryContact = answers;
    const done = (users: ReviewedUser[]): ReviewGathering => ({ ok: true, org: { id: org.id, name: org.name }, primaryContact, users });

    const contactByEmail = new Map<string, ItGlueContact>();
    for (const c of contacts) if (c.email && !contactByEmail.has(c.email.toLowerCase())) contactByEmail.set(c.email.toLowerCase(), c);
    if (contactByEmail.size === 0) return done([]);
    const found = await usersByEmail(client, [...new Set(contacts.flatMap((c) => (c.email ? [c.email] : [])))]);
    // The contacts' own users only, and only customer users (an MSP staff account with a contact's email is not one).
    const customers = found.filter((u) => contactByEmail.has(u.email.toLowerCase()) && staffUserRefusal(u) === null);
    if (customers.length === 0) return done([]);
    const [listed, records] = await Promise.all([allGroups(client), onboardingRecords(temporal, taskQueue, org.id)]);
    const myGlueIds = new Set(customers.filter((u) => u.myGlue).map((u) => u.id));
    const all = myGlueIds.size > 0 ? await withRestrictions(listed, myGlueIds) : listed;
    const names = customerGroupNames(input.policy, org.name);
    const { dormantAfter } = reviewPolicyOf(input.policy);

    const users = customers.map((u): ReviewedUser => {
      const contact = contactByEmail.get(u.email.toLowerCase())!;
      const record: OnboardingRecord | undefined = records.get(u.id);
      const lastSignInAt = lastSignIn(u);
      return {
        userId: u.id,
        contactId: contact.id,
        name: contact.name || u.name || u.email,
        email: u.email,
        roleName: u.roleName,
        myGlue: u.myGlue,
        passwordAccess: passwordAccessOf(
          u,
          all.filter((g) => g.memberIds.includes(u.id)),
          names,
        ),
        invitedAt: u.invitationSentAt,
        approvedBy: record?.approvedBy ?? null,
        approvedAt: record?.approvedAt ?? null,
        onboardingId: record?.onboardingId ?? null,
        lastSignInAt,
        dormant: isDormant(lastSignInAt, u.invitationSentAt, input.now, dormantAfter),
      };
    });
    users.sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email));
    return done(users);
  };
}
