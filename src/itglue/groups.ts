/**
 * IT Glue groups: find one by name, read its members and organizations, and add or remove members
 * by read-modify-write of the whole member list (PATCH replaces it). Concurrent writers would lose
 * each other's members, so the onboarding funnels every write to one group through a single
 * workflow (workflows/group-membership.ts), which calls `addMembers`.
 */
import { filterValue, wireIds, type ItGlueClient } from './client';
import { ItGlueError } from './errors';
import { deniedResourceTypesOf, groupResource, includedOrganization, type ItGlueGroup } from './schemas';

export class ItGlueGroups {
  constructor(private readonly client: ItGlueClient) {}

  /** The group with exactly this name, or null. */
  async byName(name: string): Promise<ItGlueGroup | null> {
    return (await this.byNames([name]))[0] ?? null;
  }

  /** The groups with exactly these names (null where there is none), found with one list request. */
  async byNames(names: string[]): Promise<(ItGlueGroup | null)[]> {
    const found = await this.client.list('/groups', groupResource, { 'filter[name]': filterValue(...names) });
    const groups: (ItGlueGroup | null)[] = [];
    for (const name of names) {
      const exact = found.filter((g) => g.name === name);
      if (exact.length > 1) throw new ItGlueError('invalid', `IT Glue has ${exact.length} groups named "${name}": rename all but one`, null);
      groups.push(exact[0] ? await this.get(exact[0].id) : null);
    }
    return groups;
  }

  /**
   * Every group the user is a member of (IT Glue and MyGlue groups alike), found with one paged
   * list of all groups and their members: its cost grows with the number of groups, not of users.
   */
  async groupsOf(userId: string): Promise<ItGlueGroup[]> {
    const groups: ItGlueGroup[] = [];
    for await (const page of this.client.pages('/groups', groupResource, { include: 'users' })) {
      groups.push(...page.filter((g) => g.memberIds.includes(userId)));
    }
    return groups;
  }

  /** The group with its members, organizations (named from the included organizations) and denied asset types. */
  async get(id: string): Promise<ItGlueGroup> {
    const { data, included } = await this.client.getWithIncluded(`/groups/${encodeURIComponent(id)}`, groupResource, {
      include: 'users,organizations,resource_type_restrictions',
    });
    const names = new Map<string, string>();
    for (const resource of included) {
      const organization = includedOrganization.safeParse(resource);
      if (organization.success) names.set(organization.data.id, organization.data.name);
    }
    return {
      ...data,
      deniedResourceTypes: deniedResourceTypesOf(data, included),
      organizations: data.organizationIds.map((orgId) => ({ id: orgId, name: names.get(orgId) ?? `organization ${orgId}` })),
    };
  }

  /** Creates a group that gives access to these organizations; returns it. */
  async create(name: string, organizationIds: string[]): Promise<ItGlueGroup> {
    const created = await this.client.post('/groups', groupResource, {
      data: { type: 'groups', attributes: { name, organization_ids: wireIds(organizationIds) } },
    });
    return { ...created, organizationIds, organizations: undefined };
  }

  /** Adds the users to the group, keeping every other member; one write for all of them. */
  async addMembers(groupId: string, userIds: string[]): Promise<ItGlueGroup> {
    return this.changeMembers(groupId, { add: userIds, remove: [] });
  }

  /**
   * Adds and removes members in one read-modify-write, keeping every other member; nothing is
   * written when the group already has them and lacks the others.
   */
  async changeMembers(groupId: string, change: { add: string[]; remove: string[] }): Promise<ItGlueGroup> {
    const group = await this.get(groupId);
    const remove = new Set(change.remove);
    const kept = group.memberIds.filter((id) => !remove.has(id));
    const missing = [...new Set(change.add)].filter((id) => !kept.includes(id) && !remove.has(id));
    if (missing.length === 0 && kept.length === group.memberIds.length) return group;
    const memberIds = [...kept, ...missing];
    await this.client.patch(`/groups/${encodeURIComponent(groupId)}`, {
      data: { type: 'groups', attributes: { accounts_user_ids: wireIds(memberIds) } },
    });
    return { ...group, memberIds };
  }
}
