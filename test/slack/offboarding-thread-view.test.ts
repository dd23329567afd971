/**
 * An offboarding's thread (docs/design.md §15) as drawn from its status: the root at each stage
 * (title, stage, progress line, who it waits on, deadline, reason, buttons with their labels), the
 * replies of its own events, and the Remove access button of a completed onboarding (and of the
 * App Home's recent completions). An onboarding's root is drawn as before.
 */
import { describe, expect, it } from 'vitest';
import { ACTIONS, REMOVE_ACCESS_BLOCK_ID, THREAD_ACTIONS_BLOCK_ID } from '../../src/slack/action-ids';
import { managerHome, techHome } from '../../src/slack/views/home';
import type { Completed, Dashboard } from '../../src/slack/views/models';
import { threadRoot, type Block } from '../../src/slack/views/thread';
import { actionsFor, removeAccessBlock } from '../../src/slack/views/thread-buttons';
import { progressLine } from '../../src/slack/views/thread-progress';
import { threadReply } from '../../src/slack/views/thread-reply';
import { FINAL_STAGES, type Stage } from '../../workflows/stages';
import type { EventType, OnboardingEvent, OnboardingStatus, StageVisit } from '../../workflows/types';
import { INVITEE, ORG, PRIMARY, statusFixture, userFor } from '../support/fake-activities';

const WORKFLOW_ID = `offboarding:${ORG.id}:u${INVITEE.contactId}`;
const DEADLINE = '2026-03-02T14:05:00.000Z';
const visits = (...stages: Stage[]): StageVisit[] => stages.map((stage) => ({ stage, enteredAt: '2026-03-01T10:00:00.000Z', leftAt: null }));
const event = (type: EventType, text = 'x', by?: string): OnboardingEvent => ({ at: '2026-03-01T10:00:00.000Z', type, text, ...(by ? { by } : {}) });

/** An offboarding of Ines's IT Glue user, asked by a tech, waiting on a manager's approval; `over` changes any field. */
function offboarding(over: Partial<OnboardingStatus> = {}): OnboardingStatus {
  return statusFixture({
    workflowId: WORKFLOW_ID,
    process: 'offboarding',
    request: {
      orgId: ORG.id,
      contactId: INVITEE.contactId,
      kind: 'itglue',
      passwordAccess: false,
      requestedBy: 'UTECH1',
      userId: 'u201',
      reason: 'Left the company',
    } as OnboardingStatus['request'],
    waitingOn: 'manager',
    deadline: DEADLINE,
    // A manager's approval sends no approval link: no round.
    approvalRound: 0,
    user: userFor(INVITEE),
    groupNames: [],
    removal: { groupsLeft: [], authorizationRemoved: false, deletedAt: null },
    stages: visits('VALIDATING', 'AWAITING_APPROVAL'),
    ...over,
  });
}

/** Every piece of text of these kinds in the blocks, one string. */
function textOf(blocks: unknown, kinds = ['mrkdwn', 'plain_text']): string {
  const texts: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (kinds.includes(o.type as string) && typeof o.text === 'string') texts.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return texts.join('\n');
}

const buttons = (s: OnboardingStatus) => actionsFor(s)?.elements.map((e) => (e as { action_id: string }).action_id) ?? [];
const statusSection = (blocks: Block[]) => (blocks[1] as { text: { text: string } }).text.text;

const removed = { groupsLeft: ['Customer - No Password Access'], authorizationRemoved: true, deletedAt: null };
const accessRemoved = event('access-removed', 'ines@acme.test taken out of "Customer - No Password Access".');

