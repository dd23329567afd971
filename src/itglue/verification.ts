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

/** The group's organization access: this organization (only, where the policy says so), within the limits. */
export function groupMismatches(group: ItGlueGroup, org: Organization, request: OnboardingRequest, policy: Policy): string[] {
  const found: string[] = [];
  const orgs = group.organizationIds;
  const others = orgs.filter((id) => id !== org.id);
  if (!orgs.includes(org.id)) {
    found.push(`The group "${group.name}" does not give access to ${org.name}: add the organization to the group (Account → Groups → ${group.name}).`);
  }
  const onlyThisBroken = policy.groups.onlyThisOrganization && others.length > 0;
  if (onlyThisBroken) {
    found.push(
      `The group "${group.name}" also gives access to ${others.length} other organization${others.length === 1 ? '' : 's'} (IT Glue ids ${others.join(', ')}); it must give access to ${org.name} only.`,
    );
  }
  const limit = request.kind === 'itglue' ? Math.min(policy.limits.maxOrganizations, LITE_MAX_ORGANIZATIONS) : policy.limits.maxOrganizations;
  // Where only this organization is allowed, the message above already says what to remove.
  if (orgs.length > limit && !onlyThisBroken) {
    found.push(`The group "${group.name}" gives access to ${orgs.length} organizations; at most ${limit} ${limit === 1 ? 'is' : 'are'} allowed${request.kind === 'itglue' && limit === LITE_MAX_ORGANIZATIONS ? ' for a Lite user' : ''}.`);
  }
  return found;
}
