/**
 * The Slack app inside the service as `npm start` runs it: configured by SLACK_* variables, its
 * endpoint on the service's own HTTP server (beside /healthz), its Web API calls to SLACK_API_URL,
 * and the onboarding threads posted by the service's workers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { SEED, startFakeItGlue, type FakeItGlue } from '../fakes/itglue-server';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api';
import { killGroup, portOutsideEphemeralRange, runCli, serviceEnv, startServiceProcess, type ServiceProcess } from '../support/service-process';
import { slackDriver } from '../support/slack-driver';
import { eventually, USERS } from '../support/slack-harness';

const SECRET = 'service-test-signing-secret-0123456789';
const CHANNEL = 'C0SERVICE1';
let slack: FakeSlack;
let itglue: FakeItGlue;
let service: ServiceProcess | undefined;
let env: NodeJS.ProcessEnv;
let dataDir: string;

beforeAll(async () => {
  [slack, itglue] = await Promise.all([startFakeSlack(), startFakeItGlue()]);
  dataDir = mkdtempSync(join(tmpdir(), 'invite-lite-slack-service-'));
  env = serviceEnv({
    DATA_DIR: dataDir,
    PORT: String(await portOutsideEphemeralRange()),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: `slack-service-${randomUUID()}`,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    SLACK_CHANNEL_ID: CHANNEL,
    SLACK_TECH_USER_IDS: USERS.tech,
    SLACK_MANAGER_USER_IDS: USERS.manager,
    // Slack needs IT Glue (and a secret of its own): the service refuses to start without them.
    ITGLUE_API_KEY: itglue.apiKey,
    ITGLUE_API_URL: itglue.url,
    APPROVAL_SECRET: 'slack-service-test approval secret, 32 bytes or more',
  });
  service = await startServiceProcess(env);
}, 120_000);

afterAll(async () => {
  if (service) killGroup(service.child);
  await slack?.close();
  await itglue?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function post(body: string, contentType = 'application/x-www-form-urlencoded') {
  return slackDriver({ url: `http://127.0.0.1:${service!.ready.port}/slack/events`, secret: SECRET, slack, channel: CHANNEL }).post(body, { contentType });
}

it('answers Slack on the service’s port, beside /healthz, and calls the Web API at SLACK_API_URL and IT Glue at ITGLUE_API_URL', async () => {
  expect((await fetch(`http://127.0.0.1:${service!.ready.port}/healthz`)).status).toBe(200);
  const triggerId = slack.issueTriggerId();
  const body = new URLSearchParams({
    command: '/invite-lite',
    text: 'Acme Dental',
    user_id: USERS.tech,
    team_id: 'T0FAKE001',
    channel_id: 'C0GENERAL1',
    trigger_id: triggerId,
    response_url: slack.responseUrl(),
  }).toString();
  const response = await post(body);
  expect(response.status).toBe(200);
  const open = await eventually(() => slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId && c.ok), 'views.open');
  // The form comes filled from IT Glue: the organization named in the command and its contacts.
  const view = JSON.stringify(open.args.view);
  expect(view).toContain('Acme Dental');
  expect(view).toContain('Paula Primary');
  expect(view).not.toContain('IT Glue is not configured');
  expect(itglue.requests.some((r) => r.path === `/organizations/${SEED.org.acme}` && r.apiKey === 'valid')).toBe(true);

  const wrong = await fetch(`http://127.0.0.1:${service!.ready.port}/slack/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000)), 'X-Slack-Signature': 'v0=00' },
    body,
  });
  expect(wrong.status).toBe(401);
});

it('posts the thread of an onboarding started from the CLI, and shows it on a manager’s Home tab', async () => {
  const started = await runCli(['start', '--org', SEED.org.acme, '--contact', SEED.contact.inesInvitee, '--by', USERS.tech], env);
  expect(started.code).toBe(0);
  const root = await eventually(
    () => slack.messages(CHANNEL).find((m) => !m.threadTs && m.metadata?.event_payload.workflowId === `onboarding:${SEED.org.acme}:${SEED.contact.inesInvitee}`),
    'the thread root',
  );
  const home = JSON.stringify({
    type: 'event_callback',
    team_id: 'T0FAKE001',
    api_app_id: 'A0FAKE001',
    event: { type: 'app_home_opened', user: USERS.manager, channel: 'D0MGR00001', tab: 'home', event_ts: '1' },
    event_id: 'Ev1',
    event_time: 1,
  });
  expect((await post(home, 'application/json')).status).toBe(200);
  const published = await eventually(() => slack.callsOf('views.publish').find((c) => c.args.user_id === USERS.manager && c.ok), 'the Home tab');
  const text = JSON.stringify(published.args.view);
  expect(text).toContain('Onboardings');
  expect(text).toContain(`p${root.ts.replace('.', '')}`);
}, 60_000);

it('takes one press delivered to two service processes once, and refuses a press from an older drawing of the thread', async () => {
  // A second replica of the service: same Temporal task queue, same Slack app, its own port.
  const replica = await startServiceProcess({ ...env, PORT: String(await portOutsideEphemeralRange()) });
  try {
    const workflowId = `onboarding:${SEED.org.acme}:${SEED.contact.inesInvitee}`;
    const started = await runCli(['start', '--org', SEED.org.acme, '--contact', SEED.contact.inesInvitee, '--by', USERS.tech], env);
    expect(started.code).toBe(0);
    await eventually(async () => JSON.parse((await runCli(['status', workflowId], env)).stdout).stage === 'AWAITING_APPROVAL', 'the approval request');
    // The approver answered by fax: recorded with the command line, the onboarding's first action.
    const offline = await runCli(
      ['signal', workflowId, 'offline-approval', '--by', USERS.tech, '--json', '{"channel":"fax","note":"Signed form from Paula, in the ticket"}'],
      env,
    );
    expect(offline.code).toBe(0);
    const root = await eventually(() => {
      const m = slack.messages(CHANNEL).find((x) => !x.threadTs && x.metadata?.event_payload.workflowId === workflowId);
      return m && JSON.stringify(m.blocks).includes('onboarding_invitation_sent') ? m : null;
    }, 'the thread root with Invitation sent');
    const value = JSON.stringify(root.blocks).match(/"value":"(onboarding:[^"]+)"/)![1]!;
    expect(value).toBe(`${workflowId}#1`);
    const payload = (actionTs: string, actionId = 'onboarding_invitation_sent') => ({
      type: 'block_actions',
      user: { id: USERS.tech, username: 'tech', name: 'tech', team_id: 'T0FAKE001' },
      api_app_id: 'A0FAKE001',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: root.ts, channel_id: CHANNEL, is_ephemeral: false },
      trigger_id: slack.issueTriggerId(),
      team: { id: 'T0FAKE001', domain: 'fake-team' },
      channel: { id: CHANNEL, name: 'onboarding' },
      message: { type: 'message', user: slack.botUserId, ts: root.ts, text: root.text, blocks: root.blocks },
      response_url: slack.responseUrl(),
      actions: [{ action_id: actionId, block_id: 'onboarding_actions', text: { type: 'plain_text', text: actionId }, value, type: 'button', action_ts: actionTs }],
    });
    const drivers = [service!, replica].map((s) => slackDriver({ url: `http://127.0.0.1:${s.ready.port}/slack/events`, secret: SECRET, slack, channel: CHANNEL }));
    // The same press (Slack retried it to another replica) and a double click (another action_ts), on both replicas at once.
    const same = payload(`${Date.now() / 1000}`);
    const answers = await Promise.all([drivers[0]!.interact(same), drivers[1]!.interact(same), drivers[1]!.interact(payload(`${Date.now() / 1000 + 0.2}`))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const status = async () => JSON.parse((await runCli(['status', workflowId], env)).stdout) as { events: Array<{ type: string; by?: string }>; actionsTaken?: number };
    const after = await eventually(async () => {
      const s = await status();
      return s.events.some((e) => e.type === 'user-not-found') ? s : null;
    }, 'the invitation sent, taken');
    expect(after.events.filter((e) => e.type === 'invitation-sent')).toEqual([expect.objectContaining({ by: USERS.tech })]);
    expect(after.actionsTaken).toBe(2);
    // "Ask another contact" pressed on the thread as drawn before the approval: refused as stale, and the tech is told why.
    const older = payload(`${Date.now() / 1000 + 5}`, 'onboarding_ask_another_contact');
    older.actions[0]!.value = `${workflowId}#0`;
    await drivers[0]!.interact(older);
    const told = await eventually(
      () => slack.callsOf('chat.postEphemeral').find((c) => c.args.user === USERS.tech && String(c.args.text).includes('Someone acted on this onboarding')),
      'the stale-press notice',
    );
    expect(told.args.thread_ts).toBe(root.ts);
    const later = await status();
    expect(later.events.filter((e) => e.type === 'invitation-sent')).toHaveLength(1);
    expect(later.events.map((e) => e.type)).not.toContain('approver-changed');
    expect(slack.callsOf('views.open').filter((c) => c.args.trigger_id === older.trigger_id)).toEqual([]);
  } finally {
    killGroup(replica.child);
  }
}, 180_000);
