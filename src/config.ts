/**
 * The service's configuration: environment variables (PRODUCT.md §7) and the policy file, parsed and
 * validated at start-up. A bad value is a ConfigError whose message is one line naming the variable.
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Policy } from '../workflows/policy';
import { ConfigError } from './config-error';
import {
  MAX_ACTIVITIES_PER_SECOND,
  MAX_REQUESTS_PER_ACTIVITY,
  QUEUE_BUDGET_PER_5_MINUTES,
  queueRequestsPer5Minutes,
} from './itglue/budget';
import { MAILBOX, parseMailbox, type Address } from './mail/address';
import { loadPolicy } from './policy-file';
import { isProxyEntry } from './web/client-ip';

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

export interface Config {
  nodeEnv: string;
  port: number;
  publicBaseUrl: string;
  /** Absolute path of the directory for the service's files (embedded Temporal database, outbox). */
  dataDir: string;
  approvalSecret: string;
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
  /** Things worth a log line at start-up (e.g. the development approval secret is in use). */
  warnings: string[];
}

/** Used outside production when APPROVAL_SECRET is unset, so that links survive a restart. */
export const DEVELOPMENT_APPROVAL_SECRET = 'invite-lite development approval secret: set APPROVAL_SECRET';

const DEFAULT_MAIL_FROM = 'invite-lite <invite-lite@localhost>';

/** Variables whose values never appear in an error message. */
const SECRET_VARIABLES = new Set([
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'ITGLUE_API_KEY',
  'SMTP_URL',
  'APPROVAL_SECRET',
  'TEMPORAL_API_KEY',
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

const envSchema = z
  .object({
    NODE_ENV: text.default('development'),
    PORT: port().default(3000),
    PUBLIC_BASE_URL: httpUrl('https://invite-lite.example.com').optional(),
    DATA_DIR: text.default('./data'),
    APPROVAL_SECRET: z
      .string()
      .refine((value) => Buffer.byteLength(value) >= 32, 'expected at least 32 bytes (e.g. the output of openssl rand -hex 32)')
      .optional(),

    SLACK_BOT_TOKEN: text.regex(/^xoxb-\S+$/, 'expected a Slack bot token starting with xoxb-').optional(),
    SLACK_SIGNING_SECRET: text.regex(/^\S+$/, "expected the app's signing secret, without spaces").optional(),
    SLACK_APP_TOKEN: text.regex(/^xapp-\S+$/, 'expected a Slack app-level token starting with xapp-').optional(),
    SLACK_API_URL: httpUrl('https://slack.com/api/').default('https://slack.com/api/'),
    SLACK_CHANNEL_ID: text.regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel ID such as C0123ABCD').optional(),
    SLACK_TECH_USERGROUP_ID: text.regex(SLACK_USERGROUP_ID, 'expected a Slack user group ID such as S0123ABCD').optional(),
    SLACK_TECH_USER_IDS: idList(SLACK_USER_ID, 'expected comma-separated Slack user IDs such as U0123ABCD,W0456EFGH').optional(),
    SLACK_MANAGER_USERGROUP_ID: text.regex(SLACK_USERGROUP_ID, 'expected a Slack user group ID such as S0123ABCD').optional(),
    SLACK_MANAGER_USER_IDS: idList(SLACK_USER_ID, 'expected comma-separated Slack user IDs such as U0123ABCD,W0456EFGH').optional(),

    ITGLUE_API_KEY: text.regex(/^\S+$/, 'expected an IT Glue API key, without spaces').optional(),
    ITGLUE_API_URL: httpUrl('https://api.itglue.com (or https://api.eu.itglue.com, https://api.au.itglue.com)').default(
      'https://api.itglue.com',
    ),
    ITGLUE_ACTIVITIES_PER_SECOND: activitiesPerSecond.default(0.5),
    ITGLUE_REQUESTS_PER_SECOND: perSecond.default(8),

    SMTP_URL: text
      .refine((value) => /^smtps?:\/\/[^/\s]+/.test(value), 'expected an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587')
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
  })
  .superRefine((env, ctx) => {
    // `complete`: the message says all there is (no "got" part); `label` names the variables when it is more than one.
    const fail = (variable: string, message: string, label?: string) =>
      ctx.addIssue({ code: 'custom', path: [variable], message, params: { complete: true, label } });

    if (!env.APPROVAL_SECRET && env.NODE_ENV === 'production') {
      fail('APPROVAL_SECRET', 'required when NODE_ENV=production: a random secret of at least 32 bytes (e.g. openssl rand -hex 32)');
    }

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
  });

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

/** Parses and validates the environment (and the policy file it names). Throws ConfigError. */
export function loadConfig(env: Env = process.env): Config {
  // An empty value (FOO= in an env file) means unset.
  const present: Env = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') present[key] = value.trim();

  const result = envSchema.safeParse(present);
  if (!result.success) throw new ConfigError(describeIssue(result.error.issues[0]!, present));
  const e = result.data;

  const warnings: string[] = [];
  if (!e.APPROVAL_SECRET) {
    warnings.push('APPROVAL_SECRET is unset: approval links are signed with a fixed development secret; set one before real use');
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
      }
    : null;

  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir: resolve(e.DATA_DIR),
    approvalSecret: e.APPROVAL_SECRET ?? DEVELOPMENT_APPROVAL_SECRET,
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
    warnings,
  };
}
