/**
 * IT Glue's JSON:API resources (attribute names in kebab-case, ids as strings), checked with zod
 * and turned into the plain objects the rest of the program uses.
 */
import { z } from 'zod';
import type { ItGlueUser } from '../../workflows/types';

const id = z.union([z.string(), z.number()]).transform(String);
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
const optionalId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? null : String(v)));
const time = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

/**
 * A person's or organization's name on one line: line breaks and other control characters become
 * a space. Names are printed into Slack messages, mails and pages, where a line break in a name could
 * add a line of its own making (e.g. a fake "Approved by …" line in an onboarding's thread).
 */
export function oneLineName(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

const name = z.string().transform(oneLineName);
const nameText = text.transform(oneLineName);

const relationship = z.object({ data: z.union([z.array(z.object({ id, type: z.string() })), z.object({ id, type: z.string() }), z.null()]).optional() }).optional();

function resource<A extends z.ZodRawShape>(attributes: A) {
  return z.object({
    id,
    type: z.string(),
    attributes: z.looseObject(attributes),
    relationships: z.record(z.string(), relationship).optional(),
  });
}

/** The ids a relationship names (empty when absent). */
function relatedIds(r: { relationships?: Record<string, z.infer<typeof relationship>> }, name: string): string[] {
  const data = r.relationships?.[name]?.data;
  if (!data) return [];
  return (Array.isArray(data) ? data : [data]).map((d) => d.id);
}

export const organizationResource = resource({
  name,
  'short-name': text,
  'organization-type-name': text,
  'organization-status-name': text,
  primary: z.boolean().nullish(),
  'my-glue-account-id': optionalId,
}).transform((r) => ({
  id: r.id,
  name: r.attributes.name,
  shortName: r.attributes['short-name'],
  typeName: r.attributes['organization-type-name'],
  statusName: r.attributes['organization-status-name'],
  primary: r.attributes.primary === true,
  myGlueAccountId: r.attributes['my-glue-account-id'],
}));
export type ItGlueOrganization = z.output<typeof organizationResource>;

const contactEmail = z.object({
  value: z.string(),
  primary: z.boolean().nullish(),
  'label-name': text,
});

export const contactResource = resource({
  'organization-id': id,
  'organization-name': text,
  name: nameText,
  'first-name': nameText,
  'last-name': nameText,
  title: text,
  'contact-type-id': optionalId,
  'contact-type-name': text,
  important: z.boolean().nullish(),
  'contact-emails': z.array(contactEmail).nullish(),
}).transform((r) => {
  const a = r.attributes;
  const emails = (a['contact-emails'] ?? []).filter((e) => e.value.trim() !== '');
  // The invite goes to the primary email, else to the first one.
  const email = (emails.find((e) => e.primary) ?? emails[0])?.value.trim() ?? null;
  return {
    id: r.id,
    organizationId: a['organization-id'],
    organizationName: a['organization-name'],
    name: a.name || `${a['first-name']} ${a['last-name']}`.trim(),
    firstName: a['first-name'],
    lastName: a['last-name'],
    title: a.title,
    contactTypeId: a['contact-type-id'],
    contactTypeName: a['contact-type-name'],
    important: a.important ?? null,
    email,
  };
});
export type ItGlueContact = z.output<typeof contactResource>;

export const contactTypeResource = resource({ name: z.string() }).transform((r) => ({ id: r.id, name: r.attributes.name }));

const userAttributes = {
  name: text,
  'first-name': text,
  'last-name': text,
  // IT Glue may send null: such a user gets '' and matches no invitee.
  email: text,
  'role-name': text,
  'my-glue': z.boolean().nullish(),
  'invitation-sent-at': time,
  'invitation-accepted-at': time,
  'current-sign-in-at': time,
};

function itGlueUser(r: { id: string; attributes: z.output<z.ZodObject<typeof userAttributes>> }): ItGlueUser {
  return {
    id: r.id,
    email: r.attributes.email,
    roleName: r.attributes['role-name'],
    myGlue: r.attributes['my-glue'] === true,
    invitationSentAt: r.attributes['invitation-sent-at'],
    invitationAcceptedAt: r.attributes['invitation-accepted-at'],
    currentSignInAt: r.attributes['current-sign-in-at'],
  };
}

export const userResource = resource(userAttributes).transform(itGlueUser);

/**
 * A user as an access review reads it (docs/design.md §15.2): the onboarding's fields, its name,
 * and `last-sign-in-at` (with `current-sign-in-at`, whichever is later, the latest sign-in).
 */
export const reviewUserResource = resource({ ...userAttributes, name: nameText, 'last-sign-in-at': time }).transform((r) => ({
  ...itGlueUser(r),
  name: r.attributes.name || oneLineName(`${r.attributes['first-name']} ${r.attributes['last-name']}`.trim()),
  lastSignInAt: r.attributes['last-sign-in-at'],
}));
export type ReviewUser = z.output<typeof reviewUserResource>;

/**
 * A group's denied asset types ("Deny Asset Type Access", set in IT Glue's UI only), read with
 * `include=resource_type_restrictions`. Two shapes are understood:
 * - JSON:API: the group's relationship `resource-type-restrictions` lists restriction resources,
 *   and the document's `included` array holds them, each naming its asset type in
 *   `resource-type-name` (else `resource-type`, `restrictable-type` or `name`): see
 *   deniedResourceTypesOf;
 * - the same names (or objects with those fields) as a list in the group's own attributes.
 * Where a name cannot be told (the restrictions were not included, or one of them names no asset
 * type) the answer is null: unknown, never "nothing denied".
 */
const RESTRICTIONS_KEYS = ['resource-type-restrictions', 'resource_type_restrictions'];
const RESTRICTION_NAME_KEYS = ['resource-type-name', 'resource-type', 'restrictable-type', 'name'];
const RESTRICTION_TYPE = /^resource[-_]type[-_]restrictions?$/;

function restrictionName(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() ? oneLineName(value.trim()) : null;
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const fields = typeof record.attributes === 'object' && record.attributes !== null ? (record.attributes as Record<string, unknown>) : record;
  for (const key of RESTRICTION_NAME_KEYS) {
    const name = fields[key];
    if (typeof name === 'string' && name.trim()) return oneLineName(name.trim());
  }
  return null;
}

/** All the names, without repeats, or null when one of them is missing. */
function allNamed(names: Array<string | null>): string[] | null {
  return names.every((n): n is string => n !== null) ? [...new Set(names)] : null;
}

/**
 * The group's denied asset types: listed in its attributes, or named by the `included` resources
 * its `resource-type-restrictions` relationship points to; null when they cannot be told.
 */
export function deniedResourceTypesOf(group: Pick<GroupFields, 'deniedResourceTypes' | 'resourceTypeRestrictionIds'>, included: unknown[]): string[] | null {
  if (group.deniedResourceTypes) return group.deniedResourceTypes;
  if (!group.resourceTypeRestrictionIds) return null;
  const restrictions = included.filter(
    (x): x is { id: unknown; type: unknown } => typeof x === 'object' && x !== null && RESTRICTION_TYPE.test(String((x as { type?: unknown }).type)),
  );
  return allNamed(group.resourceTypeRestrictionIds.map((rid) => restrictionName(restrictions.find((x) => String(x.id) === rid))));
}

interface GroupFields {
  id: string;
  name: string;
  myGlue: boolean;
  memberIds: string[];
  organizationIds: string[];
  /**
   * Asset types the group denies its members (e.g. "Passwords"); null or absent when not known.
   * Read from the group alone here; ItGlueGroups.get completes it from the included restrictions.
   */
  deniedResourceTypes?: string[] | null;
  /** The related restriction resources' ids, when the relationship was included. */
  resourceTypeRestrictionIds?: string[] | null;
}

export const groupResource = resource({
  name: z.string(),
  description: text,
  'my-glue': z.boolean().nullish(),
}).transform((r): GroupFields => {
  const listed = RESTRICTIONS_KEYS.map((key) => r.attributes[key]).find((v) => Array.isArray(v));
  const related = RESTRICTIONS_KEYS.find((key) => r.relationships?.[key]?.data !== undefined);
  return {
    id: r.id,
    name: r.attributes.name,
    myGlue: r.attributes['my-glue'] === true,
    memberIds: relatedIds(r, 'users'),
    organizationIds: relatedIds(r, 'organizations'),
    deniedResourceTypes: Array.isArray(listed) ? allNamed(listed.map(restrictionName)) : null,
    resourceTypeRestrictionIds: related ? relatedIds(r, related) : null,
  };
});
export type ItGlueGroup = z.output<typeof groupResource> & {
  /** The organizations the group reaches, named where IT Glue included them (else by id). */
  organizations?: { id: string; name: string }[];
};

/** An included organization (`include=organizations`): its id and name. */
export const includedOrganization = z
  .object({ id, type: z.literal('organizations'), attributes: z.looseObject({ name }) })
  .transform((r) => ({ id: r.id, name: r.attributes.name }));

export const flexibleAssetTypeResource = resource({ name: z.string() }).transform((r) => ({ id: r.id, name: r.attributes.name }));

export const flexibleAssetResource = resource({
  name: text,
  'organization-id': id,
  'flexible-asset-type-id': id,
  traits: z.record(z.string(), z.unknown()).nullish(),
}).transform((r) => ({
  id: r.id,
  name: r.attributes.name,
  organizationId: r.attributes['organization-id'],
  typeId: r.attributes['flexible-asset-type-id'],
  traits: r.attributes.traits ?? {},
}));
export type FlexibleAsset = z.output<typeof flexibleAssetResource>;

/** A JSON:API document: one resource or a list, with the paging links. */
export const documentSchema = z.object({
  data: z.unknown(),
  included: z.array(z.unknown()).nullish(),
  links: z.object({ next: z.string().nullish() }).loose().optional(),
});
export const listDocumentSchema = documentSchema.extend({ data: z.array(z.unknown()) });
