/**
 * The onboarding's Slack activities (docs/design.md §10, the thread): one root message per onboarding
 * in SLACK_CHANNEL_ID, updated in place, and a reply per event. A reply that asks people to act
 * starts with their mentions (the tech, the managers' user group or each listed manager), so that
 * Slack notifies them.
 *
 * Temporal does the retrying: the WebClient makes one attempt (`retries: 0`) and hands a 429
 * straight back (`rejectRateLimitedCalls`), and each failure becomes an ApplicationFailure — a
 * rate limit is retried after Retry-After, a failure that only a person can mend (bad token, bot
 * not in the channel, missing scope) is not retried and stalls the onboarding with the fix in its
 * reason, anything else is retried with the workflow's back-off.
 *
 * Retries must not post twice. Each message carries Slack message metadata naming the onboarding
 * (`invite_lite_onboarding` on the root, `invite_lite_onboarding_event` on replies). A retry (an
 * attempt after the first, when an earlier attempt may have posted and lost the answer) first looks
 * for its message with conversations.history / conversations.replies (`include_all_metadata`) and
 * updates or skips it instead of posting again. The bot needs `chat:write` and, for those look-ups,
 * `channels:history` (`groups:history` for a private channel).
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient, type MessageMetadata } from '@slack/web-api';
import type { SlackConfig } from '../src/config/slack';
import { jsonLog, type Log } from '../src/log';
import { countSlackFailure } from '../src/metrics/slack-failures';
import { webClientLogger } from '../src/slack/bolt-logger';
import { isSlackUserId } from '../src/slack/escape';
import { threadReply } from '../src/slack/views/thread-reply';
import { threadRoot } from '../src/slack/views/thread';
import type { OnboardingEvent, OnboardingStatus, ThreadRef } from '../workflows/types';
import type { SlackActivities } from './contracts';
import type { TechAddress, TechAddressLookup } from './mail';

export const ROOT_EVENT_TYPE = 'invite_lite_onboarding';
export const REPLY_EVENT_TYPE = 'invite_lite_onboarding_event';

export interface SlackActivityOptions {
  log?: Log;
  /** A page with the onboarding's details, linked from the root message. */
  dashboardUrl?: (workflowId: string) => string | undefined;
  /** Per request; below the activity's start-to-close timeout. */
  timeoutMs?: number;
  /** Messages per page (at most 200 is what Slack suggests) and pages a look-up reads at most. */
  lookupPageSize?: number;
  maxLookupPages?: number;
}

/** A WebClient that makes one attempt per call and leaves retrying (and waiting out 429s) to Temporal. */
export function slackWebClient(config: Pick<SlackConfig, 'botToken' | 'apiUrl'>, options: { timeoutMs?: number; log?: Log } = {}): WebClient {
  return new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 20_000,
    logger: webClientLogger(options.log ?? jsonLog),
  });
}

/** Slack errors that retrying cannot mend, with what to do about each. */
function fixFor(error: string, channel: string, data: Record<string, unknown>): string | null {
  switch (error) {
    case 'invalid_auth':
    case 'not_authed':
    case 'account_inactive':
    case 'token_revoked':
    case 'token_expired':
      return `Slack refused the bot token (${error}): check SLACK_BOT_TOKEN (the app's Bot User OAuth Token, xoxb-…) and that the app is still installed in the workspace`;
    case 'channel_not_found':
      return `Slack cannot find channel ${channel} (channel_not_found): check SLACK_CHANNEL_ID, and for a private channel invite the bot to it (/invite @invite-lite in the channel)`;
    case 'not_in_channel':
      return `The bot is not a member of channel ${channel} (not_in_channel): invite it (/invite @invite-lite in the channel)`;
    case 'is_archived':
      return `Channel ${channel} is archived (is_archived): unarchive it, or set SLACK_CHANNEL_ID to another channel`;
    case 'missing_scope': {
      const needed = typeof data.needed === 'string' ? data.needed : 'see the app manifest';
      return `The Slack app lacks a permission (missing_scope, needed: ${needed}): add the scope under OAuth & Permissions (or in the manifest) and reinstall the app`;
    }
    case 'restricted_action':
    case 'no_permission':
    case 'ekm_access_denied':
      return `Slack does not let the bot post in channel ${channel} (${error}): ask a workspace admin to allow it`;
    default:
      return null;
  }
}

