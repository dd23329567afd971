/**
 * The Slack endpoint on the service's HTTP server: Slack's request signature (HMAC-SHA256 of the
 * timestamp and the raw body with the signing secret), its 5-minute window, and the 3-second ack.
 */
import { connect } from 'node:net';
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

/** Sends a request's head and the first bytes of a body it says is longer; resolves with the status line once the server answers. */
function answerBeforeBody(port: number, headers: Record<string, string>, declaredBytes: number): Promise<{ statusLine: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port }, () => {
      const head = Object.entries({ ...headers, 'Content-Length': String(declaredBytes), Host: '127.0.0.1' })
        .map(([name, value]) => `${name}: ${value}`)
        .join('\r\n');
      socket.write(`POST /slack/events HTTP/1.1\r\n${head}\r\n\r\n{"pad":"`);
    });
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) {
        resolve({ statusLine: received.split('\r\n')[0]!, ms: Date.now() - started });
        socket.destroy();
      }
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref();
  });
}

it('checks the signature over the raw body before reading it as a form or JSON: unsigned or forged bodies of any shape or size get 401', async () => {
  const now = Math.floor(Date.now() / 1000);
  const url = `http://127.0.0.1:${h.http.port}/slack/events`;
  const from = h.logged.length;
  const bodies: Array<[string, string, string]> = [
    ['malformed JSON', '{"type": "event_callback", "event": ', 'application/json'],
    ['JSON of a shape Bolt cannot take', JSON.stringify({ type: 'event_callback', event: null }), 'application/json'],
    ['a payload that is not JSON', 'payload=%7Bnot-json', 'application/x-www-form-urlencoded'],
    [
      'a button press without a user',
      new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: [] }) }).toString(),
      'application/x-www-form-urlencoded',
    ],
    ['3 MB', JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) }), 'application/json'],
  ];
  for (const [name, body, contentType] of bodies) {
    const unsigned = await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType, 'X-Slack-Request-Timestamp': String(now) }, body });
    expect(unsigned.status, `${name}, unsigned`).toBe(401);
    const malformedSignature = await h.post(body, { contentType, signature: 'v0=not-hex' });
    expect(malformedSignature.status, `${name}, a malformed signature`).toBe(401);
    const forged = await h.post(body, { contentType, secret: 'not-the-signing-secret' });
    expect(forged.status, `${name}, signed with another secret`).toBe(401);
  }
  // Refused for the signature each time, never for the body's shape: the body was not parsed.
  const refusals = h.logged
    .slice(from)
    .filter((l) => l.event === 'slack.requestRefused')
    .map((l) => l.fields.reason);
  expect(refusals).toHaveLength(bodies.length * 3);
  for (const reason of refusals) expect(reason).toMatch(/^(no signature, or not one of Slack's|the signature does not match the body)$/);
  expect(h.logged.slice(from).filter((l) => l.event === 'slack.error')).toEqual([]);
});

it('answers an unsigned request, or one declared over the limit, before its body has arrived', async () => {
  const now = String(Math.floor(Date.now() / 1000));
  // Only the first bytes of a 3 MB body are sent: the answer comes without waiting for the rest.
  const unsigned = await answerBeforeBody(h.http.port, { 'Content-Type': 'application/json', 'X-Slack-Request-Timestamp': now }, 3 * 1024 * 1024);
  expect(unsigned.statusLine).toMatch(/^HTTP\/1\.1 401 /);
  const stale = await answerBeforeBody(
    h.http.port,
    { 'Content-Type': 'application/json', 'X-Slack-Request-Timestamp': String(Number(now) - 600), 'X-Slack-Signature': `v0=${'0'.repeat(64)}` },
    3 * 1024 * 1024,
  );
  expect(stale.statusLine).toMatch(/^HTTP\/1\.1 401 /);
  const huge = await answerBeforeBody(
    h.http.port,
    { 'Content-Type': 'application/json', 'X-Slack-Request-Timestamp': now, 'X-Slack-Signature': `v0=${'0'.repeat(64)}` },
    5 * 1024 * 1024,
  );
  expect(huge.statusLine).toMatch(/^HTTP\/1\.1 413 /);
  // And the endpoint keeps serving.
  const probe = await h.post(JSON.stringify({ type: 'url_verification', challenge: 'after-refusals' }), { contentType: 'application/json' });
  expect(await probe.json()).toEqual({ challenge: 'after-refusals' });
});

it('lets a client that goes away in the middle of a signed body go, without an error', async () => {
  const from = h.logged.length;
  const now = String(Math.floor(Date.now() / 1000));
  await new Promise<void>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: h.http.port }, () => {
      socket.write(
        `POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slack-Request-Timestamp: ${now}\r\nX-Slack-Signature: v0=${'0'.repeat(64)}\r\nContent-Length: 1000\r\n\r\n{"type":`,
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 100);
    });
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(h.logged.slice(from).filter((l) => /error/i.test(l.event))).toEqual([]);
  const probe = await h.post(JSON.stringify({ type: 'url_verification', challenge: 'after-abort' }), { contentType: 'application/json' });
  expect(await probe.json()).toEqual({ challenge: 'after-abort' });
});
