/**
 * A fake IT Glue JSON:API server for tests, on loopback over node:http. It speaks the wire format
 * described in shared/reference/itglue-api.md, so a client works against it as against IT Glue.
 *
 * Wire format
 * - `x-api-key` missing or wrong → 401 (or 403 with `settings.badKeyStatus`, since IT Glue's docs
 *   disagree). Errors are always `{errors: [{status, title, detail}]}`; every response is
 *   `Content-Type: application/vnd.api+json`.
 * - Resources: `{id: "123", type, attributes}` with kebab-case attribute names; `…-id` attributes
 *   are numbers, dates RFC 3339 UTC (`2024-01-02T09:00:00.000Z`), empty values `null`.
 * - Paging: `page[size]` (default 50, at most 1000) and `page[number]` (from 1). A larger size is
 *   clamped to 1000, as "the maximum number of results that can be requested is 1000" reads;
 *   `settings.oversizedPage = 'reject'` answers 422 instead. A size or number that is not a positive
 *   integer → 422; a page past the last is empty. `meta` has current-page, next-page, prev-page
 *   (null when none), total-pages, total-count and an empty `filters` object; `links` has self,
 *   first and last always, next and prev only when that page exists
 *   (JSON:API lets a server omit an unavailable link). Links are absolute, keep every query
 *   parameter and carry the effective `page[size]`, so a client can follow `links.next` as is.
 * - Filters: `filter[field]=a,b` matches a OR b; `\,` is a literal comma; values are not trimmed.
 *   Names are snake_case, as documented per route. A filter the route does not support → 422
 *   (so a misspelt or kebab-case filter fails loudly instead of silently returning everything).
 *   Id filters must be numbers, booleans one of true / false / 1 / 0 (null never matches), text is
 *   exact and case-sensitive. `filter[email]` (users) and `filter[primary_email]` (contacts) are
 *   case-insensitive by default, case-sensitive with `settings.emailFilter = 'case-sensitive'`.
 *   `/organizations/:id/relationships/contacts` ignores every filter (paging and sort still apply).
 *   `GET /flexible_assets` without `filter[flexible_asset_type_id]` → 422.
 * - `sort=field,-other` with the fields each route documents; anything else → 422. Ties (and no
 *   sort) order by numeric id.
 * - `include=` with the relationships a route documents and this server implements (groups:
 *   users, organizations, resource_type_restrictions; flexible asset types: flexible_asset_fields)
 *   → relationship `data` and a top-level `included` array; other includes → 422. A group shows its
 *   relationships only when included; a flexible asset type always lists its field ids, as IT
 *   Glue's samples show.
 * - A group's denied asset types (`include=resource_type_restrictions`). IT Glue documents the
 *   include (and community clients such as the ITGlue PowerShell wrapper offer it) but publishes no
 *   sample of what it returns, so this server renders it the way IT Glue renders every other
 *   include: the relationship under its kebab-case key, `resource-type-restrictions`, lists
 *   `{id, type: 'resource-type-restrictions'}` (one per denied asset type; ids are numbers as
 *   strings, as everywhere), and `included` holds those resources with kebab-case attributes:
 *   `group-id` (a number, like every `…-id`), `resource-type-name` (the asset type as the UI and
 *   `/user_metrics` name it: `Passwords`, `Configurations`, or a flexible asset type's name, in the
 *   style of `contact-type-name` / `organization-type-name`), `created-at`, `updated-at`. The
 *   restrictions cannot be changed through the API (only in IT Glue's UI); tests set them in `data`
 *   (`resource-type-restrictions` of a group). The client also reads a plainer shape, the names
 *   listed in the group's attributes, should IT Glue answer that way (src/itglue/schemas.ts).
 * - PATCH / POST need `Content-Type: application/vnd.api+json` (parameters such as charset are
 *   tolerated) → else 415; a body that is not JSON → 400; a body over 10 MB → 413; a JSON body that
 *   does not validate (no `data.attributes`, wrong `data.type`, unknown attribute, unknown id) → 422.
 *   Body attribute names are snake_case (`accounts_user_ids`); the kebab-case spelling of the same
 *   name is accepted too, as IT Glue's own request samples use it. `data.type` may be written
 *   kebab- or snake-case (`flexible-assets` / `flexible_assets`), as IT Glue's docs show both.
 * - `POST /groups` creates a group (201): `name` (unique, else 422), `organization_ids`,
 *   `accounts_user_ids`, `my_glue_account_id`, as IT Glue's sample for creating a group with
 *   organization access reads; unknown ids → 422.
 * - `PATCH /groups/:id` with `accounts_user_ids` REPLACES the members (`[]` empties the group;
 *   `null` or absent leaves them). Unknown user ids → 422. `name`, `description` and
 *   `hide_from_my_glue` may be set too; `organization_ids` is not documented for PATCH → 422 (set
 *   a group's organizations through `data` in tests).
 * - `PATCH /flexible_assets/:id`: when `traits` is sent, every trait left out — or sent as null,
 *   or as an empty list / empty string — is deleted. Tag traits are written as an id or a list of
 *   ids (numbers or numeric strings) and read back as `{type: 'Contacts', values: [{id, name, …}]}`;
 *   writing the read shape, an unknown trait key, an unknown tagged id, a wrong value type or a
 *   missing required trait → 422. Without `traits` the traits stay as they are.
 *
 * - `GET /user_metrics`: IT Glue's daily activity figures, one resource per user, organization,
 *   resource type and UTC day, as IT Glue's API reference ("accounts › user metrics daily") and the
 *   clients that wrap it show them (the ITGlue PowerShell modules' Get-ITGlueUserMetric(s), the
 *   sample answer in a Go client's tests): type `user-metrics`, attributes `user-id` and
 *   `organization-id` (numbers), `resource-type` (e.g. `Passwords`, `Configurations`,
 *   `Active Directory`), `date` (`2020-11-23`) and the counts `created`, `viewed`, `edited`,
 *   `deleted`; no organization name, no relationships, no includes. Filters `filter[user_id]`,
 *   `filter[organization_id]`, `filter[resource_type]` and `filter[date]=start_date,end_date`
 *   (UTC days, both included; `*` for an open end, here today). "Date ranges longer than a week may
 *   be disallowed": this server refuses them (422), and an open start with them (a third-party
 *   client also says IT Glue refuses an open start), as it does a value that is not two days.
 *   Sorts: id, created, viewed, edited, deleted, date (`-` descending). Paging as every list.
 *
 * Test controls: `data` (mutable records), `requests` (every request as received: method, path,
 * decoded query, parsed body, status, time; never the api key), `failNext` (injected 429 / 5xx,
 * `Retry-After` only when `retryAfterSeconds` is given), `failFor` (the same for every matching
 * request during a time window: an outage), `onRequest` (a listener told of each request as it
 * arrives, before its answer is chosen), `delayNext` (slow responses), `answerNext` (a 200 with a
 * body of the test's making, e.g. one that is not a JSON:API document, or one made from the request),
 * `redirectNext` (a 3xx with a Location of the test's choice), `settings`
 * (switches above plus an optional real rate limit), `load` (replace the records), `reset`.
 * A rule's `path` is matched against the request's path without the query: a string must be equal,
 * a RegExp must match; its `where`, when given, must hold for the request too. Injected failures,
 * answers, redirects and delays apply before the api key is checked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  defaultSeed,
  makeGroup,
  type FakeContact,
  type FakeContactType,
  type FakeFlexibleAsset,
  type FakeFlexibleAssetField,
  type FakeFlexibleAssetType,
  type FakeGroup,
  type FakeItGlueData,
  type FakeItGlueSeed,
  type FakeOrganization,
  type FakeUser,
  type FakeUserMetric,
} from './itglue-data';

export * from './itglue-data';

export const JSON_API = 'application/vnd.api+json';
export const DEFAULT_API_KEY = 'ITG.test-key';
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 50;
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface FakeItGlueSettings {
  /** Status for a missing or wrong `x-api-key`. */
  badKeyStatus: 401 | 403;
  /** How `filter[email]` (users) and `filter[primary_email]` (contacts) compare. */
  emailFilter: 'case-insensitive' | 'case-sensitive';
  /** `page[size]` over 1000: clamp to 1000, or answer 422. */
  oversizedPage: 'clamp' | 'reject';
  /** When set, authorized requests beyond `requests` per `windowMs` get 429 (IT Glue: 3000 / 5 min). */
  rateLimit: { requests: number; windowMs: number; retryAfterSeconds?: number } | null;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/users`. */
  path: string;
  /** Query parameters, decoded (`filter[name]` → `Smith\, Jones & Co`); a repeated name keeps its last value. */
  query: Record<string, string>;
  /** Parsed JSON body, or null (no body, or not JSON). */
  body: unknown;
  /** Request `Content-Type`, or null. */
  contentType: string | null;
  /** Whether the request carried the accepted key, another one, or none (the value is never kept). */
  apiKey: 'valid' | 'invalid' | 'missing';
  /** Status answered; 0 until the response is written. */
  status: number;
  /** Arrival time, ms since the epoch. */
  time: number;
  /** True when the client went away before the response was written (e.g. its timeout fired). */
  aborted: boolean;
}

export type PathMatcher = RegExp | string;

export interface FailRule {
  status: 429 | 500 | 502 | 503;
  times: number;
  retryAfterSeconds?: number;
  path?: PathMatcher;
  method?: string;
  /** Further condition on the request (e.g. its query). */
  where?: (request: RecordedRequest) => boolean;
}

export interface DelayRule {
  ms: number;
  times: number;
  path?: PathMatcher;
  method?: string;
  where?: (request: RecordedRequest) => boolean;
}

export interface AnswerRule {
  /** The response body, sent as is with status 200 and the JSON:API content type; or made from the request. */
  body: string | ((request: RecordedRequest) => string);
  times: number;
  path?: PathMatcher;
  method?: string;
  where?: (request: RecordedRequest) => boolean;
}

export interface RedirectRule {
  /** The Location header, sent as is. */
  location: string;
  status?: 301 | 302 | 303 | 307 | 308;
  times: number;
  path?: PathMatcher;
  method?: string;
  where?: (request: RecordedRequest) => boolean;
}

export interface FakeItGlue {
  /** Base URL, e.g. http://127.0.0.1:PORT (the client appends /organizations etc.). */
  url: string;
  /** The key it accepts. */
  apiKey: string;
  /** Mutable in-memory records. */
  data: FakeItGlueData;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  settings: FakeItGlueSettings;
  /** The next `times` matching requests fail with `status`. */
  failNext(rule: FailRule): void;
  /** Every matching request in the next `ms` fails with `status` (after any `failNext` rule it matches). */
  failFor(ms: number, rule: Omit<FailRule, 'times'>): void;
  /**
   * Calls `listener` with each request as it arrives, before its answer is chosen: a `failNext` or
   * `failFor` it adds applies to that request already. Returns a function that removes it.
   */
  onRequest(listener: (request: RecordedRequest) => void): () => void;
  /** The next `times` matching requests are answered `ms` later. */
  delayNext(rule: DelayRule): void;
  /** The next `times` matching requests are answered 200 with `body` (after any `failNext` rule it matches). */
  answerNext(rule: AnswerRule): void;
  /** The next `times` matching requests are answered with a redirect (default 302) to `location` (after any `failNext` or `answerNext` rule it matches). */
  redirectNext(rule: RedirectRule): void;
  /** Replaces every collection's records (in place) with a copy of `seed`'s. */
  load(seed: FakeItGlueSeed): void;
  /** Clears requests, fail rules and windows, delay, answer and redirect rules and the rate-limit window (not data, settings or listeners). */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeItGlueOptions {
  apiKey?: string;
  /** Records to start with (copied); default `defaultSeed()`. */
  seed?: FakeItGlueSeed;
  settings?: Partial<FakeItGlueSettings>;
}

// ---------------------------------------------------------------------------------------------
// Errors and small helpers

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function fail(status: number, detail: string): never {
  throw new ApiError(status, TITLES[status] ?? 'Error', detail);
}

function invalid(detail: string): never {
  return fail(422, detail);
}

function errorBody(status: number, title: string, detail: string) {
  return { errors: [{ status: String(status), title, detail }] };
}

/** `…-id` attributes go on the wire as numbers (IT Glue's ids are numeric). */
function wireId(id: string | null): number | string | null {
  if (id === null) return null;
  return /^\d+$/.test(id) ? Number(id) : id;
}

function isIdLike(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && /^\d+$/.test(value));
}

function numericIdOrder(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
  return x - y;
}

/** `a,b\,c` → `['a', 'b,c']`. */
export function splitFilterValue(raw: string): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (char === '\\' && raw[i + 1] === ',') {
      current += ',';
      i++;
    } else if (char === ',') {
      values.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  values.push(current);
  return values;
}

function parseBoolean(value: unknown, name: string): boolean {
  if (value === true || value === 'true' || value === 1 || value === '1') return true;
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  return invalid(`${name} must be one of: true, false, 1, 0`);
}

function matches(matcher: PathMatcher | undefined, path: string): boolean {
  if (matcher === undefined) return true;
  return typeof matcher === 'string' ? matcher === path : new RegExp(matcher.source, matcher.flags.replace('g', '')).test(path);
}

function kebabToSnake(name: string): string {
  return name.replace(/-/g, '_');
}

// ---------------------------------------------------------------------------------------------
// Resources

interface Ref {
  id: string;
  type: string;
}

interface ResourceObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data: Ref[] | Ref | null }>;
}

/** `date-range`: `start,end` of UTC days (see dateRange). */
type FilterKind = 'id' | 'text' | 'email' | 'boolean' | 'date-range';

interface FilterSpec<R> {
  kind: FilterKind;
  /** The record's values for this filter (several for a to-many relation). */
  values(record: R): Array<string | boolean | null>;
}

interface Relation<R> {
  /** Relationship key in the document. */
  key: string;
  related(record: R): ResourceObject[];
  /** Shown (as `data`, not `included`) even when not included. */
  always?: boolean;
}

interface Collection<R extends { id: string }> {
  type: string;
  records(): R[];
  attributes(record: R): Record<string, unknown>;
  filters: Record<string, FilterSpec<R>>;
  sorts: Record<string, (record: R) => string | number | null>;
  requiredFilters?: string[];
  /** By include name (snake_case, as in `?include=`). */
  relations?: Record<string, Relation<R>>;
}

function collections(data: FakeItGlueData, settings: FakeItGlueSettings) {
  const orgById = (id: string) => data.organizations.find((o) => o.id === id);
  const contactTypeById = (id: string | null) => (id === null ? undefined : data.contactTypes.find((t) => t.id === id));
  const typeById = (id: string) => data.flexibleAssetTypes.find((t) => t.id === id);
  const primaryEmail = (c: FakeContact) => (c['contact-emails'].find((e) => e.primary) ?? c['contact-emails'][0])?.value ?? null;

  const organization = (o: FakeOrganization): ResourceObject => ({
    id: o.id,
    type: 'organizations',
    attributes: {
      name: o.name,
      alert: null,
      description: o.description,
      'organization-type-id': wireId(o['organization-type-id']),
      'organization-type-name': o['organization-type-name'],
      'organization-status-id': wireId(o['organization-status-id']),
      'organization-status-name': o['organization-status-name'],
      primary: o.primary,
      logo: '',
      'quick-notes': o['quick-notes'],
      'short-name': o['short-name'],
      'my-glue-account-id': wireId(o['my-glue-account-id']),
      'created-at': o['created-at'],
      'updated-at': o['updated-at'],
    },
  });

  const contactTypeResource = (t: FakeContactType): ResourceObject => ({
    id: t.id,
    type: 'contact-types',
    attributes: { name: t.name, 'created-at': t['created-at'], 'updated-at': t['updated-at'] },
  });

  const contact = (c: FakeContact): ResourceObject => ({
    id: c.id,
    type: 'contacts',
    attributes: {
      'organization-id': wireId(c['organization-id']),
      'organization-name': orgById(c['organization-id'])?.name ?? null,
      name: c.name,
      'first-name': c['first-name'],
      'last-name': c['last-name'],
      title: c.title,
      'contact-type-id': wireId(c['contact-type-id']),
      'contact-type-name': contactTypeById(c['contact-type-id'])?.name ?? null,
      'location-id': null,
      'location-name': null,
      important: c.important,
      notes: c.notes,
      'created-at': c['created-at'],
      'updated-at': c['updated-at'],
      'contact-emails': c['contact-emails'].map((e) => ({ ...e })),
      'contact-phones': c['contact-phones'].map((p) => ({ ...p })),
    },
  });

  const user = (u: FakeUser): ResourceObject => ({
    id: u.id,
    type: 'users',
    attributes: {
      name: u.name,
      'first-name': u['first-name'],
      'last-name': u['last-name'],
      'role-name': u['role-name'],
      email: u.email,
      avatar: u.avatar,
      'invitation-sent-at': u['invitation-sent-at'],
      'invitation-accepted-at': u['invitation-accepted-at'],
      'current-sign-in-at': u['current-sign-in-at'],
      'current-sign-in-ip': u['current-sign-in-ip'],
      'last-sign-in-at': u['last-sign-in-at'],
      'last-sign-in-ip': u['last-sign-in-ip'],
      reputation: u.reputation,
      'my-glue': u['my-glue'],
      'my-glue-account-id': wireId(u['my-glue-account-id']),
      'created-at': u['created-at'],
      'updated-at': u['updated-at'],
    },
  });

  const group = (g: FakeGroup): ResourceObject => ({
    id: g.id,
    type: 'groups',
    attributes: {
      name: g.name,
      description: g.description,
      'my-glue': g['my-glue'],
      'my-glue-account-id': wireId(g['my-glue-account-id']),
      'hide-from-my-glue': g['hide-from-my-glue'],
      'created-at': g['created-at'],
      'updated-at': g['updated-at'],
    },
  });

  /** One denied asset type of a group; its id is derived from the group's and stays the same between requests. */
  const resourceTypeRestriction = (g: FakeGroup, name: string, index: number): ResourceObject => ({
    id: String(Number(g.id) * 1000 + index + 1),
    type: 'resource-type-restrictions',
    attributes: {
      'group-id': wireId(g.id),
      'resource-type-name': name,
      'created-at': g['created-at'],
      'updated-at': g['updated-at'],
    },
  });

  const fieldResource = (f: FakeFlexibleAssetField, typeId: string): ResourceObject => ({
    id: f.id,
    type: 'flexible-asset-fields',
    attributes: {
      'flexible-asset-type-id': wireId(typeId),
      order: f.order,
      name: f.name,
      kind: f.kind,
      hint: f.hint,
      decimals: f.decimals,
      'default-value': f['default-value'],
      'tag-type': f['tag-type'],
      required: f.required,
      'use-for-title': f['use-for-title'],
      expiration: f.expiration,
      'show-in-list': f['show-in-list'],
      'name-key': f['name-key'],
      'created-at': f['created-at'],
      'updated-at': f['updated-at'],
    },
    relationships: { 'flexible-asset-type': { data: { id: typeId, type: 'flexible-asset-types' } } },
  });

  const flexibleAssetType = (t: FakeFlexibleAssetType): ResourceObject => ({
    id: t.id,
    type: 'flexible-asset-types',
    attributes: {
      name: t.name,
      description: t.description,
      icon: t.icon,
      enabled: t.enabled,
      'show-in-menu': t['show-in-menu'],
      'created-at': t['created-at'],
      'updated-at': t['updated-at'],
    },
  });

  const tagValue = (tagType: string | null, id: string): Record<string, unknown> => {
    if (tagType === 'Contacts') {
      const c = data.contacts.find((x) => x.id === id);
      if (!c) return { id: wireId(id), name: null };
      return {
        id: wireId(id),
        name: c.name,
        'organization-id': wireId(c['organization-id']),
        'organization-name': orgById(c['organization-id'])?.name ?? null,
      };
    }
    if (tagType === 'Organizations') return { id: wireId(id), name: orgById(id)?.name ?? null };
    return { id: wireId(id), name: null };
  };

  const readTraits = (a: FakeFlexibleAsset): Record<string, unknown> => {
    const type = typeById(a['flexible-asset-type-id']);
    const traits: Record<string, unknown> = {};
    const fields = [...(type?.fields ?? [])].sort((x, y) => x.order - y.order);
    for (const f of fields) {
      const value = a.traits[f['name-key']];
      if (value === undefined) continue;
      if (f.kind === 'Tag') {
        const ids = (Array.isArray(value) ? value : [value]).map(String);
        traits[f['name-key']] = { type: f['tag-type'], values: ids.map((id) => tagValue(f['tag-type'], id)) };
      } else {
        traits[f['name-key']] = structuredClone(value);
      }
    }
    for (const [key, value] of Object.entries(a.traits)) {
      if (!(key in traits) && !fields.some((f) => f['name-key'] === key)) traits[key] = structuredClone(value);
    }
    return traits;
  };

  const assetName = (a: FakeFlexibleAsset): string => {
    const type = typeById(a['flexible-asset-type-id']);
    const parts = (type?.fields ?? [])
      .filter((f) => f['use-for-title'])
      .sort((x, y) => x.order - y.order)
      .map((f) => a.traits[f['name-key']])
      .filter((v): v is string | number => (typeof v === 'string' && v !== '') || typeof v === 'number')
      .map(String);
    return parts.length > 0 ? parts.join(' ') : a.name;
  };

  const flexibleAsset = (a: FakeFlexibleAsset): ResourceObject => ({
    id: a.id,
    type: 'flexible-assets',
    attributes: {
      'organization-id': wireId(a['organization-id']),
      'organization-name': orgById(a['organization-id'])?.name ?? null,
      'resource-url': `https://northwind.itglue.test/${a['organization-id']}/assets/records/${a.id}`,
      restricted: a.restricted,
      'my-glue': a['my-glue'],
      'flexible-asset-type-id': wireId(a['flexible-asset-type-id']),
      'flexible-asset-type-name': typeById(a['flexible-asset-type-id'])?.name ?? null,
      name: assetName(a),
      traits: readTraits(a),
      archived: a.archived,
      'created-at': a['created-at'],
      'updated-at': a['updated-at'],
    },
  });

  const emailCompare = (v: string | null) => (v === null ? null : settings.emailFilter === 'case-insensitive' ? v.toLowerCase() : v);

  const organizations: Collection<FakeOrganization> = {
    type: 'organizations',
    records: () => data.organizations,
    attributes: (o) => organization(o).attributes,
    filters: {
      id: { kind: 'id', values: (o) => [o.id] },
      name: { kind: 'text', values: (o) => [o.name] },
      organization_type_id: { kind: 'id', values: (o) => [o['organization-type-id']] },
      organization_status_id: { kind: 'id', values: (o) => [o['organization-status-id']] },
      my_glue_account_id: { kind: 'id', values: (o) => [o['my-glue-account-id']] },
      group_id: { kind: 'id', values: (o) => data.groups.filter((g) => g['organization-ids'].includes(o.id)).map((g) => g.id) },
      primary: { kind: 'boolean', values: (o) => [o.primary] },
    },
    sorts: {
      name: (o) => o.name,
      id: (o) => Number(o.id),
      updated_at: (o) => o['updated-at'],
      created_at: (o) => o['created-at'],
      short_name: (o) => o['short-name'],
      organization_status_name: (o) => o['organization-status-name'],
      organization_type_name: (o) => o['organization-type-name'],
      my_glue_account_id: (o) => (o['my-glue-account-id'] === null ? null : Number(o['my-glue-account-id'])),
    },
  };

  const contacts: Collection<FakeContact> = {
    type: 'contacts',
    records: () => data.contacts,
    attributes: (c) => contact(c).attributes,
    filters: {
      id: { kind: 'id', values: (c) => [c.id] },
      first_name: { kind: 'text', values: (c) => [c['first-name']] },
      last_name: { kind: 'text', values: (c) => [c['last-name']] },
      title: { kind: 'text', values: (c) => [c.title] },
      contact_type_id: { kind: 'id', values: (c) => [c['contact-type-id']] },
      important: { kind: 'boolean', values: (c) => [c.important] },
      primary_email: { kind: 'email', values: (c) => [emailCompare(primaryEmail(c))] },
      organization_id: { kind: 'id', values: (c) => [c['organization-id']] },
    },
    sorts: {
      first_name: (c) => c['first-name'],
      last_name: (c) => c['last-name'],
      id: (c) => Number(c.id),
      created_at: (c) => c['created-at'],
      updated_at: (c) => c['updated-at'],
    },
  };

  const contactTypes: Collection<FakeContactType> = {
    type: 'contact-types',
    records: () => data.contactTypes,
    attributes: (t) => contactTypeResource(t).attributes,
    filters: {
      id: { kind: 'id', values: (t) => [t.id] },
      name: { kind: 'text', values: (t) => [t.name] },
    },
    sorts: {
      name: (t) => t.name,
      id: (t) => Number(t.id),
      created_at: (t) => t['created-at'],
      updated_at: (t) => t['updated-at'],
    },
  };

  const users: Collection<FakeUser> = {
    type: 'users',
    records: () => data.users,
    attributes: (u) => user(u).attributes,
    filters: {
      id: { kind: 'id', values: (u) => [u.id] },
      name: { kind: 'text', values: (u) => [u.name] },
      email: { kind: 'email', values: (u) => [emailCompare(u.email)] },
      role_name: { kind: 'text', values: (u) => [u['role-name']] },
    },
    sorts: {
      name: (u) => u.name,
      email: (u) => u.email,
      reputation: (u) => u.reputation,
      id: (u) => Number(u.id),
      created_at: (u) => u['created-at'],
      updated_at: (u) => u['updated-at'],
    },
  };

  const groups: Collection<FakeGroup> = {
    type: 'groups',
    records: () => data.groups,
    attributes: (g) => group(g).attributes,
    filters: {
      id: { kind: 'id', values: (g) => [g.id] },
      name: { kind: 'text', values: (g) => [g.name] },
    },
    sorts: {
      name: (g) => g.name,
      id: (g) => Number(g.id),
      created_at: (g) => g['created-at'],
      updated_at: (g) => g['updated-at'],
    },
    relations: {
      users: {
        key: 'users',
        related: (g) =>
          g['user-ids'].flatMap((id) => {
            const u = data.users.find((x) => x.id === id);
            return u ? [user(u)] : [];
          }),
      },
      organizations: {
        key: 'organizations',
        related: (g) =>
          g['organization-ids'].flatMap((id) => {
            const o = orgById(id);
            return o ? [organization(o)] : [];
          }),
      },
      resource_type_restrictions: {
        key: 'resource-type-restrictions',
        related: (g) => (g['resource-type-restrictions'] ?? []).map((name, i) => resourceTypeRestriction(g, name, i)),
      },
    },
  };

  const flexibleAssetTypes: Collection<FakeFlexibleAssetType> = {
    type: 'flexible-asset-types',
    records: () => data.flexibleAssetTypes,
    attributes: (t) => flexibleAssetType(t).attributes,
    filters: {
      id: { kind: 'id', values: (t) => [t.id] },
      name: { kind: 'text', values: (t) => [t.name] },
      icon: { kind: 'text', values: (t) => [t.icon] },
      enabled: { kind: 'boolean', values: (t) => [t.enabled] },
    },
    sorts: {
      id: (t) => Number(t.id),
      name: (t) => t.name,
      created_at: (t) => t['created-at'],
      updated_at: (t) => t['updated-at'],
    },
    relations: {
      flexible_asset_fields: {
        key: 'flexible-asset-fields',
        always: true,
        related: (t) => [...t.fields].sort((x, y) => x.order - y.order).map((f) => fieldResource(f, t.id)),
      },
    },
  };

  const flexibleAssets: Collection<FakeFlexibleAsset> = {
    type: 'flexible-assets',
    records: () => data.flexibleAssets,
    attributes: (a) => flexibleAsset(a).attributes,
    requiredFilters: ['flexible_asset_type_id'],
    filters: {
      flexible_asset_type_id: { kind: 'id', values: (a) => [a['flexible-asset-type-id']] },
      organization_id: { kind: 'id', values: (a) => [a['organization-id']] },
      name: { kind: 'text', values: (a) => [assetName(a)] },
    },
    sorts: {
      name: (a) => assetName(a),
      id: (a) => Number(a.id),
      created_at: (a) => a['created-at'],
      updated_at: (a) => a['updated-at'],
    },
  };

  const userMetrics: Collection<FakeUserMetric> = {
    type: 'user-metrics',
    records: () => data.userMetrics,
    attributes: (m) => ({
      'user-id': wireId(m['user-id']),
      'organization-id': wireId(m['organization-id']),
      'resource-type': m['resource-type'],
      date: m.date,
      created: m.created,
      viewed: m.viewed,
      edited: m.edited,
      deleted: m.deleted,
    }),
    filters: {
      user_id: { kind: 'id', values: (m) => [m['user-id']] },
      organization_id: { kind: 'id', values: (m) => [m['organization-id']] },
      resource_type: { kind: 'text', values: (m) => [m['resource-type']] },
      date: { kind: 'date-range', values: (m) => [m.date] },
    },
    sorts: {
      id: (m) => Number(m.id),
      created: (m) => m.created,
      viewed: (m) => m.viewed,
      edited: (m) => m.edited,
      deleted: (m) => m.deleted,
      date: (m) => m.date,
    },
  };

  return {
    organizations,
    contacts,
    contactTypes,
    users,
    groups,
    flexibleAssetTypes,
    flexibleAssets,
    userMetrics,
    resources: { flexibleAsset, group },
  };
}