describe('an offboarding’s root, stage by stage', () => {
  const cases: Array<[string, Partial<OnboardingStatus>, { headline: string; progress: string; waiting: string | null; buttons: string[] }]> = [
    [
      'VALIDATING',
      { stage: 'VALIDATING', waitingOn: 'system', deadline: null, user: null, approver: null, stages: visits('VALIDATING') },
      { headline: 'Checking the request in IT Glue', progress: 'Approval … · Access removed · Deletion · Receipt', waiting: null, buttons: [ACTIONS.cancel] },
    ],
    [
      'AWAITING_APPROVAL (a manager)',
      {},
      {
        headline: 'Waiting for a manager to approve the removal',
        progress: 'Approval … · Access removed · Deletion · Receipt',
        waiting: 'a manager',
        buttons: [ACTIONS.approveRemoval, ACTIONS.cancel],
      },
    ],
    [
      'AWAITING_APPROVAL (the primary contact)',
      { waitingOn: 'approver', approvalRound: 1 },
      {
        headline: 'Waiting for Paula Primary to approve the removal',
        progress: 'Approval … · Access removed · Deletion · Receipt',
        waiting: 'Paula Primary, the primary contact',
        buttons: [ACTIONS.askAnotherContact, ACTIONS.recordOfflineApproval, ACTIONS.cancel],
      },
    ],
    [
      'REMOVING_ACCESS',
      { stage: 'REMOVING_ACCESS', waitingOn: 'system', deadline: null, evidence: { via: 'manager', decision: 'approve', at: '2026-03-01T10:00:00.000Z', by: 'UMGR1' } },
      {
        headline: 'Removing the access: taking `ines@acme.test` out of every group',
        progress: 'Approval ✓ · Access removed … · Deletion · Receipt',
        waiting: null,
        buttons: [ACTIONS.cancel],
      },
    ],
    [
      'AWAITING_DELETION',
      {
        stage: 'AWAITING_DELETION',
        waitingOn: 'tech',
        removal: removed,
        events: [accessRemoved],
        evidence: { via: 'not-needed', at: '2026-03-01T10:00:00.000Z', reason: 'The policy asks no approval for a removal.' },
      },
      {
        headline: 'Waiting for a tech to delete the IT Glue user in IT Glue',
        progress: 'Access removed ✓ · Deletion … · Receipt',
        waiting: '<@UTECH1> or another tech',
        buttons: [ACTIONS.userDeleted, ACTIONS.cancel],
      },
    ],
    [
      'AWAITING_DELETION, the user found deleted',
      { stage: 'AWAITING_DELETION', waitingOn: 'tech', removal: { ...removed, deletedAt: '2026-03-01T11:00:00.000Z' }, events: [accessRemoved] },
      {
        headline: 'The user is deleted: sending the receipt',
        progress: 'Approval ✓ · Access removed ✓ · Deletion ✓ · Receipt …',
        waiting: '<@UTECH1> or another tech',
        buttons: [ACTIONS.userDeleted, ACTIONS.cancel],
      },
    ],
    [
      'STALLED in AWAITING_DELETION',
      { stage: 'STALLED', stalledFrom: 'AWAITING_DELETION', reason: 'IT Glue refused the API key (401)', removal: removed, events: [accessRemoved] },
      {
        headline: 'Stalled: needs a manager',
        progress: 'Approval ✓ · Access removed ✓ · Deletion ⚠ · Receipt',
        waiting: 'a manager',
        buttons: [ACTIONS.resume, ACTIONS.cancel],
      },
    ],
    [
      'COMPLETED',
      { stage: 'COMPLETED', waitingOn: 'nobody', deadline: null, removal: { ...removed, deletedAt: '2026-03-01T11:00:00.000Z' }, events: [accessRemoved] },
      {
        headline: "Completed: Ines Invitee's access to Acme Dental is removed",
        progress: 'Approval ✓ · Access removed ✓ · Deletion ✓ · Receipt ✓',
        waiting: null,
        buttons: [],
      },
    ],
    [
      'CANCELLED while waiting for the deletion',
      {
        stage: 'CANCELLED',
        waitingOn: 'nobody',
        deadline: null,
        reason: 'Kept after all',
        stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS', 'AWAITING_DELETION', 'CANCELLED'),
        events: [event('cancelled', 'x', 'UMGR1')],
      },
      { headline: 'Cancelled by <@UMGR1>', progress: 'Approval ✓ · Access removed ✓ · Deletion ✗ · Receipt', waiting: null, buttons: [] },
    ],
    [
      'APPROVAL_EXPIRED (no manager approved)',
      { stage: 'APPROVAL_EXPIRED', waitingOn: 'nobody', deadline: null, stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'APPROVAL_EXPIRED') },
      { headline: 'Approval expired: no manager approved the removal in time', progress: 'Approval ✗ · Access removed · Deletion · Receipt', waiting: null, buttons: [] },
    ],
    [
      'DENIED by the primary contact',
      { stage: 'DENIED', waitingOn: 'nobody', deadline: null, approvalRound: 1, stages: visits('VALIDATING', 'AWAITING_APPROVAL', 'DENIED') },
      { headline: 'Denied by Paula Primary: the access stays', progress: 'Approval ✗ · Access removed · Deletion · Receipt', waiting: null, buttons: [] },
    ],
    [
      'REJECTED',
      { stage: 'REJECTED', waitingOn: 'nobody', deadline: null, reason: 'IT Glue has no user with id u201.', stages: visits('VALIDATING', 'REJECTED') },
      { headline: 'Rejected: this offboarding cannot go ahead', progress: 'Approval ✗ · Access removed · Deletion · Receipt', waiting: null, buttons: [] },
    ],
  ];
  for (const [name, over, want] of cases) {
    it(`${name}: ${want.headline}`, () => {
      const s = offboarding(over);
      const root = threadRoot(s);
      expect(root.text).toBe(`Offboarding of Ines Invitee (Acme Dental): ${want.headline}`);
      // The user's email once IT Glue was read, its ID before.
      const user = s.user ? '`ines@acme.test`' : 'user u201';
      expect(textOf(root.blocks[0])).toBe(`:door: *Offboarding: removing the IT Glue access of Ines Invitee (${user}) to Acme Dental*`);
      const status = statusSection(root.blocks);
      expect(status.split('\n').slice(0, 2)).toEqual([expect.stringContaining(`*${want.headline}*`), want.progress]);
      expect(progressLine(s)).toBe(want.progress);
      if (want.waiting) expect(status).toContain(`*Waiting on:* ${want.waiting}`);
      else expect(status).not.toContain('Waiting on');
      expect(buttons(s)).toEqual(want.buttons);
      const actions = root.blocks.filter((b) => b.type === 'actions');
      expect(actions).toEqual(want.buttons.length ? [actionsFor(s)] : []);
      // Never Remove access on an offboarding's root.
      expect(JSON.stringify(root.blocks)).not.toContain(ACTIONS.removeAccess);
      const text = textOf(root.blocks);
      expect(text).toContain('*Reason*\nLeft the company');
      expect(text).toContain('*Requested by*\n<@UTECH1>');
      expect(text).toContain(`ID \`${WORKFLOW_ID}\``);
    });
  }

  it('says the deadline of the wait, and what the tech must do to delete the user (MyGlue: what goes with it)', () => {
    const unix = Date.parse(DEADLINE) / 1000;
    expect(statusSection(threadRoot(offboarding()).blocks)).toContain(`*Approval request expires:* <!date^${unix}^`);
    const deletion = offboarding({ stage: 'AWAITING_DELETION', waitingOn: 'tech', removal: removed, events: [accessRemoved] });
    const root = threadRoot(deletion);
    expect(statusSection(root.blocks)).toContain(`*Next reminder to the tech:* <!date^${unix}^`);
    const text = textOf(root.blocks);
    expect(text).toContain('*Delete the user in IT Glue* (its API cannot), then press *User deleted*:');
    expect(text).toContain('IT Glue → *Account* > *Users* > *IT Glue* tab');
    expect(text).toContain('The row of `ines@acme.test` → the delete (trash) icon');
    expect(text).toContain('*Removed*\nOut of Customer - No Password Access\nTaken out of the authorized contacts');
    expect(text).not.toContain('personal passwords');

    const myGlue = textOf(threadRoot({ ...deletion, request: { ...deletion.request, kind: 'myglue' }, user: userFor(INVITEE, { myGlue: true }) }).blocks);
    expect(myGlue).toContain('> *MyGlue* tab');
    expect(myGlue).toContain("also deletes the user's personal passwords and every asset they have not shared");
    expect(myGlue).toContain('removing the MyGlue access of Ines Invitee');
  });

  it('says how the removal was approved, and who gets the receipt', () => {
    const approved = textOf(
      threadRoot(offboarding({ stage: 'AWAITING_DELETION', evidence: { via: 'manager', decision: 'approve', at: '2026-03-01T10:00:00.000Z', by: 'UMGR1' } })).blocks,
    );
    expect(approved).toMatch(/\*Approval\*\nApproved by <@UMGR1>, a manager, <!date\^\d+\^/);
    expect(approved).toContain(`*Receipt to*\nPaula Primary\n${PRIMARY.email}`);
    expect(textOf(threadRoot(offboarding()).blocks)).toContain('*Approval*\nA manager, in Slack');
    expect(textOf(threadRoot(offboarding()).blocks)).toContain('*A manager approves the removal* with *Approve removal*');
    const none = textOf(
      threadRoot(
        offboarding({ stage: 'REMOVING_ACCESS', approver: null, evidence: { via: 'not-needed', at: 'x', reason: 'The policy asks no approval for a removal.' } }),
      ).blocks,
    );
    expect(none).toContain('*Approval*\nNot needed: The policy asks no approval for a removal.');
    expect(none).toContain('*Receipt to*\nNobody: no primary contact was found');
    const deleted = textOf(threadRoot(offboarding({ stage: 'COMPLETED', removal: { ...removed, deletedAt: '2026-03-01T11:00:00.000Z' } })).blocks);
    expect(deleted).toMatch(/\*User deleted\*\n<!date\^\d+\^/);
  });

  it('labels each button with what it does and for whom, and asks before approving or cancelling', () => {
    const approve = actionsFor(offboarding())!.elements;
    expect(approve).toEqual([
      expect.objectContaining({
        action_id: ACTIONS.approveRemoval,
        accessibility_label: 'Approve removing the access of Ines Invitee',
        value: `${WORKFLOW_ID}#0`,
        confirm: expect.objectContaining({ confirm: { type: 'plain_text', text: 'Approve removal' } }),
      }),
      expect.objectContaining({
        action_id: ACTIONS.cancel,
        accessibility_label: 'Cancel the offboarding of Ines Invitee',
        confirm: expect.objectContaining({ title: { type: 'plain_text', text: 'Cancel this offboarding?' } }),
      }),
    ]);
    expect(JSON.stringify(approve[1])).toContain("The removal of Ines Invitee's access stops for good.");
    const deletion = actionsFor(offboarding({ stage: 'AWAITING_DELETION', waitingOn: 'tech', actionsTaken: 3 }))!;
    expect(deletion.block_id).toBe(THREAD_ACTIONS_BLOCK_ID);
    expect(deletion.elements[0]).toMatchObject({
      action_id: ACTIONS.userDeleted,
      accessibility_label: 'Confirm the IT Glue user is deleted for Ines Invitee',
      value: `${WORKFLOW_ID}#3`,
    });
    const stalled = actionsFor(offboarding({ stage: 'STALLED', stalledFrom: 'AWAITING_DELETION' }))!;
    expect(stalled.elements[0]).toMatchObject({ action_id: ACTIONS.resume, accessibility_label: 'Resume the offboarding of Ines Invitee' });
  });

  it('escapes the names it shows', () => {
    const evil = { ...INVITEE, name: '<!channel> *Eve* <https://evil.example|x>' };
    const root = threadRoot(
      offboarding({ invitee: evil, org: { id: ORG.id, name: 'A & <B>' }, request: { ...offboarding().request, reason: '<@U0EVIL1> go' } as OnboardingStatus['request'] }),
    );
    // Slack reads links, mentions and broadcasts in mrkdwn (and the notification text) only.
    const read = `${root.text}\n${textOf(root.blocks, ['mrkdwn'])}`;
    expect(read).not.toContain('<!channel>');
    expect(read).not.toContain('<https://evil');
    expect(read).not.toContain('<@U0EVIL1>');
    expect(read).toContain('&lt;@U0EVIL1&gt; go');
    expect(textOf(root.blocks[0])).toContain('A &amp; &lt;B&gt;');
    const label = (actionsFor(offboarding({ invitee: evil }))!.elements[0] as { accessibility_label: string }).accessibility_label;
    expect(label).not.toContain('https://');
  });
});

