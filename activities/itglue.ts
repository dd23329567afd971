import { recordAuthorizations } from '../src/itglue/authorization';
import { notContactsUserRefusal, staffUserRefusal } from '../src/itglue/customer-user';
import { isPrimaryContact, ItGlueDirectory } from '../src/itglue/directory';
import { checkContact, existingUserRefusal, kindRefusal, selfApproval, type ContactRole } from '../src/itglue/eligibility';
import { ItGlueError } from '../src/itglue/errors';
import { ItGlueGroups } from '../src/itglue/groups';
import { passwordVisibility } from '../src/itglue/password-access';
import { ruleContact } from '../src/itglue/primary-contact';
import { userResource, type ItGlueContact, type ItGlueGroup } from '../src/itglue/schemas';
import { readUserActivity } from '../src/itglue/user-activity';
import { groupMismatches, sharedGroupMismatch, userMismatches } from '../src/itglue/verification';
import { customerGroupFor, customerGroupNames, organizationAccessOf, type Policy } from '../workflows/policy';
import type { ItGlueUser, OffboardingRequest, OnboardingRequest, Person } from '../workflows/types';
import { guarded } from './itglue-requests';
import { reviewActivities } from './itglue-review';
import { userSweep } from './itglue-sweep';
import { singleWriters, writerFailure, type ItGlueActivityDeps } from './itglue-writers';
import type {
  AuthorizedContactsInput,
  OffboardingValidation,
  Validation,
  UserActivityInput,
  ItGlueActivities,
  ItGlueMaintenanceActivities,
  RemoveAccessInput,
  RemovedAccess,
  Verification,
  VerifyInput,
} from './contracts';

function person(contact: ItGlueContact): Person {
  return {
    contactId: contact.id,
    name: contact.name,
    firstName: contact.firstName || contact.name,
    email: contact.email!,
  };
}

export type { ItGlueActivityDeps } from './itglue-writers';

