/** Approval tokens: HMAC-signed claims that survive the trip through a URL and nothing else. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { messageSettings } from '../src/mail/configured';
import { approvalLink, signApprovalToken, verifyApprovalToken, type ApprovalClaims } from '../src/web/approval-token';

const SECRET = 'token test secret with at least 32 bytes';
const CLAIMS: ApprovalClaims = { workflowId: 'onboarding:100:201', round: 2, approverContactId: '202', expiresAt: Date.parse('2031-01-01T00:00:00Z') };
const BEFORE = CLAIMS.expiresAt - 1;

/** Replaces the character at `index` by another base64url character. */
function flip(token: string, index: number): string {
  const c = token[index]!;
  return token.slice(0, index) + (c === 'A' ? 'B' : 'A') + token.slice(index + 1);
}

describe('approval tokens', () => {
  it('carry the claims, URL-safe, and verify with the same secret', () => {
    const token = signApprovalToken(SECRET, CLAIMS);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyApprovalToken(SECRET, token, BEFORE)).toEqual({ ok: true, claims: CLAIMS, expired: false });
    expect(signApprovalToken(SECRET, CLAIMS)).toBe(token);
    expect(approvalLink('https://approve.example/', SECRET, CLAIMS)).toBe(`https://approve.example/approvals/${token}`);
  });

  it('are readable but expired from their expiry on', () => {
    const token = signApprovalToken(SECRET, CLAIMS);
    expect(verifyApprovalToken(SECRET, token, CLAIMS.expiresAt)).toEqual({ ok: true, claims: CLAIMS, expired: true });
  });

  it('refuse another secret, any changed character, other claims under the old signature, and junk', () => {
    const token = signApprovalToken(SECRET, CLAIMS);
    expect(verifyApprovalToken('another secret with at least 32 bytes!!', token, BEFORE)).toEqual({ ok: false });
    for (let i = 0; i < token.length; i += 1) {
      if (token[i] === '.') continue;
      expect(verifyApprovalToken(SECRET, flip(token, i), BEFORE)).toEqual({ ok: false });
    }
    const [, mac] = token.split('.');
    for (const claims of [
      { ...CLAIMS, round: 3 },
      { ...CLAIMS, approverContactId: '203' },
      { ...CLAIMS, expiresAt: CLAIMS.expiresAt + 1 },
      { ...CLAIMS, workflowId: 'onboarding:100:202' },
    ]) {
      const [payload] = signApprovalToken(SECRET, claims).split('.');
      expect(verifyApprovalToken(SECRET, `${payload}.${mac}`, BEFORE)).toEqual({ ok: false });
    }
    const forged = `${Buffer.from(JSON.stringify(['onboarding:100:201', 2, '202', CLAIMS.expiresAt])).toString('base64url')}.${'A'.repeat(43)}`;
    for (const junk of ['', '.', 'abc', `${token}.x`, `${token}=`, `${token}==`, token.replace('.', '..'), `${token.split('.')[0]}.`, forged]) {
      expect(verifyApprovalToken(SECRET, junk, BEFORE)).toEqual({ ok: false });
    }
  });

  it('verify with the previous secret during a rotation, while new links are signed with the new one', () => {
    const OLD = 'the previous approval secret, 32 bytes+';
    const NEW = 'the new approval secret, at least 32 bytes';
    const old = signApprovalToken(OLD, CLAIMS);
    const fresh = signApprovalToken(NEW, CLAIMS);
    expect(fresh).not.toBe(old);
    for (const secrets of [
      [NEW, OLD],
      [OLD, NEW],
    ]) {
      expect(verifyApprovalToken(secrets, old, BEFORE)).toEqual({ ok: true, claims: CLAIMS, expired: false });
      expect(verifyApprovalToken(secrets, fresh, BEFORE)).toEqual({ ok: true, claims: CLAIMS, expired: false });
      expect(verifyApprovalToken(secrets, old, CLAIMS.expiresAt)).toEqual({ ok: true, claims: CLAIMS, expired: true });
    }
    // Once the previous secret is dropped, its links stop working; the new ones go on.
    expect(verifyApprovalToken([NEW], old, BEFORE)).toEqual({ ok: false });
    expect(verifyApprovalToken(NEW, old, BEFORE)).toEqual({ ok: false });
    expect(verifyApprovalToken([NEW], fresh, BEFORE)).toMatchObject({ ok: true });
    // A third secret, any changed character and no secret at all verify nothing.
    expect(verifyApprovalToken(['a third secret of 32 bytes or more!!'], old, BEFORE)).toEqual({ ok: false });
    expect(verifyApprovalToken([NEW, OLD], flip(old, old.length - 2), BEFORE)).toEqual({ ok: false });
    expect(verifyApprovalToken([NEW, OLD], flip(old, 3), BEFORE)).toEqual({ ok: false });
    expect(verifyApprovalToken([], old, BEFORE)).toEqual({ ok: false });
  });

  it('are signed by the service with APPROVAL_SECRET only, during a rotation too', () => {
    const OLD = 'the previous approval secret, 32 bytes+';
    const NEW = 'the new approval secret, at least 32 bytes';
    const config = loadConfig({ PUBLIC_BASE_URL: 'https://approve.example', APPROVAL_SECRET: NEW, APPROVAL_SECRET_PREVIOUS: OLD });
    const link = messageSettings(config).approvalLink(CLAIMS);
    expect(link).toBe(`https://approve.example/approvals/${signApprovalToken(NEW, CLAIMS)}`);
    const token = link.split('/').pop()!;
    expect(verifyApprovalToken(NEW, token, BEFORE)).toEqual({ ok: true, claims: CLAIMS, expired: false });
    expect(verifyApprovalToken(OLD, token, BEFORE)).toEqual({ ok: false });
  });

  it('refuse well-signed payloads of the wrong shape', () => {
    // Only the secret's holder could make these; still, nothing but the four claims is accepted.
    const sign = (value: unknown) => {
      const payload = Buffer.from(JSON.stringify(value));
      const mac = createHmac('sha256', SECRET).update('invite-lite approval token\0').update(payload).digest();
      return `${payload.toString('base64url')}.${mac.toString('base64url')}`;
    };
    expect(verifyApprovalToken(SECRET, sign(['onboarding:1:2', 1, '3', 5]), 0)).toMatchObject({ ok: true });
    for (const bad of [['onboarding:1:2', 0, '3', 5], ['onboarding:1:2', 1.5, '3', 5], ['', 1, '3', 5], ['w', 1, '3', 5, 'extra'], { workflowId: 'w' }, 'text']) {
      expect(verifyApprovalToken(SECRET, sign(bad), 0)).toEqual({ ok: false });
    }
  });
});
