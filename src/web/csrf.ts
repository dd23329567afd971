/**
 * CSRF protection for the approval form, without server-side sessions (double submit): the page
 * sets a random nonce in a cookie (SameSite=Strict, HttpOnly) and puts HMAC(APPROVAL_SECRET, nonce,
 * approval token) in the form. A POST counts only with both, and they must match: a request built
 * elsewhere lacks the browser's cookie, and the nonce alone does not give the form value.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const COOKIE = 'approval_csrf';
const NONCE = /^[A-Za-z0-9_-]{43}$/;

/** The nonce in the request's cookie, or null. */
export function csrfNonce(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE && NONCE.test(value.join('='))) return value.join('=');
  }
  return null;
}

export function newCsrfNonce(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The Set-Cookie value. No Path: the browser scopes it to the approval pages' directory, wherever
 * a reverse proxy mounts them.
 */
export function csrfCookie(nonce: string, secure: boolean): string {
  return `${COOKIE}=${nonce}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The form's hidden value for this nonce and approval token. */
export function csrfFormValue(secret: string, nonce: string, token: string): string {
  return createHmac('sha256', secret).update('invite-lite approval form\0').update(nonce).update('\0').update(token).digest('base64url');
}

export function isCsrfValid(secret: string, nonce: string | null, formValue: string | null, token: string): boolean {
  if (!nonce || !formValue) return false;
  const expected = Buffer.from(csrfFormValue(secret, nonce, token));
  const given = Buffer.from(formValue);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
