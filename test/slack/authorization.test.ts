/**
 * Who is a tech or a manager: members of a Slack user group (read once per few minutes) and/or
 * listed user IDs; on a free Slack plan (`plan_upgrade_required`) only the listed IDs count. A
 * list is trusted for at most SLACK_GROUP_CACHE_MAX after it was read while Slack fails.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { authorize, RIGHTS, RIGHTS_UNKNOWN, Roles, RolesUnavailableError, type Rule } from '../../src/slack/authorization';
import { ACK_STATE } from '../../src/slack/receiver';
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

it('asks Slack for the bot’s identity once (auth.test) without a request ever waiting for it, tries again after a failure, then remembers it', async () => {
  slack = await startFakeSlack();
  const logged: string[] = [];
  const identity = new BotIdentity(client(slack), (event) => void logged.push(event));
  const authorize = identity.authorize(slack.botToken);
  const source = { isEnterpriseInstall: false, teamId: slack.teamId, enterpriseId: undefined };
  const full = { botToken: slack.botToken, botId: slack.botId, botUserId: slack.botUserId, teamId: slack.teamId };
  slack.failNext({ method: 'auth.test', times: 1, error: 'internal_error' });
  // Not known yet: the request goes on at once with the token alone (no listener needs the IDs).
  expect(await authorize(source)).toEqual({ botToken: slack.botToken });
  for (const until = Date.now() + 5_000; !logged.includes('slack.authTestFailed') && Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
  expect(logged).toContain('slack.authTestFailed');
  // Asked again by the next requests (Slack slow now): none of them waits, and they share one call.
  slack.slow('auth.test', 1_000);
  const at = Date.now();
  const answers = await Promise.all([authorize(source), authorize(source), authorize(source)]);
  expect(Date.now() - at).toBeLessThan(500);
  for (const answer of answers) expect(answer).toEqual({ botToken: slack.botToken });
  expect(await identity.get()).toEqual({ botId: slack.botId, botUserId: slack.botUserId, teamId: slack.teamId, url: 'https://fake-team.slack.com/' });
  expect(identity.workspaceUrl()).toBe('https://fake-team.slack.com/');
  // Known: every request has the IDs, with no call.
  expect(await authorize(source)).toEqual(full);
  expect(await authorize(source)).toEqual(full);
  expect(slack.callsOf('auth.test')).toHaveLength(2);
});

it('trusts the last list read for at most SLACK_GROUP_CACHE_MAX while Slack fails, then refuses with a clear message that only the sender sees', async () => {
  slack = await startFakeSlack({ usergroups: { S0TECHS001: ['U0GROUP001'], S0MGRS0001: ['U0BOSS0001'] } });
  const logged: Array<{ event: string; fields: Record<string, unknown> }> = [];
  const log = (event: string, fields: Record<string, unknown>) => void logged.push({ event, fields });
  // Read again after 30 ms; trusted for 300 ms after the last successful read.
  const roles = new Roles(client(slack), config, log, 30, 300);
  expect(await roles.rightsOf('U0GROUP001')).toEqual({ tech: true, manager: false });
  const readAt = Date.now();

  slack.failFor(60_000, { method: 'usergroups.users.list', error: 'internal_error' });
  await new Promise((r) => setTimeout(r, 60));
  // Within the maximum: the last list counts, and the log says it is stale.
  expect(await roles.rightsOf('U0GROUP001')).toEqual({ tech: true, manager: false });
  expect(logged.filter((l) => l.event === 'slack.usergroupsStale').map((l) => l.fields.usergroup)).toContain('S0TECHS001');

  await new Promise((r) => setTimeout(r, Math.max(0, readAt + 320 - Date.now())));
  // Past it: the groups are unknown; no right comes from the old list.
  await expect(roles.rightsOf('U0GROUP001')).rejects.toBeInstanceOf(RolesUnavailableError);
  await expect(roles.rightsOf('U0GROUP001')).rejects.toThrow(/S0TECHS001 cannot be read \(internal_error\) and the list read \d+ min ago is too old to trust/);
  expect(await roles.lookup('U0GROUP001')).toMatchObject({
    rights: { tech: false, manager: false },
    unknown: [{ role: 'tech' }, { role: 'manager' }],
  });
  const unknownLine = logged.find((l) => l.event === 'slack.usergroupsUnknown' && l.fields.usergroup === 'S0TECHS001');
  expect(unknownLine?.fields).toMatchObject({ error: 'internal_error', message: 'the last list read is older than SLACK_GROUP_CACHE_MAX: not trusted' });

  // The middleware: the sender is told, privately and in plain words, and nothing runs.
  const run = async (user: string, rule: Rule) => {
    const acks: unknown[] = [];
    let ran = false;
    const context: Record<string, unknown> = { [ACK_STATE]: { acked: false, ack: async (response?: unknown) => void acks.push(response) } };
    await authorize(
      roles,
      rule,
      log,
    )({
      body: { command: '/invite-lite', user_id: user, channel_id: 'C0GENERAL1', response_url: '' },
      context,
      client: client(slack!),
      next: async () => void (ran = true),
    } as never);
    return { acks, ran, rights: context[RIGHTS] };
  };
  const refused = await run('U0GROUP001', 'tech');
  expect(refused.ran).toBe(false);
  expect(refused.acks).toEqual([{ response_type: 'ephemeral', text: RIGHTS_UNKNOWN }]);
  expect(RIGHTS_UNKNOWN).toMatch(/^Your rights cannot be checked right now: .*Nothing was changed\./);
  expect(logged.filter((l) => l.event === 'slack.rightsUnknown').at(-1)?.fields).toMatchObject({
    user: 'U0GROUP001',
    rule: 'tech',
    usergroups: ['S0TECHS001', 'S0MGRS0001'],
  });
  // A tech listed by ID needs no group: allowed; and the App Home ('anyone') says the same as a refusal.
  expect(await run('U0LISTED01', 'tech')).toMatchObject({ ran: true, acks: [], rights: { tech: true, manager: false } });
  expect((await run('U0GROUP001', 'anyone')).acks).toEqual([{ response_type: 'ephemeral', text: RIGHTS_UNKNOWN }]);

  // Slack answers again: rights as before, for the group members too.
  slack.reset();
  expect(await roles.rightsOf('U0BOSS0001')).toEqual({ tech: false, manager: true });
  expect((await run('U0GROUP001', 'tech')).ran).toBe(true);
});

it('reads SLACK_GROUP_CACHE_MAX as a duration from 1 minute to 24 hours (15 minutes by default) and hands it to the rights check', () => {
  const env = {
    APPROVAL_SECRET: 'a'.repeat(40),
    ITGLUE_API_KEY: 'itglue-key',
    SLACK_BOT_TOKEN: 'xoxb-1-test',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_CHANNEL_ID: 'C0ONBOARD1',
    SLACK_TECH_USER_IDS: 'U0TECH0001',
  };
  expect(loadConfig(env).slack?.groupCacheMaxMs).toBe(15 * 60_000);
  expect(loadConfig({ ...env, SLACK_GROUP_CACHE_MAX: '1h' }).slack?.groupCacheMaxMs).toBe(3_600_000);
  for (const value of ['30s', '2d', 'soon', '-5m']) {
    expect(() => loadConfig({ ...env, SLACK_GROUP_CACHE_MAX: value })).toThrow(
      `SLACK_GROUP_CACHE_MAX: expected a duration from 1m to 24h such as "15m" or "1h", got "${value}"`,
    );
  }
});
