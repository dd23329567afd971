/**
 * The authorization record: contacts added to a tag field of the organization's Site Summary
 * flexible asset (docs/design.md §4.3), and taken out of it when their access is removed (§15). IT Glue deletes every trait a PATCH leaves out, and reads tag traits as objects
 * but takes them as id lists: so every trait is sent back, tags converted, only one field changed.
 * This read-modify-write runs only in the asset's single writer (workflows/authorization-record.ts),
 * so that two onboardings at one customer never drop each other's contact.
 */
import { wireIds, type ItGlueClient } from './client';
import { tagIds, type ItGlueDirectory } from './directory';
import { ItGlueError } from './errors';
import type { FlexibleAsset } from './schemas';

export interface AuthorizationTarget {
  orgId: string;
  /** The contacts to add (with `remove`, to take out); those already so are left as they are. */
  contactIds: string[];
  /** Take the contacts out of the field instead of adding them. */
  remove?: boolean;
  assetTypeName: string;
  fieldNameKey: string;
}

export interface AuthorizationWrite {
  /** The field's contacts after the write (as they were when nothing was written). */
  contactIds: string[];
  /** The contacts this write added: none when all were there already, and then nothing was sent. */
  added: string[];
  /** With `remove`: the contacts this write took out; none when none was there, and then nothing was sent. */
  removed?: string[];
}

/** Traits as IT Glue takes them back: tag traits (objects with `values`) as lists of ids. */
export function writableTraits(traits: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(traits).map(([key, value]) => {
      const isTag = value !== null && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { values?: unknown }).values);
      return [key, isTag ? wireIds(tagIds(value)) : value];
    }),
  );
}

/**
 * Adds the contacts missing from the field (with `remove`: takes out those in it) in one PATCH,
 * keeping every other trait and every other contact as it was. Nothing is written when there is
 * nothing to change; an organization without the asset has no contact to take out.
 */
export async function recordAuthorizations(client: ItGlueClient, directory: ItGlueDirectory, target: AuthorizationTarget): Promise<AuthorizationWrite> {
  const [asset, ...others] = await directory.flexibleAssetsOf(target.orgId, target.assetTypeName);
  if (!asset && target.remove) return { contactIds: [], added: [], removed: [] };
  if (!asset) {
    throw new ItGlueError('invalid', `organization ${target.orgId} has no "${target.assetTypeName}" flexible asset: create it, then resume`, null);
  }
  if (others.length > 0) {
    throw new ItGlueError('invalid', `organization ${target.orgId} has ${others.length + 1} "${target.assetTypeName}" assets: keep one, then resume`, null);
  }
  const current = tagIds(asset.traits[target.fieldNameKey]);
  if (target.remove) {
    const leaving = new Set(target.contactIds);
    const removed = [...new Set(current.filter((id) => leaving.has(id)))];
    if (removed.length === 0) return { contactIds: current, added: [], removed };
    const contactIds = current.filter((id) => !leaving.has(id));
    await writeField(client, asset, target.fieldNameKey, contactIds);
    return { contactIds, added: [], removed };
  }
  const added = [...new Set(target.contactIds)].filter((id) => !current.includes(id));
  if (added.length === 0) return { contactIds: current, added };
  const contactIds = [...current, ...added];
  await writeField(client, asset, target.fieldNameKey, contactIds);
  return { contactIds, added };
}

/** The asset with the field set to these contacts and every other trait sent back as it was read. */
async function writeField(client: ItGlueClient, asset: FlexibleAsset, fieldNameKey: string, contactIds: string[]): Promise<void> {
  const traits = writableTraits(asset.traits);
  traits[fieldNameKey] = wireIds(contactIds);
  await client.patch(`/flexible_assets/${encodeURIComponent(asset.id)}`, {
    data: { type: 'flexible-assets', attributes: { traits } },
  });
}
