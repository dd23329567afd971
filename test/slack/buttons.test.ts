/**
 * The onboarding thread's buttons over HTTP: each one sends its message to the workflow on behalf
 * of the person who pressed it (re-checking their rights on every press), the modals behind "Ask
 * another contact" and "Record offline approval", refusals that change nothing, stale buttons, and
 * double clicks that count once. The thread itself is the real Slack activities' (fake Slack).
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/action-ids';
import { threadRoot } from '../../src/slack/views/thread';
import { APPROVER_FIELD, OFFLINE_CHANNEL_FIELD, OFFLINE_NOTE_FIELD } from '../../src/slack/views/approval-modals';
import type { Stage } from '../../workflows/stages';
import type { OnboardingStatus } from '../../workflows/types';
import { INVITEE, ORG, OTHER, PRIMARY, userFor } from '../support/fake-activities';
import { messagesIn } from '../support/history';
import { eventually, startSlackHarness, USERS, type ModalState, type SlackHarness } from '../support/slack-harness';
import { testPolicy } from '../support/temporal';

const DOUBLE_CLICK_MS = 1_000;
let h: SlackHarness;
let counter = 0;

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'world', doubleClickMs: DOUBLE_CLICK_MS });
});

afterAll(async () => {
  await h?.close();
});

const status = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId).query<OnboardingStatus, []>('status');

async function until(workflowId: string, check: (s: OnboardingStatus) => boolean, what: string): Promise<OnboardingStatus> {
  return eventually(async () => {
    const s = await status(workflowId);
    return check(s) ? s : null;
  }, `${workflowId}: ${what}`);
}

/** Waits until the stage is shown in the thread (the root is posted and updated for it). */
async function shown(workflowId: string, stage: Stage, subState: string | null = null): Promise<OnboardingStatus> {
  const s = await until(workflowId, (st) => st.stage === stage && st.subState === subState && !!st.thread, stage);
  await eventually(() => h.root(workflowId)?.text === threadRoot(s).text, `the thread root showing ${stage}`);
  return s;
}

/** What the onboarding heard: person actions (Updates accepted) by name, and other signals. */
async function actionsTaken(workflowId: string): Promise<string[]> {
  return messagesIn(await h.temporal.client.workflow.getHandle(workflowId).fetchHistory());
}

function ephemeralsTo(user: string): Array<{ text: string; thread_ts?: string }> {
  return h.slack
    .callsOf('chat.postEphemeral')
    .filter((c) => c.args.user === user)
    .map((c) => c.args as { text: string; thread_ts?: string });
}

const nextOrg = () => `${ORG.id}${++counter}`;

/** An onboarding waiting for the IT Glue invitation (the invitee is their own approver). */
async function awaitingInvite(person = OTHER, orgId = nextOrg()) {
  const id = await h.start({ orgId, contactId: person.contactId, approverContactId: person.contactId });
  await shown(id, 'AWAITING_INVITE');
  return id;
}

