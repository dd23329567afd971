/**
 * The service's configuration: environment variables (docs/design.md §12) and the policy file, parsed and
 * validated at start-up. A bad value is a ConfigError whose message is one line naming the variable.
 * Each part's variables, rules and defaults are in src/config/.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Policy } from '../workflows/policy';
import { ConfigError } from './config-error';
import { LOG_LEVELS, type LogLevel } from './log';
import { loadPolicy } from './policy-file';
import type { PayloadEncryptionKeys } from './temporal/data-converter';
import { describeIssue, failer, httpUrl, isReadableFile, port, text, type Env } from './config/env';
import { itglueConfig, itglueEnv, itglueWarnings, checkItglueEnv, type ItglueConfig } from './config/itglue';
import { metricsEnv } from './config/metrics';
import { checkMailEnv, mailConfig, mailEnv, mailWarnings, type MailConfig } from './config/mail';
import { checkSlackEnv, slackConfig, slackEnv, type SlackConfig } from './config/slack';
import { checkTemporalEnv, temporalConfig, temporalEnv, temporalWarnings, type TemporalConfig } from './config/temporal';
import {
  approvalEnv,
  approvalSecrets,
  checkApprovalEnv,
  checkCodecEnv,
  codecEndpoint,
  codecEnv,
  payloadEncryption,
  trustProxyEnv,
  type CodecEndpointConfig,
} from './config/web';

export { ConfigError } from './config-error';

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
  itglue: ItglueConfig;
  mail: MailConfig;
  temporal: TemporalConfig;
  policy: Policy;
  policyFile: string | null;
  /** PAYLOAD_ENCRYPTION_KEY: everything stored in Temporal is encrypted; null: stored as it is. */
  payloadEncryption: PayloadEncryptionKeys | null;
  /** CODEC_AUTH_TOKEN: the codec endpoint for the Temporal UI and CLI (src/web/codec-endpoint.ts); null: none. */
  codecEndpoint: CodecEndpointConfig | null;
  /** METRICS_TOKEN: GET /metrics asks for it as a bearer token; null: /metrics is open. */
  metricsToken: string | null;
  /** LOG_LEVEL: the least severe level the log writes (default info; `silent`: none). */
  logLevel: LogLevel;
  /** Things worth a log line at start-up (e.g. the demo approval secret is in use, IT Glue is simulated). */
  warnings: string[];
}

/** LOG_LEVEL: one of pino's levels, in any case. */
const LOG_LEVEL_EXPECTED = `expected one of ${LOG_LEVELS.join(', ')}`;
const logLevel = z
  .string()
  .transform((value) => value.toLowerCase())
  .refine((value): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value), LOG_LEVEL_EXPECTED);

// The order of the variables and of the rules is the order their errors are reported in (the first one).
const envSchema = z
  .object({
    NODE_ENV: text.default('development'),
    LOG_LEVEL: logLevel.default('info'),
    PORT: port().default(3000),
    PUBLIC_BASE_URL: httpUrl('https://invite-lite.example.com').optional(),
    DATA_DIR: text.default('./data'),
    ...approvalEnv,
    ...slackEnv,
    ...itglueEnv,
    ...mailEnv,
    ...trustProxyEnv,
    ...temporalEnv,
    POLICY_FILE: text.optional(),
    ...codecEnv,
    ...metricsEnv,
  })
  .superRefine((env, ctx) => {
    const fail = failer(ctx);
    checkSlackEnv(env, fail);
    checkItglueEnv(env, fail);
    checkCodecEnv(env, fail);
    checkMailEnv(env, fail);
    checkTemporalEnv(env, fail);
    if (env.POLICY_FILE && !isReadableFile(env.POLICY_FILE)) fail('POLICY_FILE', `expected the path of a readable file, got "${env.POLICY_FILE}"`);
    checkApprovalEnv(env, fail);
  });

/** Parses and validates the environment (and the policy file it names). Throws ConfigError. */
export function loadConfig(env: Env = process.env): Config {
  // An empty value (FOO= in an env file) means unset.
  const present: Env = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') present[key] = value.trim();

  const result = envSchema.safeParse(present);
  if (!result.success) throw new ConfigError(describeIssue(result.error.issues[0]!, present));
  const e = result.data;

  const dataDir = resolve(e.DATA_DIR);
  const approval = approvalSecrets(e, dataDir);
  const warnings = [...approval.warnings, ...itglueWarnings(e), ...mailWarnings(e), ...temporalWarnings(e)];

  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir,
    approvalSecret: approval.secret,
    approvalSecretPrevious: approval.previous,
    slack: slackConfig(e),
    itglue: itglueConfig(e),
    trustProxy: e.TRUST_PROXY ?? [],
    mail: mailConfig(e),
    temporal: temporalConfig(e),
    policy: loadPolicy(e.POLICY_FILE),
    policyFile: e.POLICY_FILE ? resolve(e.POLICY_FILE) : null,
    payloadEncryption: payloadEncryption(e),
    codecEndpoint: codecEndpoint(e),
    metricsToken: e.METRICS_TOKEN ?? null,
    logLevel: e.LOG_LEVEL as LogLevel,
    warnings,
  };
}
