/** The thread root's progress line and the buttons' accessibility labels. */
import { describe, expect, it } from 'vitest';
import { threadRoot } from '../../src/slack/views/thread';
import { accessibilityLabel, actionsFor, LABEL_MAX } from '../../src/slack/views/thread-buttons';
import { progressLine } from '../../src/slack/views/thread-progress';
import { STAGES, type Stage } from '../../workflows/stages';
import type { OnboardingStatus, StageVisit } from '../../workflows/types';
import { INVITEE, statusFixture } from '../support/fake-activities';

const visits = (...stages: Stage[]): StageVisit[] => stages.map((stage) => ({ stage, enteredAt: '2026-03-01T10:00:00.000Z', leftAt: null }));

function status(over: Partial<OnboardingStatus>): OnboardingStatus {
  return statusFixture(over);
}

describe('progress line', () => {
  const open: [Partial<OnboardingStatus>, string][] = [
    [{ stage: 'VALIDATING' }, 'Approval … · Instructions · Invite · Verify · Acceptance · 2FA'],
    [{ stage: 'AWAITING_APPROVAL' }, 'Approval … · Instructions · Invite · Verify · Acceptance · 2FA'],
    [{ stage: 'RECORDING_AUTHORIZATION' }, 'Approval … · Instructions · Invite · Verify · Acceptance · 2FA'],
    [{ stage: 'SENDING_INSTRUCTIONS' }, 'Approval ✓ · Instructions … · Invite · Verify · Acceptance · 2FA'],
    [{ stage: 'AWAITING_INVITE' }, 'Approval ✓ · Instructions ✓ · Invite … · Verify · Acceptance · 2FA'],
    [{ stage: 'VERIFYING', subState: 'MISMATCH' }, 'Approval ✓ · Instructions ✓ · Invite ✓ · Verify … · Acceptance · 2FA'],
    [{ stage: 'AWAITING_ACCEPTANCE', subState: 'INVITE_EXPIRED' }, 'Approval ✓ · Instructions ✓ · Invite ✓ · Verify ✓ · Acceptance … · 2FA'],
    [{ stage: 'AWAITING_2FA' }, 'Approval ✓ · Instructions ✓ · Invite ✓ · Verify ✓ · Acceptance ✓ · 2FA …'],
    [{ stage: 'COMPLETED' }, 'Approval ✓ · Instructions ✓ · Invite ✓ · Verify ✓ · Acceptance ✓ · 2FA ✓'],
  ];
  for (const [over, line] of open) {
    it(`${over.stage}${over.subState ? ` / ${over.subState}` : ''}: ${line}`, () => {
      expect(progressLine(status(over))).toBe(line);
    });
  }

  it('leaves out an approval that was not needed (the invitee is the primary contact)', () => {
    const evidence = { via: 'not-needed', at: '2026-03-01T10:00:00.000Z', reason: 'primary contact' } as const;
    expect(progressLine(status({ stage: 'AWAITING_INVITE', evidence }))).toBe('Instructions ✓ · Invite … · Verify · Acceptance · 2FA');
    expect(progressLine(status({ stage: 'COMPLETED', evidence }))).toBe('Instructions ✓ · Invite ✓ · Verify ✓ · Acceptance ✓ · 2FA ✓');
  });

  it('marks the step a stalled onboarding stopped at', () => {
    const s = status({ stage: 'STALLED', stalledFrom: 'AWAITING_ACCEPTANCE', stages: visits('AWAITING_ACCEPTANCE', 'STALLED') });
    expect(progressLine(s)).toBe('Approval ✓ · Instructions ✓ · Invite ✓ · Verify ✓ · Acceptance ⚠ · 2FA');
  });

  it('marks where an ended onboarding ended: cancelled (also after a stall), denied, expired, rejected', () => {
    const cancelled = status({ stage: 'CANCELLED', stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE', 'CANCELLED') });
    expect(progressLine(cancelled)).toBe('Approval ✓ · Instructions ✓ · Invite ✗ · Verify · Acceptance · 2FA');
    const afterStall = status({ stage: 'CANCELLED', stalledFrom: 'VERIFYING', stages: visits('AWAITING_INVITE', 'VERIFYING', 'STALLED', 'CANCELLED') });
    expect(progressLine(afterStall)).toBe('Approval ✓ · Instructions ✓ · Invite ✓ · Verify ✗ · Acceptance · 2FA');
    for (const stage of ['DENIED', 'APPROVAL_EXPIRED'] as const) {
      expect(progressLine(status({ stage, stages: visits('VALIDATING', 'AWAITING_APPROVAL', stage) }))).toBe(
        'Approval ✗ · Instructions · Invite · Verify · Acceptance · 2FA',
      );
    }
    expect(progressLine(status({ stage: 'REJECTED', stages: [] }))).toBe('Approval ✗ · Instructions · Invite · Verify · Acceptance · 2FA');
  });

  it('is in the root message, under the headline, in every stage', () => {
    for (const stage of STAGES) {
      const s = status({ stage, stalledFrom: stage === 'STALLED' ? 'AWAITING_INVITE' : null, stages: visits('AWAITING_INVITE', stage) });
      const statusSection = threadRoot(s).blocks[1] as { text: { text: string } };
      expect(statusSection.text.text.split('\n')[1]).toBe(progressLine(s));
    }
  });
});

describe('accessibility labels', () => {
  it('every button names its action and the invitee, in plain text', () => {
    for (const stage of STAGES) {
      const s = status({ stage, subState: stage === 'VERIFYING' ? 'MISMATCH' : null, stalledFrom: 'AWAITING_INVITE' });
      for (const element of actionsFor(s)?.elements ?? []) {
        const label = (element as { accessibility_label?: string }).accessibility_label;
        expect(label, `${stage}: ${JSON.stringify(element)}`).toMatch(new RegExp(`^[A-Z0-9].* ${INVITEE.name}$`));
        expect(label!.length).toBeLessThanOrEqual(LABEL_MAX);
      }
    }
    const cancel = actionsFor(status({ stage: 'AWAITING_INVITE' }))!.elements.at(-1) as { accessibility_label: string };
    expect(cancel.accessibility_label).toBe('Cancel the onboarding of Ines Invitee');
  });

  it("keeps within Slack's 75 characters: the name is shortened, never the action; no mrkdwn escaping", () => {
    const long = status({ stage: 'AWAITING_APPROVAL', invitee: { ...INVITEE, name: `Ann & <Bob>\n${'x'.repeat(200)}` } });
    for (const element of actionsFor(long)!.elements) {
      const label = (element as { accessibility_label: string }).accessibility_label;
      expect(label.length).toBeLessThanOrEqual(75);
      expect(label).toMatch(/ Ann & <Bob> x+…$/);
    }
    expect(accessibilityLabel('Ask another contact to approve access for', long)).toMatch(/^Ask another contact to approve access for Ann/);
    // Before IT Glue has been read: the contact's ID.
    expect(accessibilityLabel('Cancel the onboarding of', status({ invitee: null }))).toBe('Cancel the onboarding of contact 201');
  });

  it('writes a web address in the name unclickable, as the thread does', () => {
    const linky = status({ stage: 'AWAITING_INVITE', invitee: { ...INVITEE, name: 'Ivy https://evil.com/login' } });
    for (const element of actionsFor(linky)!.elements) {
      const label = (element as { accessibility_label: string }).accessibility_label;
      expect(label).not.toContain('evil.com');
      expect(label).toMatch(/ Ivy hxxps:\/\/evil\[\.\]com\/login$/);
    }
  });
});