describe('buttons that send a message', () => {
  it('“Invitation sent” by a tech: the workflow hears it from that tech, once per double click, and checks IT Glue at once', async () => {
    const id = await awaitingInvite();
    const root = h.root(id)!;
    expect(JSON.stringify(root.blocks)).toContain(ACTIONS.invitationSent);

    const [a, b] = await Promise.all([h.press(ACTIONS.invitationSent, id, USERS.tech), h.press(ACTIONS.invitationSent, id, USERS.tech)]);
    expect([a.response.status, b.response.status]).toEqual([200, 200]);
    const s = await until(id, (st) => st.events.some((e) => e.type === 'user-not-found'), 'user-not-found');
    expect(s.events.filter((e) => e.type === 'invitation-sent')).toEqual([expect.objectContaining({ by: USERS.tech })]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await actionsTaken(id)).toEqual(['invitationSent']);

    // Later (after the double-click window), with the user in IT Glue: found, verified, on to acceptance.
    await new Promise((r) => setTimeout(r, DOUBLE_CLICK_MS));
    h.world.users.set(OTHER.email.toLowerCase(), userFor(OTHER));
    await h.press(ACTIONS.invitationSent, id, USERS.tech2);
    await shown(id, 'AWAITING_ACCEPTANCE');
    expect(await actionsTaken(id)).toEqual(['invitationSent', 'invitationSent']);
    h.world.users.clear();
  });

  it('refuses people without the right, says so only to them in the thread, and sends nothing', async () => {
    const id = await awaitingInvite();
    const root = h.root(id)!;
    for (const user of [USERS.outsider, USERS.manager]) {
      const { response } = await h.press(ACTIONS.invitationSent, id, user);
      expect(response.status).toBe(200);
      const refusal = await eventually(() => ephemeralsTo(user).find((e) => e.thread_ts === root.ts), `a refusal to ${user}`);
      expect(refusal.text).toContain('Only the techs');
    }
    const { response } = await h.press(ACTIONS.cancel, id, USERS.outsider);
    expect(response.status).toBe(200);
    await eventually(() => ephemeralsTo(USERS.outsider).filter((e) => e.thread_ts === root.ts).length === 2, 'a second refusal');
    await new Promise((r) => setTimeout(r, 300));
    expect(await actionsTaken(id)).toEqual([]);
    expect((await status(id)).stage).toBe('AWAITING_INVITE');
  });

  it('a button that no longer fits the stage changes nothing and says why', async () => {
    const id = await awaitingInvite();
    await h.press(ACTIONS.fixed, id, USERS.tech);
    await h.press(ACTIONS.resume, id, USERS.manager);
    await eventually(() => ephemeralsTo(USERS.tech).some((e) => e.text.includes('no longer applies')), 'the stale-button notice');
    await eventually(() => ephemeralsTo(USERS.manager).some((e) => e.text.includes('no longer applies')), 'the stale-button notice to the manager');
    expect(await actionsTaken(id)).toEqual([]);
  });

  it('“Cancel” by a manager (who is not a tech) ends it; pressed again, it says it has ended', async () => {
    const id = await awaitingInvite();
    await h.press(ACTIONS.cancel, id, USERS.manager);
    const s = await until(id, (st) => st.stage === 'CANCELLED', 'cancelled');
    expect(s.events.find((e) => e.type === 'cancelled')?.by).toBe(USERS.manager);
    await eventually(() => h.root(id)?.text.includes('Cancelled'), 'the root shows it');
    await new Promise((r) => setTimeout(r, DOUBLE_CLICK_MS));
    await h.press(ACTIONS.cancel, id, USERS.tech);
    await eventually(() => ephemeralsTo(USERS.tech).some((e) => e.text.includes('already ended')), 'the ended notice');
    expect(await actionsTaken(id)).toEqual(['cancel']);
  });

  it('“Fixed” re-verifies a mismatch; “Resent” answers an expired invitation; “2FA confirmed” completes', async () => {
    // A user that does not match the request yet, whose invitation link is long expired, who accepted later.
    h.world.users.set(OTHER.email.toLowerCase(), userFor(OTHER, { invitationSentAt: new Date(Date.now() - 3_600_000).toISOString() }));
    h.world.mismatches.push(['The role of the user is "Editor"; it must be "Lite".']);
    const policy = testPolicy({ twoFactor: { enforcedForItGlue: false } });
    const id = await h.start({ orgId: nextOrg(), contactId: OTHER.contactId, approverContactId: OTHER.contactId }, policy);
    await shown(id, 'VERIFYING', 'MISMATCH');
    expect(JSON.stringify(h.root(id)!.blocks)).toContain(ACTIONS.fixed);

    await h.press(ACTIONS.fixed, id, USERS.tech);
    // The user was in IT Glue before anyone pressed Invitation sent: the tech confirms what the API
    // cannot read, with a button that lists it once more before it counts.
    await shown(id, 'VERIFYING', 'CONFIRM_SETTINGS');
    const blocks = JSON.stringify(h.root(id)!.blocks);
    expect(blocks).toContain(ACTIONS.settingsConfirmed);
    expect(blocks).toContain('I checked in IT Glue: role Lite;');
    await h.press(ACTIONS.settingsConfirmed, id, USERS.tech);
    await shown(id, 'AWAITING_ACCEPTANCE', 'INVITE_EXPIRED');
    expect((await status(id)).confirmation).toMatchObject({ by: USERS.tech, items: expect.arrayContaining(['no sub-organizations']) });
    expect(JSON.stringify(h.root(id)!.blocks)).toContain(ACTIONS.resent);

    await h.press(ACTIONS.resent, id, USERS.tech2);
    const resent = await until(id, (st) => st.resends === 1, 'resent');
    expect(resent.events.find((e) => e.type === 'resent')?.by).toBe(USERS.tech2);

    await h.temporal.client.workflow
      .getHandle(id)
      .signal('userObserved', userFor(OTHER, { invitationSentAt: new Date().toISOString(), invitationAcceptedAt: new Date().toISOString() }));
    await shown(id, 'AWAITING_2FA');
    await h.press(ACTIONS.twoFactorConfirmed, id, USERS.tech);
    const done = await until(id, (st) => st.stage === 'COMPLETED', 'completed');
    expect(done.events.find((e) => e.type === '2fa-confirmed')?.by).toBe(USERS.tech);
    expect(await actionsTaken(id)).toEqual(['fixed', 'settingsConfirmed', 'invitationResent', 'userObserved', 'twoFactorConfirmed']);
    h.world.users.clear();
  });

  it('“Resume” is for managers only: a tech is refused, a manager resumes where it stalled', async () => {
    h.world.failures.set('validateRequest', [ApplicationFailure.nonRetryable('IT Glue refused the API key (401)', 'ItGlueAuth')]);
    const id = await h.start({ orgId: nextOrg(), contactId: INVITEE.contactId });
    await shown(id, 'STALLED');
    await h.press(ACTIONS.resume, id, USERS.tech);
    await eventually(() => ephemeralsTo(USERS.tech).some((e) => e.text.includes('Only a manager can resume')), 'the refusal');
    expect(await actionsTaken(id)).toEqual([]);
    await h.press(ACTIONS.resume, id, USERS.manager);
    const s = await until(id, (st) => st.stage === 'AWAITING_APPROVAL', 'resumed');
    expect(s.events.find((e) => e.type === 'resumed')?.by).toBe(USERS.manager);
  });
});

