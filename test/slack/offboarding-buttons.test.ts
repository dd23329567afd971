/**
 * The offboarding in Slack (docs/design.md §15) over real HTTP, on the real `offboarding` workflow
 * (FakeWorld's IT Glue and mail, the real Slack thread activities on the fake Slack): Approve
 * removal (managers only), User deleted (techs) reaching the workflow, Remove access on a completed
 * onboarding starting its offboarding (techs only; once), and the offboarding listed for managers
 * in /onboarding-status and the App Home.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOffboarding } from '../../src/onboardings';
import { ACTIONS, REMOVE_ACCESS_BLOCK_ID } from '../../src/slack/action-ids';
import { threadRoot } from '../../src/slack/views/thread';
import type { Stage } from '../../workflows/stages';
import { type OffboardingRequest, offboardingIdFor, type OnboardingStatus } from '../../workflows/types';
import { INVITEE, PRIMARY, userFor } from '../support/fake-activities';
import { messagesIn } from '../support/history';
import { CHANNEL, eventually, startSlackHarness, TEAM, USERS, type SlackHarness } from '../support/slack-harness';

const DOUBLE_CLICK_MS = 1_000;
let h: SlackHarness;
/** Organization IDs of this file's own (workflow IDs are the namespace's, shared by the test files). */
const run = `9${Math.floor(Math.random() * 1_000_000)}`;
let counter = 0;
const nextOrg = () => `${run}${++counter}`;

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'world', doubleClickMs: DOUBLE_CLICK_MS });
});

afterAll(async () => {
  h?.world.releaseHolds();
  await h?.close();
});

const status = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId).query<OnboardingStatus, []>('status');

async function until(workflowId: string, check: (s: OnboardingStatus) => boolean, what: string): Promise<OnboardingStatus> {
  return eventually(async () => {
    const s = await status(workflowId);
    return check(s) ? s : null;
  }, `${workflowId}: ${what}`);
}

/** Waits until the status holds and the thread root shows it as it is then (with the buttons of this drawing). */
async function shown(workflowId: string, check: (s: OnboardingStatus) => boolean, what: string): Promise<OnboardingStatus> {
  return eventually(async () => {
    const s = await status(workflowId);
    if (!check(s) || !s.thread) return null;
    return JSON.stringify(h.root(workflowId)?.blocks) === JSON.stringify(threadRoot(s).blocks) ? s : null;
  }, `${workflowId}: the thread root showing ${what}`);
}
const atStage = (stage: Stage) => (s: OnboardingStatus) => s.stage === stage;

async function heard(workflowId: string): Promise<string[]> {
  return messagesIn(await h.temporal.client.workflow.getHandle(workflowId).fetchHistory());
}

function ephemeralsTo(user: string): Array<{ text: string; thread_ts?: string }> {
  return h.slack
    .callsOf('chat.postEphemeral')
    .filter((c) => c.args.user === user)
    .map((c) => c.args as { text: string; thread_ts?: string });
}

/** A new ephemeral message to `user` that `check` accepts, after `before` of them. */
const toldAfter = (user: string, before: number, check: (text: string) => boolean, what: string) =>
  eventually(
    () =>
      ephemeralsTo(user)
        .slice(before)
        .find((e) => check(e.text)),
    what,
  );

/** Ines's IT Glue user, in every group it was given, and an offboarding of it (asked by the other tech). */
async function offboard(orgId = nextOrg(), requestedBy: string = USERS.tech2): Promise<string> {
  const user = userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() });
  h.world.users.set(INVITEE.email.toLowerCase(), user);
  h.world.groupsOf.set(user.id, ['Customer - No Password Access']);
  const request: OffboardingRequest = {
    orgId,
    contactId: INVITEE.contactId,
    userId: user.id,
    kind: 'itglue',
    passwordAccess: false,
    requestedBy,
    reason: 'Left the company',
  };
  const { workflowId } = await startOffboarding(h.temporal.client, h.temporal.taskQueue, request, h.policy);
  return workflowId;
}