// ---------------------------------------------------------------------------------------------
// Documents

interface Query {
  params: Record<string, string>;
  url: URL;
}

function parseIncludes<R extends { id: string }>(collection: Collection<R>, query: Query): string[] {
  const raw = query.params.include;
  if (raw === undefined || raw === '') return [];
  const names = raw.split(',');
  for (const name of names) {
    if (!collection.relations?.[name]) {
      invalid(`include '${name}' is not supported here${collection.relations ? ` (supported: ${Object.keys(collection.relations).join(', ')})` : ''}`);
    }
  }
  return names;
}

function toDocumentResource<R extends { id: string }>(collection: Collection<R>, record: R, includes: string[], included: Map<string, ResourceObject>): ResourceObject {
  const resource: ResourceObject = { id: record.id, type: collection.type, attributes: collection.attributes(record) };
  for (const [name, relation] of Object.entries(collection.relations ?? {})) {
    const wanted = includes.includes(name);
    if (!wanted && !relation.always) continue;
    const related = relation.related(record);
    resource.relationships ??= {};
    resource.relationships[relation.key] = { data: related.map((r) => ({ id: r.id, type: r.type })) };
    if (wanted) for (const r of related) included.set(`${r.type}:${r.id}`, r);
  }
  return resource;
}

function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function listDocument<R extends { id: string }>(
  collection: Collection<R>,
  query: Query,
  settings: FakeItGlueSettings,
  options: { scope?: (record: R) => boolean; ignoreFilters?: boolean } = {},
) {
  const { params } = query;
  let records = collection.records().filter((r) => options.scope?.(r) ?? true);

  if (!options.ignoreFilters) {
    const filters = Object.entries(params).filter(([key]) => key.startsWith('filter['));
    for (const name of collection.requiredFilters ?? []) {
      if (params[`filter[${name}]`] === undefined) invalid(`filter[${name}] is required`);
    }
    for (const [key, raw] of filters) {
      const name = /^filter\[([^\]]+)\]$/.exec(key)?.[1];
      const spec = name === undefined ? undefined : collection.filters[name];
      if (!spec) {
        invalid(
          `${key} is not a supported filter here (supported: ${Object.keys(collection.filters)
            .map((f) => `filter[${f}]`)
            .join(', ')})`,
        );
      }
      if (spec.kind === 'date-range') {
        const [start, end] = dateRange(key, raw);
        records = records.filter((r) => spec.values(r).some((v) => typeof v === 'string' && v >= start && v <= end));
        continue;
      }
      const kind = spec.kind;
      // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every kind (tsc checks it), each case returns
      const wanted: Array<string | boolean | null> = splitFilterValue(raw).map((value) => {
        switch (kind) {
          case 'id':
            return /^\d+$/.test(value) ? value : invalid(`${key} must be a number (got '${value}')`);
          case 'boolean':
            return parseBoolean(value, key);
          case 'email':
            return settings.emailFilter === 'case-insensitive' ? value.toLowerCase() : value;
          case 'text':
            return value;
        }
      });
      records = records.filter((r) => spec.values(r).some((v) => v !== null && wanted.includes(v)));
    }
  }

  const sorted = [...records].sort((a, b) => numericIdOrder(a.id, b.id));
  if (params.sort !== undefined && params.sort !== '') {
    const keys = params.sort.split(',').map((part) => {
      const descending = part.startsWith('-');
      const name = descending ? part.slice(1) : part;
      const get = collection.sorts[name];
      if (!get) invalid(`sort must be one of: ${Object.keys(collection.sorts).join(', ')} (got '${part}')`);
      return { get, descending };
    });
    sorted.sort((a, b) => {
      for (const { get, descending } of keys) {
        const order = compareValues(get(a), get(b));
        if (order !== 0) return descending ? -order : order;
      }
      return numericIdOrder(a.id, b.id);
    });
  }

  const size = pageParam(params['page[size]'], 'page[size]', DEFAULT_PAGE_SIZE);
  if (size > MAX_PAGE_SIZE && settings.oversizedPage === 'reject') {
    invalid(`page[size] must be at most ${MAX_PAGE_SIZE} (got ${size})`);
  }
  const pageSize = Math.min(size, MAX_PAGE_SIZE);
  const number = pageParam(params['page[number]'], 'page[number]', 1);
  const totalCount = sorted.length;
  const totalPages = Math.ceil(totalCount / pageSize);
  const page = sorted.slice((number - 1) * pageSize, number * pageSize);

  const includes = parseIncludes(collection, query);
  const included = new Map<string, ResourceObject>();
  const data = page.map((r) => toDocumentResource(collection, r, includes, included));

  const link = (n: number) => {
    const url = new URL(query.url.href);
    const search = new URLSearchParams(Object.entries(params));
    search.set('page[number]', String(n));
    search.set('page[size]', String(pageSize));
    url.search = search.toString();
    return url.href;
  };
  const nextPage = number < totalPages ? number + 1 : null;
  const prevPage = number > 1 ? number - 1 : null;
  const links: Record<string, string> = { self: link(number), first: link(1) };
  if (prevPage !== null) links.prev = link(prevPage);
  if (nextPage !== null) links.next = link(nextPage);
  links.last = link(Math.max(totalPages, 1));

  return {
    data,
    ...(includes.length > 0 ? { included: [...included.values()] } : {}),
    meta: {
      'current-page': number,
      'next-page': nextPage,
      'prev-page': prevPage,
      'total-pages': totalPages,
      'total-count': totalCount,
      filters: {},
    },
    links,
  };
}