describe('buttons that open a modal', () => {
  async function approvalOnboarding() {
    // FakeWorld's organization, whose contacts the fake IT Glue also has.
    const id = await h.start({ orgId: ORG.id, contactId: INVITEE.contactId });
    await shown(id, 'AWAITING_APPROVAL');
    return id;
  }

  async function modalOpenedBy(triggerId: string): Promise<ModalState> {
    await eventually(() => h.slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId && c.ok), 'views.open');
    const index = h.slack
      .callsOf('views.open')
      .filter((c) => c.ok)
      .findIndex((c) => c.args.trigger_id === triggerId);
    return h.slack.views.opened[index] as ModalState;
  }

  const opt = (value: string) => ({ text: { type: 'plain_text', text: value }, value });

  it('“Ask another contact” lists the other contacts with an email; the choice starts a new approval round, once', async () => {
    const id = await approvalOnboarding();
    const { triggerId } = await h.press(ACTIONS.askAnotherContact, id, USERS.tech);
    const modal = await modalOpenedBy(triggerId);
    const select = (modal.blocks as Array<{ block_id?: string; element?: { options?: Array<{ value: string }> } }>).find((b) => b.block_id === APPROVER_FIELD.block);
    // Not the invitee, not the current approver.
    expect(select?.element?.options?.map((o) => o.value)).toEqual([OTHER.contactId]);

    const values = { [APPROVER_FIELD.block]: { [APPROVER_FIELD.action]: { type: 'static_select', selected_option: opt(OTHER.contactId) } } };
    const invalid = await h.submit(modal, USERS.tech, {
      [APPROVER_FIELD.block]: { [APPROVER_FIELD.action]: { type: 'static_select', selected_option: opt(INVITEE.contactId) } },
    });
    expect(JSON.stringify(invalid.answer)).toContain('cannot approve their own access');

    const refused = await h.submit(modal, USERS.outsider, values);
    expect(JSON.stringify(refused.answer)).toContain('Only the techs');

    const [first, second] = await Promise.all([h.submit(modal, USERS.tech, values), h.submit(modal, USERS.tech, values)]);
    expect([first.answer, second.answer]).toEqual([null, null]);
    const s = await until(id, (st) => st.approver?.contactId === OTHER.contactId && st.approvalRound === 2, 'the new approver');
    expect(s.events.find((e) => e.type === 'approver-changed')?.by).toBe(USERS.tech);
    await new Promise((r) => setTimeout(r, 300));
    expect(await actionsTaken(id)).toEqual(['changeApprover']);
  });

  it('“Record offline approval” records the channel and note, and the onboarding goes ahead', async () => {
    const id = await h.start({ orgId: nextOrg(), contactId: INVITEE.contactId });
    await shown(id, 'AWAITING_APPROVAL');
    const { triggerId } = await h.press(ACTIONS.recordOfflineApproval, id, USERS.tech2);
    const modal = await modalOpenedBy(triggerId);
    expect(modal.callback_id).toBe('onboarding_offline_approval');

    const noNote = await h.submit(modal, USERS.tech2, {
      [OFFLINE_CHANNEL_FIELD.block]: { [OFFLINE_CHANNEL_FIELD.action]: { type: 'radio_buttons', selected_option: opt('fax') } },
      [OFFLINE_NOTE_FIELD.block]: { [OFFLINE_NOTE_FIELD.action]: { type: 'plain_text_input', value: ' ' } },
    });
    expect((noNote.answer!.errors as Record<string, string>)[OFFLINE_NOTE_FIELD.block]).toContain('who approved');

    const ok = await h.submit(modal, USERS.tech2, {
      [OFFLINE_CHANNEL_FIELD.block]: { [OFFLINE_CHANNEL_FIELD.action]: { type: 'radio_buttons', selected_option: opt('fax') } },
      [OFFLINE_NOTE_FIELD.block]: { [OFFLINE_NOTE_FIELD.action]: { type: 'plain_text_input', value: 'Signed form from Paula, 3 March, in the customer folder' } },
    });
    expect(ok.answer).toBeNull();
    const s = await until(id, (st) => st.stage === 'AWAITING_INVITE', 'approved offline');
    expect(s.evidence).toMatchObject({ via: 'offline', channel: 'fax', recordedBy: USERS.tech2 });
    expect(PRIMARY.contactId).toBe(s.approver?.contactId);
  });
});
