/** The fake Slack Web API itself: raw HTTP as Slack's clients send it, and @slack/web-api's WebClient. */
import { LogLevel, WebAPIPlatformError, WebAPIRateLimitedError, WebClient, type Logger } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api';

let fake: FakeSlack;
let client: WebClient;

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

/** A client as the app configures one for tests: one attempt, 429s handed back. */
function webClient(token: string, url = fake.url): WebClient {
  return new WebClient(token, { slackApiUrl: url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: quiet });
}

beforeAll(async () => {
  fake = await startFakeSlack({
    users: [{ id: 'UTECH1', name: 'tina', realName: 'Tina Tech', email: 'tina@msp.test', tz: 'America/New_York' }],
    usergroups: { STECHS: ['UTECH1', 'UTECH2'] },
  });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  client = webClient(fake.botToken);
});
afterEach(() => {
  vi.useRealTimers();
});

async function raw(method: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${fake.url}${method}`, { method: 'POST', body, headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function slackError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebAPIPlatformError);
  return String((error as WebAPIPlatformError).data.error);
}

describe('tokens and wire format', () => {
  it('takes the token as a Bearer header or a form field, and refuses a wrong or missing one', async () => {
    const header = await raw('auth.test', '', { ...form, authorization: `Bearer ${fake.botToken}` });
    expect(header).toMatchObject({ status: 200, body: { ok: true, user_id: fake.botUserId, bot_id: fake.botId } });
    const field = await raw('auth.test', `token=${fake.botToken}`, form);
    expect(field.body.ok).toBe(true);
    expect((await raw('auth.test', 'token=xoxb-wrong', form)).body).toEqual({ ok: false, error: 'invalid_auth' });
    expect((await raw('auth.test', '', form)).body).toEqual({ ok: false, error: 'not_authed' });
    // JSON bodies must authenticate with the header.
    const json = await raw('auth.test', JSON.stringify({ token: fake.botToken }), { 'content-type': 'application/json' });
    expect(json.body).toEqual({ ok: false, error: 'not_authed' });
    expect(await slackError(webClient('xoxb-other').auth.test())).toBe('invalid_auth');
    expect(fake.calls.map((c) => [c.method, c.ok, c.error ?? null])).toEqual([
      ['auth.test', true, null],
      ['auth.test', true, null],
      ['auth.test', false, 'invalid_auth'],
      ['auth.test', false, 'not_authed'],
      ['auth.test', false, 'not_authed'],
      ['auth.test', false, 'invalid_auth'],
    ]);
    expect(JSON.stringify(fake.calls)).not.toContain(fake.botToken);
  });

  it('records arguments with JSON-string fields parsed, from forms and from JSON bodies', async () => {
    await client.chat.postMessage({ channel: 'C0ONBOARD', text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }] });
    await raw('chat.postMessage', JSON.stringify({ channel: 'C0ONBOARD', text: 'json', blocks: [{ type: 'divider' }] }), {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${fake.botToken}`,
    });
    const [a, b] = fake.callsOf('chat.postMessage');
    expect(a!.args).toMatchObject({ channel: 'C0ONBOARD', text: 'hi', blocks: [{ type: 'section', text: { text: '*hi*' } }] });
    expect(b!.args).toMatchObject({ channel: 'C0ONBOARD', text: 'json', blocks: [{ type: 'divider' }] });
    expect(a!.args).not.toHaveProperty('token');
    expect(a!.ok).toBe(true);
  });

  it('answers unknown_method for a method it does not know', async () => {
    expect(await slackError(client.apiCall('admin.apps.approve'))).toBe('unknown_method');
  });
});

