/**
 * The production defaults of the policy, written out as docs/design.md §5 states them (§12: without
 * POLICY_FILE the built-in defaults are those of §5), and compared with DEFAULT_POLICY and with
 * the policy the service loads when nothing is configured.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { DEFAULT_POLICY, LITE_MAX_ORGANIZATIONS } from '../workflows/policy';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The numbers of docs/design.md §5, in the spec's own units. */
const SPEC = {
  // §4.2: "Remind every approval.reminderEvery (default 24h, at most approval.maxReminders=3)"
  approvalReminderEvery: 24 * HOUR,
  approvalMaxReminders: 3,
  // "At approval.escalateAfter (default 72h) tell the tech"
  approvalEscalateAfter: 72 * HOUR,
  // "At approval.timeout (default 5 days) → APPROVAL_EXPIRED"
  approvalTimeout: 5 * DAY,
  // §4.5: "Remind the tech after invite.remindTechAfter (default 2h)"
  inviteRemindTechAfter: 2 * HOUR,
  // §4.4 and §4.7: the IT Glue link "is valid for 6 hours" / "expires 6 hours after invitation-sent-at"
  inviteLinkValidity: 6 * HOUR,
  // §4.7: "At most invite.maxResends (default 3), then STALLED"
  inviteMaxResends: 3,
  // §4.8: "remind the invitee to set up 2FA (default at +1d, +3d, +7d)"
  twoFactorRemindAt: [1 * DAY, 3 * DAY, 7 * DAY],
  // §4.8: "Where MFA is enforced for the account (IT Glue default: yes since 2022 …)"
  twoFactorEnforcedForItGlue: true,
  // §4.5: "the periodic IT Glue sweep (default every 5 min)"
  sweepEvery: 5 * MINUTE,
  // §1: exactly one of two groups, "Customer - No Password Access" / "Customer - Has Password Access"
  groupNoPasswordAccess: 'Customer - No Password Access',
  groupPasswordAccess: 'Customer - Has Password Access',
  // §3.2: the group's organizations are "exactly this org (and ≤ policy max, hard cap 5 for Lite)"
  liteHardCap: 5,
  // §4.3: the authorization tag field of the org's "Site Summary" flexible asset (optional)
  authorizationAssetType: 'Site Summary',
};

const dir = mkdtempSync(join(tmpdir(), 'invite-lite-policy-defaults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built-in policy is docs/design.md §5', () => {
  it('approval: reminders every 24 h, at most 3, escalation at 72 h, expiry after 5 days', () => {
    expect(DEFAULT_POLICY.approval).toEqual({
      reminderEvery: SPEC.approvalReminderEvery,
      maxReminders: SPEC.approvalMaxReminders,
      escalateAfter: SPEC.approvalEscalateAfter,
      timeout: SPEC.approvalTimeout,
    });
    expect(DEFAULT_POLICY.approval.reminderEvery).toBe(86_400_000);
    expect(DEFAULT_POLICY.approval.escalateAfter).toBe(259_200_000);
    expect(DEFAULT_POLICY.approval.timeout).toBe(432_000_000);
  });

  it('invitation: tech reminded after 2 h, link valid 6 h, at most 3 resends', () => {
    expect(DEFAULT_POLICY.invite).toMatchObject({
      remindTechAfter: SPEC.inviteRemindTechAfter,
      linkValidity: SPEC.inviteLinkValidity,
      maxResends: SPEC.inviteMaxResends,
    });
    expect(DEFAULT_POLICY.invite.remindTechAfter).toBe(7_200_000);
    expect(DEFAULT_POLICY.invite.linkValidity).toBe(21_600_000);
  });

  it('2FA: reminders at +1, +3 and +7 days; a first sign-in counts for IT Glue users', () => {
    expect(DEFAULT_POLICY.twoFactor.remindAt).toEqual(SPEC.twoFactorRemindAt);
    expect(DEFAULT_POLICY.twoFactor.remindAt).toEqual([86_400_000, 259_200_000, 604_800_000]);
    expect(DEFAULT_POLICY.twoFactor.enforcedForItGlue).toBe(SPEC.twoFactorEnforcedForItGlue);
  });

  it('IT Glue sweep every 5 minutes', () => {
    expect(DEFAULT_POLICY.sweep.every).toBe(SPEC.sweepEvery);
    expect(DEFAULT_POLICY.sweep.every).toBe(300_000);
  });

  it('groups, organization limit and the authorization asset', () => {
    expect(DEFAULT_POLICY.groups).toMatchObject({
      noPasswordAccess: SPEC.groupNoPasswordAccess,
      passwordAccess: SPEC.groupPasswordAccess,
      // The seed MSP's set-up: two customer groups shared by every customer, organization access on each user.
      organizationAccess: 'per-user',
      sharedOrganizations: [],
      create: false,
    });
    expect(LITE_MAX_ORGANIZATIONS).toBe(SPEC.liteHardCap);
    expect(DEFAULT_POLICY.limits.maxOrganizations).toBeGreaterThanOrEqual(1);
    expect(DEFAULT_POLICY.limits.maxOrganizations).toBeLessThanOrEqual(SPEC.liteHardCap);
    // Recording the authorization is optional (configured): off unless a policy turns it on.
    expect(DEFAULT_POLICY.authorization).toMatchObject({ record: false, assetTypeName: SPEC.authorizationAssetType });
  });

  it('is the policy the service runs with when POLICY_FILE is unset', () => {
    const { policy, policyFile } = loadConfig({ DATA_DIR: join(dir, 'data') });
    expect(policyFile).toBeNull();
    expect(policy.approval).toEqual({ reminderEvery: 24 * HOUR, maxReminders: 3, escalateAfter: 72 * HOUR, timeout: 5 * DAY });
    expect(policy.invite).toMatchObject({ remindTechAfter: 2 * HOUR, linkValidity: 6 * HOUR, maxResends: 3 });
    expect(policy.twoFactor.remindAt).toEqual([DAY, 3 * DAY, 7 * DAY]);
    expect(policy.sweep.every).toBe(5 * MINUTE);
  });

  it('is what a policy file gets by writing the spec’s durations in words', () => {
    const path = join(dir, 'spec.json');
    writeFileSync(
      path,
      JSON.stringify({
        approval: { reminderEvery: '24h', maxReminders: 3, escalateAfter: '72h', timeout: '5d' },
        invite: { remindTechAfter: '2h', linkValidity: '6h', maxResends: 3 },
        twoFactor: { remindAt: ['1d', '3d', '7d'] },
        sweep: { every: '5m' },
      }),
    );
    expect(loadConfig({ POLICY_FILE: path, DATA_DIR: join(dir, 'data') }).policy).toEqual(DEFAULT_POLICY);
  });
});
