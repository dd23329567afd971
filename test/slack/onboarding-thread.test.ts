/**
 * The onboarding workflow on the test Temporal server with the real Slack activities against the
 * fake Slack Web API (IT Glue and mail from FakeWorld): the thread's root is updated in place at
 * every stage, the replies tell the story in order, and Slack's failures are retried or stall the
 * onboarding with a clear reason.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackActivities } from '../../activities/slack';
import { ACTIONS } from '../../src/slack/action-ids';
import { cancel, decide, invitationSent, resume, twoFactorConfirmed, userObserved } from '../../workflows/messages';
import { onboarding } from '../../workflows/onboarding';
import type { Policy } from '../../workflows/policy';
import type { OnboardingRequest, OnboardingStatus } from '../../workflows/types';
import { workflowIdFor } from '../../workflows/types';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage, type SlackCall } from '../fakes/slack-api';
import { FakeWorld, INVITEE, userFor } from '../support/fake-activities';
import { connectTemporal, testPolicy, waitForApprovalRequest, waitForStage, waitForStatus, type TestTemporal } from '../support/temporal';

const CHANNEL = 'C0ONBOARD';
let temporal: TestTemporal;
let fake: FakeSlack;
let world: FakeWorld;
let logged: string[];
let stopWorkers: (() => Promise<void>) | undefined;
let started: WorkflowHandle[] = [];
let counter = 0;

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeSlack()]);
});
afterAll(async () => {
  await temporal.close();
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  world = new FakeWorld();
  logged = [];
  const slack = createSlackActivities(
    { botToken: fake.botToken, apiUrl: fake.url, channelId: CHANNEL },
    { log: (event, fields) => void logged.push(JSON.stringify({ event, ...fields })) },
  );
  stopWorkers = await temporal.startWorkers({ ...world.activities(), ...slack });
  return async () => {
    await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
    started = [];
    await stopWorkers?.();
  };
});

function request(overrides: Partial<OnboardingRequest> = {}): OnboardingRequest {
  counter += 1;
  return { orgId: `${Date.now()}-${counter}`, contactId: INVITEE.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1', ...overrides };
}

async function start(req: OnboardingRequest = request(), policy: Policy = testPolicy()) {
  const handle = await temporal.client.workflow.start(onboarding, {
    taskQueue: temporal.taskQueue,
    workflowId: workflowIdFor(req.orgId, req.contactId),
    args: [{ request: req, policy }],
  });
  started.push(handle);
  return handle;
}

const approve = (handle: WorkflowHandle, s: OnboardingStatus) =>
  handle.executeUpdate(decide, { args: [{ decision: 'approve', round: s.approvalRound, approverContactId: s.approver!.contactId, ip: '198.51.100.7' }] });

/** The onboarding's root messages (there must be one) and its replies, as the channel has them now. */
function thread(workflowId: string): { roots: FakeSlackMessage[]; root: FakeSlackMessage | undefined; replies: FakeSlackMessage[] } {
  const all = fake.messages(CHANNEL);
  const roots = all.filter((m) => !m.threadTs && m.metadata?.event_payload.workflowId === workflowId);
  const root = roots[0];
  return { roots, root, replies: root ? all.filter((m) => m.threadTs === root.ts) : [] };
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; Slack calls: ${JSON.stringify(fake.calls.map((c) => [c.method, c.error ?? 'ok']))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rootSays = (workflowId: string, text: string) => () => thread(workflowId).root?.text.includes(text) ?? false;
const buttonsOf = (call: SlackCall) =>
  ((call.args.blocks as { type: string; elements?: { action_id: string }[] }[]).find((b) => b.type === 'actions')?.elements ?? []).map((e) => e.action_id);
const replyTypes = (workflowId: string) => thread(workflowId).replies.map((m) => m.metadata?.event_payload.type);

describe('the onboarding thread', () => {
  it('has one root, updated in place at every stage, and replies that tell the story in order', async () => {
    const handle = await start(request({ ticket: 'T-1001' }));
    const id = handle.workflowId;
    const waiting = await waitForApprovalRequest(handle);
    await until('the approval stage in the root', rootSays(id, 'Waiting for approval by Paula Primary'));

    await approve(handle, waiting);
    await waitForStage(handle, 'AWAITING_INVITE');
    await until('the invite stage in the root', rootSays(id, 'Waiting for a tech to create the IT Glue user'));

    world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
    await handle.signal(invitationSent, { by: 'UTECH1' });
    await waitForStage(handle, 'AWAITING_ACCEPTANCE');
    await until('the acceptance stage in the root', rootSays(id, 'Waiting for Ines Invitee to accept the invitation'));

    await handle.signal(userObserved, userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() }));
    await waitForStage(handle, 'AWAITING_2FA');
    await until('the 2FA stage in the root', rootSays(id, 'Waiting for Ines Invitee to sign in with 2FA'));

    await handle.signal(twoFactorConfirmed, { by: 'UTECH2' });
    const done = await handle.result();
    expect(done.stage).toBe('COMPLETED');

    // One root: posted once, every later stage an edit of it.
    const { roots, root, replies } = thread(id);
    expect(roots).toHaveLength(1);
    expect(fake.callsOf('chat.postMessage').filter((c) => !c.args.thread_ts)).toHaveLength(1);
    expect(done.thread).toEqual({ channel: CHANNEL, ts: root!.ts });
    const updates = fake.callsOf('chat.update').filter((c) => c.ok && c.args.ts === root!.ts);
    expect(root!.edited).toBe(updates.length);
    const stagesShown = updates.map((c) => String(c.args.text).replace(/^Onboarding of Ines Invitee \(Acme Dental\): /, ''));
    expect(stagesShown).toEqual([
      'Waiting for approval by Paula Primary',
      'Waiting for a tech to create the IT Glue user in IT Glue',
      'Waiting for Ines Invitee to accept the invitation',
      'Waiting for Ines Invitee to sign in with 2FA',
      'Completed: Ines Invitee is now an IT Glue Lite user (read-only)',
    ]);
    expect(updates.map(buttonsOf)).toEqual([
      [ACTIONS.askAnotherContact, ACTIONS.recordOfflineApproval, ACTIONS.cancel],
      [ACTIONS.invitationSent, ACTIONS.cancel],
      [ACTIONS.cancel],
      [ACTIONS.twoFactorConfirmed, ACTIONS.cancel],
      [],
    ]);
    expect(root!.text).toContain('Completed');
    expect(root!.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);

    // The replies, in the order of the onboarding's events (all but the unposted 'validated').
    const told = done.events.filter((e) => e.type !== 'stage' && e.type !== 'validated').map((e) => e.type);
    expect(told).toEqual(['approval-requested', 'approved', 'instructions-sent', 'invitation-sent', 'user-found', 'verified', 'accepted', '2fa-confirmed', 'completed']);
    expect(replyTypes(id)).toEqual(told);
    expect(replies.map((m) => m.text)).toEqual([
      ':email: Approval requested from Paula Primary by email.',
      expect.stringMatching(/^:white_check_mark: Approved by Paula Primary at <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+> from 198\.51\.100\.7$/),
      ':email: Access instructions emailed to Ines Invitee.',
      ':outbox_tray: <@UTECH1> says the invitation was sent and confirms the settings: role Lite; the group "Customer - No Password Access" and no other group; organization access: Acme Dental and ONLY Acme Dental; no sub-organizations.',
      ':bust_in_silhouette: IT Glue user ines@acme.test found.',
      ':white_check_mark: IT Glue user verified: role, group and organization access match the request.',
      ':tada: Ines Invitee accepted the invitation.',
      ':closed_lock_with_key: <@UTECH2> confirmed that 2FA is set up.',
      expect.stringMatching(/Ines Invitee is onboarded/),
    ]);
    expect(logged.join('\n')).not.toContain(fake.botToken);
  });

  it('loses nothing when Slack rate-limits the updates, and waits as long as Retry-After says', async () => {
    const handle = await start();
    const id = handle.workflowId;
    const waiting = await waitForApprovalRequest(handle);
    await until('the approval stage in the root', rootSays(id, 'Waiting for approval'));

    fake.failNext({ rateLimited: { retryAfterSeconds: 1 }, times: 2, method: 'chat.update' });
    await approve(handle, waiting);
    await until('the invite stage in the root', rootSays(id, 'Waiting for a tech to create the IT Glue user'));
    const s = await waitForStage(handle, 'AWAITING_INVITE');
    expect(s.reason).toBeNull();
    const attempts = fake.callsOf('chat.update').slice(-3);
    expect(attempts.map((c) => c.error ?? 'ok')).toEqual(['ratelimited', 'ratelimited', 'ok']);
    for (let i = 1; i < attempts.length; i++) expect(attempts[i]!.time - attempts[i - 1]!.time).toBeGreaterThanOrEqual(950);
    expect(replyTypes(id)).toEqual(['approval-requested', 'approved', 'instructions-sent']);

    // A longer Retry-After than the workflow's own back-off (1 s) is honoured.
    fake.failNext({ rateLimited: { retryAfterSeconds: 3 }, times: 1, method: 'chat.update' });
    await handle.signal(cancel, { by: 'UMANAGER', reason: 'Customer changed their mind' });
    const done = await handle.result();
    expect(done.stage).toBe('CANCELLED');
    const [limited, retried] = fake.callsOf('chat.update').slice(-2);
    expect(limited!.error).toBe('ratelimited');
    expect(retried!.ok).toBe(true);
    expect(retried!.time - limited!.time).toBeGreaterThanOrEqual(2_900);

    const { roots, root } = thread(id);
    expect(roots).toHaveLength(1);
    expect(root!.text).toContain('Cancelled by <@UMANAGER>');
    expect(root!.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(replyTypes(id)).toEqual(['approval-requested', 'approved', 'instructions-sent', 'cancelled']);
  });

  it('posts one root even when the answer to the first post is lost', async () => {
    fake.failNext({ method: 'chat.postMessage', dropResponse: true, times: 1 });
    const handle = await start();
    const id = handle.workflowId;
    const waiting = await waitForApprovalRequest(handle);
    await until('the approval stage in the root', rootSays(id, 'Waiting for approval'));
    expect(thread(id).roots).toHaveLength(1);
    expect(fake.callsOf('conversations.history')).toHaveLength(1);

    // And a reply whose answer is lost is not posted twice.
    fake.failNext({ method: 'chat.postMessage', dropResponse: true, times: 1 });
    await approve(handle, waiting);
    await waitForStage(handle, 'AWAITING_INVITE');
    await until('the invite stage in the root', rootSays(id, 'Waiting for a tech'));
    expect(replyTypes(id)).toEqual(['approval-requested', 'approved', 'instructions-sent']);
    expect(fake.callsOf('conversations.replies')).toHaveLength(1);
    expect(thread(id).roots).toHaveLength(1);
  });

  it('stalls with a clear reason when Slack refuses the token, and goes on after Resume', async () => {
    const handle = await start();
    const id = handle.workflowId;
    const waiting = await waitForApprovalRequest(handle);
    await until('the approval stage in the root', rootSays(id, 'Waiting for approval'));

    fake.failNext({ method: 'chat.update', error: 'invalid_auth', times: 1 });
    await approve(handle, waiting);
    const stalled = await waitForStage(handle, 'STALLED');
    expect(stalled.stalledFrom).toBe('AWAITING_INVITE');
    expect(stalled.reason).toMatch(/^AWAITING_INVITE failed: Slack refused the bot token \(invalid_auth\): check SLACK_BOT_TOKEN/);
    expect(fake.callsOf('chat.update').filter((c) => c.error === 'invalid_auth')).toHaveLength(1); // not retried

    await until('the stalled stage in the root', rootSays(id, 'Stalled: needs a manager'));
    const { root } = thread(id);
    expect(JSON.stringify(root!.blocks)).toContain('check SLACK_BOT_TOKEN');
    expect(replyTypes(id).at(-1)).toBe('stalled');
    expect(thread(id).replies.at(-1)!.text).toContain('Needs a manager: AWAITING_INVITE failed: Slack refused the bot token');

    await handle.signal(resume, { by: 'UMANAGER' });
    await waitForStatus(handle, (x) => x.stage === 'AWAITING_INVITE' && x.reason === null);
    await until('the invite stage in the root again', rootSays(id, 'Waiting for a tech to create the IT Glue user'));
    expect(replyTypes(id).at(-1)).toBe('resumed');
    expect(thread(id).roots).toHaveLength(1);
  });
});
