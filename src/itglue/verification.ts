/**
 * Compares the IT Glue user the tech created with the request, and says each difference in
 * words a tech can act on in IT Glue's UI.
 */
import { LITE_MAX_ORGANIZATIONS, type Policy } from '../../workflows/policy';
import type { ItGlueUser, OnboardingRequest, Organization } from '../../workflows/types';
import type { ItGlueGroup } from './schemas';

export function expectedRole(request: OnboardingRequest): string {
  return request.kind === 'myglue' ? (request.myGlueRole ?? 'Creator') : 'Lite';
}

/** Role and kind (IT Glue or MyGlue) of the user. */
export function userMismatches(request: OnboardingRequest, user: ItGlueUser): string[] {
  const found: string[] = [];
  const wantMyGlue = request.kind === 'myglue';
  if (user.myGlue !== wantMyGlue) {
    found.push(
      wantMyGlue
        ? `${user.email} is an IT Glue user, but a MyGlue user was requested: delete it and invite them from the MyGlue tab (Account → Users → MyGlue).`
        : `${user.email} is a MyGlue user, but an IT Glue Lite user was requested: delete it and invite them from the IT Glue tab (Account → Users → IT Glue).`,
    );
  }
  const role = expectedRole(request);
  if (user.roleName.toLowerCase() !== role.toLowerCase()) {
    found.push(`The role of ${user.email} is "${user.roleName || 'none'}"; it must be "${role}" (Account → Users → edit the user → Role).`);
  }
  return found;
}

/**
 * A customer's own group (the `group` model, and MyGlue groups): it reaches this organization, only
 * this one where the policy allows one organization, and never more than the limit.
 */
export function groupMismatches(group: ItGlueGroup, org: Organization, request: OnboardingRequest, policy: Policy): string[] {
  const found: string[] = [];
  const orgs = group.organizationIds;
  const others = orgs.filter((id) => id !== org.id);
  if (!orgs.includes(org.id)) {
    found.push(`The group "${group.name}" does not give access to ${org.name}: add the organization to the group (Account → Groups → ${group.name}).`);
  }
  // Policies carried by onboardings started before the setting said so with onlyThisOrganization.
  const onlyThis = policy.groups.onlyThisOrganization ?? policy.limits.maxOrganizations === 1;
  const onlyThisBroken = onlyThis && others.length > 0;
  if (onlyThisBroken) {
    found.push(
      `The group "${group.name}" also gives access to ${others.length} other organization${others.length === 1 ? '' : 's'} (IT Glue ids ${others.join(', ')}); it must give access to ${org.name} only.`,
    );
  }
  const limit = request.kind === 'itglue' ? Math.min(policy.limits.maxOrganizations, LITE_MAX_ORGANIZATIONS) : policy.limits.maxOrganizations;
  // Where only this organization is allowed, the message above already says what to remove.
  if (orgs.length > limit && !onlyThisBroken) {
    found.push(
      `The group "${group.name}" gives access to ${orgs.length} organizations; at most ${limit} ${limit === 1 ? 'is' : 'are'} allowed${request.kind === 'itglue' && limit === LITE_MAX_ORGANIZATIONS ? ' for a Lite user' : ''}.`,
    );
  }
  return found;
}

/** "Bluebird Logistics and Smith": the organizations by name, as IT Glue included them. */
function organizationList(organizations: { name: string }[]): string {
  const names = organizations.map((o) => `"${o.name}"`);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * A customer group shared by every customer (the `per-user` model) must reach no organization but
 * the shared ones: any other it reaches, every customer in the group can see. This is for managers
 * to fix in the group itself; the onboarding's own organization is given on the user, never by
 * widening the group, and no customer is to be taken out of it for this. Null when the group is right.
 */
export function sharedGroupMismatch(group: ItGlueGroup, policy: Policy): string | null {
  const shared = new Set(policy.groups.sharedOrganizations ?? []);
  const organizations = group.organizations ?? group.organizationIds.map((id) => ({ id, name: `organization ${id}` }));
  const outside = organizations.filter((o) => !shared.has(o.id));
  if (outside.length === 0) return null;
  const one = outside.length === 1;
  return (
    `The customer group "${group.name}" is shared by every customer, but gives access to ${organizationList(outside)} ` +
    `(IT Glue id${one ? '' : 's'} ${outside.map((o) => o.id).join(', ')}): every user in the group can see ${one ? 'that organization' : 'those organizations'}. ` +
    `Remove ${one ? 'it' : 'them'} from the group in IT Glue (Account → Groups → ${group.name} → Organizations); ` +
    `each customer user gets their own organization on the user.`
  );
}