/** Turns a Slack error into the Temporal failure that retries it, or not (and counts it). Never carries the token. */
export function slackFailure(error: unknown, channel: string): unknown {
  countSlackFailure(error);
  if (error instanceof WebAPIRateLimitedError) {
    return ApplicationFailure.create({
      type: 'Slack.ratelimited',
      message: `Slack rate limit: retrying after ${error.retryAfter} s`,
      nextRetryDelay: error.retryAfter * 1000,
    });
  }
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data.error);
    if (code === 'ratelimited') {
      const retryAfter = error.data.response_metadata?.retryAfter;
      return ApplicationFailure.create({
        type: 'Slack.ratelimited',
        message: 'Slack rate limit',
        nextRetryDelay: typeof retryAfter === 'number' ? retryAfter * 1000 : undefined,
      });
    }
    const fix = fixFor(code, channel, error.data as unknown as Record<string, unknown>);
    if (fix) return ApplicationFailure.create({ type: `Slack.${code}`, message: fix, nonRetryable: true });
    return ApplicationFailure.create({ type: `Slack.${code}`, message: `Slack answered ${code}` });
  }
  if (error instanceof WebAPIRequestError) {
    return ApplicationFailure.create({ type: 'Slack.request', message: `Slack could not be reached: ${error.original.message}` });
  }
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('slack_')) {
    return ApplicationFailure.create({ type: 'Slack.http', message: error.message });
  }
  return error;
}

function platformError(error: unknown): string | null {
  return error instanceof WebAPIPlatformError ? String(error.data.error) : null;
}

/** The attempt number of the running activity (1 outside an activity). */
function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

const SLACK_TS = /^\d+\.\d+$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/** A thread this service can use: a real Slack message (not the logging activities' placeholder). */
function usable(thread: ThreadRef | null): thread is ThreadRef {
  return !!thread && CHANNEL_ID.test(thread.channel) && SLACK_TS.test(thread.ts);
}

/** Slack errors that may pass: a look-up that meets one is tried again (by Temporal) a few times. */
const PASSING_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export interface TechAddressOptions {
  log?: Log;
  /** Per request; the look-up runs inside the mail activity, before the message is sent. */
  timeoutMs?: number;
  /** Attempts of the mail activity during which a passing Slack failure is retried; after them the copy goes to the sender. */
  attempts?: number;
}

/**
 * A tech's own mail address from their Slack profile (users.info → user.profile.email), for the copy
 * of the access instructions. Needs the bot scopes `users:read` and `users:read.email` (without the
 * latter Slack leaves the email out of the profile). An address that cannot be had (no email in the
 * profile, a deactivated user, a refused request) is answered with the reason; a failure that may
 * pass (rate limit, Slack unreachable) throws a retryable failure for the first `attempts` attempts.
 */
