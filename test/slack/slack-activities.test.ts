/** The real Slack activities against the fake Slack Web API: posting, updating in place, retries and errors. */
import { WebClient } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackActivities, REPLY_EVENT_TYPE, ROOT_EVENT_TYPE } from '../../activities/slack';
import type { SlackActivities } from '../../activities/contracts';
import type { OnboardingEvent, OnboardingStatus, ThreadRef } from '../../workflows/types';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api';
import { ORG, statusFixture } from '../support/fake-activities';

const CHANNEL = 'C0ONBOARD';
let fake: FakeSlack;
let logged: string[];
let slack: SlackActivities;

beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  logged = [];
  slack = activities(fake.botToken);
});

function activities(botToken: string): SlackActivities {
  return createSlackActivities({ botToken, apiUrl: fake.url, channelId: CHANNEL }, { log: (event, fields) => void logged.push(JSON.stringify({ event, ...fields })) });
}

let counter = 0;
function status(over: Partial<OnboardingStatus> = {}): OnboardingStatus {
  counter += 1;
  return statusFixture({ workflowId: `onboarding:${ORG.id}:${counter}`, ...over });
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Runs an activity as Temporal's attempt `attempt` would. */
function asAttempt<R>(attempt: number, fn: () => Promise<R>): Promise<R> {
  return new MockActivityEnvironment({ attempt }, { logger: quiet }).run(fn);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => {
      throw new Error('the activity succeeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const roots = () => fake.messages(CHANNEL).filter((m) => !m.threadTs);
const event = (type: OnboardingEvent['type'], text: string, by?: string): OnboardingEvent => ({ at: new Date().toISOString(), type, text, ...(by ? { by } : {}) });

describe('the root message', () => {
  it('is posted once with metadata naming the onboarding, then updated in place', async () => {
    const s = status();
    const thread = await slack.updateThread(s);
    expect(thread).toEqual({ channel: CHANNEL, ts: expect.stringMatching(/^\d+\.\d+$/) });
    expect(roots()).toHaveLength(1);
    expect(roots()[0]).toMatchObject({
      text: expect.stringContaining('Waiting for approval by Paula Primary'),
      metadata: { event_type: ROOT_EVENT_TYPE, event_payload: { workflowId: s.workflowId } },
    });

    const again = await slack.updateThread({ ...s, stage: 'AWAITING_INVITE', waitingOn: 'tech', thread });
    expect(again).toEqual(thread);
    expect(roots()).toHaveLength(1);
    expect(roots()[0]).toMatchObject({ ts: thread.ts, edited: 1, text: expect.stringContaining('Waiting for a tech to create the IT Glue user') });
    expect(fake.callsOf('chat.update')[0]!.args).toMatchObject({ channel: CHANNEL, ts: thread.ts, blocks: expect.any(Array) });
    // A first attempt never looks for an earlier post.
    expect(fake.callsOf('conversations.history')).toHaveLength(0);
  });

  it('is not posted twice when a retry follows a lost response', async () => {
    const s = status();
    fake.failNext({ method: 'chat.postMessage', dropResponse: true, times: 1 });
    const lost = await failure(asAttempt(1, () => slack.updateThread(s)));
    expect(lost.nonRetryable).toBe(false);
    expect(roots()).toHaveLength(1); // Slack has it; the activity does not know

    const thread = await asAttempt(2, () => slack.updateThread(s));
    expect(thread).toEqual({ channel: CHANNEL, ts: roots()[0]!.ts });
    expect(roots()).toHaveLength(1);
    expect(roots()[0]!.edited).toBe(1);
    expect(fake.callsOf('conversations.history')[0]!.args).toMatchObject({ channel: CHANNEL, include_all_metadata: 'true' });
  });

  it('finds its own root page after page, among other messages', async () => {
    const mine = status();
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.url });
    await client.chat.postMessage({ channel: CHANNEL, text: 'someone else' });
    const thread = await slack.updateThread(mine);
    for (let i = 0; i < 6; i++) await slack.updateThread(status());
    await client.chat.postMessage({ channel: CHANNEL, text: 'chatter' });
    const lookup = createSlackActivities({ botToken: fake.botToken, apiUrl: fake.url, channelId: CHANNEL }, { log: () => {}, lookupPageSize: 2, maxLookupPages: 10 });
    const found = await asAttempt(3, () => lookup.updateThread(mine));
    expect(found).toEqual(thread);
    expect(roots()).toHaveLength(9);
    expect(fake.callsOf('conversations.history').length).toBeGreaterThanOrEqual(4);
  });

  it('posts a new root when the old one was deleted or never reached Slack', async () => {
    const s = status({ thread: { channel: CHANNEL, ts: '1600000000.000100' } });
    const thread = await slack.updateThread(s);
    expect(thread.ts).not.toBe('1600000000.000100');
    expect(roots()).toHaveLength(1);
    // The logging activities' placeholder thread (Slack configured later).
    const placeholder = await slack.updateThread(status({ thread: { channel: 'log', ts: 'onboarding:100:9' } }));
    expect(placeholder.channel).toBe(CHANNEL);
    expect(roots()).toHaveLength(2);
  });
});

describe('replies', () => {
  it('are posted in the thread with the event as metadata, once even when retried', async () => {
    const s = status();
    const thread = await slack.updateThread(s);
    const e = event('approved-offline', 'Approval received by fax recorded by <@UTECH2>: <!channel> signed', 'UTECH2');
    await slack.postToThread({ workflowId: s.workflowId, thread, event: e });
    const [reply] = fake.messages(CHANNEL).filter((m) => m.threadTs === thread.ts);
    expect(reply).toMatchObject({
      text: ':memo: Approval received by fax recorded by <@UTECH2>: &lt;!channel&gt; signed',
      metadata: { event_type: REPLY_EVENT_TYPE, event_payload: { workflowId: s.workflowId, type: 'approved-offline', at: e.at } },
    });

    const next = event('invitation-sent', '<@UTECH1> says the invitation was sent.', 'UTECH1');
    fake.failNext({ method: 'chat.postMessage', dropResponse: true, times: 1 });
    await failure(asAttempt(1, () => slack.postToThread({ workflowId: s.workflowId, thread, event: next })));
    await asAttempt(2, () => slack.postToThread({ workflowId: s.workflowId, thread, event: next }));
    const types = fake
      .messages(CHANNEL)
      .filter((m) => m.threadTs === thread.ts)
      .map((m) => m.metadata?.event_payload.type);
    expect(types).toEqual(['approved-offline', 'invitation-sent']);
    // A retry of a reply that never reached Slack posts it.
    const third = event('user-found', 'IT Glue user found.');
    fake.failNext({ method: 'chat.postMessage', error: 'internal_error', times: 1 });
    await failure(asAttempt(1, () => slack.postToThread({ workflowId: s.workflowId, thread, event: third })));
    await asAttempt(2, () => slack.postToThread({ workflowId: s.workflowId, thread, event: third }));
    expect(fake.messages(CHANNEL).filter((m) => m.threadTs === thread.ts)).toHaveLength(3);
  });

  it('are skipped, not retried for ever, when the root was deleted', async () => {
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.url });
    const gone: ThreadRef = { channel: CHANNEL, ts: '1600000000.000100' };
    await slack.postToThread({ workflowId: 'w', thread: gone, event: event('verified', 'y') });
    await asAttempt(2, () => slack.postToThread({ workflowId: 'w', thread: gone, event: event('verified', 'y') }));
    expect(fake.callsOf('chat.postMessage').map((c) => c.error)).toEqual(['thread_not_found']);
    expect(fake.callsOf('conversations.replies').map((c) => c.error)).toEqual(['thread_not_found']);
    expect(logged.filter((l) => l.includes('slack.reply.skipped'))).toHaveLength(2);
    expect((await client.conversations.history({ channel: CHANNEL })).messages).toEqual([]);
  });

  it('are skipped, not failed, for an onboarding without a Slack thread yet', async () => {
    await slack.postToThread({ workflowId: 'onboarding:1:2', thread: { channel: 'log', ts: 'onboarding:1:2' }, event: event('verified', 'y') });
    expect(fake.calls).toHaveLength(0);
    expect(logged.some((l) => l.includes('slack.reply.skipped'))).toBe(true);
  });
});

