/**
 * The web server's variables (docs/design.md §12): the secrets approval links are signed with, the
 * reverse proxies it trusts, and the codec endpoint with the payload encryption keys it decrypts with.
 */
import { z } from 'zod';
import { demoApprovalSecret } from '../demo-secret';
import { isLoopbackUrl } from '../loopback';
import type { PayloadEncryptionKeys } from '../temporal/data-converter';
import { parseEncryptionKey } from '../temporal/payload-encryption';
import { isProxyEntry } from '../web/client-ip';
import { text, type Fail } from './env';

export interface CodecEndpointConfig {
  /** Bearer token every request must carry. */
  authToken: string;
  /** Browser origins (the Temporal UI's) allowed to call it: CODEC_CORS_ORIGIN, else the embedded UI's. */
  corsOrigins: string[];
}

function approvalSecret() {
  return z.string().refine((value) => Buffer.byteLength(value) >= 32, 'expected at least 32 bytes (e.g. the output of openssl rand -hex 32)');
}

/** PAYLOAD_ENCRYPTION_KEY and its previous value: 32 bytes, base64 or hex. */
const encryptionKey = z.string().transform((value, ctx) => {
  const key = parseEncryptionKey(value);
  if (key) return key;
  ctx.addIssue({ code: 'custom', message: 'expected 32 random bytes written as base64 or as 64 hex digits (e.g. the output of openssl rand -base64 32)' });
  return z.NEVER;
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

export const approvalEnv = {
  APPROVAL_SECRET: approvalSecret().optional(),
  APPROVAL_SECRET_PREVIOUS: approvalSecret().optional(),
};

export const trustProxyEnv = {
  TRUST_PROXY: text
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .refine((entries) => entries.every(isProxyEntry), 'expected comma-separated IP addresses or CIDR ranges such as 127.0.0.1,10.0.0.0/8')
    .optional(),
};

export const codecEnv = {
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
};

type ApprovalEnv = z.output<z.ZodObject<typeof approvalEnv>>;
type CodecEnv = z.output<z.ZodObject<typeof codecEnv>>;

/** What decides whether the demo may sign approval links with a secret of its own making. */
interface ApprovalContext {
  SMTP_URL?: string;
  SLACK_BOT_TOKEN?: string;
  ITGLUE_API_KEY?: string;
  PUBLIC_BASE_URL?: string;
  NODE_ENV: string;
}

function inWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Why this configuration needs APPROVAL_SECRET ("SMTP_URL is set and PUBLIC_BASE_URL is not
 * loopback"), or null for the demo: no real integration and approval links on this machine.
 */
function approvalSecretRequiredBy(env: ApprovalContext): string | null {
  const set = (['SMTP_URL', 'SLACK_BOT_TOKEN', 'ITGLUE_API_KEY'] as const).filter((variable) => env[variable]);
  const reasons: string[] = [];
  if (set.length > 0) reasons.push(`${inWords(set)} ${set.length === 1 ? 'is' : 'are'} set`);
  if (env.PUBLIC_BASE_URL && !isLoopbackUrl(env.PUBLIC_BASE_URL)) reasons.push('PUBLIC_BASE_URL is not loopback');
  if (env.NODE_ENV === 'production') reasons.push('NODE_ENV=production');
  return reasons.length > 0 ? inWords(reasons) : null;
}

/** The rules between the payload encryption keys and the codec endpoint's variables. */
export function checkCodecEnv(env: CodecEnv, fail: Fail): void {
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
}

/** Only the demo (nothing real configured, links on this machine) may sign with a secret of its own making. */
export function checkApprovalEnv(env: ApprovalEnv & ApprovalContext, fail: Fail): void {
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
}

/** The secrets approval links are signed and verified with, and what is worth a warning about them. */
export function approvalSecrets(env: ApprovalEnv, dataDir: string): { secret: string; previous: string | null; warnings: string[] } {
  const warnings: string[] = [];
  let secret = env.APPROVAL_SECRET;
  if (!secret) {
    // The demo (checkApprovalEnv refused every other configuration without APPROVAL_SECRET).
    const demo = demoApprovalSecret(dataDir);
    secret = demo.secret;
    warnings.push(
      `APPROVAL_SECRET is unset: approval links are signed with the demo secret in ${demo.file} (${demo.created ? 'made now' : 'made at an earlier start'}); ` +
        'set APPROVAL_SECRET before configuring SMTP_URL, SLACK_BOT_TOKEN, ITGLUE_API_KEY or a public PUBLIC_BASE_URL',
    );
  }
  if (env.APPROVAL_SECRET_PREVIOUS) {
    warnings.push('APPROVAL_SECRET_PREVIOUS is set: links signed with it are still accepted; unset it once they have expired (the approval timeout)');
  }
  return { secret, previous: env.APPROVAL_SECRET_PREVIOUS ?? null, warnings };
}

/** PAYLOAD_ENCRYPTION_KEY: everything stored in Temporal is encrypted; null: stored as it is. */
export function payloadEncryption(env: CodecEnv): PayloadEncryptionKeys | null {
  return env.PAYLOAD_ENCRYPTION_KEY ? { current: env.PAYLOAD_ENCRYPTION_KEY, previous: env.PAYLOAD_ENCRYPTION_KEY_PREVIOUS ?? null } : null;
}

/** The addresses a browser reaches the embedded Temporal UI at. */
function embeddedUiOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}

/** CODEC_AUTH_TOKEN: the codec endpoint for the Temporal UI and CLI (src/web/codec-endpoint.ts); null: none. */
export function codecEndpoint(env: CodecEnv & { TEMPORAL_ADDRESS?: string; TEMPORAL_UI_PORT?: number }): CodecEndpointConfig | null {
  if (!env.CODEC_AUTH_TOKEN) return null;
  return {
    authToken: env.CODEC_AUTH_TOKEN,
    corsOrigins: (env.CODEC_CORS_ORIGIN ?? (env.TEMPORAL_UI_PORT && !env.TEMPORAL_ADDRESS ? embeddedUiOrigins(env.TEMPORAL_UI_PORT) : [])).map(
      (origin) => new URL(origin).origin,
    ),
  };
}