describe('messages', () => {
  it('posts, replies in threads, and updates in place', async () => {
    const root = await client.chat.postMessage({ channel: 'C0ONBOARD', text: 'root' });
    expect(root).toMatchObject({ ok: true, channel: 'C0ONBOARD' });
    expect(root.ts).toMatch(/^\d+\.\d{6}$/);
    const reply = await client.chat.postMessage({ channel: 'C0ONBOARD', text: 'reply', thread_ts: root.ts });
    expect(Number(reply.ts)).toBeGreaterThan(Number(root.ts));

    const updated = await client.chat.update({ channel: 'C0ONBOARD', ts: root.ts!, text: 'root v2', blocks: [{ type: 'divider' }] });
    expect(updated).toMatchObject({ ok: true, channel: 'C0ONBOARD', ts: root.ts, text: 'root v2' });
    await client.chat.update({ channel: 'C0ONBOARD', ts: root.ts!, text: 'root v3' });

    expect(fake.messages('C0ONBOARD')).toEqual([
      expect.objectContaining({ ts: root.ts, text: 'root v3', blocks: [{ type: 'divider' }], edited: 2 }),
      expect.objectContaining({ ts: reply.ts, text: 'reply', threadTs: root.ts }),
    ]);
    expect(fake.messages('C0ONBOARD')[1]).not.toHaveProperty('edited');
    expect(fake.messages('C0OTHER')).toEqual([]);
  });

  it('refuses what Slack refuses', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C0ONBOARD', text: 'root' });
    expect(await slackError(client.chat.update({ channel: 'UTECH1', ts: ts!, text: 'x' }))).toBe('cant_update_message');
    expect(await slackError(client.chat.update({ channel: 'C0ONBOARD', ts: '1.000001', text: 'x' }))).toBe('message_not_found');
    expect(await slackError(client.chat.postMessage({ channel: 'general', text: 'x' }))).toBe('channel_not_found');
    expect(await slackError(client.chat.postMessage({ channel: 'C0ONBOARD', text: '' }))).toBe('no_text');
    expect(await slackError(client.chat.postMessage({ channel: 'C0ONBOARD', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    expect(await slackError(client.chat.postMessage({ channel: 'C0ONBOARD', text: 'x', blocks: [{ text: 'no type' } as never] }))).toBe('invalid_blocks');
    expect(await slackError(client.apiCall('chat.postMessage', { channel: 'C0ONBOARD', text: 'x', blocks: { type: 'divider' } }))).toBe('invalid_blocks_format');
    expect(await slackError(client.chat.postMessage({ channel: 'C0ONBOARD', text: 'x', thread_ts: '1.000001' }))).toBe('thread_not_found');
    // A user ID opens a DM.
    expect((await client.chat.postMessage({ channel: 'UTECH1', text: 'dm' })).channel).toBe('DTECH1');
  });

  it('posts ephemeral messages, gives permalinks, and keeps message metadata for history look-ups', async () => {
    const eph = await client.chat.postEphemeral({ channel: 'C0ONBOARD', user: 'UTECH1', text: 'only you' });
    expect(eph.message_ts).toBeTruthy();
    expect(fake.messages('C0ONBOARD')).toEqual([]);
    const root = await client.chat.postMessage({
      channel: 'C0ONBOARD',
      text: 'root',
      metadata: { event_type: 'invite_lite_onboarding', event_payload: { workflowId: 'onboarding:1:2' } },
    });
    await client.chat.postMessage({ channel: 'C0ONBOARD', text: 'reply', thread_ts: root.ts });
    await client.chat.update({ channel: 'C0ONBOARD', ts: root.ts!, text: 'root v2' }); // metadata left out: kept
    const link = await client.chat.getPermalink({ channel: 'C0ONBOARD', message_ts: root.ts! });
    expect(link.permalink).toBe(`https://fake-team.slack.com/archives/C0ONBOARD/p${root.ts!.replace('.', '')}`);

    const plain = await client.conversations.history({ channel: 'C0ONBOARD' });
    expect(plain.messages).toHaveLength(1); // replies are not in the channel's history
    expect(plain.messages![0]).not.toHaveProperty('metadata');
    const withMeta = await client.conversations.history({ channel: 'C0ONBOARD', include_all_metadata: true });
    expect(withMeta.messages![0]).toMatchObject({ ts: root.ts, metadata: { event_payload: { workflowId: 'onboarding:1:2' } } });
    const replies = await client.conversations.replies({ channel: 'C0ONBOARD', ts: root.ts! });
    expect(replies.messages!.map((m) => m.text)).toEqual(['root v2', 'reply']);
  });

  it('pages history newest first with cursors', async () => {
    for (let i = 0; i < 5; i++) await client.chat.postMessage({ channel: 'C0ONBOARD', text: `m${i}` });
    const first = await client.conversations.history({ channel: 'C0ONBOARD', limit: 2 });
    expect(first.messages!.map((m) => m.text)).toEqual(['m4', 'm3']);
    expect(first.has_more).toBe(true);
    const second = await client.conversations.history({ channel: 'C0ONBOARD', limit: 2, cursor: first.response_metadata!.next_cursor });
    expect(second.messages!.map((m) => m.text)).toEqual(['m2', 'm1']);
    const oldest = fake.messages('C0ONBOARD')[3]!.ts;
    const since = await client.conversations.history({ channel: 'C0ONBOARD', oldest, inclusive: true });
    expect(since.messages!.map((m) => m.text)).toEqual(['m4', 'm3']);
  });
});

describe('views', () => {
  const modal = (title = 'Onboard a customer') => ({ type: 'modal' as const, title: { type: 'plain_text' as const, text: title }, blocks: [] });

  it('opens a view once per trigger_id, within 3 seconds', async () => {
    const trigger = fake.issueTriggerId();
    const opened = await client.views.open({ trigger_id: trigger, view: modal() });
    expect(opened.view?.id).toMatch(/^V/);
    expect(fake.views.opened).toHaveLength(1);
    expect(fake.views.byId[opened.view!.id!]).toMatchObject({ type: 'modal', title: { text: 'Onboard a customer' } });
    expect(await slackError(client.views.open({ trigger_id: trigger, view: modal() }))).toBe('expired_trigger_id');
    expect(await slackError(client.views.open({ trigger_id: '123.456.abc', view: modal() }))).toBe('invalid_trigger_id');

    vi.useFakeTimers({ toFake: ['Date'] });
    const late = fake.issueTriggerId();
    vi.setSystemTime(Date.now() + 3_100);
    expect(await slackError(client.views.open({ trigger_id: late, view: modal() }))).toBe('expired_trigger_id');
    vi.useRealTimers();

    // views.push follows the same rules.
    const push = fake.issueTriggerId();
    await client.views.push({ trigger_id: push, view: modal('Offline approval') });
    expect(await slackError(client.views.push({ trigger_id: push, view: modal() }))).toBe('expired_trigger_id');
    // A title Slack would refuse.
    expect(await slackError(client.views.open({ trigger_id: fake.issueTriggerId(), view: modal('A title longer than 24 chars') }))).toBe('invalid_arguments');
  });

  it('updates a view by view_id or external_id, refusing a stale hash', async () => {
    const opened = await client.views.open({ trigger_id: fake.issueTriggerId(), view: { ...modal('Loading…'), external_id: 'ext-1' } });
    const id = opened.view!.id!;
    const byId = await client.views.update({ view_id: id, view: modal('Loaded'), hash: opened.view!.hash });
    expect(byId.view).toMatchObject({ id, title: { text: 'Loaded' } });
    expect(fake.views.opened[0]).toMatchObject({ id, title: { text: 'Loaded' } });
    expect(await slackError(client.views.update({ view_id: id, view: modal(), hash: opened.view!.hash }))).toBe('hash_conflict');
    expect(await slackError(client.views.update({ view_id: 'V404', view: modal() }))).toBe('not_found');
    await client.views.open({ trigger_id: fake.issueTriggerId(), view: { ...modal('Other'), external_id: 'ext-2' } });
    const byExternal = await client.views.update({ external_id: 'ext-2', view: { ...modal('Other v2'), external_id: 'ext-2' } });
    expect(byExternal.view).toMatchObject({ title: { text: 'Other v2' } });
  });

  it('publishes App Home views per user, at most 100 blocks', async () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' as const }));
    await client.views.publish({ user_id: 'UTECH1', view: { type: 'home', blocks: blocks(100) } });
    expect(fake.views.published.UTECH1).toMatchObject({ type: 'home' });
    expect(await slackError(client.views.publish({ user_id: 'UTECH1', view: { type: 'home', blocks: blocks(101) } }))).toBe('invalid_blocks');
    expect((fake.views.published.UTECH1 as { blocks: unknown[] }).blocks).toHaveLength(100);
  });
});

describe('users, user groups and channels', () => {
  it('answers users.info, usergroups.users.list and conversations.info', async () => {
    const user = await client.users.info({ user: 'UTECH1' });
    expect(user.user).toMatchObject({ id: 'UTECH1', real_name: 'Tina Tech', tz: 'America/New_York', profile: { email: 'tina@msp.test' } });
    expect(await slackError(client.users.info({ user: 'UNOBODY' }))).toBe('user_not_found');
    expect((await client.usergroups.users.list({ usergroup: 'STECHS' })).users).toEqual(['UTECH1', 'UTECH2']);
    expect(await slackError(client.usergroups.users.list({ usergroup: 'SNONE' }))).toBe('no_such_subteam');
    expect((await client.conversations.info({ channel: 'C0ONBOARD' })).channel).toMatchObject({ id: 'C0ONBOARD', is_member: true });
    expect(await slackError(client.conversations.info({ channel: 'nope' }))).toBe('channel_not_found');
  });

  it("users.info: a user's profile with its email, checking the token and the users:read / users:read.email scopes", async () => {
    const { user } = await client.users.info({ user: 'UTECH1' });
    expect(user).toMatchObject({
      id: 'UTECH1',
      name: 'tina',
      deleted: false,
      is_bot: false,
      profile: { real_name: 'Tina Tech', first_name: 'Tina', last_name: 'Tech', display_name: 'tina', email: 'tina@msp.test', team: fake.teamId },
    });
    expect((await raw('users.info', 'token=xoxb-wrong&user=UTECH1', form)).body).toEqual({ ok: false, error: 'invalid_auth' });
    expect((await raw('users.info', 'user=UTECH1', form)).body).toEqual({ ok: false, error: 'not_authed' });

    const limited = await startFakeSlack({
      scopes: ['chat:write', 'users:read'],
      users: [{ id: 'UTECH1', name: 'tina', realName: 'Tina Tech', email: 'tina@msp.test', deleted: true }],
    });
    const none = await startFakeSlack({ scopes: ['chat:write'], users: [{ id: 'UTECH1', name: 'tina', email: 'tina@msp.test' }] });
    try {
      // Without users:read.email the profile has no email; a deactivated user says so.
      const seen = (await webClient(limited.botToken, limited.url).users.info({ user: 'UTECH1' })).user;
      expect(seen).toMatchObject({ id: 'UTECH1', deleted: true, profile: { real_name: 'Tina Tech' } });
      expect(seen?.profile).not.toHaveProperty('email');
      expect(await slackError(webClient(none.botToken, none.url).users.info({ user: 'UTECH1' }))).toBe('missing_scope');
      expect(none.callsOf('users.info')).toMatchObject([{ ok: false, error: 'missing_scope' }]);
    } finally {
      await limited.close();
      await none.close();
    }
  });

  it('needs a paid plan for user groups', async () => {
    const free = await startFakeSlack({ plan: 'free', usergroups: { STECHS: ['UTECH1'] } });
    try {
      const c = webClient(free.botToken, free.url);
      expect(await slackError(c.usergroups.users.list({ usergroup: 'STECHS' }))).toBe('plan_upgrade_required');
    } finally {
      await free.close();
    }
  });
});

describe('failures on demand', () => {
  it('answers 429 with Retry-After, then carries on', async () => {
    fake.failNext({ method: 'chat.update', rateLimited: { retryAfterSeconds: 7 }, times: 1 });
    const { ts } = await client.chat.postMessage({ channel: 'C0ONBOARD', text: 'root' }); // another method: unaffected
    const limited = await raw('chat.update', `channel=C0ONBOARD&ts=${ts}&text=x`, { ...form, authorization: `Bearer ${fake.botToken}` });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
    expect(fake.messages('C0ONBOARD')[0]!.text).toBe('root');

    fake.failNext({ rateLimited: { retryAfterSeconds: 2 }, times: 1 });
    const error = await client.chat.update({ channel: 'C0ONBOARD', ts: ts!, text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(2);

    await client.chat.update({ channel: 'C0ONBOARD', ts: ts!, text: 'after' });
    expect(fake.messages('C0ONBOARD')[0]).toMatchObject({ text: 'after', edited: 1 });
    expect(fake.callsOf('chat.update').map((c) => c.error ?? 'ok')).toEqual(['ratelimited', 'ratelimited', 'ok']);
  });

  it('answers 429 to every matching call during a window, then carries on', async () => {
    fake.failFor(400, { method: 'chat.postMessage', rateLimited: { retryAfterSeconds: 3 } });
    for (const text of ['a', 'b', 'c']) {
      const error = await client.chat.postMessage({ channel: 'C0ONBOARD', text }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebAPIRateLimitedError);
      expect((error as WebAPIRateLimitedError).retryAfter).toBe(3);
    }
    expect((await client.auth.test()).ok).toBe(true); // another method: unaffected
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await client.chat.postMessage({ channel: 'C0ONBOARD', text: 'd' })).ok).toBe(true);
    expect(fake.messages('C0ONBOARD').map((m) => m.text)).toEqual(['d']);
    expect(fake.callsOf('chat.postMessage').map((c) => c.error ?? 'ok')).toEqual(['ratelimited', 'ratelimited', 'ratelimited', 'ok']);

    fake.failFor(60_000, { error: 'internal_error' });
    expect(await slackError(client.chat.update({ channel: 'C0ONBOARD', ts: '1.000001', text: 'x' }))).toBe('internal_error');
    fake.reset();
    expect((await client.auth.test()).ok).toBe(true);
  });

  it('injects errors for a number of calls, by method or for any', async () => {
    fake.failNext({ method: 'chat.postMessage', error: 'channel_not_found', times: 2 });
    fake.failNext({ error: 'invalid_auth', times: 1 });
    expect(await slackError(client.auth.test())).toBe('invalid_auth');
    expect(await slackError(client.chat.postMessage({ channel: 'C0ONBOARD', text: 'a' }))).toBe('channel_not_found');
    expect(await slackError(client.chat.postMessage({ channel: 'C0ONBOARD', text: 'b' }))).toBe('channel_not_found');
    expect((await client.chat.postMessage({ channel: 'C0ONBOARD', text: 'c' })).ok).toBe(true);
    expect(fake.messages('C0ONBOARD').map((m) => m.text)).toEqual(['c']);
  });

  it('can lose a response: the call takes effect, the client gets no answer', async () => {
    fake.failNext({ method: 'chat.postMessage', dropResponse: true, times: 1 });
    await expect(client.chat.postMessage({ channel: 'C0ONBOARD', text: 'lost' })).rejects.toThrow();
    expect(fake.messages('C0ONBOARD').map((m) => m.text)).toEqual(['lost']);
  });
});

describe('response_url', () => {
  it('accepts 5 posts, then refuses', async () => {
    const url = fake.responseUrl();
    for (let i = 0; i < 5; i++) {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `r${i}`, response_type: 'ephemeral' }),
      });
      expect(r.status).toBe(200);
    }
    const sixth = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'r5' }) });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: 'used_url' });
    const calls = fake.callsOf('response_url');
    expect(calls).toHaveLength(6);
    expect(calls[0]).toMatchObject({ ok: true, args: { text: 'r0', response_type: 'ephemeral' } });
    expect(calls[5]).toMatchObject({ ok: false, error: 'used_url' });
    expect((await fetch(`${fake.url.replace('/api/', '')}/response/unknown`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