export function slackTechAddress(config: Pick<SlackConfig, 'botToken' | 'apiUrl'>, options: TechAddressOptions = {}): TechAddressLookup {
  const client = slackWebClient(config, { timeoutMs: options.timeoutMs ?? 10_000, log: options.log });
  const attempts = options.attempts ?? 3;
  return async (userId: string): Promise<TechAddress> => {
    if (!isSlackUserId(userId)) {
      return { address: null, reason: `the onboarding was not started by a Slack user (requested by ${JSON.stringify(userId)})` };
    }
    let user: { deleted?: boolean; real_name?: string; profile?: { email?: string; real_name?: string } } | undefined;
    try {
      ({ user } = await client.users.info({ user: userId }));
    } catch (error) {
      const code = platformError(error);
      const passing = code === null || PASSING_ERRORS.has(code);
      const failure = slackFailure(error, userId);
      if (passing && attempt() < attempts) throw failure;
      const why = error instanceof WebAPIRateLimitedError ? 'rate limited by Slack' : failure instanceof Error ? failure.message : String(error);
      return { address: null, reason: `Slack's users.info failed for ${userId}${passing ? ` (attempt ${attempt()})` : ''}: ${why}` };
    }
    const email = user?.profile?.email?.trim() ?? '';
    if (user?.deleted) return { address: null, reason: `the Slack user ${userId} is deactivated` };
    if (!email) {
      return { address: null, reason: `the Slack profile of ${userId} shows no email address (the app needs the users:read.email scope)` };
    }
    if (!EMAIL.test(email)) return { address: null, reason: `the Slack profile of ${userId} has no usable email address` };
    const name = (user?.profile?.real_name || user?.real_name || '').replace(/[\r\n]+/g, ' ').trim();
    return { address: { name, address: email } };
  };
}

type HistoryMessage = { ts?: string; thread_ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } };

