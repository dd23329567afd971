/**
 * No request waits on Slack before it is acknowledged (docs/design.md §9): rights come from the
 * user group lists last read, read again in the background. With usergroups.users.list answering
 * in 3 s, a slash command is still answered well within Slack's 3 s, and rights are still checked.
 */
import { afterEach, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { RIGHTS_LOADING } from '../../src/slack/authorization';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import { Permalinks } from '../../src/slack/permalinks';
import { startHttpServer, type HttpServer } from '../../src/web/server';
import { DEFAULT_POLICY } from '../../workflows/policy';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api';
import { slackDriver, type SlackDriver } from '../support/slack-driver';

const SECRET = 'ack-test-signing-secret';
const TECHS = 'S0TECHS001';
const MEMBER = 'U0GROUP001';
const OUTSIDER = 'U0NOBODY01';
/** Slack's limit for an acknowledgement is 3 s; an answer that waited for the slow list would take that long. */
const FAST_MS = 1_000;
const SLOW_MS = 3_000;

let slack: FakeSlack | null = null;
let app: SlackApp | null = null;
let http: HttpServer | null = null;
afterEach(async () => {
  await app?.stop();
  await http?.close();
  await slack?.close();
  app = http = slack = null;
});

async function setUp(rolesTtlMs: number): Promise<{ driver: SlackDriver; logged: string[] }> {
  slack = await startFakeSlack({ usergroups: { [TECHS]: [MEMBER] } });
  const logged: string[] = [];
  app = createSlackApp({
    config: {
      botToken: slack.botToken,
      signingSecret: SECRET,
      appToken: null,
      apiUrl: slack.url,
      channelId: 'C0ONBOARD1',
      techUsergroupId: TECHS,
      techUserIds: [],
      managerUsergroupId: null,
      managerUserIds: [],
    },
    temporal: {} as never,
    taskQueue: 'q',
    policy: DEFAULT_POLICY,
    itglue: null,
    log: (event) => void logged.push(event),
    clientOptions: { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    rolesTtlMs,
  });
  http = await startHttpServer({ port: 0, host: '127.0.0.1', routes: app.routes, log: () => undefined });
  const driver = slackDriver({ url: `http://127.0.0.1:${http.port}/slack/events`, secret: SECRET, slack, channel: 'C0ONBOARD1' });
  return { driver, logged };
}

const refusal = (body: string) => (body ? (JSON.parse(body) as { response_type?: string; text?: string }) : null);

it('acknowledges at once while the group list is read again slowly, and still refuses a non-member', async () => {
  const { driver } = await setUp(50);
  await app!.start(); // the first read, quick
  expect(slack!.callsOf('usergroups.users.list')).toHaveLength(1);
  slack!.slow('usergroups.users.list', SLOW_MS);
  await new Promise((r) => setTimeout(r, 80)); // the list is now older than the cache time

  const outsider = await driver.command('/invite-lite', OUTSIDER);
  expect(outsider.ms).toBeLessThan(FAST_MS);
  expect(refusal(outsider.body)).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('Only the techs') });

  const member = await driver.command('/invite-lite', MEMBER);
  expect(member.ms).toBeLessThan(FAST_MS);
  expect(member.body).toBe(''); // acknowledged, not refused: the modal opens after the ack
  // The old list was read again in the background, once for both requests (the fake records a
  // call when it answers, SLOW_MS later; a further read would answer SLOW_MS after that).
  await new Promise((r) => setTimeout(r, SLOW_MS + 500));
  expect(slack!.callsOf('usergroups.users.list')).toHaveLength(2);
});

it('in the first moments after start (no list read yet) refuses with “try again in a moment”, at once; then rights count', async () => {
  const { driver, logged } = await setUp(60_000);
  slack!.slow('usergroups.users.list', SLOW_MS);
  const starting = app!.start();

  for (const user of [MEMBER, OUTSIDER]) {
    const early = await driver.command('/invite-lite', user);
    expect(early.ms).toBeLessThan(FAST_MS);
    expect(refusal(early.body)).toEqual({ response_type: 'ephemeral', text: RIGHTS_LOADING });
  }
  expect(logged).toContain('slack.rightsUnknown');
  // One read in flight, not one per request.
  expect(slack!.callsOf('usergroups.users.list').length).toBeLessThanOrEqual(1);

  await starting;
  const member = await driver.command('/invite-lite', MEMBER);
  expect(member.ms).toBeLessThan(FAST_MS);
  expect(member.body).toBe('');
  const outsider = await driver.command('/invite-lite', OUTSIDER);
  expect(refusal(outsider.body)?.text).toContain('Only the techs');
}, 15_000);

it('links an open onboarding’s thread without asking Slack (the submission’s answer is due before its ack)', async () => {
  slack = await startFakeSlack();
  const client = new WebClient(slack.botToken, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  const thread = { channel: 'C0ONBOARD1', ts: '1700000000.000100' };
  let workspace: string | null = null;
  const links = new Permalinks(client, () => workspace);
  expect(links.now(thread)).toBe('https://slack.com/archives/C0ONBOARD1/p1700000000000100');
  workspace = 'https://acme.slack.com/';
  expect(links.now(thread)).toBe('https://acme.slack.com/archives/C0ONBOARD1/p1700000000000100');
  expect(links.now({ channel: 'not a channel', ts: '1' })).toBeNull();
  expect(slack.calls).toEqual([]);
});
