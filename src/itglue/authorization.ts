/**
 * The authorization record: the contact added to a tag field of the organization's Site Summary
 * flexible asset. IT Glue deletes every trait a PATCH leaves out, and reads tag traits as objects
 * but takes them as id lists: so every trait is sent back, tags converted, only one field changed.
 */
import { wireIds, type ItGlueClient } from './client';
import { tagIds, type ItGlueDirectory } from './directory';
import { ItGlueError } from './errors';

export interface AuthorizationTarget {
  orgId: string;
  contactId: string;
  assetTypeName: string;
  fieldNameKey: string;
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

/** Returns false when the contact was already recorded (nothing written). */
export async function recordAuthorization(client: ItGlueClient, directory: ItGlueDirectory, target: AuthorizationTarget): Promise<boolean> {
  const [asset, ...others] = await directory.flexibleAssetsOf(target.orgId, target.assetTypeName);
  if (!asset) {
    throw new ItGlueError('invalid', `organization ${target.orgId} has no "${target.assetTypeName}" flexible asset: create it, then resume`, null);
  }
  if (others.length > 0) {
    throw new ItGlueError('invalid', `organization ${target.orgId} has ${others.length + 1} "${target.assetTypeName}" assets: keep one, then resume`, null);
  }
  const current = tagIds(asset.traits[target.fieldNameKey]);
  if (current.includes(target.contactId)) return false;
  const traits = writableTraits(asset.traits);
  traits[target.fieldNameKey] = wireIds([...current, target.contactId]);
  await client.patch(`/flexible_assets/${encodeURIComponent(asset.id)}`, {
    data: { type: 'flexible-assets', attributes: { traits } },
  });
  return true;
}
