/**
 * What the Slack modals read from IT Glue: organizations for the type-ahead, an organization's
 * contacts and primary contact, users by email, and the groups whose organization access the
 * request would grant. Reads only; every change goes through the onboarding workflow.
 */
import type { PrimaryContactRule } from '../../workflows/policy';
import type { ItGlueUser } from '../../workflows/types';
import { filterValue, type ItGlueClient } from '../itglue/client';
import { ItGlueDirectory, type PrimaryContactResult } from '../itglue/directory';
import { ItGlueGroups } from '../itglue/groups';
import { contactResource, groupResource, type ItGlueContact, type ItGlueGroup, type ItGlueOrganization } from '../itglue/schemas';

export class SlackDirectory {
  private readonly directory: ItGlueDirectory;
  private readonly groups: ItGlueGroups;
  private readonly contacts = new Map<string, { at: number; list: Promise<ItGlueContact[]> }>();

  constructor(
    private readonly client: ItGlueClient,
    /** How long an organization's contact list is reused between the steps of one modal. */
    private readonly contactsTtlMs = 30_000,
  ) {
    this.directory = new ItGlueDirectory(client);
    this.groups = new ItGlueGroups(client);
  }

  searchOrganizations(text: string, limit = 100): Promise<ItGlueOrganization[]> {
    return this.directory.searchOrganizations(text, limit);
  }

  organization(id: string): Promise<ItGlueOrganization | null> {
    return this.directory.organization(id);
  }

  /** The organization's contacts, reused for a few seconds (the modal reads them at each step). */
  contactsOf(orgId: string, fresh = false): Promise<ItGlueContact[]> {
    const now = Date.now();
    const cached = this.contacts.get(orgId);
    if (!fresh && cached && now - cached.at < this.contactsTtlMs) return cached.list;
    const list = this.directory.contactsOf(orgId);
    this.contacts.set(orgId, { at: now, list });
    list.catch(() => this.contacts.delete(orgId));
    return list;
  }

  /** Always read afresh: the submission is checked against IT Glue as it is now. */
  contact(id: string): Promise<ItGlueContact | null> {
    return this.directory.contact(id);
  }

  /** Contacts whose primary email is this address (any organization). */
  contactsByEmail(email: string): Promise<ItGlueContact[]> {
    return this.client.list('/contacts', contactResource, { 'filter[primary_email]': filterValue(email.trim()) });
  }

  async primaryContact(orgId: string, rule: PrimaryContactRule): Promise<PrimaryContactResult> {
    if (rule.kind === 'flexible-asset-tag') return this.directory.primaryContact(orgId, rule);
    // The contact-type and important rules read the contact list, which is cached here.
    const contacts = await this.contactsOf(orgId);
    const found =
      rule.kind === 'important'
        ? contacts.filter((c) => c.important === true)
        : contacts.filter((c) => c.contactTypeName.toLowerCase() === rule.contactTypeName.toLowerCase());
    if (found.length === 1) return { kind: 'one', contact: found[0]! };
    return found.length === 0 ? { kind: 'none' } : { kind: 'several', candidates: found };
  }

  userByEmail(email: string): Promise<ItGlueUser | null> {
    return this.directory.userByEmail(email);
  }

  groupByName(name: string): Promise<ItGlueGroup | null> {
    return this.groups.byName(name);
  }

  group(id: string): Promise<ItGlueGroup> {
    return this.groups.get(id);
  }

  /** MyGlue groups that give access to the organization. */
  async myGlueGroupsOf(orgId: string): Promise<ItGlueGroup[]> {
    const all = await this.client.list('/groups', groupResource, { include: 'organizations' });
    return all.filter((g) => g.myGlue && g.organizationIds.includes(orgId)).sort((a, b) => a.name.localeCompare(b.name));
  }
}
