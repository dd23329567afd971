/**
 * An access review's thread (docs/design.md §15.2) as drawn from its status: the root at each stage
 * (title, stage in the review's words, progress line Users · Answer · Removals, who it waits on, the
 * deadline, the users with their state, the offboardings started, the buttons that fit), the
 * replies of its own events, and its buttons' values naming the review.
 */
import { describe, expect, it } from 'vitest';
import { ACTIONS, parsePressValue } from '../../src/slack/action-ids';
import { threadRoot, type Block } from '../../src/slack/views/thread';
import { actionsFor } from '../../src/slack/views/thread-buttons';
import { progressLine } from '../../src/slack/views/thread-progress';
import { threadReply } from '../../src/slack/views/thread-reply';
import type { Stage } from '../../workflows/stages';
import type { EventType, OnboardingStatus, StageVisit } from '../../workflows/types';
import type { AccessReview, ReviewedUser } from '../../workflows/review/record';
import { INVITEE, ORG, OTHER, PRIMARY, statusFixture } from '../support/fake-activities';
import { reviewedUser } from '../support/reviewed-user';

const WORKFLOW_ID = `access-review:${ORG.id}`;
const DEADLINE = '2026-03-02T14:05:00.000Z';
const visits = (...stages: Stage[]): StageVisit[] => stages.map((stage) => ({ stage, enteredAt: '2026-03-01T10:00:00.000Z', leftAt: null }));

const INES = reviewedUser(INVITEE);
const OTTO = reviewedUser(OTHER, { onboardingId: null, approvedBy: null, approvedAt: null, dormant: true, myGlue: true });
const USERS: ReviewedUser[] = [INES, OTTO];
const ANSWERS = { [INES.userId]: 'keep', [OTTO.userId]: 'remove' } as const;
const OTTO_OFFBOARDING = `offboarding:${ORG.id}:${OTTO.userId}`;
const answered: AccessReview = { users: USERS, answers: { ...ANSWERS }, offboardings: [] };
const linkEvidence = {
  via: 'link' as const,
  decision: 'approve' as const,
  at: '2026-03-01T12:00:00.000Z',
  round: 1,
  approver: PRIMARY,
  ip: '198.51.100.9',
  userAgent: 'Mozilla/5.0',
  comment: null,
};

/** Acme Dental's review, asked by a manager, waiting for Paula's answer; `over` changes any field. */
function review(over: Partial<OnboardingStatus> = {}): OnboardingStatus {
  return statusFixture({
    workflowId: WORKFLOW_ID,
    process: 'review',
    request: { orgId: ORG.id, contactId: '', kind: 'itglue', passwordAccess: false, requestedBy: 'U0MGR00001' },
    invitee: PRIMARY,
    approver: PRIMARY,
    deadline: DEADLINE,
    groupNames: [],
    review: { users: USERS, answers: null, offboardings: [] },
    stages: visits('VALIDATING', 'AWAITING_APPROVAL'),
    ...over,
  });
}

/** Every piece of text in the blocks, one string. */
function textOf(blocks: unknown): string {
  const texts: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') texts.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return texts.join('\n');
}

const buttons = (s: OnboardingStatus) => actionsFor(s)?.elements.map((e) => (e as { action_id: string }).action_id) ?? [];
const statusSection = (blocks: Block[]) => (blocks[1] as { text: { text: string } }).text.text;

