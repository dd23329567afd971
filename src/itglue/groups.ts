/**
 * IT Glue groups: find one by name, read its members and organizations, and add members by
 * read-modify-write of the whole member list (PATCH replaces it). Concurrent writers would lose
 * each other's members, so the onboarding funnels every write to one group through a single
 * workflow (workflows/group-membership.ts), which calls `addMembers`.
 */
import { filterValue, wireIds, type ItGlueClient } from './client';
import { ItGlueError } from './errors';
import { groupResource, type ItGlueGroup } from './schemas';

export class ItGlueGroups {
  constructor(private readonly client: ItGlueClient) {}

  /** The group with exactly this name, or null. */
  async byName(name: string): Promise<ItGlueGroup | null> {
    const found = await this.client.list('/groups', groupResource, { 'filter[name]': filterValue(name) });
    const exact = found.filter((g) => g.name === name);
    if (exact.length > 1) throw new ItGlueError('invalid', `IT Glue has ${exact.length} groups named "${name}": rename all but one`, null);
    return exact[0] ? this.get(exact[0].id) : null;
  }

  /** The group with its members and organizations. */
  async get(id: string): Promise<ItGlueGroup> {
    return this.client.get(`/groups/${encodeURIComponent(id)}`, groupResource, { include: 'users,organizations' });
  }

  /** Adds the users to the group, keeping every other member; one write for all of them. */
  async addMembers(groupId: string, userIds: string[]): Promise<ItGlueGroup> {
    const group = await this.get(groupId);
    const missing = [...new Set(userIds)].filter((id) => !group.memberIds.includes(id));
    if (missing.length === 0) return group;
    const memberIds = [...group.memberIds, ...missing];
    await this.client.patch(`/groups/${encodeURIComponent(groupId)}`, {
      data: { type: 'groups', attributes: { accounts_user_ids: wireIds(memberIds) } },
    });
    return { ...group, memberIds };
  }
}