const DAY_MS = 86_400_000;
/** The longest `filter[date]` range, in days (both ends included). */
const MAX_DATE_RANGE_DAYS = 7;

function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

/**
 * `start,end` (UTC days, both included; `*` as the end means today) → the two days. Refused (422):
 * not two values, a value that is not a day, an open start, an end before the start, more than a week.
 */
function dateRange(key: string, raw: string): [string, string] {
  const parts = raw.split(',');
  if (parts.length !== 2) invalid(`${key} must be a date range: start_date,end_date (got '${raw}')`);
  const [start, given] = parts as [string, string];
  if (start === '*') invalid(`${key} needs a start date: an open start is longer than a week`);
  const today = new Date().toISOString().slice(0, 10);
  // biome-ignore lint/complexity/useMathMinMax: dates as YYYY-MM-DD strings, which Math.max would turn into NaN
  const end = given === '*' ? (start > today ? start : today) : given;
  for (const day of [start, end]) if (!isDay(day)) invalid(`${key}: '${day}' is not a date (YYYY-MM-DD)`);
  if (end < start) invalid(`${key}: the end (${end}) is before the start (${start})`);
  const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS + 1;
  if (days > MAX_DATE_RANGE_DAYS) invalid(`${key}: date ranges longer than a week are refused (${days} days asked)`);
  return [start, end];
}