export function createItGlueActivities(deps: ItGlueActivityDeps): ItGlueActivities & ItGlueMaintenanceActivities {
  const { client, temporal } = deps;
  const directory = new ItGlueDirectory(client);
  const groups = new ItGlueGroups(client);
  const { createCustomerGroup, changeGroup, addToAuthorizationRecord, removeFromAuthorizationRecord } = singleWriters(deps);

  /** The contact when it belongs to the organization and has an email; otherwise why not. */
  async function contactOf(org: { id: string; name: string }, contactId: string, role: ContactRole): Promise<ItGlueContact | string> {
    const checked = checkContact(contactId, await directory.contact(contactId), org, role, 'request');
    return checked.ok ? checked.contact : checked.message;
  }

  async function approverFor(request: { approverContactId?: string }, org: { id: string; name: string }, policy: Policy): Promise<ItGlueContact | string> {
    if (request.approverContactId) return contactOf(org, request.approverContactId, 'approver');
    return ruleContact(directory, org, policy);
  }

  async function validateRequest(request: OnboardingRequest, policy: Policy): Promise<Validation> {
    const reject = (reason: string): Validation => ({ ok: false, reason });
    const org = await directory.organization(request.orgId);
    if (!org) return reject(`Organization ${request.orgId} was not found in IT Glue.`);
    if (org.primary) return reject(`${org.name} is your own organization, not a customer's.`);
    const wrongKind = kindRefusal(org, request.kind);
    if (wrongKind) return reject(wrongKind.message);

    const invitee = await contactOf(org, request.contactId, 'invitee');
    if (typeof invitee === 'string') return reject(invitee);
    const existing = await directory.userByEmail(invitee.email!);
    const alreadyUser = existingUserRefusal(invitee.name, existing, request.kind, 'request');
    if (alreadyUser) return reject(alreadyUser.message);

    const approver = await approverFor(request, org, policy);
    if (typeof approver === 'string') return reject(approver);
    // Approval is skipped only for the primary contact: a tech cannot name the invitee instead.
    if (request.approverContactId === invitee.id) {
      const refused = selfApproval(invitee.name, org, isPrimaryContact(await directory.primaryContact(org.id, policy.primaryContact), invitee.id));
      if (refused) return reject(refused.message);
    }

    let groupNames: string[];
    let passwordAccess: boolean | undefined;
    if (request.kind === 'itglue') {
      groupNames = [customerGroupFor(policy, org.name, request.passwordAccess)];
    } else {
      const found = await Promise.all((request.myGlueGroupIds ?? []).map((id) => groups.get(id).catch(() => null)));
      const missing = (request.myGlueGroupIds ?? []).filter((_, i) => !found[i]);
      if (missing.length > 0) return reject(`IT Glue has no group with id ${missing.join(', ')}.`);
      groupNames = found.map((g) => g!.name);
      // Not the tech's choice: what the groups' denied asset types allow, the most restrictive winning.
      passwordAccess = passwordVisibility(found.map((g) => g!)).visible;
    }

    return {
      ok: true,
      org: { id: org.id, name: org.name },
      invitee: person(invitee),
      approver: approver.id === invitee.id ? null : person(approver),
      groupNames,
      existingUser: existing,
      ...(passwordAccess === undefined ? {} : { passwordAccess }),
    };
  }

  /** The reason a group write failed, for a mismatch the tech can act on. */
  const reasonOf = (error: unknown) => (error as { cause?: Error }).cause?.message ?? (error as Error).message;

  async function verifyUser({ request, org, user: saved, groupNames, policy }: VerifyInput): Promise<Verification> {
    // What the tech fixed in IT Glue (role, kind) only shows in a fresh read of the user.
    const user = await directory.userByEmail(saved.email);
    if (!user) {
      return { mismatches: [`IT Glue has no user with the email ${saved.email} any more: invite them again (Account → Users), then press Fixed.`] };
    }
    const mismatches = userMismatches(request, user);
    const accountMismatches: string[] = [];
    const changes: string[] = [];
    const rightKind = user.myGlue === (request.kind === 'myglue');
    const missingGroup = (name: string) => `IT Glue has no group named "${name}": create it (Account → Groups) or correct the policy's group names.`;

    /** The user in the group (through its writer), unless already there or of the wrong kind. */
    async function join(group: ItGlueGroup) {
      if (!rightKind || group.memberIds.includes(user!.id)) return;
      try {
        group.memberIds = await changeGroup('add', group.id, user!.id);
        changes.push(`${user!.email} added to the group "${group.name}".`);
      } catch (error) {
        mismatches.push(`${user!.email} could not be added to the group "${group.name}" (${reasonOf(error)}): add them in IT Glue (Account → Groups → ${group.name}).`);
      }
    }

    if (request.kind === 'myglue') {
      // A MyGlue user may be in several MyGlue groups: every chosen one must be there.
      for (const group of await Promise.all((request.myGlueGroupIds ?? []).map((id) => groups.get(id)))) {
        await join(group);
        mismatches.push(...groupMismatches(group, org, request, policy));
      }
      return { mismatches, accountMismatches, changes, user };
    }

    // An IT Glue Lite user ends in the chosen customer group and in no other customer group.
    const chosenName = groupNames[0]!;
    const names = customerGroupNames(policy, org.name);
    const customerNames = [...new Set([chosenName, names.noPasswordAccess, names.passwordAccess])];
    const found = await groups.byNames(customerNames);
    const creates = !found[0] && organizationAccessOf(policy) === 'group' && policy.groups.create === true;
    if (creates) {
      // The customer's own group is created, reaching this organization only (never an existing one changed).
      try {
        const { id, created } = await createCustomerGroup(org.id, chosenName);
        found[0] = await groups.get(id);
        if (created) changes.push(`The group "${chosenName}" was created in IT Glue with access to ${org.name} only.`);
      } catch (error) {
        mismatches.push(
          `The group "${chosenName}" could not be created (${reasonOf(error)}): create it in IT Glue (Account → Groups) with access to ${org.name} only, then press Fixed.`,
        );
      }
    }
    const chosen = found[0];
    if (chosen) await join(chosen);
    else if (!creates) mismatches.push(missingGroup(chosenName));
    for (const other of found.slice(1)) {
      if (!other || !rightKind || !other.memberIds.includes(user.id)) continue;
      try {
        other.memberIds = await changeGroup('remove', other.id, user.id);
        changes.push(`${user.email} taken out of the group "${other.name}": a customer user is in exactly one customer group.`);
      } catch (error) {
        mismatches.push(
          `${user.email} is also in the group "${other.name}" and could not be taken out (${reasonOf(error)}): remove them from it in IT Glue (Account → Groups → ${other.name}).`,
        );
      }
    }

    if (organizationAccessOf(policy) === 'per-user') {
      // Shared groups: the user's own organization is set on the user; the groups must reach none.
      for (const group of found) {
        const problem = group ? sharedGroupMismatch(group, policy) : null;
        if (problem) accountMismatches.push(problem);
      }
    } else if (chosen) {
      mismatches.push(...groupMismatches(chosen, org, request, policy));
    }
    return { mismatches, accountMismatches, changes, user };
  }

  /** The IT Glue user with this ID, or null when IT Glue has none (404). */
  async function userById(userId: string): Promise<ItGlueUser | null> {
    // `.` and `..` would name another path.
    if (!userId || userId === '.' || userId === '..') return null;
    try {
      return await client.get(`/users/${encodeURIComponent(userId)}`, userResource);
    } catch (error) {
      if (error instanceof ItGlueError && error.kind === 'not-found') return null;
      throw error;
    }
  }

  /**
   * Whether the user can be offboarded (docs/design.md §15): a customer's user (IT Glue Lite or
   * MyGlue) whose email is the contact's, the contact one of the organization's. The primary
   * contact is the approver the request names (refused when it cannot approve) or the one the
   * policy's rule finds; where the rule finds none or several, `primaryContactProblem` says so as
   * the onboarding's validation does. The contact being removed may be the primary contact.
   */
  async function validateOffboarding(request: OffboardingRequest, policy: Policy): Promise<OffboardingValidation> {
    const reject = (reason: string): OffboardingValidation => ({ ok: false, reason });
    const org = await directory.organization(request.orgId);
    if (!org) return reject(`Organization ${request.orgId} was not found in IT Glue.`);
    if (org.primary) return reject(`${org.name} is your own organization, not a customer's.`);

    const found = await directory.contact(request.contactId);
    const checked = checkContact(request.contactId, found, org, 'invitee', 'request');
    if (!checked.ok && checked.reason === 'not-a-contact') return reject(checked.message);
    const contact = found!;

    const user = await userById(request.userId);
    if (!user) return reject(`IT Glue has no user with id ${request.userId}.`);
    const refused = staffUserRefusal(user) ?? notContactsUserRefusal(user, contact);
    if (refused) return reject(refused);

    const primary = await approverFor(request, org, policy);
    if (typeof primary === 'string' && request.approverContactId) return reject(primary);
    return {
      ok: true,
      org: { id: org.id, name: org.name },
      contact: person(contact),
      user,
      ...(typeof primary === 'string' ? { primaryContact: null, primaryContactProblem: primary } : { primaryContact: person(primary) }),
    };
  }

  /**
   * Takes the user out of every group it is in, each through the group's writer (keeping every
   * other member), and the contact out of the authorization record through its writer where the
   * policy keeps one: all at once. A write the writer gave up on fails the activity, not retried
   * (the offboarding stalls with the reason).
   */
  async function removeAccess({ orgId, userId, contactId, policy }: RemoveAccessInput): Promise<RemovedAccess> {
    const memberOf = await groups.groupsOf(userId);
    const leaving = memberOf.map(async (group) => {
      try {
        await changeGroup('remove', group.id, userId);
        return group.name;
      } catch (error) {
        throw writerFailure(
          error,
          `IT Glue user ${userId} could not be taken out of the group "${group.name}" (remove them in IT Glue: Account → Groups → ${group.name}, then resume)`,
        );
      }
    });
    const { record, assetTypeName, fieldNameKey } = policy.authorization;
    const authorization = record ? removeFromAuthorizationRecord(orgId, { contactId, assetTypeName, fieldNameKey }) : Promise.resolve(false);
    const [recorded, ...left] = await Promise.allSettled([authorization, ...leaving]);
    const failed = [recorded, ...left].find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return {
      groupsLeft: left.map((r) => (r as PromiseFulfilledResult<string>).value),
      authorizationRemoved: (recorded as PromiseFulfilledResult<boolean>).value,
    };
  }

  return {
    validateRequest: guarded(validateRequest),
    findContact: guarded(async (orgId: string, contactId: string) => {
      // A new approver, named after the request was made.
      const contact = await contactOf({ id: orgId, name: `organization ${orgId}` }, contactId, 'approver');
      return typeof contact === 'string' ? null : person(contact);
    }),
    findUser: guarded((email: string) => directory.userByEmail(email)),
    verifyUser: guarded(verifyUser),
    recordAuthorization: guarded(async ({ orgId, contactId, policy }) => {
      await addToAuthorizationRecord(orgId, {
        contactId,
        assetTypeName: policy.authorization.assetTypeName,
        fieldNameKey: policy.authorization.fieldNameKey,
      });
    }),
    addGroupMembers: guarded(async (groupId: string, userIds: string[]) => (await groups.addMembers(groupId, userIds)).memberIds),
    recordAuthorizedContacts: guarded((input: AuthorizedContactsInput) => recordAuthorizations(client, directory, input)),
    createCustomerGroup: guarded(async ({ name, orgId }: { name: string; orgId: string }) => {
      const existing = await groups.byName(name);
      if (existing) return { id: existing.id, created: false };
      return { id: (await groups.create(name, [orgId])).id, created: true };
    }),
    changeGroupMembers: guarded(async (groupId: string, change: { add: string[]; remove: string[] }) => (await groups.changeMembers(groupId, change)).memberIds),
    sweepUsers: guarded(userSweep(deps)),
    validateOffboarding: guarded(validateOffboarding),
    removeAccess: guarded(removeAccess),
    userById: guarded(userById),
    userActivity: guarded((input: UserActivityInput) => readUserActivity(client, temporal, input)),
    ...reviewActivities({ ...deps, directory, groups }),
  };
}