describe('mentions', () => {
  const TECH = 'U0TECH0001';
  const tech = { users: [TECH] };
  const managers = { managers: true };
  /** What the workflow records for each event that asks someone to act (texts as it writes them). */
  const asking: Array<[OnboardingEvent['type'], string, { users?: string[]; managers?: boolean }, string]> = [
    ['approval-reminder', 'Reminder 1 sent to Paula Primary.', tech, ':bell: Reminder 1 sent to Paula Primary.'],
    [
      'escalated',
      'Paula Primary has not answered: ask another contact or record an approval received offline.',
      tech,
      ':warning: Paula Primary has not answered: ask another contact or record an approval received offline.',
    ],
    [
      'tech-reminder',
      'The IT Glue invitation for ines@acme.test has not been seen yet: please send it.',
      tech,
      ':bell: The IT Glue invitation for ines@acme.test has not been seen yet: please send it.',
    ],
    ['invite-expired', 'The invitation link for ines@acme.test expired unused.', tech, ':hourglass: The invitation link for ines@acme.test expired unused.'],
    [
      'approval-expired',
      'No answer from Paula Primary in time: the request has expired.',
      managers,
      ':hourglass: No answer from Paula Primary in time: the request has expired.',
    ],
    [
      'stalled',
      'Needs a manager: the invitation expired 2 times without being accepted.',
      managers,
      ':rotating_light: Needs a manager: the invitation expired 2 times without being accepted.',
    ],
  ];

  /** Posts each event through Slack activities with these manager settings; the texts chat.postMessage received. */
  async function posted(config: { managerUsergroupId?: string | null; managerUserIds?: string[] }): Promise<string[]> {
    const withManagers = createSlackActivities({ botToken: fake.botToken, apiUrl: fake.url, channelId: CHANNEL, ...config }, { log: () => {} });
    const s = status();
    const thread = await withManagers.updateThread(s);
    for (const [type, text, mention] of asking) {
      await withManagers.postToThread({ workflowId: s.workflowId, thread, event: { ...event(type, text), mention } });
    }
    return fake
      .callsOf('chat.postMessage')
      .filter((c) => c.args.thread_ts === thread.ts)
      .map((c) => String(c.args.text));
  }

  it('start each reply that asks someone to act with the mentions: the tech, and the managers by their user group', async () => {
    const texts = await posted({ managerUsergroupId: 'S0MANAGERS', managerUserIds: ['U0MGR0001'] });
    expect(texts).toEqual([
      `<@${TECH}> ${asking[0]![3]}`,
      `<@${TECH}> ${asking[1]![3]}`,
      `<@${TECH}> ${asking[2]![3]}`,
      `<@${TECH}> ${asking[3]![3]}`,
      `<!subteam^S0MANAGERS> ${asking[4]![3]}`,
      `<!subteam^S0MANAGERS> ${asking[5]![3]}`,
    ]);
    // The blocks say the same as the notification text.
    const last = fake.callsOf('chat.postMessage').at(-1)!;
    expect(last.args.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: `<!subteam^S0MANAGERS> ${asking[5]![3]}` } }]);
  });

  it('mention each listed manager without a user group, and no manager when neither is set', async () => {
    const listed = await posted({ managerUsergroupId: null, managerUserIds: ['U0MGR0001', 'W0MGR0002'] });
    expect(listed.slice(4)).toEqual([`<@U0MGR0001> <@W0MGR0002> ${asking[4]![3]}`, `<@U0MGR0001> <@W0MGR0002> ${asking[5]![3]}`]);
    expect(listed[0]).toBe(`<@${TECH}> ${asking[0]![3]}`);

    fake.reset();
    const nobody = await posted({});
    expect(nobody.slice(4)).toEqual([asking[4]![3], asking[5]![3]]);
    expect(nobody[5]).toMatch(/^:rotating_light: Needs a manager: /);
    expect(nobody.slice(0, 4)).toEqual(asking.slice(0, 4).map(([, , , text]) => `<@${TECH}> ${text}`));
  });

  it('are built from the IDs only: mentions written in the text stay escaped, and other replies mention nobody', async () => {
    const s = status();
    const thread = await slack.updateThread(s);
    await slack.postToThread({
      workflowId: s.workflowId,
      thread,
      event: { ...event('escalated', 'Ask <@UBOSS> <!here>'), mention: { users: [TECH, 'not-an-id'] } },
    });
    await slack.postToThread({ workflowId: s.workflowId, thread, event: event('verified', 'IT Glue user verified.') });
    const texts = fake
      .callsOf('chat.postMessage')
      .filter((c) => c.args.thread_ts === thread.ts)
      .map((c) => c.args.text);
    expect(texts).toEqual([`<@${TECH}> :warning: Ask &lt;@UBOSS&gt; &lt;!here&gt;`, ':white_check_mark: IT Glue user verified.']);
    expect(logged.find((l) => l.includes('slack.reply.posted') && l.includes('escalated'))).toContain(`"mention":{"users":["${TECH}","not-an-id"]}`);
  });
});