function pageParam(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) invalid(`${name} must be a positive number (got '${raw}')`);
  return Number(raw);
}

function find<R extends { id: string }>(collection: Collection<R>, id: string): R {
  const record = collection.records().find((r) => r.id === id);
  if (!record) fail(404, `No ${collection.type} with id ${id}`);
  return record;
}

function showDocument<R extends { id: string }>(collection: Collection<R>, id: string, query: Query) {
  const record = find(collection, id);
  const includes = parseIncludes(collection, query);
  const included = new Map<string, ResourceObject>();
  const data = toDocumentResource(collection, record, includes, included);
  return { data, ...(includes.length > 0 ? { included: [...included.values()] } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Writes

interface Body {
  type: string;
  attributes: Record<string, unknown>;
  id: unknown;
}

/** Checks the JSON:API envelope; attribute names come back snake_case. */
function parseBody(body: unknown, types: string[], allowed: string[]): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid('The body must be a JSON object with data');
  const data = (body as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) invalid('data must be an object');
  const { type, attributes, id } = data as { type?: unknown; attributes?: unknown; id?: unknown };
  if (typeof type !== 'string' || !types.includes(type)) invalid(`data.type must be one of: ${types.join(', ')}`);
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) invalid('data.attributes must be an object');
  const normalized: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const name = kebabToSnake(key);
    if (!allowed.includes(name)) invalid(`Unknown attribute '${key}' (allowed: ${allowed.join(', ')})`);
    normalized[name] = value;
  }
  return { type, attributes: normalized, id };
}

