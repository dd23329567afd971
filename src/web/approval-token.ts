/**
 * Approval tokens (docs/design.md §6): the claims (workflow ID, approval round, approver contact ID,
 * expiry) and an HMAC-SHA256 over them with APPROVAL_SECRET, both base64url, joined by a dot.
 * Only the holder of the secret can make one; changing any character breaks it. A token stays
 * readable after its expiry, so that the page can say "expired" rather than "invalid".
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export interface ApprovalClaims {
  workflowId: string;
  round: number;
  approverContactId: string;
  /** Milliseconds since the epoch: the approval's time-out. */
  expiresAt: number;
}

export type TokenCheck = { ok: true; claims: ApprovalClaims; expired: boolean } | { ok: false };

const claimsSchema = z.tuple([z.string().min(1), z.number().int().positive(), z.string().min(1), z.number().int().positive()]);

function mac(secret: string, payload: Buffer): Buffer {
  return createHmac('sha256', secret).update('invite-lite approval token\0').update(payload).digest();
}

/** Strict base64url: null unless `text` is exactly the encoding of what it decodes to. */
function decode(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

export function signApprovalToken(secret: string, claims: ApprovalClaims): string {
  const payload = Buffer.from(JSON.stringify([claims.workflowId, claims.round, claims.approverContactId, claims.expiresAt]));
  return `${payload.toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

/**
 * Checks a token against the secret, or against each of several: during a rotation the previous
 * secret (APPROVAL_SECRET_PREVIOUS) still verifies the links already sent, while new links are
 * signed with the current one only.
 */
export function verifyApprovalToken(secrets: string | readonly string[], token: string, now: number = Date.now()): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false };
  const payload = decode(parts[0]!);
  const given = decode(parts[1]!);
  if (!payload || !given) return { ok: false };
  const signedWith = (secret: string) => {
    const expected = mac(secret, payload);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  if (!(typeof secrets === 'string' ? [secrets] : secrets).some(signedWith)) return { ok: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false };
  }
  const result = claimsSchema.safeParse(parsed);
  if (!result.success) return { ok: false };
  const [workflowId, round, approverContactId, expiresAt] = result.data;
  return { ok: true, claims: { workflowId, round, approverContactId, expiresAt }, expired: now >= expiresAt };
}

/** The link an approver gets by email: `<PUBLIC_BASE_URL>/approvals/<token>`. */
export function approvalLink(publicBaseUrl: string, secret: string, claims: ApprovalClaims): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/approvals/${signApprovalToken(secret, claims)}`;
}
