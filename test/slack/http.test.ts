/**
 * The Slack endpoint on the service's HTTP server: Slack's request signature (HMAC-SHA256 of the
 * timestamp and the raw body with the signing secret), its 5-minute window, and the 3-second ack.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, sign, SIGNING_SECRET, startSlackHarness, USERS, type SlackHarness } from '../support/slack-harness';

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'itglue' });
});

afterAll(async () => {
  await h?.close();
});

const commandBody = (triggerId: string) =>
  new URLSearchParams({
    command: '/invite-lite',
    text: '',
    user_id: USERS.tech,
    team_id: 'T0FAKE001',
    channel_id: 'C0GENERAL1',
    trigger_id: triggerId,
    response_url: 'http://127.0.0.1:9/never',
  }).toString();

it('refuses a request with a wrong signature, another secret, no signature, or a 6-minute-old timestamp: 401, and nothing happens', async () => {
  const triggerId = h.slack.issueTriggerId();
  const body = commandBody(triggerId);
  const now = Math.floor(Date.now() / 1000);

  const wrong = await h.post(body, { signature: `v0=${'0'.repeat(64)}` });
  expect(wrong.status).toBe(401);
  const otherSecret = await h.post(body, { secret: 'not-the-signing-secret' });
  expect(otherSecret.status).toBe(401);
  // Signed for another body (the text changed on the way).
  const tampered = await h.post(body.replace('text=', 'text=x'), { signature: sign(body, now, SIGNING_SECRET) });
  expect(tampered.status).toBe(401);
  const old = await h.post(body, { timestamp: now - 6 * 60 });
  expect(old.status).toBe(401);
  const future = await h.post(body, { timestamp: now + 6 * 60 });
  expect(future.status).toBe(401);
  const unsigned = await fetch(`http://127.0.0.1:${h.http.port}/slack/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  expect(unsigned.status).toBe(401);

  await new Promise((r) => setTimeout(r, 300));
  expect(h.slack.callsOf('views.open')).toHaveLength(0);
});

it('accepts a correctly signed request within the window (4 minutes old) and acks a slash command at once', async () => {
  const triggerId = h.slack.issueTriggerId();
  const fourMinutesAgo = Math.floor(Date.now() / 1000) - 4 * 60;
  const at = Date.now();
  const response = await h.post(commandBody(triggerId), { timestamp: fourMinutesAgo });
  expect(response.status).toBe(200);
  expect(Date.now() - at).toBeLessThan(3_000);
  await eventually(() => h.slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId && c.ok), 'views.open');
});

it('only POST /slack/events is Slack’s: other methods and paths are not', async () => {
  const base = `http://127.0.0.1:${h.http.port}`;
  expect((await fetch(`${base}/slack/events`)).status).toBe(405);
  expect((await fetch(`${base}/slack/other`, { method: 'POST' })).status).toBe(404);
});

it('answers Slack’s url_verification challenge (Events API set-up)', async () => {
  const body = JSON.stringify({ type: 'url_verification', token: 't', challenge: 'challenge-123' });
  const response = await h.post(body, { contentType: 'application/json' });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ challenge: 'challenge-123' });
});