function checkBodyId(body: Body, id: string) {
  for (const given of [body.id, body.attributes.id]) {
    if (given !== undefined && given !== null && String(given) !== id) invalid(`The id in the body (${String(given)}) does not match the URL (${id})`);
  }
}

function patchGroup(data: FakeItGlueData, group: FakeGroup, raw: unknown) {
  const body = parseBody(raw, ['groups'], ['id', 'name', 'description', 'hide_from_my_glue', 'accounts_user_ids']);
  checkBodyId(body, group.id);
  const { name, description, hide_from_my_glue: hide, accounts_user_ids: userIds } = body.attributes;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) invalid('name must be a non-empty string');
  if (description !== undefined && description !== null && typeof description !== 'string') invalid('description must be a string');
  const hideValue = hide === undefined || hide === null ? undefined : parseBoolean(hide, 'hide_from_my_glue');
  let members: string[] | undefined;
  if (userIds !== undefined && userIds !== null) {
    if (!Array.isArray(userIds)) invalid('accounts_user_ids must be an array of user ids');
    members = [];
    for (const value of userIds) {
      if (!isIdLike(value)) invalid(`accounts_user_ids must contain user ids (got ${JSON.stringify(value)})`);
      const id = String(value);
      if (!data.users.some((u) => u.id === id)) invalid(`accounts_user_ids: no user with id ${id}`);
      if (!members.includes(id)) members.push(id);
    }
  }
  if (typeof name === 'string') group.name = name;
  if (description !== undefined) group.description = description as string | null;
  if (hideValue !== undefined) group['hide-from-my-glue'] = hideValue;
  if (members) group['user-ids'] = members;
  group['updated-at'] = new Date().toISOString();
}

