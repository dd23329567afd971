/**
 * The policy file (POLICY_FILE): JSON deep-merged over DEFAULT_POLICY and validated.
 * Durations may be milliseconds or strings such as "90s", "15m", "24h", "5d".
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_POLICY, LITE_MAX_ORGANIZATIONS, type Policy } from '../workflows/policy';
import { ConfigError } from './config-error';
import { DURATION_EXPECTED, parseDuration } from './duration';
import { isTimeZone } from './wording';

const duration = z.union([z.number(), z.string()], { error: `expected ${DURATION_EXPECTED}` }).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === null || !Number.isInteger(ms) || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected ${DURATION_EXPECTED} (more than zero)` });
    return z.NEVER;
  }
  return ms;
});

/**
 * The sweep's interval: at most a day, since it also keeps the API key in use (IT Glue revokes a
 * key unused for 90 days). Short intervals are for tests; sweeps never overlap, and their
 * requests count against the IT Glue rate limits like any other.
 */
const SWEEP_RANGE = 'expected from 1 second to 1 day ("1s" to "1d")';
const sweepInterval = duration.pipe(z.number().min(1_000, { error: SWEEP_RANGE }).max(86_400_000, { error: SWEEP_RANGE }));

const count = z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).min(0, {
  error: 'expected a whole number, zero or more',
});
const flag = z.boolean({ error: 'expected true or false' });
const text = z.string({ error: 'expected a string' });
const name = text.min(1, { error: 'expected a non-empty string' });

const primaryContact = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('contact-type'), contactTypeName: name }),
    z.strictObject({ kind: z.literal('important') }),
    z.strictObject({ kind: z.literal('flexible-asset-tag'), assetTypeName: name, fieldNameKey: name }),
  ],
  { error: 'expected kind "contact-type", "important" or "flexible-asset-tag"' },
);

const policySchema = z.strictObject({
  approval: z.strictObject({
    reminderEvery: duration,
    maxReminders: count,
    escalateAfter: duration,
    timeout: duration,
  }),
  invite: z.strictObject({
    remindTechAfter: duration,
    maxTechReminders: count,
    linkValidity: duration,
    maxResends: count,
    escalateAfter: duration,
  }),
  twoFactor: z.strictObject({
    remindAt: z.array(duration, { error: 'expected a list of durations' }),
    enforcedForItGlue: flag,
    enforcedForMyGlue: flag,
  }),
  authorization: z.strictObject({ record: flag, assetTypeName: name, fieldNameKey: name }),
  primaryContact,
  groups: z
    .strictObject({
      noPasswordAccess: name,
      passwordAccess: name,
      organizationAccess: z.enum(['per-user', 'group'], { error: 'expected "per-user" or "group"' }),
      sharedOrganizations: z.array(z.string().regex(/^\d+$/, { error: 'expected IT Glue organization ids ("1234")' }), {
        error: 'expected a list of IT Glue organization ids',
      }),
      create: flag,
      nameTemplate: name.refine((t) => t.includes('{organization}') || t.includes('{group}'), {
        error: 'expected a name made of {organization} and {group}, e.g. "{organization} - {group}"',
      }),
      /** Older files: false meant shared groups (per-user), true per-customer groups (group). */
      onlyThisOrganization: flag.optional(),
    })
    .transform(({ onlyThisOrganization, ...groups }) => groups),
  limits: z.strictObject({
    maxOrganizations: z
      .number({ error: `expected a whole number from 1 to ${LITE_MAX_ORGANIZATIONS}` })
      .int({ error: `expected a whole number from 1 to ${LITE_MAX_ORGANIZATIONS}` })
      .min(1, { error: `expected a whole number from 1 to ${LITE_MAX_ORGANIZATIONS}` })
      .max(LITE_MAX_ORGANIZATIONS, { error: `expected a whole number from 1 to ${LITE_MAX_ORGANIZATIONS} (IT Glue's limit for Lite users)` }),
  }),
  sweep: z.strictObject({ every: sweepInterval }),
  scopeWatch: z.strictObject({ days: count, every: duration }),
  branding: z.strictObject({
    mspName: name,
    supportContact: name,
    loginHost: name,
    myGlueLoginHost: name,
    ssoSubdomain: text,
    timeZone: z.string({ error: 'expected an IANA time zone such as "Europe/Berlin" or "UTC"' }).refine(isTimeZone, {
      error: 'expected an IANA time zone such as "Europe/Berlin" or "UTC"',
    }),
  }),
  offboarding: z.strictObject({
    approval: z.enum(['none', 'manager', 'primary-contact'], { error: 'expected "none", "manager" or "primary-contact"' }),
  }),
  review: z.strictObject({
    every: duration,
    dormantAfter: duration,
    timeout: duration,
    onNoAnswer: z.enum(['escalate', 'remove'], { error: 'expected "escalate" or "remove"' }),
  }),
  historyLimit: count.min(100, { error: 'expected a whole number, 100 or more' }),
});

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Objects merge key by key; anything else (arrays included) replaces the default. An object whose
 * `kind` differs from the default's (the primary-contact rule) replaces it whole.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override;
  if ('kind' in override && override.kind !== base.kind) return override;
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = key in base ? deepMerge(base[key], value) : value;
  return merged;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) value = isObject(value) || Array.isArray(value) ? (value as Json)[part as string] : undefined;
  return value;
}

/**
 * Files written before `groups.organizationAccess` said `groups.onlyThisOrganization`: false meant
 * shared customer groups (`per-user`), true per-customer groups (`group`). An explicit
 * organizationAccess wins.
 */
function withOrganizationAccess(json: Json): Json {
  const groups = json.groups;
  if (!isObject(groups) || typeof groups.onlyThisOrganization !== 'boolean' || 'organizationAccess' in groups) return json;
  return { ...json, groups: { ...groups, organizationAccess: groups.onlyThisOrganization ? 'group' : 'per-user' } };
}

/** Validates a policy object (already merged over the defaults); `source` names it in errors. */
export function parsePolicy(merged: unknown, source: string): Policy {
  const result = policySchema.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = formatPath([...issue.path, issue.keys[0]!]);
    throw new ConfigError(`${source}: ${key}: unknown setting`);
  }
  const value = valueAt(merged, issue.path);
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  throw new ConfigError(`${source}: ${formatPath(issue.path) || '(top level)'}: ${issue.message}, got ${got}`);
}

/** DEFAULT_POLICY, or the file's settings merged over it. */
export function loadPolicy(file: string | undefined): Policy {
  if (!file) return DEFAULT_POLICY;
  const source = `POLICY_FILE ${file}`;
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${source}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`${source}: expected JSON, ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new ConfigError(`${source}: expected a JSON object of policy settings`);
  return parsePolicy(deepMerge(DEFAULT_POLICY, withOrganizationAccess(json)), source);
}
