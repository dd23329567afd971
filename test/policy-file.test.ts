/**
 * The policy file's bounds on the sweep's interval, which also keeps the IT Glue API key in use,
 * and the MyGlue sign-in host.
 */
import { describe, expect, it } from 'vitest';
import { deepMerge, parsePolicy } from '../src/policy-file';
import { DEFAULT_POLICY, techEscalationOf } from '../workflows/policy';

const withSweep = (every: unknown) => parsePolicy(deepMerge(DEFAULT_POLICY, { sweep: { every } }), 'POLICY_FILE policy.json');

describe('sweep.every', () => {
  it('takes from 1 second to 1 day', () => {
    expect(withSweep('1s').sweep.every).toBe(1_000);
    expect(withSweep('1m').sweep.every).toBe(60_000);
    expect(withSweep('90m').sweep.every).toBe(5_400_000);
    expect(withSweep('1d').sweep.every).toBe(86_400_000);
    expect(withSweep(86_400_000).sweep.every).toBe(86_400_000);
  });

  it('refuses a shorter or longer interval, naming the setting', () => {
    const range = 'expected from 1 second to 1 day ("1s" to "1d")';
    expect(() => withSweep(999)).toThrow(`POLICY_FILE policy.json: sweep.every: ${range}, got 999`);
    expect(() => withSweep(86_400_001)).toThrow(`POLICY_FILE policy.json: sweep.every: ${range}, got 86400001`);
    expect(() => withSweep('2d')).toThrow(`POLICY_FILE policy.json: sweep.every: ${range}, got "2d"`);
    expect(() => withSweep('soon')).toThrow(/^POLICY_FILE policy.json: sweep.every: expected a duration/);
  });
});

describe('branding.myGlueLoginHost', () => {
  const withBranding = (branding: Record<string, unknown>) => parsePolicy(deepMerge(DEFAULT_POLICY, { branding }), 'POLICY_FILE policy.json');

  it('is app.myglue.com unless the file names another host, beside the IT Glue login host', () => {
    expect(DEFAULT_POLICY.branding).toMatchObject({ loginHost: 'app.itglue.com', myGlueLoginHost: 'app.myglue.com' });
    expect(withBranding({ mspName: 'Acme IT' }).branding.myGlueLoginHost).toBe('app.myglue.com');
    expect(withBranding({ loginHost: 'app.eu.itglue.com', myGlueLoginHost: 'eu.myglue.example' }).branding).toMatchObject({
      loginHost: 'app.eu.itglue.com',
      myGlueLoginHost: 'eu.myglue.example',
    });
  });

  it('refuses an empty host, naming the setting', () => {
    expect(() => withBranding({ myGlueLoginHost: '' })).toThrow('POLICY_FILE policy.json: branding.myGlueLoginHost: expected a non-empty string, got ""');
  });
});

describe('invite.escalateAfter', () => {
  const withInvite = (escalateAfter: unknown) => parsePolicy(deepMerge(DEFAULT_POLICY, { invite: { escalateAfter } }), 'POLICY_FILE policy.json');

  it('is 24 hours unless the file says otherwise, in the durations of the other settings', () => {
    expect(DEFAULT_POLICY.invite.escalateAfter).toBe(86_400_000);
    expect(parsePolicy(DEFAULT_POLICY, 'POLICY_FILE policy.json').invite.escalateAfter).toBe(86_400_000);
    expect(withInvite('8h').invite.escalateAfter).toBe(28_800_000);
    expect(withInvite('2d').invite.escalateAfter).toBe(172_800_000);
    expect(withInvite(90_000).invite.escalateAfter).toBe(90_000);
    // Policies carried by onboardings started before the setting: the default.
    const { escalateAfter, ...older } = DEFAULT_POLICY.invite;
    expect(techEscalationOf({ ...DEFAULT_POLICY, invite: older })).toBe(escalateAfter);
    expect(techEscalationOf(withInvite('8h'))).toBe(28_800_000);
  });

  it('refuses nothing, zero or words, naming the setting', () => {
    expect(() => withInvite(0)).toThrow(/^POLICY_FILE policy.json: invite.escalateAfter: expected .*more than zero.*, got 0$/);
    expect(() => withInvite('soon')).toThrow(/^POLICY_FILE policy.json: invite.escalateAfter: expected a duration/);
  });
});