/**
 * POST /groups: a new group with a name (unique: IT Glue refuses a second group of the same name,
 * 422), optionally its organizations (`organization_ids`) and members (`accounts_user_ids`).
 */
function createGroup(data: FakeItGlueData, raw: unknown): FakeGroup {
  const body = parseBody(raw, ['groups'], ['name', 'description', 'organization_ids', 'accounts_user_ids', 'my_glue_account_id']);
  const { name, description, organization_ids: orgIds, accounts_user_ids: userIds, my_glue_account_id: myGlue } = body.attributes;
  if (typeof name !== 'string' || name.trim() === '') invalid('name must be a non-empty string');
  if (data.groups.some((g) => g.name === name)) invalid(`name: a group named "${name}" exists already`);
  const ids = (value: unknown, field: string, exists: (id: string) => boolean): string[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) invalid(`${field} must be an array of ids`);
    return [
      ...new Set(
        value.map((v) => {
          if (!isIdLike(v)) invalid(`${field} must contain ids (got ${JSON.stringify(v)})`);
          if (!exists(String(v))) invalid(`${field}: no record with id ${String(v)}`);
          return String(v);
        }),
      ),
    ];
  };
  const now = new Date().toISOString();
  const group = makeGroup({
    id: String(Math.max(0, ...data.groups.map((g) => Number(g.id) || 0)) + 1),
    name,
    description: typeof description === 'string' ? description : null,
    'organization-ids': ids(orgIds, 'organization_ids', (id) => data.organizations.some((o) => o.id === id)),
    'user-ids': ids(userIds, 'accounts_user_ids', (id) => data.users.some((u) => u.id === id)),
    'my-glue': myGlue !== undefined && myGlue !== null,
    'my-glue-account-id': myGlue === undefined || myGlue === null ? null : String(myGlue),
    'created-at': now,
    'updated-at': now,
  });
  data.groups.push(group);
  return group;
}