describe('an offboarding’s buttons', () => {
  it('Approve removal: a tech is refused privately; a manager approves; User deleted (techs) is checked against IT Glue until the user is gone', async () => {
    const id = await offboard();
    expect(id).toMatch(/^offboarding:\d+:u201$/);
    const waiting = await shown(id, (s) => s.stage === 'AWAITING_APPROVAL' && s.waitingOn === 'manager', 'the wait on a manager');
    expect(waiting.process).toBe('offboarding');
    const root = h.root(id)!;
    expect(root.text).toBe('Offboarding of Ines Invitee (Acme Dental): Waiting for a manager to approve the removal');
    expect(JSON.stringify(root.blocks)).toContain(ACTIONS.approveRemoval);

    // A tech may not approve.
    const refusals = ephemeralsTo(USERS.tech).length;
    expect((await h.press(ACTIONS.approveRemoval, id, USERS.tech)).response.status).toBe(200);
    const refusal = await toldAfter(USERS.tech, refusals, (t) => t.includes('Only a manager can approve a removal'), 'the refusal');
    expect(refusal.thread_ts).toBe(root.ts);
    expect(await heard(id)).toEqual([]);

    // A manager does: the user leaves every group at once, and the tech is told to delete it.
    await h.press(ACTIONS.approveRemoval, id, USERS.manager);
    const deletion = await shown(id, (s) => s.stage === 'AWAITING_DELETION' && s.events.some((e) => e.type === 'delete-user'), 'the wait for the deletion');
    expect(deletion.evidence).toMatchObject({ via: 'manager', by: USERS.manager });
    expect(deletion.events.find((e) => e.type === 'approved')?.by).toBe(USERS.manager);
    expect(deletion.removal).toMatchObject({ groupsLeft: ['Customer - No Password Access'], deletedAt: null });
    expect(h.world.callsOf('removeAccess')).toEqual([[expect.objectContaining({ userId: 'u201', contactId: INVITEE.contactId })]]);
    expect(await heard(id)).toEqual(['approveRemoval']);
    const drawn = JSON.stringify(h.root(id)!.blocks);
    expect(drawn).toContain(ACTIONS.userDeleted);
    expect(drawn).toContain(`${id}#${deletion.actionsTaken}`);
    expect(h.root(id)!.text).toBe('Offboarding of Ines Invitee (Acme Dental): Waiting for a tech to delete the IT Glue user in IT Glue');

    // User deleted is for techs: a manager alone is refused.
    const managerRefusals = ephemeralsTo(USERS.manager).length;
    await h.press(ACTIONS.userDeleted, id, USERS.manager);
    await toldAfter(USERS.manager, managerRefusals, (t) => t.includes('Only the techs'), 'the refusal to the manager');

    // Pressed while IT Glue still has the user: said in the thread, nothing else changes.
    await h.press(ACTIONS.userDeleted, id, USERS.tech);
    const still = await until(id, (s) => s.events.some((e) => e.type === 'user-still-there'), 'the user still there');
    expect(still.stage).toBe('AWAITING_DELETION');
    expect(still.events.find((e) => e.type === 'user-still-there')?.by).toBe(USERS.tech);
    await eventually(() => h.replies(id).some((m) => m.text.startsWith(`:warning: <@${USERS.tech}> says the user was deleted, but IT Glue still has`)), 'the reply');
    await shown(id, (s) => s.stage === 'AWAITING_DELETION' && s.actionsTaken === still.actionsTaken, 'the thread drawn again');
    expect(JSON.stringify(h.root(id)!.blocks)).toContain(`${id}#${still.actionsTaken}`);

    // Deleted in IT Glue: the next press finds it gone; the primary contact gets the receipt.
    h.world.users.delete(INVITEE.email.toLowerCase());
    await h.press(ACTIONS.userDeleted, id, USERS.tech2);
    const done = await shown(id, atStage('COMPLETED'), 'completed');
    expect(done.removal?.deletedAt).toEqual(expect.any(String));
    expect(await heard(id)).toEqual(['approveRemoval', 'userDeleted', 'userDeleted']);
    expect(h.world.callsOf('sendRemovalReceipt')).toEqual([[expect.objectContaining({ to: PRIMARY, userEmail: 'ines@acme.test' })]]);
    const final = h.root(id)!;
    expect(final.text).toBe("Offboarding of Ines Invitee (Acme Dental): Completed: Ines Invitee's access to Acme Dental is removed");
    expect(JSON.stringify(final.blocks)).toContain('Approval ✓ · Access removed ✓ · Deletion ✓ · Receipt ✓');
    expect(final.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(JSON.stringify(final.blocks)).not.toContain(ACTIONS.removeAccess);
    const replies = h.replies(id).map((m) => m.text);
    for (const reply of [
      ':scissors: ines@acme.test taken out of "Customer - No Password Access".',
      `<@${USERS.tech2}> :wastebasket: Please delete the IT Glue user ines@acme.test in IT Glue`,
      ':white_check_mark: IT Glue no longer has the user ines@acme.test: deleted.',
      ':email: Receipt sent to Paula Primary.',
    ]) {
      expect(
        replies.some((r) => r.startsWith(reply)),
        reply,
      ).toBe(true);
    }
  });

  it('Approve removal by the manager who asked for it is refused by the workflow (four eyes), said only to them', async () => {
    const id = await offboard(nextOrg(), USERS.manager);
    await shown(id, (s) => s.stage === 'AWAITING_APPROVAL' && s.waitingOn === 'manager', 'the wait on a manager');
    const before = ephemeralsTo(USERS.manager).length;
    await h.press(ACTIONS.approveRemoval, id, USERS.manager);
    const told = await toldAfter(USERS.manager, before, (t) => t.includes('Another manager must approve'), 'the refusal');
    expect(told.thread_ts).toBe(h.root(id)!.ts);
    expect((await status(id)).stage).toBe('AWAITING_APPROVAL');
    expect(await heard(id)).toEqual([]);
  });
});

describe('Remove access on a completed onboarding', () => {
  let onboardingId = '';
  let offboardingId = '';

  /** A press of the Remove access beside the completed onboarding's root, as Slack sends it. */
  async function pressRemoveAccess(user: string, value?: string): Promise<number> {
    const root = h.root(onboardingId)!;
    const block = (root.blocks as Array<{ block_id?: string; accessory?: { action_id: string; value: string } }>).find((b) => b.block_id === REMOVE_ACCESS_BLOCK_ID)!;
    const response = await h.interact({
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
      api_app_id: 'A0FAKE001',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: root.ts, channel_id: CHANNEL, is_ephemeral: false },
      trigger_id: h.slack.issueTriggerId(),
      team: { id: TEAM, domain: 'fake-team' },
      channel: { id: CHANNEL, name: 'onboarding' },
      message: { type: 'message', user: h.slack.botUserId, ts: root.ts, text: root.text, blocks: root.blocks },
      response_url: h.slack.responseUrl(),
      actions: [
        {
          action_id: block.accessory!.action_id,
          block_id: REMOVE_ACCESS_BLOCK_ID,
          text: { type: 'plain_text', text: 'Remove access' },
          value: value ?? block.accessory!.value,
          type: 'button',
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    });
    return response.status;
  }

  const exists = (workflowId: string) =>
    h.temporal.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => true,
        () => false,
      );

  beforeAll(async () => {
    // Paula, her own approver, already signed in to IT Glue: completes once the tech confirms the settings.
    h.world.users.set(PRIMARY.email.toLowerCase(), userFor(PRIMARY, { invitationAcceptedAt: new Date().toISOString(), currentSignInAt: new Date().toISOString() }));
    const orgId = nextOrg();
    onboardingId = await h.start({ orgId, contactId: PRIMARY.contactId, approverContactId: PRIMARY.contactId, requestedBy: USERS.tech });
    await until(onboardingId, (s) => s.subState === 'CONFIRM_SETTINGS', 'the confirmation of the settings');
    await h.temporal.client.workflow.getHandle(onboardingId).signal('settingsConfirmed', { by: USERS.tech });
    await shown(onboardingId, atStage('COMPLETED'), 'completed');
    offboardingId = offboardingIdFor(orgId, 'u202');
  });

  it('is refused to anyone who is not a tech, privately, and starts nothing', async () => {
    expect(JSON.stringify(h.root(onboardingId)!.blocks)).toContain(ACTIONS.removeAccess);
    for (const user of [USERS.outsider, USERS.manager]) {
      const before = ephemeralsTo(user).length;
      expect(await pressRemoveAccess(user)).toBe(200);
      const told = await toldAfter(user, before, (t) => t.includes('Only the techs'), `the refusal to ${user}`);
      expect(told.thread_ts).toBe(h.root(onboardingId)!.ts);
    }
    expect(await exists(offboardingId)).toBe(false);
  });

  it('refuses what is not a completed onboarding', async () => {
    const open = await offboard();
    await until(open, (s) => s.stage === 'AWAITING_APPROVAL', 'waiting');
    const before = ephemeralsTo(USERS.tech).length;
    await pressRemoveAccess(USERS.tech, open);
    await toldAfter(USERS.tech, before, (t) => t.includes('Only a completed onboarding whose IT Glue user is known'), 'the refusal');
    expect(await exists(offboardingId)).toBe(false);
  });

  it('starts the offboarding of its user for a tech, links its thread, and says so when one is already open', async () => {
    const before = ephemeralsTo(USERS.tech).length;
    expect(await pressRemoveAccess(USERS.tech)).toBe(200);
    const told = await toldAfter(USERS.tech, before, (t) => t.includes('has started'), 'the answer');
    const s = await until(offboardingId, (st) => !!st.thread, 'the offboarding’s thread');
    const link = `https://fake-team.slack.com/archives/${CHANNEL}/p${s.thread!.ts.replace('.', '')}`;
    expect(told.text).toBe(`The removal of Paula Primary's access to Acme Dental has started: <${link}|its thread>.`);
    expect(told.thread_ts).toBe(h.root(onboardingId)!.ts);
    expect(s.process).toBe('offboarding');
    expect(s.request).toMatchObject({
      orgId: onboardingId.split(':')[1],
      contactId: PRIMARY.contactId,
      userId: 'u202',
      kind: 'itglue',
      passwordAccess: false,
      requestedBy: USERS.tech,
      reason: 'Asked from the onboarding thread',
    });
    expect((await h.temporal.client.workflow.getHandle(offboardingId).describe()).type).toBe('offboarding');
    expect(h.logged.filter((l) => l.event === 'slack.offboardingStarted')).toEqual([
      { event: 'slack.offboardingStarted', fields: { workflowId: offboardingId, created: true, from: onboardingId, by: USERS.tech } },
    ]);

    // Pressed again (after the double-click window): one offboarding, and where it is.
    await new Promise((r) => setTimeout(r, DOUBLE_CLICK_MS));
    const again = ephemeralsTo(USERS.tech2).length;
    await pressRemoveAccess(USERS.tech2);
    const open = await toldAfter(USERS.tech2, again, (t) => t.includes('already open'), 'the already-open answer');
    expect(open.text).toMatch(
      new RegExp(
        `^An offboarding of Paula Primary is already open \\((Checking the request|Waiting for approval)\\): <${link.replace(/\./g, '\\.')}\\|its thread>\\. Nothing else was started\\.$`,
      ),
    );
    expect((await status(offboardingId)).request.requestedBy).toBe(USERS.tech);
  });

  it('lists the offboarding for managers in /onboarding-status, and the completed onboarding’s Remove access in the tech’s App Home', async () => {
    const s = await until(offboardingId, (st) => st.stage === 'AWAITING_APPROVAL' && !!st.thread, 'waiting on a manager');
    const link = `https://fake-team.slack.com/archives/${CHANNEL}/p${s.thread!.ts.replace('.', '')}`;
    const line = await eventually(async () => {
      const before = h.slack.callsOf('response_url').length;
      const { body } = await h.command('/onboarding-status', USERS.manager, 'AWAITING_APPROVAL');
      const answer = (body ? JSON.parse(body) : (await eventually(() => h.slack.callsOf('response_url')[before], 'the answer')).args) as {
        blocks: Array<{ text?: { text: string } }>;
      };
      const text = answer.blocks.map((b) => b.text?.text ?? '').join('\n');
      return text.split('\n').find((l) => l.includes(link));
    }, 'the offboarding in /onboarding-status');
    expect(line).toMatch(
      new RegExp(
        `^:door: Offboarding: <${link.replace(/\./g, '\\.')}\\|\\*Paula Primary\\* · Acme Dental> — (under a minute|\\dm) old · waiting on a manager · next deadline <!date\\^\\d+\\^`,
      ),
    );
    expect(line).toContain(`by <@${USERS.tech}>`);

    // The tech's App Home: the completed onboarding among their recent completions, with its Remove access.
    const home = await eventually(async () => {
      const before = h.slack.callsOf('views.publish').filter((c) => c.args.user_id === USERS.tech && c.ok).length;
      await h.appHomeOpened(USERS.tech);
      await eventually(() => h.slack.callsOf('views.publish').filter((c) => c.args.user_id === USERS.tech && c.ok).length > before, 'the Home tab');
      const view = h.slack.views.published[USERS.tech] as { blocks: Array<{ accessory?: { action_id: string; value: string } }> };
      return view.blocks.some((b) => b.accessory?.action_id === ACTIONS.removeAccess && b.accessory.value === onboardingId) ? view : null;
    }, 'Remove access in the tech’s App Home');
    expect(JSON.stringify(home.blocks)).toContain(':door: Offboarding:');
  });
});
