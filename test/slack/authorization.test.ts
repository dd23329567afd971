/**
 * Who is a tech or a manager: members of a Slack user group (read once per few minutes) and/or
 * listed user IDs; on a free Slack plan (`plan_upgrade_required`) only the listed IDs count.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, expect, it } from 'vitest';
import { Roles } from '../../src/slack/authorization';
import { BotIdentity, createSlackApp } from '../../src/slack/app';
import { DEFAULT_POLICY } from '../../workflows/policy';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api';

let slack: FakeSlack | null = null;
afterEach(async () => {
  await slack?.close();
  slack = null;
});

const config = {
  techUsergroupId: 'S0TECHS001',
  techUserIds: ['U0LISTED01'],
  managerUsergroupId: 'S0MGRS0001',
  managerUserIds: [],
};

function client(fake: FakeSlack) {
  return new WebClient(fake.botToken, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
}

it('counts user group members and listed IDs, and reads each group once within the cache time', async () => {
  slack = await startFakeSlack({ usergroups: { S0TECHS001: ['U0GROUP001'], S0MGRS0001: ['U0BOSS0001'] } });
  const roles = new Roles(client(slack), config, () => undefined, 60_000);
  expect(await roles.rightsOf('U0GROUP001')).toEqual({ tech: true, manager: false });
  expect(await roles.rightsOf('U0LISTED01')).toEqual({ tech: true, manager: false });
  expect(await roles.rightsOf('U0BOSS0001')).toEqual({ tech: false, manager: true });
  expect(await roles.rightsOf('U0NOBODY01')).toEqual({ tech: false, manager: false });
  expect(slack.callsOf('usergroups.users.list')).toHaveLength(2);
});

it('reads the group again after the cache time, and keeps the last answer while Slack fails', async () => {
  slack = await startFakeSlack({ usergroups: { S0TECHS001: ['U0GROUP001'], S0MGRS0001: [] } });
  const logged: string[] = [];
  const roles = new Roles(client(slack), config, (event) => void logged.push(event), 50);
  expect((await roles.rightsOf('U0GROUP001')).tech).toBe(true);
  await new Promise((r) => setTimeout(r, 80));
  slack.failNext({ method: 'usergroups.users.list', times: 2, error: 'internal_error' });
  expect((await roles.rightsOf('U0GROUP001')).tech).toBe(true);
  expect(logged).toContain('slack.usergroupsStale');
});

it('on a free plan (plan_upgrade_required) only the listed IDs count, and says so once', async () => {
  slack = await startFakeSlack({ plan: 'free', usergroups: { S0TECHS001: ['U0GROUP001'] } });
  const logged: Array<{ event: string; fields: Record<string, unknown> }> = [];
  const roles = new Roles(client(slack), config, (event, fields) => void logged.push({ event, fields }), 60_000);
  expect(await roles.rightsOf('U0GROUP001')).toEqual({ tech: false, manager: false });
  expect(await roles.rightsOf('U0LISTED01')).toEqual({ tech: true, manager: false });
  expect(logged.filter((l) => l.event === 'slack.usergroupsUnavailable')).toHaveLength(1);
});

it('fails (for the error handler to report) when a group cannot be read and was never read before', async () => {
  slack = await startFakeSlack({ usergroups: {} });
  const roles = new Roles(client(slack), config, () => undefined, 60_000);
  await expect(roles.rightsOf('U0GROUP001')).rejects.toThrow(/no_such_subteam/);
});

it('builds the app without calling Slack: over HTTP with a route, or in Socket Mode without one', async () => {
  slack = await startFakeSlack();
  const common = {
    temporal: {} as never,
    taskQueue: 'q',
    policy: DEFAULT_POLICY,
    itglue: null,
    log: () => undefined,
  };
  const slackConfig = {
    botToken: slack.botToken,
    signingSecret: 'secret',
    appToken: null,
    apiUrl: slack.url,
    channelId: 'C0ONBOARD1',
    techUsergroupId: null,
    techUserIds: ['U0TECH0001'],
    managerUsergroupId: null,
    managerUserIds: [],
  };
  const http = createSlackApp({ ...common, config: slackConfig });
  expect(http.socketMode).toBe(false);
  expect(http.routes.map((r) => [r.methods, String(r.path)])).toEqual([[['POST'], String(/^\/slack\/events$/)]]);
  const socket = createSlackApp({ ...common, config: { ...slackConfig, signingSecret: null, appToken: 'xapp-1-test' } });
  expect(socket.socketMode).toBe(true);
  expect(socket.routes).toEqual([]);
  expect(slack.calls).toEqual([]);
});

it('asks Slack for the bot’s identity once (auth.test), tries again after a failure, then remembers it', async () => {
  slack = await startFakeSlack();
  const logged: string[] = [];
  const identity = new BotIdentity(client(slack), (event) => void logged.push(event));
  const authorize = identity.authorize(slack.botToken);
  const source = { isEnterpriseInstall: false, teamId: slack.teamId, enterpriseId: undefined };
  slack.failNext({ method: 'auth.test', times: 1, error: 'internal_error' });
  // Without it the request goes on with the token alone (no listener needs the IDs).
  expect(await authorize(source)).toEqual({ botToken: slack.botToken });
  expect(logged).toContain('slack.authTestFailed');
  // Requests at the same time share one call.
  const answers = await Promise.all([authorize(source), authorize(source), authorize(source)]);
  for (const answer of answers) expect(answer).toEqual({ botToken: slack.botToken, botId: slack.botId, botUserId: slack.botUserId, teamId: slack.teamId });
  await authorize(source);
  await authorize(source);
  expect(slack.callsOf('auth.test')).toHaveLength(2);
});
