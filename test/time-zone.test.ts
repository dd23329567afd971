/**
 * `branding.timeZone`: the times in mails and on the approval page are written in the policy's
 * zone and name it; UTC when unset. An unknown zone stops start-up with a line naming it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApprovalMail } from '../activities/contracts';
import { ConfigError } from '../src/config';
import { approvalRequestMessage, decisionReceiptMessage } from '../src/mail/messages';
import { loadPolicy } from '../src/policy-file';
import { stateView } from '../src/web/approval-views';
import { formatTime } from '../src/wording';
import { DEFAULT_POLICY } from '../workflows/policy';

const dir = mkdtempSync(join(tmpdir(), 'invite-lite-tz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function policyFile(json: unknown): string {
  const file = join(dir, `policy-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

const BERLIN = { ...DEFAULT_POLICY.branding, mspName: 'Acme IT', timeZone: 'Europe/Berlin' };
const settings = { messageIdDomain: 'acme-it.example', approvalLink: () => 'https://approve.acme-it.example/approvals/x' };
const person = { contactId: '202', name: 'Zoé Émile', firstName: 'Zoé', email: 'zoe@acme.test' };
const approvalMail = (branding: ApprovalMail['branding']): ApprovalMail => ({
  workflowId: 'onboarding:100:201',
  runId: 'run-1',
  request: { orgId: '100', contactId: '201', kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1' },
  org: { id: '100', name: 'Acme Dental' },
  invitee: { ...person, contactId: '201', name: 'Ines Invitee', email: 'ines@acme.test' },
  branding,
  approver: person,
  round: 1,
  reminder: 0,
  // 14:05 in Berlin (summer time, UTC+2); 12:05 UTC.
  expiresAt: '2031-07-06T12:05:00.000Z',
});

describe('formatTime', () => {
  it('writes the time in the zone and names it; UTC by default', () => {
    expect(formatTime('2031-07-06T12:05:00.000Z')).toBe('Sunday 6 July 2031 at 12:05 UTC');
    expect(formatTime('2031-07-06T12:05:00.000Z', 'Europe/Berlin')).toBe('Sunday 6 July 2031 at 14:05 Europe/Berlin');
    // Winter: UTC+1, and a date that moves across midnight.
    expect(formatTime('2031-12-31T23:30:00.000Z', 'Europe/Berlin')).toBe('Thursday 1 January 2032 at 00:30 Europe/Berlin');
    expect(formatTime('2031-07-06T12:05:00.000Z', 'America/New_York')).toBe('Sunday 6 July 2031 at 08:05 America/New_York');
  });
});

describe('branding.timeZone in the policy file', () => {
  it('defaults to UTC and takes an IANA zone', () => {
    expect(loadPolicy(undefined).branding.timeZone).toBe('UTC');
    expect(loadPolicy(policyFile({ branding: { timeZone: 'Europe/Berlin' } })).branding.timeZone).toBe('Europe/Berlin');
  });

  it('refuses an unknown zone with one line naming branding.timeZone', () => {
    const file = policyFile({ branding: { timeZone: 'Europe/Atlantis' } });
    expect(() => loadPolicy(file)).toThrow(ConfigError);
    expect(() => loadPolicy(file)).toThrow(`POLICY_FILE ${file}: branding.timeZone: expected an IANA time zone such as "Europe/Berlin" or "UTC", got "Europe/Atlantis"`);
  });
});

describe('times in mails and on the approval page', () => {
  it('the approval request says until when, in the policy’s zone', () => {
    const message = approvalRequestMessage(approvalMail(BERLIN), settings);
    expect(message.text).toContain('Sunday 6 July 2031 at 14:05 Europe/Berlin');
    expect(message.html).toContain('Sunday 6 July 2031 at 14:05 Europe/Berlin');
    expect(message.text).not.toContain('UTC');
  });

  it('an onboarding whose policy predates the setting writes UTC', () => {
    const { timeZone: _, ...older } = BERLIN;
    expect(approvalRequestMessage(approvalMail(older), settings).text).toContain('Sunday 6 July 2031 at 12:05 UTC');
  });

  it('the decision receipt and the approval page’s states use the zone too', () => {
    const receipt = decisionReceiptMessage(
      { ...approvalMail(BERLIN), result: { decision: 'approve', round: 1, decidedAt: '2031-07-06T12:05:00.000Z' }, via: 'cli' },
      settings,
    );
    expect(receipt.text).toContain('Sunday 6 July 2031 at 14:05 Europe/Berlin');
    const expired = stateView(BERLIN, { kind: 'expired', at: Date.parse('2031-07-06T12:05:00.000Z') });
    expect(String(expired.body)).toContain('Sunday 6 July 2031 at 14:05 Europe/Berlin');
  });
});
