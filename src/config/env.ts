/**
 * The building blocks of the environment's schema (src/config.ts): zod schemas for the kinds of
 * value the variables hold, and the one line a bad value becomes.
 */
import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { isLoopbackHost } from '../loopback';

/** The environment as the process has it. */
export type Env = Record<string, string | undefined>;

/** Reports a rule between variables: `label` names the variables when it is more than one. */
export type Fail = (variable: string, message: string, label?: string) => void;

/** The `fail` of a superRefine: its message says all there is (no "got" part). */
export function failer(ctx: z.RefinementCtx): Fail {
  return (variable, message, label) => ctx.addIssue({ code: 'custom', path: [variable], message, params: { complete: true, label } });
}

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
  'METRICS_TOKEN',
]);

export const text = z.string();

export function httpUrl(example: string) {
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
export function tokenApiUrl(example: string) {
  return httpUrl(example).refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol !== 'http:' || isLoopbackHost(url.hostname);
    } catch {
      return true; // reported by httpUrl
    }
  }, 'expected https:// (http:// only for a loopback host: 127.0.0.0/8, ::1 or localhost), as the token sent there would cross the network unencrypted');
}

export function port() {
  const expected = 'expected a whole number from 1 to 65535';
  return z
    .string()
    .regex(/^\d+$/, expected)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, expected);
}

export function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** One line: the variable, what it expects, and what it got (never for secrets). */
export function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
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
