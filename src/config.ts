/**
 * The service's configuration: environment variables (docs/design.md §12) and the policy file, parsed and
 * validated at start-up. A bad value is a ConfigError whose message is one line naming the variable.
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Policy } from '../workflows/policy';
import { ConfigError } from './config-error';
import { demoApprovalSecret } from './demo-secret';
import {
  MAX_ACTIVITIES_PER_SECOND,
  MAX_REQUESTS_PER_ACTIVITY,
  QUEUE_BUDGET_PER_5_MINUTES,
  queueRequestsPer5Minutes,
} from './itglue/budget';
import { MAILBOX, parseMailbox, type Address } from './mail/address';
import { isLoopbackHost, isLoopbackUrl } from './loopback';
import { LOG_LEVELS, type LogLevel } from './log';
import { loadPolicy } from './policy-file';
import { parseDuration } from './duration';
import { isProxyEntry } from './web/client-ip';
import type { PayloadEncryptionKeys } from './temporal/data-converter';
import { parseEncryptionKey } from './temporal/payload-encryption';

export { ConfigError } from './config-error';

export interface SlackConfig {
  botToken: string;
  /** Unset in Socket Mode. */
  signingSecret: string | null;
  /** Set: Socket Mode. */
  appToken: string | null;
  apiUrl: string;
  channelId: string;
  techUsergroupId: string | null;
  techUserIds: string[];
  managerUsergroupId: string | null;
  managerUserIds: string[];
  /** SLACK_GROUP_CACHE_MAX: how long after the last successful read a user group's members are trusted (default 15 minutes). */
  groupCacheMaxMs?: number;
}

export interface TemporalConfig {
  /** Unset: the service runs an embedded Temporal dev server. */
  address: string | null;
  namespace: string;
  taskQueue: string;
  apiKey: string | null;
  /** mTLS client certificate and key files. */
  tls: { certFile: string; keyFile: string } | null;
  /** Port of the embedded dev server's web UI; headless when unset. */
  uiPort: number | null;
}

export interface CodecEndpointConfig {
  /** Bearer token every request must carry. */
  authToken: string;
  /** Browser origins (the Temporal UI's) allowed to call it: CODEC_CORS_ORIGIN, else the embedded UI's. */
  corsOrigins: string[];
}

export interface Config {
  nodeEnv: string;
  port: number;
  publicBaseUrl: string;
  /** Absolute path of the directory for the service's files (embedded Temporal database, outbox). */
  dataDir: string;
  /** Signs new approval links (and verifies them): APPROVAL_SECRET, or the demo's own secret in DATA_DIR. */
  approvalSecret: string;
  /** APPROVAL_SECRET_PREVIOUS: also verifies links during a rotation, never signs. */
  approvalSecretPrevious: string | null;
  /** Reverse proxies whose X-Forwarded-For names the client (IP addresses and CIDR ranges). */
  trustProxy: string[];
  /** Null: Slack is not configured. */
  slack: SlackConfig | null;
  itglue: {
    apiUrl: string;
    /** Null: IT Glue is not configured. */
    apiKey: string | null;
    /** Server-side limit for the IT Glue task queue, shared by every worker (at most MAX_ACTIVITIES_PER_SECOND). */
    activitiesPerSecond: number;
    /** Requests per second from this process. */
    requestsPerSecond: number;
  };
  mail: {
    /** Null: messages are written to the outbox directory instead of being sent. */
    smtpUrl: string | null;
    from: string;
    /**
     * MAIL_COPY_TO: who gets every copy of the access instructions. Null: the requesting tech, at
     * the address of their Slack profile, else the sender.
     */
    copyTo: Address[] | null;
  };
  temporal: TemporalConfig;
  policy: Policy;
  policyFile: string | null;
  /** PAYLOAD_ENCRYPTION_KEY: everything stored in Temporal is encrypted; null: stored as it is. */
  payloadEncryption: PayloadEncryptionKeys | null;
  /** CODEC_AUTH_TOKEN: the codec endpoint for the Temporal UI and CLI (src/web/codec-endpoint.ts); null: none. */
  codecEndpoint: CodecEndpointConfig | null;
  /** LOG_LEVEL: the least severe level the log writes (default info; `silent`: none). */
  logLevel: LogLevel;
  /** Things worth a log line at start-up (e.g. the demo approval secret is in use, IT Glue is simulated). */
  warnings: string[];
}

