/**
 * Signed requests whose body is not what Slack sends (a forged or corrupted request): refused with
 * 400 before Bolt, which would answer 500 or fail outside any handler (and end the process).
 * Unsigned ones are refused (401) before their body is read as anything.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { malformedSlackBody, slackBodyOf } from '../../src/slack/request-shape';
import { startSlackHarness, USERS, type SlackHarness } from '../support/slack-harness';

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'itglue' });
});

afterAll(async () => {
  await h?.close();
});

const payload = (value: unknown) => new URLSearchParams({ payload: JSON.stringify(value) }).toString();
const user = { id: USERS.tech, team_id: 'T0FAKE001' };

it('tells the bodies Bolt cannot take from those it can', () => {
  for (const body of [null, [], 'x', 0, true]) expect(malformedSlackBody(body), JSON.stringify(body)).not.toBeNull();
  expect(malformedSlackBody({ type: 'block_actions', actions: [{ action_id: 'a' }] })).toMatch(/user/);
  expect(malformedSlackBody({ type: 'block_actions', user: 'U1', actions: [{ action_id: 'a' }] })).toMatch(/user/);
  expect(malformedSlackBody({ type: 'block_actions', user, actions: [] })).toMatch(/actions/);
  expect(malformedSlackBody({ type: 'block_actions', user, actions: { action_id: 'a' } })).toMatch(/actions/);
  expect(malformedSlackBody({ type: 'block_actions', user, actions: [null] })).toMatch(/actions/);
  expect(malformedSlackBody({ type: 'block_actions', user, channel: null, actions: [{ action_id: 'a' }] })).toMatch(/channel/);
  expect(malformedSlackBody({ type: 'view_submission', user, view: null })).toMatch(/view/);
  expect(malformedSlackBody({ type: 'view_submission', user, view: { callback_id: 'invite_lite' } })).toMatch(/state/);
  expect(malformedSlackBody({ type: 'view_submission', user, view: { blocks: [], state: { values: null } } })).toMatch(/state/);
  expect(malformedSlackBody({ type: 'event_callback', event: { type: 'app_home_opened', user: { id: 1 } } })).toMatch(/user/);
  expect(malformedSlackBody({ type: 'event_callback', event: null })).toMatch(/event/);
  expect(malformedSlackBody({ type: 'event_callback', event: { type: 'x', user: null } })).toMatch(/user/);
  expect(malformedSlackBody({ command: 5 })).toMatch(/command/);

  expect(malformedSlackBody({ type: 'block_actions', user, actions: [{ action_id: 'a', value: 'v' }], channel: { id: 'C1' } })).toBeNull();
  expect(malformedSlackBody({ type: 'view_submission', user, view: { id: 'V1', blocks: [], state: { values: {} } } })).toBeNull();
  expect(malformedSlackBody({ type: 'event_callback', event: { type: 'user_change', user: { id: 'U1' } } })).toBeNull();
  expect(malformedSlackBody({ type: 'block_suggestion', user, action_id: 'a', value: '' })).toBeNull();
  expect(malformedSlackBody({ type: 'event_callback', event: { type: 'app_home_opened', user: 'U1' } })).toBeNull();
  expect(malformedSlackBody({ command: '/invite-lite', user_id: 'U1' })).toBeNull();
  expect(malformedSlackBody({ type: 'url_verification', challenge: 'c' })).toBeNull();
  expect(malformedSlackBody({ anything: 'else' })).toBeNull();

  expect(slackBodyOf('payload=null', 'application/x-www-form-urlencoded')).toEqual({ body: null });
  expect(slackBodyOf('a=1', 'application/x-www-form-urlencoded')?.body).toMatchObject({ a: '1' });
  expect(slackBodyOf('{', 'application/json')).toBeUndefined();
});

it('answers 400 to signed bodies of the wrong shape, and keeps serving', async () => {
  const cases: Array<[string, string]> = [
    ['null', 'application/json'],
    ['[]', 'application/json'],
    ['"text"', 'application/json'],
    [payload(null), 'application/x-www-form-urlencoded'],
    [payload(7), 'application/x-www-form-urlencoded'],
    [payload({ type: 'block_actions', actions: [{ action_id: 'onboarding_cancel', value: 'onboarding:1:2' }] }), 'application/x-www-form-urlencoded'],
    [payload({ type: 'block_actions', user, actions: [] }), 'application/x-www-form-urlencoded'],
    [payload({ type: 'view_submission', user: null, view: { callback_id: 'invite_lite' } }), 'application/x-www-form-urlencoded'],
    [JSON.stringify({ type: 'event_callback', event: null }), 'application/json'],
    [payload({ type: 'view_submission', user, view: { callback_id: 'invite_lite' } }), 'application/x-www-form-urlencoded'],
  ];
  for (const [body, contentType] of cases) {
    const response = await h.post(body, { contentType });
    expect(response.status, body).toBe(400);
  }
  // Malformed JSON is still Bolt's to refuse, and Slack's own probe still works.
  expect((await h.post('{', { contentType: 'application/json' })).status).toBe(400);
  const probe = await h.post(JSON.stringify({ type: 'url_verification', challenge: 'c-1' }), { contentType: 'application/json' });
  expect(await probe.json()).toEqual({ challenge: 'c-1' });
  expect(h.logged.filter((l) => l.event === 'slack.error')).toEqual([]);
});

it('answers 401 to the same bodies unsigned or signed with another secret: the shape is looked at only once the signature matched', async () => {
  const bodies: Array<[string, string]> = [
    ['[]', 'application/json'],
    [payload(null), 'application/x-www-form-urlencoded'],
    [payload({ type: 'block_actions', user, actions: [] }), 'application/x-www-form-urlencoded'],
    [JSON.stringify({ type: 'event_callback', event: null }), 'application/json'],
    ['{', 'application/json'],
  ];
  const from = h.logged.length;
  for (const [body, contentType] of bodies) {
    const unsigned = await fetch(`http://127.0.0.1:${h.http.port}/slack/events`, {
      method: 'POST',
      headers: { 'Content-Type': contentType, 'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000)) },
      body,
    });
    expect(unsigned.status, body).toBe(401);
    expect((await h.post(body, { contentType, secret: 'another-signing-secret' })).status, body).toBe(401);
  }
  const reasons = h.logged
    .slice(from)
    .filter((l) => l.event === 'slack.requestRefused')
    .map((l) => l.fields.reason);
  expect(reasons).toHaveLength(bodies.length * 2);
  expect(reasons.filter((r) => !/signature/.test(String(r)))).toEqual([]);
});

it('answers 413 to a body over Bolt’s limit', async () => {
  const response = await h.post(JSON.stringify({ pad: 'x'.repeat(4 * 1024 * 1024) }), { contentType: 'application/json' });
  expect(response.status).toBe(413);
});