describe('an offboarding’s replies', () => {
  it('has an emoji of its own for each of its events, and says its stages plainly', () => {
    const emoji: Array<[EventType, string]> = [
      ['onboarding-cancelled', ':x:'],
      ['access-removed', ':scissors:'],
      ['delete-user', ':wastebasket:'],
      ['user-still-there', ':warning:'],
      ['user-deleted', ':white_check_mark:'],
      ['receipt-sent', ':email:'],
    ];
    for (const [type, want] of emoji) expect(threadReply(event(type, 'Something happened.')).text).toBe(`${want} Something happened.`);
    expect(threadReply(event('user-still-there', '<@UTECH1> says the user was deleted, but IT Glue still has ines@acme.test.', 'UTECH1')).text).toBe(
      ':warning: <@UTECH1> says the user was deleted, but IT Glue still has ines@acme.test.',
    );
    expect(threadReply(event('stage', 'REMOVING_ACCESS')).text).toContain('Removing access');
    expect(threadReply(event('stage', 'AWAITING_DELETION')).text).toContain("Waiting for the user's deletion in IT Glue");
  });
});

describe('Remove access', () => {
  const completed = (over: Partial<OnboardingStatus> = {}) =>
    statusFixture({ stage: 'COMPLETED', waitingOn: 'nobody', deadline: null, user: userFor(INVITEE), evidence: { via: 'not-needed', at: 'x', reason: 'x' }, ...over });

  it('is on a completed onboarding’s root, beside what it does, asking once more before it counts', () => {
    const s = completed();
    const root = threadRoot(s);
    const block = root.blocks.at(-1);
    expect(block).toEqual(removeAccessBlock(s));
    expect(block).toMatchObject({
      type: 'section',
      block_id: REMOVE_ACCESS_BLOCK_ID,
      accessory: {
        type: 'button',
        action_id: ACTIONS.removeAccess,
        value: s.workflowId,
        style: 'danger',
        accessibility_label: 'Remove the access of Ines Invitee',
        confirm: {
          title: { type: 'plain_text', text: 'Remove access?' },
          text: {
            type: 'plain_text',
            text: 'Remove the access of Ines Invitee to Acme Dental? They are taken out of every group now, then you delete the user in IT Glue.',
          },
        },
      },
    });
    // The root is otherwise as before: no thread buttons.
    expect(root.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(root.text).toBe('Onboarding of Ines Invitee (Acme Dental): Completed: Ines Invitee is now an IT Glue Lite user (read-only)');
  });

  it('is nowhere else: not before completion, not on other ends, not without a user, not on an offboarding', () => {
    for (const stage of FINAL_STAGES.filter((f) => f !== 'COMPLETED')) expect(removeAccessBlock(completed({ stage }))).toBeNull();
    expect(removeAccessBlock(completed({ stage: 'AWAITING_2FA' }))).toBeNull();
    expect(removeAccessBlock(completed({ user: null }))).toBeNull();
    expect(removeAccessBlock(offboarding({ stage: 'COMPLETED' }))).toBeNull();
    expect(JSON.stringify(threadRoot(completed({ stage: 'CANCELLED' })).blocks)).not.toContain(ACTIONS.removeAccess);
  });

  it('is on each removable row of the App Home’s recent completions, for managers and techs; an offboarding’s row is marked', () => {
    const now = Date.parse('2026-03-02T00:00:00.000Z');
    const row = (over: Partial<Completed>): Completed => ({
      workflowId: 'onboarding:100:201',
      orgName: 'Acme Dental',
      invitee: 'Ines Invitee',
      requestedBy: 'UTECH1',
      startedAt: '2026-03-01T10:00:00.000Z',
      completedAt: '2026-03-01T12:00:00.000Z',
      link: 'https://fake-team.slack.com/archives/C1/p1',
      ...over,
    });
    const recent = [
      row({ removable: true }),
      row({ workflowId: 'offboarding:100:u202', process: 'offboarding', invitee: 'Paula Primary' }),
      row({ workflowId: 'onboarding:100:203', invitee: 'Otto Other', removable: false }),
    ];
    const dashboard: Dashboard = { counts: [], open: [], stalled: [], overdue: [], recent, medians: [], recentDays: 30 };
    for (const view of [managerHome(dashboard, now), techHome([], now, recent)]) {
      const start = view.blocks.findIndex((b) => b.type === 'header' && (b as { text: { text: string } }).text.text === 'Recently completed');
      const rows = view.blocks.slice(start + 1, start + 4) as Array<{ text: { text: string }; accessory?: { action_id: string; value: string } }>;
      expect(rows.map((r) => r.accessory?.action_id ?? null)).toEqual([ACTIONS.removeAccess, null, null]);
      expect(rows[0]!.accessory!.value).toBe('onboarding:100:201');
      expect(rows[0]!.text.text).toMatch(/^<https:\/\/fake-team\.slack\.com\/archives\/C1\/p1\|\*Ines Invitee\* · Acme Dental> — completed /);
      expect(rows[1]!.text.text).toMatch(
        /^:door: Offboarding: <https:\/\/fake-team\.slack\.com\/archives\/C1\/p1\|\*Paula Primary\* · Acme Dental> — access removed .* after 2h · by <@UTECH1>$/,
      );
    }
    // A tech without completions has no such section.
    expect(JSON.stringify(techHome([], now).blocks)).not.toContain('Recently completed');
  });
});
