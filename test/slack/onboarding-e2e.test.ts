/**
 * One whole onboarding from Slack: /invite-lite and its modal, the thread in the onboarding
 * channel, its buttons, the approver's decision (the `decide` Update the approval page sends), the
 * IT Glue user created by the tech in the fake IT Glue and found by "Invitation sent", a mismatch
 * fixed with "Fixed", and acceptance and sign-in found by the IT Glue sweep — to COMPLETED. The
 * root message is updated in place at every stage and the replies tell the story in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decideApproval } from '../../src/onboardings';
import { ACTIONS } from '../../src/slack/action-ids';
import { APPROVER_FIELD } from '../../src/slack/views/approval-modals';
import { INVITE } from '../../src/slack/views/invite-modal';
import { threadReply } from '../../src/slack/views/thread-reply';
import { threadRoot } from '../../src/slack/views/thread';
import type { OnboardingStatus } from '../../workflows/types';
import { makeUser, SEED } from '../fakes/itglue-server';
import { CHANNEL, eventually, startSlackHarness, USERS, type ModalState, type SlackHarness } from '../support/slack-harness';
import { GROUP_MODEL, testPolicy } from '../support/temporal';

let h: SlackHarness;
const { org, contact } = SEED;
const workflowId = `onboarding:${org.acme}:${contact.inesInvitee}`;

beforeAll(async () => {
  // Per-customer groups (the `group` model): Acme's own group, which also reaches Bluebird at first.
  h = await startSlackHarness({ mode: 'itglue', doubleClickMs: 500, policy: testPolicy(GROUP_MODEL) });
  h.group('Customer - No Password Access')['organization-ids'] = [org.acme, org.bluebird];
});

afterAll(async () => {
  await h?.close();
});

const opt = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
const status = () => h.temporal.client.workflow.getHandle(workflowId).query<OnboardingStatus, []>('status');
let last: OnboardingStatus | null = null;
const until = (check: (s: OnboardingStatus) => boolean, what: string) =>
  eventually(
    async () => {
      const s = (last = await status());
      return check(s) ? s : null;
    },
    what,
    30_000,
  ).catch((error: Error) => {
    const seen = last && { stage: last.stage, subState: last.subState, mismatches: last.mismatches, events: last.events.slice(-4) };
    throw new Error(`${error.message}; last status: ${JSON.stringify(seen)}`);
  });

/** The root message's text each time it was posted or updated, in order. */
function rootTexts(): string[] {
  const root = h.root(workflowId);
  if (!root) return [];
  return h.slack.calls
    .filter(
      (c) =>
        c.ok &&
        ((c.method === 'chat.postMessage' &&
          !c.args.thread_ts &&
          (c.args.metadata as { event_payload?: { workflowId?: string } })?.event_payload?.workflowId === workflowId) ||
          (c.method === 'chat.update' && c.args.ts === root.ts)),
    )
    .map((c) => String(c.args.text));
}

/** The root texts expected so far, in order. */
const shownTexts: string[] = [];

/** Waits for the root message to show this status (as the thread's own view renders it). */
async function rootShows(s: OnboardingStatus) {
  const { text } = threadRoot(s);
  await eventually(() => h.root(workflowId)?.text === text, `the root message to show “${text}” (it shows “${h.root(workflowId)?.text}”)`, 30_000);
  shownTexts.push(text);
}

async function modalOpenedWith(triggerId: string): Promise<ModalState> {
  await eventually(() => h.slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId && c.ok), 'views.open');
  const index = h.slack
    .callsOf('views.open')
    .filter((c) => c.ok)
    .findIndex((c) => c.args.trigger_id === triggerId);
  return h.slack.views.opened[index] as ModalState;
}