describe('an access review’s root, stage by stage', () => {
  const cases: Array<[string, Partial<OnboardingStatus>, { headline: string; progress: string; waiting: string | null; buttons: string[] }]> = [
    [
      'VALIDATING',
      { stage: 'VALIDATING', waitingOn: 'system', deadline: null, invitee: null, approver: null, review: undefined, stages: visits('VALIDATING') },
      {
        headline: 'Gathering users: reading the organization’s IT Glue Lite and MyGlue users',
        progress: 'Users … · Answer · Removals',
        waiting: null,
        buttons: [ACTIONS.cancel],
      },
    ],
    [
      'AWAITING_APPROVAL',
      {},
      {
        headline: 'Waiting for Paula Primary’s answer',
        progress: 'Users ✓ · Answer … · Removals',
        waiting: 'Paula Primary, the primary contact',
        buttons: [ACTIONS.askAnotherContact, ACTIONS.cancel],
      },
    ],
    [
      'REMOVING_ACCESS',
      {
        stage: 'REMOVING_ACCESS',
        waitingOn: 'system',
        deadline: null,
        evidence: linkEvidence,
        review: answered,
        stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS'),
      },
      {
        headline: 'Starting the removals: an offboarding for each user to remove',
        progress: 'Users ✓ · Answer ✓ · Removals …',
        waiting: null,
        buttons: [ACTIONS.cancel],
      },
    ],
    [
      'COMPLETED',
      {
        stage: 'COMPLETED',
        waitingOn: 'nobody',
        deadline: null,
        evidence: linkEvidence,
        review: { ...answered, offboardings: [{ userId: OTTO.userId, workflowId: OTTO_OFFBOARDING, started: true }] },
        stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS', 'COMPLETED'),
      },
      { headline: 'Completed: 1 kept, 1 removed', progress: 'Users ✓ · Answer ✓ · Removals ✓', waiting: null, buttons: [] },
    ],
    [
      'APPROVAL_EXPIRED',
      { stage: 'APPROVAL_EXPIRED', waitingOn: 'nobody', deadline: null, stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'APPROVAL_EXPIRED') },
      { headline: 'Unanswered: Paula Primary did not answer in time', progress: 'Users ✓ · Answer ✗ · Removals', waiting: null, buttons: [] },
    ],
    [
      'REJECTED',
      {
        stage: 'REJECTED',
        waitingOn: 'nobody',
        deadline: null,
        invitee: null,
        approver: null,
        review: undefined,
        reason: 'No primary contact of Acme Dental was found by the rule: name the contact who answers.',
        stages: visits('VALIDATING', 'REJECTED'),
      },
      { headline: 'Rejected: this review cannot go ahead', progress: 'Users ✗ · Answer · Removals', waiting: null, buttons: [] },
    ],
    [
      'STALLED',
      {
        stage: 'STALLED',
        waitingOn: 'manager',
        deadline: null,
        stalledFrom: 'AWAITING_APPROVAL',
        reason: 'Mail refused',
        stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'STALLED'),
      },
      { headline: 'Stalled: needs a manager', progress: 'Users ✓ · Answer ⚠ · Removals', waiting: 'a manager', buttons: [ACTIONS.resume, ACTIONS.cancel] },
    ],
  ];

  for (const [name, over, want] of cases) {
    it(`${name}: ${want.progress}`, () => {
      const s = review(over);
      const root = threadRoot(s);
      expect((root.blocks[0] as { text: { text: string } }).text.text).toBe(':clipboard: *Access review of Acme Dental*');
      expect(root.text).toBe(`Access review of Acme Dental: ${want.headline}`);
      const status = statusSection(root.blocks);
      expect(status).toContain(want.headline);
      expect(progressLine(s)).toBe(want.progress);
      expect(status).toContain(want.progress);
      if (want.waiting) expect(status).toContain(`*Waiting on:* ${want.waiting}`);
      else expect(status).not.toContain('Waiting on');
      expect(buttons(s)).toEqual(want.buttons);
      // A review has no Remove access of its own, and never the onboarding's words.
      expect(textOf(root.blocks)).not.toMatch(/Onboarding:|Remove access|\*Invitee\*/);
    });
  }

  it('says who answers and by when while it waits for the answer, and lists each user with what is known of them', () => {
    const root = threadRoot(review());
    const text = textOf(root.blocks);
    expect(statusSection(root.blocks)).toContain(`*Answer due:* <!date^${Date.parse(DEADLINE) / 1000}^`);
    expect(text).toContain('*Answers*\nPaula Primary\npaula@acme.test');
    expect(text).toContain('*Users*\n2 (1 dormant, 1 matched by email)');
    expect(text).toContain('*Answer*\nNot yet');
    expect(text).toContain('• Ines Invitee `ines@acme.test` — :grey_question: not answered · IT Glue Lite');
    expect(text).toContain('• Otto Other `otto@acme.test` — :grey_question: not answered · MyGlue · :zzz: dormant · matched by email');
    expect(text).toContain(`ID \`${WORKFLOW_ID}\``);
  });

  it('once answered: each user kept or to remove, the answer with who and when, the offboardings with a thread link when known, else their ID', () => {
    const s = review({
      stage: 'COMPLETED',
      waitingOn: 'nobody',
      deadline: null,
      evidence: linkEvidence,
      review: { ...answered, offboardings: [{ userId: OTTO.userId, workflowId: OTTO_OFFBOARDING, started: false }] },
      stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS', 'COMPLETED'),
    });
    const plain = textOf(threadRoot(s).blocks);
    expect(plain).toContain(':white_check_mark: kept');
    expect(plain).toContain(':x: to remove');
    expect(plain).toContain(`*Answer*\nAnswered by Paula Primary, <!date^${Date.parse(linkEvidence.at) / 1000}^`);
    expect(plain).toContain('1 kept, 1 to remove');
    expect(plain).toContain(`*Offboardings started*\n• otto@acme.test: \`${OTTO_OFFBOARDING}\` (one was already open)`);
    expect(plain).not.toContain('Answer due');

    const link = 'https://fake-team.slack.com/archives/C0ONBOARD1/p1700000000000200';
    const linked = textOf(threadRoot(s, { threadLink: (id) => (id === OTTO_OFFBOARDING ? link : null) }).blocks);
    expect(linked).toContain(`• otto@acme.test: <${link}|its thread> (one was already open)`);
  });

  it('a review with nobody to review says so; a rejection and a stall say why', () => {
    const empty = review({ stage: 'COMPLETED', waitingOn: 'nobody', deadline: null, review: { users: [], answers: null, offboardings: [] } });
    expect(threadRoot(empty).text).toBe('Access review of Acme Dental: Completed: no IT Glue Lite or MyGlue users to review');

    const rejected = review({
      stage: 'REJECTED',
      deadline: null,
      review: undefined,
      reason: 'IT Glue has no organization 100.',
      stages: visits('VALIDATING', 'REJECTED'),
    });
    expect(textOf(threadRoot(rejected).blocks)).toContain('*Reason:* IT Glue has no organization 100.');

    const stalled = review({ stage: 'STALLED', waitingOn: 'manager', deadline: null, stalledFrom: 'AWAITING_APPROVAL', reason: 'Mail refused for good' });
    const text = textOf(threadRoot(stalled).blocks);
    expect(text).toContain('*Needs a manager:* Mail refused for good');
    // The users are still listed after what the stall needs.
    expect(text.indexOf('Needs a manager')).toBeLessThan(text.indexOf('*Users*\n•'));
  });

  it('unanswered: the managers are told what they can do', () => {
    const text = textOf(threadRoot(review({ stage: 'APPROVAL_EXPIRED', waitingOn: 'nobody', deadline: null })).blocks);
    expect(text).toContain('*Answer*\nNone in time');
    expect(text).toContain('`/offboard-lite`');
    expect(text).toContain('`/onboarding-status review`');
  });

  it('escapes every name, and shortens a long list of users within Slack’s limits', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      reviewedUser({ ...INVITEE, contactId: String(300 + i), name: `<@U0EVIL> Person ${i} @channel`, email: `p${i}@acme.test` }),
    );
    const s = review({ org: { id: ORG.id, name: 'Smith & <Jones> https://evil.example/login' }, review: { users: many, answers: null, offboardings: [] } });
    const root = threadRoot(s);
    // What Slack reads as mrkdwn (plain text, such as a button's label, shows as typed).
    const json = JSON.stringify(textOf(root.blocks.map((b) => ({ ...b, elements: undefined }))));
    expect(json).toContain('Smith &amp; &lt;Jones&gt;');
    expect(json).not.toContain('<Jones>');
    expect(json).not.toContain('<@U0EVIL>');
    expect(json).not.toContain('https://evil.example');
    expect(textOf(root.blocks)).toContain('…and 35 more');
    for (const block of root.blocks as Array<{ text?: { text: string } }>) expect((block.text?.text ?? '').length).toBeLessThanOrEqual(3000);
  });
});