const DEFAULT_MAIL_FROM = 'invite-lite <invite-lite@localhost>';

/** Variables whose values never appear in an error message. */
const SECRET_VARIABLES = new Set([
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'ITGLUE_API_KEY',
  'SMTP_URL',
  'APPROVAL_SECRET',
  'APPROVAL_SECRET_PREVIOUS',
  'TEMPORAL_API_KEY',
  'PAYLOAD_ENCRYPTION_KEY',
  'PAYLOAD_ENCRYPTION_KEY_PREVIOUS',
  'CODEC_AUTH_TOKEN',
]);

function httpUrl(example: string) {
  const expected = `expected an http:// or https:// URL such as ${example}`;
  return z.string().refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, expected);
}

/**
 * A URL that a token goes to (Slack's bot token, IT Glue's API key): https://, or http:// to this
 * machine only (a loopback host), where the token crosses no network.
 */
function tokenApiUrl(example: string) {
  return httpUrl(example).refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol !== 'http:' || isLoopbackHost(url.hostname);
    } catch {
      return true; // reported by httpUrl
    }
  }, 'expected https:// (http:// only for a loopback host: 127.0.0.0/8, ::1 or localhost), as the token sent there would cross the network unencrypted');
}

function port() {
  const expected = 'expected a whole number from 1 to 65535';
  return z
    .string()
    .regex(/^\d+$/, expected)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, expected);
}

function idList(pattern: RegExp, expected: string) {
  return z
    .string()
    .transform((value) => value.split(',').map((id) => id.trim()))
    .refine((ids) => ids.every((id) => pattern.test(id)), expected);
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const SLACK_USERGROUP_ID = /^S[A-Z0-9]{2,}$/;

const text = z.string();

/** A rate for IT Glue, well within its 3000 requests per 5 minutes. */
const perSecond = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected a number from 0.1 to 10 (IT Glue allows 3000 requests per 5 minutes)')
  .transform(Number)
  .refine((n) => n >= 0.1 && n <= 10, 'expected a number from 0.1 to 10 (IT Glue allows 3000 requests per 5 minutes)');

/** ITGLUE_ACTIVITIES_PER_SECOND; its upper limit, from the request bound, is checked with the other rules below. */
const activitiesPerSecond = z
  .string()
  .regex(/^\d+(\.\d+)?$/, `expected a number from 0.1 to ${MAX_ACTIVITIES_PER_SECOND}`)
  .transform(Number)
  .refine((n) => n >= 0.1, `expected a number from 0.1 to ${MAX_ACTIVITIES_PER_SECOND}`);

/** PAYLOAD_ENCRYPTION_KEY and its previous value: 32 bytes, base64 or hex. */
const encryptionKey = z
  .string()
  .transform((value, ctx) => {
    const key = parseEncryptionKey(value);
    if (key) return key;
    ctx.addIssue({ code: 'custom', message: 'expected 32 random bytes written as base64 or as 64 hex digits (e.g. the output of openssl rand -base64 32)' });
    return z.NEVER;
  });

/** SLACK_GROUP_CACHE_MAX: a duration from 1 minute to 24 hours. */
const GROUP_CACHE_MAX_EXPECTED = 'expected a duration from 1m to 24h such as "15m" or "1h"';
const groupCacheMax = z
  .string()
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms !== null && ms >= 60_000 && ms <= 86_400_000) return ms;
    ctx.addIssue({ code: 'custom', message: GROUP_CACHE_MAX_EXPECTED });
    return z.NEVER;
  });

/** LOG_LEVEL: one of pino's levels, in any case. */
const LOG_LEVEL_EXPECTED = `expected one of ${LOG_LEVELS.join(', ')}`;
const logLevel = z
  .string()
  .transform((value) => value.toLowerCase())
  .refine((value): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value), LOG_LEVEL_EXPECTED);