function patchFlexibleAsset(data: FakeItGlueData, asset: FakeFlexibleAsset, raw: unknown) {
  const body = parseBody(raw, ['flexible-assets', 'flexible_assets'], ['id', 'organization_id', 'restricted', 'archived', 'traits']);
  checkBodyId(body, asset.id);
  const { organization_id: orgId, restricted, archived, traits } = body.attributes;
  if (orgId !== undefined) {
    if (!isIdLike(orgId)) invalid('organization_id must be a number');
    if (!data.organizations.some((o) => o.id === String(orgId))) invalid(`organization_id: no organization with id ${String(orgId)}`);
  }
  const restrictedValue = restricted === undefined || restricted === null ? undefined : parseBoolean(restricted, 'restricted');
  const archivedValue = archived === undefined || archived === null ? undefined : parseBoolean(archived, 'archived');

  let next: Record<string, unknown> | undefined;
  if (traits !== undefined) {
    if (typeof traits !== 'object' || traits === null || Array.isArray(traits)) invalid('traits must be an object of name-key → value');
    const type = data.flexibleAssetTypes.find((t) => t.id === asset['flexible-asset-type-id']);
    const fields = type?.fields ?? [];
    next = {};
    for (const [key, value] of Object.entries(traits)) {
      const f = fields.find((x) => x['name-key'] === key);
      if (!f) invalid(`traits: '${key}' is not a field of this flexible asset type (fields: ${fields.map((x) => x['name-key']).join(', ')})`);
      const stored = traitValue(data, f, value);
      if (stored !== undefined) next[key] = stored;
    }
    for (const f of fields) {
      if (f.required && next[f['name-key']] === undefined) invalid(`traits: '${f['name-key']}' is required`);
    }
  }

  if (orgId !== undefined) asset['organization-id'] = String(orgId);
  if (restrictedValue !== undefined) asset.restricted = restrictedValue;
  if (archivedValue !== undefined) asset.archived = archivedValue;
  if (next) asset.traits = next;
  asset['updated-at'] = new Date().toISOString();
}

/** The stored form of a written trait, or undefined when the value deletes it. */
function traitValue(data: FakeItGlueData, field: FakeFlexibleAssetField, value: unknown): unknown {
  const key = field['name-key'];
  if (value === null || value === '') return undefined;
  switch (field.kind) {
    case 'Tag': {
      if (typeof value === 'object' && !Array.isArray(value)) {
        invalid(`traits: '${key}' is a Tag field: write a list of ids, not an object (the {type, values} shape is only how it reads)`);
      }
      const list = Array.isArray(value) ? value : [value];
      const ids: string[] = [];
      for (const item of list) {
        if (!isIdLike(item)) invalid(`traits: '${key}' must be a list of ids (got ${JSON.stringify(item)})`);
        const id = String(item);
        const tagType = field['tag-type'];
        const exists = tagType === 'Contacts' ? data.contacts.some((c) => c.id === id) : tagType === 'Organizations' ? data.organizations.some((o) => o.id === id) : true;
        if (!exists) invalid(`traits: '${key}': no ${tagType ?? 'record'} with id ${id}`);
        if (!ids.includes(id)) ids.push(id);
      }
      return ids.length > 0 ? ids : undefined;
    }
    case 'Checkbox':
      return parseBoolean(value, `traits: '${key}'`);
    case 'Number':
    case 'Percent': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || Number.isNaN(number)) invalid(`traits: '${key}' must be a number`);
      return number;
    }
    case 'Upload':
      return value;
    default:
      if (typeof value !== 'string') invalid(`traits: '${key}' is a ${field.kind} field and must be a string (got ${JSON.stringify(value)})`);
      return value;
  }
}

// ---------------------------------------------------------------------------------------------
// Server

function emptyData(): FakeItGlueData {
  return { organizations: [], contacts: [], contactTypes: [], users: [], groups: [], flexibleAssetTypes: [], flexibleAssets: [], userMetrics: [] };
}

const COLLECTION_KEYS = Object.keys(emptyData()) as Array<keyof FakeItGlueData>;

function loadInto(data: FakeItGlueData, seed: FakeItGlueSeed) {
  const copy = structuredClone(seed);
  for (const key of COLLECTION_KEYS) {
    const target = data[key] as unknown[];
    target.length = 0;
    for (const record of (copy[key] ?? []) as unknown[]) target.push(record);
  }
}