describe('an access review’s buttons and replies', () => {
  it('labels its buttons with the organization, and their values name the review for the listeners', () => {
    const actions = actionsFor(review())!;
    const [ask, cancel] = actions.elements as Array<{ value: string; accessibility_label: string; confirm?: { text: { text: string } } }>;
    expect(ask!.accessibility_label).toBe('Ask another contact to answer the access review of Acme Dental');
    expect(cancel!.accessibility_label).toBe('Cancel the access review of Acme Dental');
    expect(cancel!.confirm!.text.text).toContain('The access review of Acme Dental stops for good');
    expect(parsePressValue(ask!.value)).toEqual({ workflowId: WORKFLOW_ID, seen: 0 });
    expect(parsePressValue(`${WORKFLOW_ID}#7`)).toEqual({ workflowId: WORKFLOW_ID, seen: 7 });
    expect(parsePressValue('access-review:100:extra')).toBeNull();
    expect(parsePressValue('access-review:')).toBeNull();
    const resume = actionsFor(review({ stage: 'STALLED', waitingOn: 'manager', stalledFrom: 'AWAITING_APPROVAL' }))!.elements[0] as { accessibility_label: string };
    expect(resume.accessibility_label).toBe('Resume the access review of Acme Dental');
  });

  it('replies with the review’s own emoji', () => {
    const reply = (type: EventType, text: string) => threadReply({ at: '2026-03-01T10:00:00.000Z', type, text }).text;
    expect(reply('review-started', 'Access review of Acme Dental: 2 users')).toBe(':clipboard: Access review of Acme Dental: 2 users');
    expect(reply('reviewed', 'Reviewed by Paula Primary')).toBe(':ballot_box_with_check: Reviewed by Paula Primary');
    expect(reply('review-applied', 'Review applied: 1 kept, 1 removed')).toBe(':scissors: Review applied: 1 kept, 1 removed');
  });
});