export function createSlackActivities(
  config: Pick<SlackConfig, 'botToken' | 'apiUrl' | 'channelId'> & Partial<Pick<SlackConfig, 'managerUsergroupId' | 'managerUserIds'>>,
  options: SlackActivityOptions = {},
): SlackActivities {
  const log = options.log ?? jsonLog;
  /** Who a reply that asks the managers mentions: their user group's handle, else each listed manager. */
  const managers = { usergroupId: config.managerUsergroupId ?? null, userIds: config.managerUserIds ?? [] };
  const pageSize = options.lookupPageSize ?? 200;
  const maxPages = options.maxLookupPages ?? 20;
  const client = slackWebClient(config, { timeoutMs: options.timeoutMs, log });
  const channel = config.channelId;

  async function call<T>(where: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw slackFailure(error, where);
    }
  }

  /**
   * The pages of a message look-up, through the WebClient's cursor paging: at most `maxPages` of
   * them, and none after a page that says it is the last (`has_more: false`). Raw Slack errors.
   */
  async function* pages(method: 'conversations.history' | 'conversations.replies', request: Record<string, unknown>): AsyncGenerator<{ messages: HistoryMessage[] }> {
    let read = 0;
    for await (const result of client.paginate(method, request)) {
      const answer = result as { messages?: HistoryMessage[]; has_more?: boolean };
      yield { messages: answer.messages ?? [] };
      if (++read >= maxPages || !answer.has_more) return;
    }
  }

  /** The onboarding's root message in the channel, posted by an earlier attempt; null when none. Raw Slack errors. */
  async function findRoot(workflowId: string, startedAt: string): Promise<ThreadRef | null> {
    // The root is posted after the onboarding starts; a margin covers clocks that disagree.
    const started = Date.parse(startedAt);
    const oldest = Number.isNaN(started) ? undefined : String(Math.max(0, Math.floor(started / 1000) - 600));
    let found: ThreadRef | null = null;
    const request = { channel, include_all_metadata: true, limit: pageSize, ...(oldest ? { oldest, inclusive: true } : {}) };
    for await (const answer of pages('conversations.history', request)) {
      for (const m of answer.messages) {
        // Newest first: the last match is the oldest, the one to keep.
        if (m.ts && m.metadata?.event_type === ROOT_EVENT_TYPE && m.metadata.event_payload?.workflowId === workflowId) {
          found = { channel, ts: m.ts };
        }
      }
    }
    return found;
  }

  /** Whether a reply with this key is already in the thread (posted by an earlier attempt). Raw Slack errors. */
  async function replyPosted(thread: ThreadRef, key: Record<string, string>): Promise<boolean> {
    const request = { channel: thread.channel, ts: thread.ts, include_all_metadata: true, limit: pageSize };
    for await (const answer of pages('conversations.replies', request)) {
      const hit = answer.messages.some((m) => {
        const payload = m.metadata?.event_payload;
        return m.metadata?.event_type === REPLY_EVENT_TYPE && !!payload && Object.entries(key).every(([k, v]) => payload[k] === v);
      });
      if (hit) return true;
    }
    return false;
  }

  async function updateThread(status: OnboardingStatus): Promise<ThreadRef> {
    const { workflowId } = status;
    const view = threadRoot(status, { dashboardUrl: options.dashboardUrl?.(workflowId) });
    const metadata: MessageMetadata = { event_type: ROOT_EVENT_TYPE, event_payload: { workflowId } };
    const message = { text: view.text, blocks: view.blocks, metadata, unfurl_links: false, unfurl_media: false };

    const update = async (thread: ThreadRef) => {
      await client.chat.update({ channel: thread.channel, ts: thread.ts, ...message });
      log('slack.thread.updated', { workflowId, stage: status.stage, channel: thread.channel, ts: thread.ts });
      return thread;
    };

    let lost = false;
    if (usable(status.thread)) {
      const thread = status.thread;
      try {
        return await update(thread);
      } catch (error) {
        // Someone deleted the root: the onboarding gets a new one (found below if a retry posted it).
        if (platformError(error) !== 'message_not_found') throw slackFailure(error, thread.channel);
        log('slack.thread.lost', { workflowId, channel: thread.channel, ts: thread.ts });
        lost = true;
      }
    }

    if (attempt() > 1 || lost) {
      const found = await call(channel, () => findRoot(workflowId, status.startedAt));
      if (found) return call(channel, () => update(found));
    }
    const posted = await call(channel, () => client.chat.postMessage({ channel, ...message }));
    const thread = { channel: posted.channel ?? channel, ts: posted.ts! };
    log('slack.thread.posted', { workflowId, stage: status.stage, channel: thread.channel, ts: thread.ts });
    return thread;
  }

  async function postToThread({ workflowId, thread, event }: { workflowId: string; thread: ThreadRef; event: OnboardingEvent }): Promise<void> {
    if (!usable(thread)) {
      // The thread was kept by the logging activities (Slack was configured later): the next
      // update posts a root; this event stays in the onboarding's status.
      log('slack.reply.skipped', { workflowId, type: event.type, reason: 'the onboarding has no Slack thread yet' });
      return;
    }
    const key = {
      workflowId,
      type: event.type,
      at: event.at,
      digest: createHash('sha256').update(event.text).digest('hex').slice(0, 16),
    };
    try {
      if (attempt() > 1 && (await replyPosted(thread, key))) {
        log('slack.reply.already-posted', { workflowId, type: event.type, ts: thread.ts });
        return;
      }
      const reply = threadReply(event, { managers });
      const posted = await client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.ts,
        text: reply.text,
        ...(reply.blocks ? { blocks: reply.blocks } : {}),
        metadata: { event_type: REPLY_EVENT_TYPE, event_payload: key },
        unfurl_links: false,
        unfurl_media: false,
      });
      log('slack.reply.posted', {
        workflowId,
        type: event.type,
        channel: thread.channel,
        thread: thread.ts,
        ts: posted.ts,
        ...(event.mention ? { mention: event.mention } : {}),
      });
    } catch (error) {
      const code = platformError(error);
      if (code === 'thread_not_found' || code === 'message_not_found') {
        // Someone deleted the root: the reply is not worth holding the onboarding up; the next
        // update of the root posts a new one, and the event stays in the onboarding's status.
        log('slack.reply.skipped', { workflowId, type: event.type, reason: `the thread's root message is gone (${code})` });
        return;
      }
      throw slackFailure(error, thread.channel);
    }
  }

  return { updateThread, postToThread };
}