describe('errors', () => {
  it('retries a rate limit after Retry-After', async () => {
    fake.failNext({ method: 'chat.postMessage', rateLimited: { retryAfterSeconds: 3 }, times: 1 });
    const f = await failure(slack.updateThread(status()));
    expect(f).toMatchObject({ type: 'Slack.ratelimited', nonRetryable: false, nextRetryDelay: 3000 });
  });

  const cases: [string, RegExp][] = [
    ['invalid_auth', /SLACK_BOT_TOKEN/],
    ['token_revoked', /SLACK_BOT_TOKEN/],
    ['channel_not_found', /C0ONBOARD.*SLACK_CHANNEL_ID.*invite the bot/],
    ['not_in_channel', /C0ONBOARD.*\/invite @invite-lite/],
    ['missing_scope', /missing_scope.*reinstall the app/],
    ['is_archived', /archived/],
  ];
  for (const [error, fix] of cases) {
    it(`does not retry ${error}, and says how to fix it`, async () => {
      fake.failNext({ error, times: 1 });
      const f = await failure(slack.updateThread(status()));
      expect(f.nonRetryable).toBe(true);
      expect(f.type).toBe(`Slack.${error}`);
      expect(f.message).toMatch(fix);
    });
  }

  it('retries other errors', async () => {
    fake.failNext({ error: 'internal_error', times: 1 });
    const f = await failure(slack.updateThread(status()));
    expect(f).toMatchObject({ type: 'Slack.internal_error', nonRetryable: false });
    fake.failNext({ method: 'chat.update', error: 'fatal_error', times: 1 });
    const thread = await slack.updateThread(status());
    expect((await failure(slack.updateThread(status({ thread })))).nonRetryable).toBe(false);
  });

  it('refuses a wrong token without ever showing it', async () => {
    const secret = 'xoxb-000-secret-value';
    const wrong = activities(secret);
    const f = await failure(wrong.updateThread(status()));
    expect(f).toMatchObject({ type: 'Slack.invalid_auth', nonRetryable: true });
    expect(f.message).toContain('check SLACK_BOT_TOKEN');
    expect(`${f.message} ${JSON.stringify(f)} ${logged.join('\n')} ${JSON.stringify(fake.calls)}`).not.toContain(secret);
    const thread: ThreadRef = await slack.updateThread(status());
    await failure(wrong.postToThread({ workflowId: 'w', thread, event: event('verified', 'y') }));
    expect(logged.join('\n')).not.toContain(fake.botToken);
  });
});
