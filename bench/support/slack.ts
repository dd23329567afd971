/** Requests as Slack sends them (signed), and thread roots posted to the fake Slack Web API. */
import { createHmac } from 'node:crypto';
import type { FakeSlack } from '../../test/fakes/slack-api';
import type { ThreadRef } from '../../workflows/types';

export const TEAM = 'T0FAKE001';

/** X-Slack-Signature: v0= + hex HMAC-SHA256(secret, `v0:{timestamp}:{body}`). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** A slash command's form body, as Slack posts it. */
export function commandBody(fields: { command: string; user: string; text?: string; triggerId: string; responseUrl: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEAM,
    team_domain: 'bench-team',
    channel_id: 'C0GENERAL1',
    channel_name: 'general',
    user_id: fields.user,
    user_name: fields.user.toLowerCase(),
    command: fields.command,
    text: fields.text ?? '',
    api_app_id: 'A0FAKE001',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId,
  }).toString();
}

/** The Events API's app_home_opened, as Slack posts it (JSON). */
export function appHomeOpenedBody(user: string, botUserId: string, n: number): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: TEAM,
    api_app_id: 'A0FAKE001',
    event: { type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
    type: 'event_callback',
    event_id: `Ev0BENCH${Date.now()}${n}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM, user_id: botUserId, is_bot: true }],
  });
}

/** A signed POST to a Slack endpoint; resolves with the status once the whole answer is read. */
export async function postSigned(url: string, secret: string, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': contentType,
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': slackSignature(secret, timestamp, body),
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Posts a message standing for an onboarding's thread root in the fake Slack; returns where it is. */
export async function postRoot(slack: FakeSlack, channel: string, text: string): Promise<ThreadRef> {
  const response = await fetch(`${slack.url}chat.postMessage`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${slack.botToken}` },
    body: new URLSearchParams({ channel, text }).toString(),
  });
  const answer = (await response.json()) as { ok: boolean; ts?: string; error?: string };
  if (!answer.ok || !answer.ts) throw new Error(`chat.postMessage on the fake Slack: ${answer.error}`);
  return { channel, ts: answer.ts };
}
