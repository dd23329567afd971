/**
 * What the onboarding reads from IT Glue: organizations (type-ahead), an organization's contacts,
 * the primary contact by the configured rule, and users by email.
 */
import type { PrimaryContactRule } from '../../workflows/policy';
import type { ItGlueUser } from '../../workflows/types';
import { filterValue, type ItGlueClient } from './client';
import { ItGlueError } from './errors';
import {
  contactResource,
  contactTypeResource,
  flexibleAssetResource,
  flexibleAssetTypeResource,
  organizationResource,
  userResource,
  type ItGlueContact,
  type ItGlueOrganization,
} from './schemas';

/** Whether an id can name one resource in a path (`.` and `..` would name another path). */
function isIdSegment(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && id !== '.' && id !== '..';
}

export type PrimaryContactResult = { kind: 'one'; contact: ItGlueContact } | { kind: 'none' } | { kind: 'several'; candidates: ItGlueContact[] };

/** Whether the primary-contact rule names this contact (alone or among several). */
export function isPrimaryContact(found: PrimaryContactResult, contactId: string): boolean {
  if (found.kind === 'one') return found.contact.id === contactId;
  return found.kind === 'several' && found.candidates.some((c) => c.id === contactId);
}

export class ItGlueDirectory {
  private organizations: { at: number; list: Promise<ItGlueOrganization[]> } | null = null;

  constructor(
    private readonly client: ItGlueClient,
    /** How long the organization list is reused for type-ahead (default 60 s). */
    private readonly organizationsTtlMs = 60_000,
  ) {}

  /** Customer organizations whose name contains `text` (case-insensitive), best matches first. */
  async searchOrganizations(text: string, limit = 50): Promise<ItGlueOrganization[]> {
    const now = Date.now();
    if (!this.organizations || now - this.organizations.at > this.organizationsTtlMs) {
      const list = this.client.list('/organizations', organizationResource, { sort: 'name' });
      this.organizations = { at: now, list };
      list.catch(() => (this.organizations = null));
    }
    const needle = text.trim().toLowerCase();
    const customers = (await this.organizations.list).filter((o) => !o.primary);
    const matches = customers.filter((o) => o.name.toLowerCase().includes(needle));
    const rank = (o: ItGlueOrganization) => (o.name.toLowerCase().startsWith(needle) ? 0 : 1);
    return matches.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)).slice(0, limit);
  }

  /** The organization, or null when IT Glue has no such id. */
  async organization(id: string): Promise<ItGlueOrganization | null> {
    if (!isIdSegment(id)) return null;
    return orNull(this.client.get(`/organizations/${encodeURIComponent(id)}`, organizationResource));
  }

  async contact(id: string): Promise<ItGlueContact | null> {
    if (!isIdSegment(id)) return null;
    return orNull(this.client.get(`/contacts/${encodeURIComponent(id)}`, contactResource));
  }

  /** Every contact of the organization (filters work on the top-level route only). */
  async contactsOf(orgId: string): Promise<ItGlueContact[]> {
    return this.client.list('/contacts', contactResource, { 'filter[organization_id]': filterValue(orgId) });
  }

  /**
   * The organization's primary contact by the policy's rule; `several` and `none` leave the choice
   * to the tech. `known`: the organization's contacts where the caller has read them already.
   */
  async primaryContact(orgId: string, rule: PrimaryContactRule, known?: ItGlueContact[]): Promise<PrimaryContactResult> {
    const all = () => (known ? Promise.resolve(known) : this.contactsOf(orgId));
    let found: ItGlueContact[];
    if (rule.kind === 'flexible-asset-tag') {
      const ids = await this.taggedContactIds(orgId, rule.assetTypeName, rule.fieldNameKey);
      found = (await all()).filter((c) => ids.includes(c.id));
    } else {
      const contacts = await all();
      found =
        rule.kind === 'important'
          ? contacts.filter((c) => c.important === true)
          : contacts.filter((c) => c.contactTypeName.toLowerCase() === rule.contactTypeName.toLowerCase());
    }
    if (found.length === 1) return { kind: 'one', contact: found[0]! };
    return found.length === 0 ? { kind: 'none' } : { kind: 'several', candidates: found };
  }

  /** Whether IT Glue has a contact type of this name (compared case-insensitively, as the rule is). */
  async hasContactType(name: string): Promise<boolean> {
    const types = await this.client.list('/contact_types', contactTypeResource);
    return types.some((t) => t.name.toLowerCase() === name.toLowerCase());
  }

  /** Contact ids in a tag field of the organization's flexible asset(s) of that type. */
  private async taggedContactIds(orgId: string, assetTypeName: string, fieldNameKey: string): Promise<string[]> {
    const assets = await this.flexibleAssetsOf(orgId, assetTypeName);
    return assets.flatMap((asset) => tagIds(asset.traits[fieldNameKey]));
  }

  async flexibleAssetsOf(orgId: string, assetTypeName: string) {
    const [type] = await this.client.list('/flexible_asset_types', flexibleAssetTypeResource, {
      'filter[name]': filterValue(assetTypeName),
    });
    if (!type) throw new ItGlueError('invalid', `IT Glue has no flexible asset type named "${assetTypeName}": create it or fix the policy`, null);
    return this.client.list('/flexible_assets', flexibleAssetResource, {
      'filter[flexible_asset_type_id]': filterValue(type.id),
      'filter[organization_id]': filterValue(orgId),
    });
  }

  /** The IT Glue user with this email, compared case-insensitively; null when there is none. */
  async userByEmail(email: string): Promise<ItGlueUser | null> {
    const wanted = email.trim().toLowerCase();
    const users = await this.client.list('/users', userResource, { 'filter[email]': filterValue(email.trim()) });
    const exact = users.find((u) => u.email.toLowerCase() === wanted);
    if (exact) return exact;
    // Where the filter is case-sensitive, a differently cased address is only found by listing.
    if (email.trim() === wanted) return null;
    const lower = await this.client.list('/users', userResource, { 'filter[email]': filterValue(wanted) });
    return lower.find((u) => u.email.toLowerCase() === wanted) ?? null;
  }
}

/** A tag trait as read ({type, values: [{id, name}]}) or as written (a list of ids), as ids. */
export function tagIds(trait: unknown): string[] {
  if (Array.isArray(trait)) return trait.map(String);
  const values = (trait as { values?: { id: unknown }[] } | null | undefined)?.values;
  return Array.isArray(values) ? values.map((v) => String(v.id)) : [];
}

async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ItGlueError && error.kind === 'not-found') return null;
    throw error;
  }
}