const envSchema = z
  .object({
    NODE_ENV: text.default('development'),
    LOG_LEVEL: logLevel.default('info'),
    PORT: port().default(3000),
    PUBLIC_BASE_URL: httpUrl('https://invite-lite.example.com').optional(),
    DATA_DIR: text.default('./data'),
    APPROVAL_SECRET: approvalSecret().optional(),
    APPROVAL_SECRET_PREVIOUS: approvalSecret().optional(),

    SLACK_BOT_TOKEN: text.regex(/^xoxb-\S+$/, 'expected a Slack bot token starting with xoxb-').optional(),
    SLACK_SIGNING_SECRET: text.regex(/^\S+$/, "expected the app's signing secret, without spaces").optional(),
    SLACK_APP_TOKEN: text.regex(/^xapp-\S+$/, 'expected a Slack app-level token starting with xapp-').optional(),
    SLACK_API_URL: tokenApiUrl('https://slack.com/api/').default('https://slack.com/api/'),
    SLACK_CHANNEL_ID: text.regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel ID such as C0123ABCD').optional(),
    SLACK_TECH_USERGROUP_ID: text.regex(SLACK_USERGROUP_ID, 'expected a Slack user group ID such as S0123ABCD').optional(),
    SLACK_TECH_USER_IDS: idList(SLACK_USER_ID, 'expected comma-separated Slack user IDs such as U0123ABCD,W0456EFGH').optional(),
    SLACK_MANAGER_USERGROUP_ID: text.regex(SLACK_USERGROUP_ID, 'expected a Slack user group ID such as S0123ABCD').optional(),
    SLACK_MANAGER_USER_IDS: idList(SLACK_USER_ID, 'expected comma-separated Slack user IDs such as U0123ABCD,W0456EFGH').optional(),
    SLACK_GROUP_CACHE_MAX: groupCacheMax.default(15 * 60_000),

    ITGLUE_API_KEY: text.regex(/^\S+$/, 'expected an IT Glue API key, without spaces').optional(),
    ITGLUE_API_URL: tokenApiUrl('https://api.itglue.com (or https://api.eu.itglue.com, https://api.au.itglue.com)').default(
      'https://api.itglue.com',
    ),
    ITGLUE_ACTIVITIES_PER_SECOND: activitiesPerSecond.default(0.5),
    ITGLUE_REQUESTS_PER_SECOND: perSecond.default(8),

    SMTP_URL: text
      .refine((value) => /^smtps?:\/\/[^/\s]+/.test(value), 'expected an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587')
      .refine(
        (value) => ['true', 'false'].includes((smtpRequireTls(value) ?? ['true']).join()),
        'expected requireTLS=true or requireTLS=false (once) if the URL sets it; smtp:// uses STARTTLS unless the server is on this machine',
      )
      .optional(),
    MAIL_FROM: text.regex(MAILBOX, 'expected a sender such as "Acme IT <it@acme.example>" or it@acme.example').optional(),
    MAIL_COPY_TO: text
      .transform((value) => value.split(',').map((entry) => entry.trim()))
      .refine(
        (entries) => entries.every((entry) => MAILBOX.test(entry)),
        'expected comma-separated addresses such as "Acme helpdesk <help@acme.example>", it@acme.example',
      )
      .optional(),
    TRUST_PROXY: text
      .transform((value) => value.split(',').map((entry) => entry.trim()))
      .refine((entries) => entries.every(isProxyEntry), 'expected comma-separated IP addresses or CIDR ranges such as 127.0.0.1,10.0.0.0/8')
      .optional(),

    TEMPORAL_ADDRESS: text
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port such as localhost:7233 or my-ns.a1b2c.tmprl.cloud:7233')
      .optional(),
    TEMPORAL_NAMESPACE: text.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a Temporal namespace name such as default').default('default'),
    TEMPORAL_TASK_QUEUE: text.regex(/^\S+$/, 'expected a task queue name without spaces').default('invite-lite'),
    TEMPORAL_API_KEY: text.regex(/^\S+$/, 'expected a Temporal API key, without spaces').optional(),
    TEMPORAL_TLS_CERT: text.optional(),
    TEMPORAL_TLS_KEY: text.optional(),
    TEMPORAL_UI_PORT: port().optional(),

    POLICY_FILE: text.optional(),

    PAYLOAD_ENCRYPTION_KEY: encryptionKey.optional(),
    PAYLOAD_ENCRYPTION_KEY_PREVIOUS: encryptionKey.optional(),
    CODEC_AUTH_TOKEN: z
      .string()
      .refine((value) => Buffer.byteLength(value) >= 32 && /^\S+$/.test(value), 'expected at least 32 bytes without spaces (e.g. the output of openssl rand -hex 32)')
      .optional(),
    CODEC_CORS_ORIGIN: text
      .transform((value) => value.split(',').map((entry) => entry.trim()))
      .refine((entries) => entries.every(isOrigin), 'expected comma-separated origins such as https://temporal-ui.example.com or http://localhost:8233')
      .optional(),
  })
  .superRefine((env, ctx) => {
    // `complete`: the message says all there is (no "got" part); `label` names the variables when it is more than one.
    const fail = (variable: string, message: string, label?: string) =>
      ctx.addIssue({ code: 'custom', path: [variable], message, params: { complete: true, label } });

    if (env.SLACK_BOT_TOKEN) {
      if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
        fail('SLACK_SIGNING_SECRET', "required with SLACK_BOT_TOKEN (the app's signing secret), unless SLACK_APP_TOKEN selects Socket Mode");
      }
      if (!env.SLACK_CHANNEL_ID) {
        fail('SLACK_CHANNEL_ID', 'required with SLACK_BOT_TOKEN: the ID of the channel for onboarding threads, such as C0123ABCD');
      }
      if (!env.SLACK_TECH_USERGROUP_ID && !env.SLACK_TECH_USER_IDS) {
        fail(
          'SLACK_TECH_USERGROUP_ID',
          'one is required with SLACK_BOT_TOKEN: who may start onboardings (a user group ID, or user IDs such as U0123ABCD,W0456EFGH)',
          'SLACK_TECH_USERGROUP_ID / SLACK_TECH_USER_IDS',
        );
      }
      if (!env.ITGLUE_API_KEY) {
        fail('ITGLUE_API_KEY', 'required with SLACK_BOT_TOKEN: the IT Glue API key (without it IT Glue is only simulated, which is for trying the service without Slack)');
      }
    } else {
      for (const variable of ['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_CHANNEL_ID'] as const) {
        if (env[variable]) fail('SLACK_BOT_TOKEN', `required when ${variable} is set: a Slack bot token starting with xoxb-`);
      }
    }

    const activities = env.ITGLUE_ACTIVITIES_PER_SECOND;
    if (activities > MAX_ACTIVITIES_PER_SECOND) {
      fail(
        'ITGLUE_ACTIVITIES_PER_SECOND',
        `expected at most ${MAX_ACTIVITIES_PER_SECOND}: at ${activities} a second, IT Glue activities could send ${Math.round(queueRequestsPer5Minutes(activities))} requests ` +
          `per 5 minutes (up to ${MAX_REQUESTS_PER_ACTIVITY} each), over ${QUEUE_BUDGET_PER_5_MINUTES} (80% of IT Glue's 3000)`,
      );
    }

    if (env.PAYLOAD_ENCRYPTION_KEY_PREVIOUS && !env.PAYLOAD_ENCRYPTION_KEY) {
      fail('PAYLOAD_ENCRYPTION_KEY', 'required when PAYLOAD_ENCRYPTION_KEY_PREVIOUS is set: the current key, which encrypts everything new');
    } else if (env.PAYLOAD_ENCRYPTION_KEY_PREVIOUS && env.PAYLOAD_ENCRYPTION_KEY!.equals(env.PAYLOAD_ENCRYPTION_KEY_PREVIOUS)) {
      fail('PAYLOAD_ENCRYPTION_KEY_PREVIOUS', 'is the same key as PAYLOAD_ENCRYPTION_KEY: after a rotation it holds the key before the current one');
    }
    if (env.CODEC_AUTH_TOKEN && !env.PAYLOAD_ENCRYPTION_KEY) {
      fail('PAYLOAD_ENCRYPTION_KEY', 'required when CODEC_AUTH_TOKEN is set: the codec endpoint decrypts with it');
    }
    if (env.CODEC_CORS_ORIGIN && !env.CODEC_AUTH_TOKEN) {
      fail('CODEC_AUTH_TOKEN', 'required when CODEC_CORS_ORIGIN is set: the token that opens the codec endpoint (at least 32 bytes, e.g. openssl rand -hex 32)');
    }

    if (env.SMTP_URL && !env.MAIL_FROM) fail('MAIL_FROM', 'required with SMTP_URL: a sender such as "Acme IT <it@acme.example>"');

    if (!env.TEMPORAL_ADDRESS) {
      for (const variable of ['TEMPORAL_API_KEY', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const) {
        if (env[variable]) fail('TEMPORAL_ADDRESS', `required when ${variable} is set: the host:port of the Temporal server`);
      }
    }
    if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
      const missing = env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
      fail(missing, 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both (paths of the client certificate and key) or neither');
    }
    for (const variable of ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'POLICY_FILE'] as const) {
      const file = env[variable];
      if (file && !isReadableFile(file)) fail(variable, `expected the path of a readable file, got "${file}"`);
    }

    // Only the demo (nothing real configured, links on this machine) may sign with a secret of its own making.
    const needsSecret = approvalSecretRequiredBy(env);
    if (!env.APPROVAL_SECRET && needsSecret) {
      fail('APPROVAL_SECRET', `required because ${needsSecret}: a random secret of at least 32 bytes (e.g. openssl rand -hex 32)`);
    }
    if (env.APPROVAL_SECRET_PREVIOUS) {
      if (!env.APPROVAL_SECRET) {
        fail('APPROVAL_SECRET', 'required when APPROVAL_SECRET_PREVIOUS is set: the new secret, which signs every new link while the previous one still verifies');
      } else if (env.APPROVAL_SECRET_PREVIOUS === env.APPROVAL_SECRET) {
        fail('APPROVAL_SECRET_PREVIOUS', 'is the same as APPROVAL_SECRET: set it to the secret being replaced, or unset it');
      }
    }
  });