it('goes from /invite-lite to COMPLETED through the thread’s buttons', async () => {
  // 1. The tech types /invite-lite with the organization's name: the modal opens for Acme Dental.
  const { response, triggerId } = await h.command('/invite-lite', USERS.tech, 'Acme Dental');
  expect(response.status).toBe(200);
  const opened = await modalOpenedWith(triggerId);
  const modal = await eventually(() => {
    const v = h.slack.views.byId[opened.id] as Omit<ModalState, 'blocks'> & { blocks: Array<{ block_id?: string }> };
    return v.blocks.some((b) => b.block_id === `contact:${org.acme}`) ? v : null;
  }, 'the modal with Acme Dental’s contacts');
  const form = {
    org: { [INVITE.org.action]: { type: 'external_select', selected_option: opt(org.acme) } },
    [`contact:${org.acme}`]: { [INVITE.contact.action]: { type: 'static_select', selected_option: opt(contact.inesInvitee) } },
    [`approver:${org.acme}`]: { [INVITE.approver.action]: { type: 'static_select', selected_option: opt(contact.paulaPrimary) } },
    [`kind:${org.acme}`]: { [INVITE.kind.action]: { type: 'radio_buttons', selected_option: opt('itglue') } },
    [`password:${org.acme}`]: { [INVITE.password.action]: { type: 'radio_buttons', selected_option: opt('no') } },
    [`ticket:${org.acme}`]: { [INVITE.ticket.action]: { type: 'plain_text_input', value: 'T-2001' } },
    [`note:${org.acme}`]: { [INVITE.note.action]: { type: 'plain_text_input', value: null } },
  };

  // 2. The customer group also reaches Bluebird: refused on the field. An admin fixes the group; submitted again, it starts.
  const refused = await h.submit(modal, USERS.tech, form);
  expect(JSON.stringify(refused.answer)).toContain('gives access to 2 organizations');
  h.group('Customer - No Password Access')['organization-ids'] = [org.acme];
  const accepted = await h.submit(modal, USERS.tech, form);
  expect(accepted).toEqual({ status: 200, answer: null });

  // 3. The thread: the root waits for Paula's approval.
  await rootShows(await until((s) => s.stage === 'AWAITING_APPROVAL' && s.approvalRound === 1, 'the approval request'));
  expect(h.root(workflowId)!.text).toContain('Paula Primary');

  // 4. Paula does not answer: the tech asks Alex instead ("Ask another contact").
  const ask = await h.press(ACTIONS.askAnotherContact, workflowId, USERS.tech);
  const askModal = await modalOpenedWith(ask.triggerId);
  const chosen = await h.submit(askModal, USERS.tech, {
    [APPROVER_FIELD.block]: { [APPROVER_FIELD.action]: { type: 'static_select', selected_option: opt(contact.alexApprover) } },
  });
  expect(chosen.answer).toBeNull();
  await rootShows(await until((s) => s.approver?.contactId === contact.alexApprover && s.approvalRound === 2, 'round 2 to Alex'));
  expect(h.root(workflowId)!.text).toContain('Alex Approver');

  // 5. Alex approves through the approval page (the decide Update).
  const decision = await decideApproval(h.temporal.client, workflowId, {
    decision: 'approve',
    round: 2,
    approverContactId: contact.alexApprover,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
  });
  expect(decision.decision).toBe('approve');
  await rootShows(await until((s) => s.stage === 'AWAITING_INVITE', 'the invitation stage'));
  expect(JSON.stringify(h.root(workflowId)!.blocks)).toContain('Ines.Invitee@acme-dental.test');

  // 6. The tech creates the user in IT Glue and presses "Invitation sent" — meanwhile someone has
  //    given the customer group access to Bluebird again.
  h.group('Customer - No Password Access')['organization-ids'] = [org.acme, org.bluebird];
  h.itglue.data.users.push(
    makeUser({
      id: '5100',
      'first-name': 'Ines',
      'last-name': 'Invitee',
      email: 'ines.invitee@acme-dental.test',
      'role-name': 'Editor',
      'invitation-sent-at': new Date().toISOString(),
    }),
  );
  await h.press(ACTIONS.invitationSent, workflowId, USERS.tech);
  const mismatch = await until((s) => s.stage === 'VERIFYING' && s.subState === 'MISMATCH', 'the mismatch');
  expect(mismatch.mismatches.join(' ')).toContain('also gives access to 1 other organization');
  expect(mismatch.mismatches.join(' ')).toContain('it must be "Lite"');
  await rootShows(mismatch);
  expect(JSON.stringify(h.root(workflowId)!.blocks)).toContain(ACTIONS.fixed);

  // 7. The tech sets the role to Lite, removes Bluebird from the group and presses "Fixed": verified
  //    with what IT Glue shows now (the user was added to the group).
  h.group('Customer - No Password Access')['organization-ids'] = [org.acme];
  h.itglue.data.users.find((u) => u.id === '5100')!['role-name'] = 'Lite';
  await h.press(ACTIONS.fixed, workflowId, USERS.tech);
  await rootShows(await until((s) => s.stage === 'AWAITING_ACCEPTANCE', 'the acceptance stage'));
  expect(h.group('Customer - No Password Access')['user-ids']).toContain('5100');

  // 8. Ines accepts and signs in; the IT Glue sweep notices.
  const user = h.itglue.data.users.find((u) => u.id === '5100')!;
  user['invitation-accepted-at'] = new Date().toISOString();
  user['current-sign-in-at'] = new Date().toISOString();
  const report = await h.itglueActivities!.sweepUsers();
  expect(report.signalled).toBeGreaterThanOrEqual(1);
  const done = await until((s) => s.stage === 'COMPLETED', 'completion');
  await rootShows(done);
  expect(done.evidence).toMatchObject({ via: 'link', decision: 'approve', ip: '203.0.113.7', approver: { contactId: contact.alexApprover } });
  expect(done.request.requestedBy).toBe(USERS.tech);

  // The root was posted once and updated in place at every stage, in order; no buttons at the end.
  const roots = h.slack.messages(CHANNEL).filter((m) => !m.threadTs && m.metadata?.event_payload.workflowId === workflowId);
  expect(roots).toHaveLength(1);
  const texts = rootTexts();
  const firstIndex = shownTexts.map((text) => texts.indexOf(text));
  expect(
    firstIndex.every((i) => i >= 0),
    `root texts:\n${texts.join('\n')}`,
  ).toBe(true);
  expect([...firstIndex].sort((a, b) => a - b)).toEqual(firstIndex);
  expect(new Set(shownTexts).size).toBe(shownTexts.length);
  expect(JSON.stringify(h.root(workflowId)!.blocks)).not.toContain('"actions"');

  // The replies tell the story, in order: one per event the workflow recorded for the thread.
  const story = [
    'approval-requested',
    'approver-changed',
    'approval-requested',
    'approved',
    'instructions-sent',
    'invitation-sent',
    'user-found',
    'mismatch',
    'fixed',
    'verified',
    'accepted',
    'signed-in',
  ];
  const told = done.events.filter((e) => story.includes(e.type));
  expect(told.map((e) => e.type)).toEqual(story);
  const replies = h.replies(workflowId).map((m) => m.text);
  const managers = { usergroupId: h.config.managerUsergroupId, userIds: h.config.managerUserIds };
  const expected = told.map((e) => threadReply(e, { managers }).text);
  let from = 0;
  for (const line of expected) {
    const at = replies.indexOf(line, from);
    expect(at, `reply “${line}” after reply ${from} in:\n${replies.join('\n')}`).toBeGreaterThanOrEqual(from);
    from = at + 1;
  }
  expect(told.find((e) => e.type === 'approver-changed')?.by).toBe(USERS.tech);
  expect(told.find((e) => e.type === 'invitation-sent')?.by).toBe(USERS.tech);
  expect(told.find((e) => e.type === 'fixed')?.by).toBe(USERS.tech);
  expect(replies.join('\n')).toContain('203.0.113.7');
  // Mail went out as the story says.
  expect(h.world.callsOf('sendApprovalRequest').map(([m]) => (m as { approver: { contactId: string } }).approver.contactId)).toEqual([
    contact.paulaPrimary,
    contact.alexApprover,
  ]);
  expect(h.world.callsOf('sendInstructions')).toHaveLength(1);
}, 120_000);