export async function startFakeItGlue(options: FakeItGlueOptions = {}): Promise<FakeItGlue> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const data = emptyData();
  loadInto(data, options.seed ?? defaultSeed());
  const settings: FakeItGlueSettings = {
    badKeyStatus: 401,
    emailFilter: 'case-insensitive',
    oversizedPage: 'clamp',
    rateLimit: null,
    ...options.settings,
  };
  const requests: RecordedRequest[] = [];
  let failRules: FailRule[] = [];
  let failWindows: Array<Omit<FailRule, 'times'> & { until: number }> = [];
  const listeners = new Set<(request: RecordedRequest) => void>();
  let delayRules: DelayRule[] = [];
  let answerRules: AnswerRule[] = [];
  let redirectRules: RedirectRule[] = [];
  let rateWindow: number[] = [];
  const sleeping = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const c = collections(data, settings);
  let base = '';

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          sleeping.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      sleeping.add(entry);
    });

  const take = <T extends { times: number; path?: PathMatcher; method?: string; where?: (request: RecordedRequest) => boolean }>(
    rules: T[],
    request: RecordedRequest,
  ) => {
    const { method, path } = request;
    const rule = rules.find(
      (r) => r.times > 0 && matches(r.path, path) && (r.method === undefined || r.method.toUpperCase() === method) && (r.where === undefined || r.where(request)),
    );
    if (rule) rule.times--;
    return rule;
  };

  const requireJsonApi = (req: IncomingMessage) => {
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== JSON_API) fail(415, `Content-Type must be ${JSON_API} (got ${req.headers['content-type'] ?? 'none'})`);
  };

  type Handler = (ctx: { id: string; query: Query; body: unknown }) => unknown;
  const routes: Array<{ pattern: RegExp; methods: Record<string, Handler> }> = [
    { pattern: /^\/organizations$/, methods: { GET: ({ query }) => listDocument(c.organizations, query, settings) } },
    { pattern: /^\/organizations\/([^/]+)$/, methods: { GET: ({ id, query }) => showDocument(c.organizations, id, query) } },
    {
      pattern: /^\/organizations\/([^/]+)\/relationships\/contacts$/,
      methods: {
        GET: ({ id, query }) => {
          find(c.organizations, id);
          return listDocument(c.contacts, query, settings, { scope: (r) => r['organization-id'] === id, ignoreFilters: true });
        },
      },
    },
    { pattern: /^\/contacts$/, methods: { GET: ({ query }) => listDocument(c.contacts, query, settings) } },
    { pattern: /^\/contacts\/([^/]+)$/, methods: { GET: ({ id, query }) => showDocument(c.contacts, id, query) } },
    { pattern: /^\/contact_types$/, methods: { GET: ({ query }) => listDocument(c.contactTypes, query, settings) } },
    { pattern: /^\/contact_types\/([^/]+)$/, methods: { GET: ({ id, query }) => showDocument(c.contactTypes, id, query) } },
    { pattern: /^\/users$/, methods: { GET: ({ query }) => listDocument(c.users, query, settings) } },
    { pattern: /^\/users\/([^/]+)$/, methods: { GET: ({ id, query }) => showDocument(c.users, id, query) } },
    {
      pattern: /^\/groups$/,
      methods: {
        GET: ({ query }) => listDocument(c.groups, query, settings),
        POST: ({ body }) => ({ data: { ...c.resources.group(createGroup(data, body)), relationships: {} } }),
      },
    },
    {
      pattern: /^\/groups\/([^/]+)$/,
      methods: {
        GET: ({ id, query }) => showDocument(c.groups, id, query),
        PATCH: ({ id, body }) => {
          const group = find(c.groups, id);
          patchGroup(data, group, body);
          return { data: { ...c.resources.group(group), relationships: {} } };
        },
      },
    },
    { pattern: /^\/flexible_asset_types$/, methods: { GET: ({ query }) => listDocument(c.flexibleAssetTypes, query, settings) } },
    { pattern: /^\/flexible_asset_types\/([^/]+)$/, methods: { GET: ({ id, query }) => showDocument(c.flexibleAssetTypes, id, query) } },
    { pattern: /^\/flexible_assets$/, methods: { GET: ({ query }) => listDocument(c.flexibleAssets, query, settings) } },
    { pattern: /^\/user_metrics$/, methods: { GET: ({ query }) => listDocument(c.userMetrics, query, settings) } },
    {
      pattern: /^\/flexible_assets\/([^/]+)$/,
      methods: {
        GET: ({ id, query }) => showDocument(c.flexibleAssets, id, query),
        PATCH: ({ id, body }) => {
          const asset = find(c.flexibleAssets, id);
          patchFlexibleAsset(data, asset, body);
          return { data: c.resources.flexibleAsset(asset) };
        },
      },
    },
  ];

  const send = (res: ServerResponse, record: RecordedRequest, status: number, body: unknown, headers: Record<string, string> = {}) =>
    sendText(res, record, status, JSON.stringify(body), headers);

  const sendText = (res: ServerResponse, record: RecordedRequest, status: number, text: string, headers: Record<string, string> = {}) => {
    record.status = status;
    if (res.destroyed || res.writableEnded) {
      record.aborted = true;
      return;
    }
    res.writeHead(status, { 'content-type': JSON_API, 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<{ text: string; tooLarge: boolean }>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) tooLarge = true;
        else chunks.push(chunk);
      });
      req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge }));
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const params: Record<string, string> = {};
    for (const [key, value] of url.searchParams) params[key] = value;
    const key = req.headers['x-api-key'];
    const given = Array.isArray(key) ? key[0] : key;
    const record: RecordedRequest = {
      method,
      path,
      query: { ...params },
      body: null,
      contentType: req.headers['content-type'] ?? null,
      apiKey: given === undefined || given === '' ? 'missing' : given === apiKey ? 'valid' : 'invalid',
      status: 0,
      time: Date.now(),
      aborted: false,
    };
    requests.push(record);
    for (const listener of [...listeners]) listener(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });

    const { text, tooLarge } = await readBody(req);
    let parsed: unknown = null;
    let parseError = false;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
        record.body = structuredClone(parsed);
      } catch {
        parseError = true;
      }
    }

    try {
      const delay = take(delayRules, record);
      if (delay) await sleep(delay.ms);

      const now = Date.now();
      const injected =
        take(failRules, record) ?? failWindows.find((w) => now < w.until && matches(w.path, path) && (w.method === undefined || w.method.toUpperCase() === method));
      if (injected) {
        const headers: Record<string, string> = {};
        if (injected.retryAfterSeconds !== undefined) headers['retry-after'] = String(injected.retryAfterSeconds);
        const detail = injected.status === 429 ? 'Rate limit exceeded' : 'The server could not answer the request';
        throw new ApiError(injected.status, TITLES[injected.status] ?? 'Error', detail, headers);
      }
      const answer = take(answerRules, record);
      if (answer) {
        sendText(res, record, 200, typeof answer.body === 'string' ? answer.body : answer.body(record));
        return;
      }
      const redirect = take(redirectRules, record);
      if (redirect) {
        const status = redirect.status ?? 302;
        send(res, record, status, errorBody(status, 'Moved', `See ${redirect.location}`), { location: redirect.location });
        return;
      }

      if (record.apiKey !== 'valid') {
        fail(settings.badKeyStatus, record.apiKey === 'missing' ? 'The x-api-key header is missing' : 'The API key is invalid or has been revoked');
      }

      if (settings.rateLimit) {
        const now = Date.now();
        const { requests: limit, windowMs, retryAfterSeconds } = settings.rateLimit;
        rateWindow = rateWindow.filter((t) => t > now - windowMs);
        if (rateWindow.length >= limit) {
          throw new ApiError(
            429,
            TITLES[429] ?? 'Too Many Requests',
            `Rate limit exceeded: ${limit} requests per ${windowMs} ms`,
            retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
          );
        }
        rateWindow.push(now);
      }

      let route: (typeof routes)[number] | undefined;
      let match: RegExpExecArray | null = null;
      for (const candidate of routes) {
        match = candidate.pattern.exec(path);
        if (match) {
          route = candidate;
          break;
        }
      }
      if (!route || !match) fail(404, `No route for ${path}`);
      const handler = route.methods[method];
      if (!handler) fail(405, `${method} ${path} is not supported (supported: ${Object.keys(route.methods).join(', ')})`);
      if (method === 'PATCH' || method === 'POST') {
        requireJsonApi(req);
        if (tooLarge) fail(413, `The body exceeds ${MAX_BODY_BYTES} bytes`);
        if (parseError) fail(400, 'The body is not valid JSON');
      }
      let id = match[1] ?? '';
      try {
        id = decodeURIComponent(id);
      } catch {
        fail(404, `No record with id ${id}`);
      }
      const body = handler({ id, query: { params, url }, body: parsed });
      send(res, record, method === 'POST' ? 201 : 200, body);
    } catch (error) {
      if (error instanceof ApiError) {
        send(res, record, error.status, errorBody(error.status, error.title, error.detail), error.headers);
      } else {
        send(res, record, 500, errorBody(500, 'Internal Server Error', error instanceof Error ? error.message : String(error)));
      }
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    apiKey,
    data,
    requests,
    settings,
    failNext(rule) {
      failRules.push({ ...rule });
    },
    failFor(ms, rule) {
      const now = Date.now();
      failWindows = failWindows.filter((w) => w.until > now);
      failWindows.push({ ...rule, until: now + ms });
    },
    onRequest(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    delayNext(rule) {
      delayRules.push({ ...rule });
    },
    answerNext(rule) {
      answerRules.push({ ...rule });
    },
    redirectNext(rule) {
      redirectRules.push({ ...rule });
    },
    load(seed) {
      loadInto(data, seed);
    },
    reset() {
      requests.length = 0;
      failRules = [];
      failWindows = [];
      delayRules = [];
      answerRules = [];
      redirectRules = [];
      rateWindow = [];
    },
    async close() {
      for (const entry of sleeping) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      sleeping.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