/** An http(s) origin: scheme, host and port only. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

function approvalSecret() {
  return z.string().refine((value) => Buffer.byteLength(value) >= 32, 'expected at least 32 bytes (e.g. the output of openssl rand -hex 32)');
}

/**
 * Why this configuration needs APPROVAL_SECRET ("SMTP_URL is set and PUBLIC_BASE_URL is not
 * loopback"), or null for the demo: no real integration and approval links on this machine.
 */
function approvalSecretRequiredBy(env: {
  SMTP_URL?: string;
  SLACK_BOT_TOKEN?: string;
  ITGLUE_API_KEY?: string;
  PUBLIC_BASE_URL?: string;
  NODE_ENV: string;
}): string | null {
  const set = (['SMTP_URL', 'SLACK_BOT_TOKEN', 'ITGLUE_API_KEY'] as const).filter((variable) => env[variable]);
  const reasons: string[] = [];
  if (set.length > 0) reasons.push(`${inWords(set)} ${set.length === 1 ? 'is' : 'are'} set`);
  if (env.PUBLIC_BASE_URL && !isLoopbackUrl(env.PUBLIC_BASE_URL)) reasons.push('PUBLIC_BASE_URL is not loopback');
  if (env.NODE_ENV === 'production') reasons.push('NODE_ENV=production');
  return reasons.length > 0 ? inWords(reasons) : null;
}

function inWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The values of SMTP_URL's requireTLS parameter; null when it has none (or the URL does not parse). */
function smtpRequireTls(smtpUrl: string): string[] | null {
  try {
    const values = new URL(smtpUrl).searchParams.getAll('requireTLS');
    return values.length > 0 ? values : null;
  } catch {
    return null;
  }
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

type Env = Record<string, string | undefined>;

/** One line: the variable, what it expects, and what it got (never for secrets). */
function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const variable = String(issue.path[0]);
  const value = env[variable];
  if (issue.code === 'custom' && issue.params?.complete) return `${issue.params.label ?? variable}: ${issue.message}`;
  if (value === undefined) return `${variable}: ${issue.message}`;
  if (SECRET_VARIABLES.has(variable)) {
    const bytes = Buffer.byteLength(value);
    return `${variable}: ${issue.message}, got ${bytes} byte${bytes === 1 ? '' : 's'} (value not shown)`;
  }
  return `${variable}: ${issue.message}, got ${JSON.stringify(value)}`;
}

/** The addresses a browser reaches the embedded Temporal UI at. */
function embeddedUiOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}

/** Parses and validates the environment (and the policy file it names). Throws ConfigError. */
export function loadConfig(env: Env = process.env): Config {
  // An empty value (FOO= in an env file) means unset.
  const present: Env = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') present[key] = value.trim();

  const result = envSchema.safeParse(present);
  if (!result.success) throw new ConfigError(describeIssue(result.error.issues[0]!, present));
  const e = result.data;

  const dataDir = resolve(e.DATA_DIR);
  const warnings: string[] = [];
  let approvalSecret = e.APPROVAL_SECRET;
  if (!approvalSecret) {
    // The demo (the schema refused every other configuration without APPROVAL_SECRET).
    const demo = demoApprovalSecret(dataDir);
    approvalSecret = demo.secret;
    warnings.push(
      `APPROVAL_SECRET is unset: approval links are signed with the demo secret in ${demo.file} (${demo.created ? 'made now' : 'made at an earlier start'}); ` +
        'set APPROVAL_SECRET before configuring SMTP_URL, SLACK_BOT_TOKEN, ITGLUE_API_KEY or a public PUBLIC_BASE_URL',
    );
  }
  if (e.APPROVAL_SECRET_PREVIOUS) {
    warnings.push('APPROVAL_SECRET_PREVIOUS is set: links signed with it are still accepted; unset it once they have expired (the approval timeout)');
  }
  if (!e.ITGLUE_API_KEY) {
    warnings.push(
      'ITGLUE_API_KEY is unset: IT Glue is simulated (placeholder organizations and contacts, nothing is read from or done in IT Glue), for trying the service only; every onboarding says so',
    );
  }
  if (e.SMTP_URL && smtpRequireTls(e.SMTP_URL)?.[0] === 'false' && !isLoopbackHost(new URL(e.SMTP_URL).hostname)) {
    warnings.push('SMTP_URL says requireTLS=false: mail, its approval links and the SMTP password may cross the network unencrypted');
  }
  if (e.TEMPORAL_ADDRESS && e.TEMPORAL_UI_PORT) {
    warnings.push('TEMPORAL_UI_PORT is ignored: it applies to the embedded Temporal dev server only (TEMPORAL_ADDRESS is set)');
  }

  const slack: SlackConfig | null = e.SLACK_BOT_TOKEN
    ? {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET ?? null,
        appToken: e.SLACK_APP_TOKEN ?? null,
        apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
        channelId: e.SLACK_CHANNEL_ID!,
        techUsergroupId: e.SLACK_TECH_USERGROUP_ID ?? null,
        techUserIds: e.SLACK_TECH_USER_IDS ?? [],
        managerUsergroupId: e.SLACK_MANAGER_USERGROUP_ID ?? null,
        managerUserIds: e.SLACK_MANAGER_USER_IDS ?? [],
        groupCacheMaxMs: e.SLACK_GROUP_CACHE_MAX,
      }
    : null;

  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir,
    approvalSecret,
    approvalSecretPrevious: e.APPROVAL_SECRET_PREVIOUS ?? null,
    slack,
    itglue: {
      apiUrl: e.ITGLUE_API_URL.replace(/\/+$/, ''),
      apiKey: e.ITGLUE_API_KEY ?? null,
      activitiesPerSecond: e.ITGLUE_ACTIVITIES_PER_SECOND,
      requestsPerSecond: e.ITGLUE_REQUESTS_PER_SECOND,
    },
    trustProxy: e.TRUST_PROXY ?? [],
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM ?? DEFAULT_MAIL_FROM,
      copyTo: e.MAIL_COPY_TO ? e.MAIL_COPY_TO.map(parseMailbox) : null,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? null,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY ?? null,
      tls: e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY ? { certFile: e.TEMPORAL_TLS_CERT, keyFile: e.TEMPORAL_TLS_KEY } : null,
      uiPort: e.TEMPORAL_UI_PORT ?? null,
    },
    policy: loadPolicy(e.POLICY_FILE),
    policyFile: e.POLICY_FILE ? resolve(e.POLICY_FILE) : null,
    payloadEncryption: e.PAYLOAD_ENCRYPTION_KEY ? { current: e.PAYLOAD_ENCRYPTION_KEY, previous: e.PAYLOAD_ENCRYPTION_KEY_PREVIOUS ?? null } : null,
    codecEndpoint: e.CODEC_AUTH_TOKEN
      ? {
          authToken: e.CODEC_AUTH_TOKEN,
          corsOrigins: (e.CODEC_CORS_ORIGIN ?? (e.TEMPORAL_UI_PORT && !e.TEMPORAL_ADDRESS ? embeddedUiOrigins(e.TEMPORAL_UI_PORT) : [])).map(
            (origin) => new URL(origin).origin,
          ),
        }
      : null,
    logLevel: e.LOG_LEVEL as LogLevel,
    warnings,
  };
}
