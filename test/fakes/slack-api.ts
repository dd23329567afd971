/**
 * A fake Slack Web API for tests, on loopback over node:http, speaking Slack's wire format so that
 * @slack/web-api's WebClient (and so Bolt's `client`) works against it as against slack.com.
 *
 * Wire format
 * - `POST {url}{method}` (also GET with a query string). Bodies are form-encoded (as WebClient sends
 *   them, objects such as `blocks`, `view` or `metadata` as JSON strings) or JSON
 *   (`Content-Type: application/json`, which needs the token in the Authorization header).
 * - The token is `Authorization: Bearer xoxb-…` or a `token` field. None → `not_authed`; another
 *   → `invalid_auth`.
 * - Answers: HTTP 200 `{ok: true, …}` or `{ok: false, error}`; HTTP 429 with `Retry-After`
 *   (seconds) and `{ok: false, error: 'ratelimited'}` when rate limited; `unknown_method` for a
 *   method this fake does not implement.
 * - Blocks are checked lightly: an array of objects with a string `type` (else `invalid_blocks`),
 *   at most 50 in a message and 100 in a view; message text at most 40,000 characters
 *   (`msg_too_long`); a message needs `text` or `blocks` (`no_text`).
 * - Channels: any ID of the form C…/G…/D… exists (the bot is a member); a user ID U…/W… to
 *   chat.postMessage opens a DM (channel D…); anything else → `channel_not_found`. chat.update with
 *   a user ID → `cant_update_message`; an unknown ts → `message_not_found`.
 * - trigger_ids come from `issueTriggerId()`: valid for 3 s and one use (views.open / views.push);
 *   used or expired → `expired_trigger_id`, never issued → `invalid_trigger_id`.
 * - `responseUrl()` URLs accept 5 POSTs within 30 minutes (then HTTP 404 `used_url` / `expired_url`).
 *
 * Methods: auth.test, chat.postMessage, chat.update, chat.postEphemeral, chat.getPermalink,
 * views.open, views.update, views.push, views.publish, users.info (a user object whose profile has
 * the email only with the users:read.email scope, see `scopes`), usergroups.users.list,
 * conversations.info, conversations.history, conversations.replies (with message metadata when
 * `include_all_metadata` is set), conversations.open (a user's DM, `D…` as chat.postMessage opens
 * it; needs `im:write`), and the file upload of files.getUploadURLExternal (needs `files:write`;
 * answers an `upload_url` on this server and a file ID), a POST of the bytes to that URL (HTTP 200
 * `OK - <length>`; an unknown or used URL 404), then files.completeUploadExternal (`files` as JSON,
 * `channel_id`; an unknown file ID, or one whose bytes never came, → `file_not_found`).
 *
 * Test controls: `calls` (every call with its parsed arguments, never the token), `messages()`,
 * `files()` (the uploads completed, with their bytes and where they were shared),
 * `views`, `failNext` (injected errors, 429s, or a lost response: the call takes effect, then the
 * connection is dropped without an answer), `failFor` (the same for every matching call during a
 * time window: an outage), `slow` (a method answered late), `reset`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlackUser {
  id: string;
  name: string;
  realName?: string;
  /** In `profile.email` (only with the users:read.email scope, as on Slack). */
  email?: string;
  tz?: string;
  /** A deactivated account. */
  deleted?: boolean;
}

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  time: number;
  ok: boolean;
  error?: string;
}

export interface FakeSlackMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** How many times chat.update changed it. */
  edited?: number;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** The bot user that posted it. */
  user: string;
}

/** A file uploaded and completed (files.completeUploadExternal), as a test reads it. */
export interface FakeSlackFile {
  id: string;
  filename: string;
  title: string;
  bytes: Buffer;
  /** Where it was shared (`channel_id`); null: private to the app. */
  channel: string | null;
  initialComment: string | null;
}

export interface FailRule {
  /** Only calls of this method (any method when unset, 'response_url' for response URLs). */
  method?: string;
  times: number;
  /** The `error` of an `{ok: false}` answer, e.g. 'invalid_auth', 'channel_not_found'. */
  error?: string;
  /** Answer HTTP 429 with this Retry-After. */
  rateLimited?: { retryAfterSeconds: number };
  /** Carry the call out, then drop the connection without answering (a response lost on the way). */
  dropResponse?: boolean;
}

export interface FakeSlack {
  /** Web API base for SLACK_API_URL / Bolt's clientOptions.slackApiUrl, ending in '/api/'. */
  url: string;
  botToken: string;
  /** The bot's user and bot IDs (auth.test answers them). */
  botUserId: string;
  botId: string;
  teamId: string;
  calls: SlackCall[];
  callsOf(method: string): SlackCall[];
  /** The channel's messages as they are now (top-level and replies), oldest first. */
  messages(channel: string): FakeSlackMessage[];
  /** The files uploaded and completed, oldest first. */
  files(): FakeSlackFile[];
  views: { opened: unknown[]; published: Record<string, unknown>; byId: Record<string, unknown> };
  /** A trigger_id valid for 3 s, usable once. */
  issueTriggerId(): string;
  /** A URL on this server that accepts response_url POSTs (recorded as calls with method 'response_url'); 5 uses max. */
  responseUrl(): string;
  failNext(rule: FailRule): void;
  /** Every matching call in the next `ms` fails as the rule says (after any `failNext` rule it matches). */
  failFor(ms: number, rule: Omit<FailRule, 'times'>): void;
  /** Every call of `method` is answered `ms` later (until reset), e.g. a slow usergroups.users.list. */
  slow(method: string, ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeSlackOptions {
  botToken?: string;
  users?: FakeSlackUser[];
  /**
   * The bot's scopes, where they change an answer (default: every scope the app's manifest asks
   * for): users.info needs `users:read` (else `missing_scope`), and shows `profile.email` only
   * with `users:read.email`.
   */
  scopes?: string[];
  usergroups?: Record<string, string[]>;
  plan?: 'free' | 'paid';
}

export const DEFAULT_BOT_TOKEN = 'xoxb-test-token';
const TEAM_ID = 'T0FAKE001';
const BOT_USER_ID = 'U0BOT0001';
const BOT_ID = 'B0BOT0001';
const TRIGGER_LIFE_MS = 3_000;
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_LIFE_MS = 30 * 60_000;
const MAX_TEXT = 40_000;
const MAX_MESSAGE_BLOCKS = 50;
const MAX_VIEW_BLOCKS = 100;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Arguments that WebClient sends as JSON strings. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks', 'files']);

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** An error answer: `{ok: false, error}` plus optional extra fields (e.g. `needed` for missing_scope). */
class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

function fail(error: string, extra?: Record<string, unknown>): never {
  throw new SlackApiError(error, extra);
}

function str(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function required(args: Record<string, unknown>, key: string): string {
  return str(args, key) ?? fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${key}`] } });
}

function bool(args: Record<string, unknown>, key: string): boolean {
  const value = args[key];
  return value === true || value === 'true' || value === '1' || value === 1;
}

function checkBlocks(blocks: unknown, max: number): unknown[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) fail('invalid_blocks_format');
  if (blocks.length > max) fail('invalid_blocks', { response_metadata: { messages: [`[ERROR] no more than ${max} items allowed [json-pointer:/blocks]`] } });
  blocks.forEach((block, i) => {
    if (typeof block !== 'object' || block === null || typeof (block as { type?: unknown }).type !== 'string') {
      fail('invalid_blocks', { response_metadata: { messages: [`[ERROR] missing required field: type [json-pointer:/blocks/${i}]`] } });
    }
  });
  return blocks;
}

function checkMetadata(metadata: unknown): FakeSlackMessage['metadata'] | undefined {
  if (metadata === undefined) return undefined;
  const m = metadata as { event_type?: unknown; event_payload?: unknown };
  if (typeof m !== 'object' || m === null || typeof m.event_type !== 'string' || typeof m.event_payload !== 'object' || m.event_payload === null) {
    fail('invalid_metadata_format');
  }
  return { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
}

function checkText(args: Record<string, unknown>, blocks: unknown[]): string {
  const text = str(args, 'text') ?? '';
  if (text.length > MAX_TEXT) fail('msg_too_long');
  if (!text && blocks.length === 0) fail('no_text');
  return text;
}

function checkView(view: unknown): Record<string, unknown> {
  if (typeof view !== 'object' || view === null) fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
  const v = view as Record<string, unknown>;
  if (v.type !== 'modal' && v.type !== 'home') {
    fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] must be one of modal, home [json-pointer:/view/type]'] } });
  }
  if (v.type === 'modal') {
    const title = (v.title as { text?: unknown } | undefined)?.text;
    if (typeof title !== 'string' || title.length === 0 || title.length > 24) {
      fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] } });
    }
  }
  checkBlocks(v.blocks ?? [], MAX_VIEW_BLOCKS);
  return v;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? DEFAULT_BOT_TOKEN;
  const users = new Map((options.users ?? []).map((u) => [u.id, u]));
  const usergroups = options.usergroups ?? {};
  const plan = options.plan ?? 'paid';
  const scopes = new Set(
    options.scopes ?? ['commands', 'chat:write', 'channels:history', 'groups:history', 'usergroups:read', 'users:read', 'users:read.email', 'im:write', 'files:write'],
  );
  const needScope = (scope: string) => {
    if (!scopes.has(scope)) fail('missing_scope', { needed: scope, provided: [...scopes].join(',') });
  };
  /** Uploads by file ID: announced by getUploadURLExternal, their bytes once POSTed, completed once. */
  let uploads = new Map<string, { filename: string; length: number; urlId: string; bytes: Buffer | null; completed: boolean }>();
  let files: FakeSlackFile[] = [];
  let fileCounter = 0;

  const calls: SlackCall[] = [];
  let rules: FailRule[] = [];
  let windows: Array<FailRule & { until: number }> = [];
  let messages: FakeSlackMessage[] = [];
  const views: FakeSlack['views'] = { opened: [], published: {}, byId: {} };
  let triggers = new Map<string, { issuedAt: number; used: boolean }>();
  let responseUrls = new Map<string, { issuedAt: number; uses: number }>();
  let lastTs = 0;
  let viewCounter = 0;

  /** Strictly increasing message timestamps, as Slack's are within a channel. */
  function nextTs(): string {
    const micros = Math.max(Date.now() * 1000, lastTs + 1);
    lastTs = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  function findMessage(channel: string, ts: string): FakeSlackMessage | undefined {
    return messages.find((m) => m.channel === channel && m.ts === ts);
  }

  function messageJson(m: FakeSlackMessage, withMetadata: boolean) {
    return {
      type: 'message',
      user: m.user,
      bot_id: BOT_ID,
      app_id: 'A0FAKE001',
      text: m.text,
      blocks: m.blocks,
      ts: m.ts,
      team: TEAM_ID,
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      ...(m.edited ? { edited: { user: m.user, ts: m.ts } } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  function viewJson(view: Record<string, unknown>, id: string, extra: Record<string, unknown> = {}) {
    return {
      id,
      team_id: TEAM_ID,
      state: { values: {} },
      hash: `${Date.now()}.${randomBytes(4).toString('hex')}`,
      private_metadata: '',
      callback_id: '',
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
      root_view_id: id,
      previous_view_id: null,
      app_id: 'A0FAKE001',
      bot_id: BOT_ID,
      ...view,
      ...extra,
    };
  }

  function useTrigger(triggerId: string | undefined) {
    if (!triggerId) fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
    const trigger = triggers.get(triggerId);
    if (!trigger) fail('invalid_trigger_id');
    if (trigger.used || Date.now() - trigger.issuedAt > TRIGGER_LIFE_MS) fail('expired_trigger_id');
    trigger.used = true;
  }

  /** A user object as users.info answers it (the fields Slack documents, trimmed of images). */
  function userJson(u: FakeSlackUser) {
    const realName = u.realName ?? u.name;
    const [first = '', ...rest] = realName.split(' ');
    return {
      id: u.id,
      team_id: TEAM_ID,
      name: u.name,
      deleted: u.deleted ?? false,
      color: '9f69e7',
      real_name: realName,
      tz: u.tz ?? 'Europe/London',
      tz_label: 'Greenwich Mean Time',
      tz_offset: 0,
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: false,
      is_app_user: false,
      updated: 1_700_000_000,
      is_email_confirmed: true,
      profile: {
        title: '',
        phone: '',
        skype: '',
        real_name: realName,
        real_name_normalized: realName.normalize('NFD').replace(/[\u0300-\u036f]/g, ''),
        display_name: u.name,
        display_name_normalized: u.name,
        first_name: first,
        last_name: rest.join(' '),
        status_text: '',
        status_emoji: '',
        avatar_hash: 'g0fake0avatar',
        team: TEAM_ID,
        ...(u.email && scopes.has('users:read.email') ? { email: u.email } : {}),
      },
    };
  }

  const methods: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({ url: 'https://fake-team.slack.com/', team: 'Fake Team', user: 'invite-lite', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID }),

    'chat.postMessage': (args) => {
      let channel = required(args, 'channel');
      if (USER_ID.test(channel)) channel = `D${channel.slice(1)}`;
      else if (!CHANNEL_ID.test(channel)) fail('channel_not_found');
      const blocks = checkBlocks(args.blocks, MAX_MESSAGE_BLOCKS);
      const text = checkText(args, blocks);
      const metadata = checkMetadata(args.metadata);
      const threadTs = str(args, 'thread_ts');
      if (threadTs) {
        const parent = findMessage(channel, threadTs);
        if (!parent) fail('thread_not_found');
      }
      const message: FakeSlackMessage = { ts: nextTs(), channel, text, blocks, user: BOT_USER_ID, ...(threadTs ? { threadTs } : {}), ...(metadata ? { metadata } : {}) };
      messages.push(message);
      return { channel, ts: message.ts, message: messageJson(message, false) };
    },

    'chat.update': (args) => {
      const channel = required(args, 'channel');
      const ts = required(args, 'ts');
      if (USER_ID.test(channel)) fail('cant_update_message');
      if (!CHANNEL_ID.test(channel)) fail('channel_not_found');
      const message = findMessage(channel, ts) ?? fail('message_not_found');
      const blocks = args.blocks === undefined ? message.blocks : checkBlocks(args.blocks, MAX_MESSAGE_BLOCKS);
      const text = args.text === undefined ? message.text : checkText(args, blocks);
      if (!text && blocks.length === 0) fail('no_text');
      // As Slack does: metadata left out stays as it was.
      const metadata = args.metadata === undefined ? message.metadata : checkMetadata(args.metadata);
      message.text = text;
      message.blocks = blocks;
      if (metadata) message.metadata = metadata;
      message.edited = (message.edited ?? 0) + 1;
      return { channel, ts, text, message: messageJson(message, false) };
    },

    'chat.postEphemeral': (args) => {
      const channel = required(args, 'channel');
      const user = required(args, 'user');
      if (!CHANNEL_ID.test(channel)) fail('channel_not_found');
      if (!USER_ID.test(user)) fail('user_not_found');
      const blocks = checkBlocks(args.blocks, MAX_MESSAGE_BLOCKS);
      checkText(args, blocks);
      return { message_ts: nextTs() };
    },

    'chat.getPermalink': (args) => {
      const channel = required(args, 'channel');
      const ts = required(args, 'message_ts');
      if (!CHANNEL_ID.test(channel)) fail('channel_not_found');
      const message = findMessage(channel, ts) ?? fail('message_not_found');
      const thread = message.threadTs ? `?thread_ts=${message.threadTs}&cid=${channel}` : '';
      return { channel, permalink: `https://fake-team.slack.com/archives/${channel}/p${ts.replace('.', '')}${thread}` };
    },

    'views.open': (args) => {
      const view = checkView(args.view);
      useTrigger(str(args, 'trigger_id'));
      const id = `V${String(++viewCounter).padStart(8, '0')}`;
      const opened = viewJson(view, id);
      views.opened.push(opened);
      views.byId[id] = opened;
      return { view: opened };
    },

    'views.push': (args) => {
      const view = checkView(args.view);
      useTrigger(str(args, 'trigger_id'));
      const id = `V${String(++viewCounter).padStart(8, '0')}`;
      const pushed = viewJson(view, id);
      views.byId[id] = pushed;
      return { view: pushed };
    },

    'views.update': (args) => {
      const view = checkView(args.view);
      const viewId = str(args, 'view_id');
      const externalId = str(args, 'external_id');
      if (!viewId && !externalId) fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] view_id or external_id is required'] } });
      const entry = viewId
        ? (views.byId[viewId] as Record<string, unknown> | undefined)
        : (Object.values(views.byId) as Record<string, unknown>[]).find((v) => v.external_id === externalId);
      if (!entry) fail('not_found');
      const hash = str(args, 'hash');
      if (hash && hash !== entry.hash) fail('hash_conflict');
      const id = entry.id as string;
      const updated = viewJson(view, id, { root_view_id: entry.root_view_id, previous_view_id: entry.previous_view_id });
      views.byId[id] = updated;
      const opened = views.opened.findIndex((v) => (v as { id: string }).id === id);
      if (opened >= 0) views.opened[opened] = updated;
      for (const [user, published] of Object.entries(views.published)) {
        if ((published as { id: string }).id === id) views.published[user] = updated;
      }
      return { view: updated };
    },

    'views.publish': (args) => {
      const userId = required(args, 'user_id');
      if (!USER_ID.test(userId)) fail('user_not_found');
      const view = checkView(args.view);
      if (view.type !== 'home') fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] must be home [json-pointer:/view/type]'] } });
      const existing = views.published[userId] as { id: string } | undefined;
      const id = existing?.id ?? `V${String(++viewCounter).padStart(8, '0')}`;
      const published = viewJson(view, id);
      views.published[userId] = published;
      views.byId[id] = published;
      return { view: published };
    },

    'users.info': (args) => {
      if (!scopes.has('users:read')) fail('missing_scope', { needed: 'users:read', provided: [...scopes].join(',') });
      const id = required(args, 'user');
      if (id === BOT_USER_ID) return { user: { ...userJson({ id, name: 'invite-lite' }), is_bot: true } };
      const user = users.get(id) ?? fail('user_not_found');
      return { user: userJson(user) };
    },

    'usergroups.users.list': (args) => {
      const id = required(args, 'usergroup');
      if (plan === 'free') fail('plan_upgrade_required');
      const members = usergroups[id] ?? fail('no_such_subteam');
      return { users: [...members] };
    },

    'conversations.info': (args) => {
      const id = required(args, 'channel');
      if (!CHANNEL_ID.test(id)) fail('channel_not_found');
      return {
        channel: {
          id,
          name: id.toLowerCase(),
          is_channel: id.startsWith('C'),
          is_group: id.startsWith('G'),
          is_im: id.startsWith('D'),
          is_private: !id.startsWith('C'),
          is_archived: false,
          is_member: true,
          created: 1_600_000_000,
        },
      };
    },

    'conversations.history': (args) => {
      const channel = required(args, 'channel');
      if (!CHANNEL_ID.test(channel)) fail('channel_not_found');
      const inclusive = bool(args, 'inclusive');
      const oldest = Number(str(args, 'oldest') ?? 0);
      const latest = Number(str(args, 'latest') ?? Infinity);
      const list = messages
        .filter((m) => m.channel === channel && (!m.threadTs || m.threadTs === m.ts))
        .filter((m) => {
          const t = Number(m.ts);
          return (inclusive ? t >= oldest : t > oldest) && (inclusive ? t <= latest : t < latest);
        })
        .reverse(); // newest first, as Slack answers
      return page(list, args, bool(args, 'include_all_metadata'));
    },

    'conversations.open': (args) => {
      needScope('im:write');
      const users = (str(args, 'users') ?? '').split(',').filter(Boolean);
      if (users.length === 0) fail('users_list_not_supplied');
      // One user: the DM with the bot (the ID chat.postMessage gives it); group DMs are not faked.
      if (users.length > 1) fail('not_implemented');
      if (!USER_ID.test(users[0]!)) fail('user_not_found');
      return { channel: { id: `D${users[0]!.slice(1)}` } };
    },

    'files.getUploadURLExternal': (args) => {
      needScope('files:write');
      const filename = required(args, 'filename');
      const length = Number(required(args, 'length'));
      if (!Number.isInteger(length) || length < 1) fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] length must be a positive integer'] } });
      const id = `F${String(++fileCounter).padStart(8, '0')}`;
      const urlId = randomBytes(12).toString('hex');
      uploads.set(id, { filename, length, urlId, bytes: null, completed: false });
      return { upload_url: `${base}/upload/v1/${urlId}`, file_id: id };
    },

    'files.completeUploadExternal': (args) => {
      needScope('files:write');
      const list = args.files;
      if (!Array.isArray(list) || list.length === 0) fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: files'] } });
      const channel = str(args, 'channel_id') ?? null;
      if (channel !== null && !CHANNEL_ID.test(channel)) fail('channel_not_found');
      const done = (list as Array<{ id?: unknown; title?: unknown }>).map((f) => {
        const upload = typeof f.id === 'string' ? uploads.get(f.id) : undefined;
        if (!upload?.bytes || upload.completed) fail('file_not_found');
        return { id: f.id as string, title: typeof f.title === 'string' ? f.title : upload.filename, upload };
      });
      const completed = done.map(({ id, title, upload }) => {
        upload.completed = true;
        const file: FakeSlackFile = { id, filename: upload.filename, title, bytes: upload.bytes!, channel, initialComment: str(args, 'initial_comment') ?? null };
        files.push(file);
        return { id, name: upload.filename, title, size: upload.bytes!.length, mimetype: 'text/csv', channels: channel ? [channel] : [] };
      });
      return { files: completed };
    },

    'conversations.replies': (args) => {
      const channel = required(args, 'channel');
      const ts = required(args, 'ts');
      if (!CHANNEL_ID.test(channel)) fail('channel_not_found');
      const parent = findMessage(channel, ts) ?? fail('thread_not_found');
      const list = [parent, ...messages.filter((m) => m.channel === channel && m.threadTs === ts && m.ts !== ts)];
      return page(list, args, bool(args, 'include_all_metadata'));
    },
  };

  /** Cursor paging as Slack does it: `limit`, `cursor`, `has_more`, `response_metadata.next_cursor`. */
  function page(list: FakeSlackMessage[], args: Record<string, unknown>, withMetadata: boolean) {
    const limit = Math.min(Math.max(Number(str(args, 'limit') ?? 100) || 100, 1), 999);
    const cursor = str(args, 'cursor');
    const start = cursor
      ? Number(
          Buffer.from(cursor, 'base64')
            .toString('utf8')
            .replace(/^offset:/, ''),
        )
      : 0;
    if (!Number.isInteger(start) || start < 0) fail('invalid_cursor');
    const slice = list.slice(start, start + limit);
    const more = start + limit < list.length;
    return {
      messages: slice.map((m) => messageJson(m, withMetadata)),
      has_more: more,
      response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
    };
  }

  function takeRule(method: string): FailRule | undefined {
    const rule = rules.find((r) => r.times > 0 && (r.method === undefined || r.method === method));
    if (!rule) {
      const now = Date.now();
      return windows.find((w) => now < w.until && (w.method === undefined || w.method === method));
    }
    rule.times -= 1;
    rules = rules.filter((r) => r.times > 0);
    return rule;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new SlackApiError('request_too_large');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** The call's arguments and token, from the query, a form or a JSON body. */
  function parseArgs(req: IncomingMessage, url: URL, raw: string): { args: Record<string, unknown>; token: string | undefined } {
    const args: Record<string, unknown> = {};
    for (const [key, value] of url.searchParams) args[key] = value;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let bodyToken: string | undefined;
    if (type === 'application/json') {
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        throw new SlackApiError('invalid_json');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SlackApiError('invalid_json');
      // A JSON body's token field is ignored: JSON requests must authenticate with the header.
      const { token: _ignored, ...rest } = body as Record<string, unknown>;
      Object.assign(args, rest);
    } else if (raw) {
      for (const [key, value] of new URLSearchParams(raw)) args[key] = value;
      bodyToken = typeof args.token === 'string' ? args.token : undefined;
    }
    if (typeof args.token === 'string') bodyToken ??= args.token;
    delete args.token;
    for (const key of Object.keys(args)) {
      const value = args[key];
      if (JSON_FIELDS.has(key) && typeof value === 'string') {
        try {
          args[key] = JSON.parse(value);
        } catch {
          // Left as the string: the method's checks answer for it.
        }
      }
    }
    const header = req.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    return { args, token: bearer ?? bodyToken };
  }

  function record(method: string, args: Record<string, unknown>, ok: boolean, error?: string) {
    calls.push({ method, args, time: Date.now(), ok, ...(error ? { error } : {}) });
  }

  async function handleResponseUrl(req: IncomingMessage, res: ServerResponse, id: string) {
    const raw = await readBody(req);
    let args: Record<string, unknown> = {};
    try {
      args = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      for (const [key, value] of new URLSearchParams(raw)) args[key] = value;
    }
    const entry = responseUrls.get(id);
    const rule = takeRule('response_url');
    if (rule?.dropResponse) {
      record('response_url', args, true);
      req.socket.destroy();
      return;
    }
    if (rule) {
      const error = rule.rateLimited ? 'ratelimited' : (rule.error ?? 'internal_error');
      record('response_url', args, false, error);
      if (rule.rateLimited) return send(res, 429, { ok: false, error }, { 'retry-after': String(rule.rateLimited.retryAfterSeconds) });
      return send(res, 200, { ok: false, error });
    }
    const error = !entry ? 'invalid_url' : Date.now() - entry.issuedAt > RESPONSE_URL_LIFE_MS ? 'expired_url' : entry.uses >= RESPONSE_URL_USES ? 'used_url' : null;
    if (error) {
      record('response_url', args, false, error);
      return send(res, 404, { ok: false, error });
    }
    entry!.uses += 1;
    record('response_url', args, true);
    send(res, 200, { ok: true });
  }

  /** The bytes of an upload, POSTed to the URL files.getUploadURLExternal gave (no token needed, as on Slack). */
  async function handleUpload(req: IncomingMessage, res: ServerResponse, urlId: string) {
    const entry = [...uploads.entries()].find(([, u]) => u.urlId === urlId);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    record('upload', { fileId: entry?.[0] ?? null, length: bytes.length }, !!entry && !entry[1].bytes);
    if (!entry || entry[1].bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('Not Found');
    }
    entry[1].bytes = bytes;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${bytes.length}`);
  }

  /** Delays by method (see FakeSlack.slow). */
  const slowness = new Map<string, number>();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake-slack');
    const uploadMatch = url.pathname.match(/^\/upload\/v1\/([a-f0-9]+)$/);
    if (uploadMatch) {
      if (req.method !== 'POST') return send(res, 405, { ok: false, error: 'method_not_allowed' });
      return handleUpload(req, res, uploadMatch[1]!);
    }
    const responseMatch = url.pathname.match(/^\/response\/([A-Za-z0-9]+)$/);
    if (responseMatch) {
      if (req.method !== 'POST') return send(res, 405, { ok: false, error: 'method_not_allowed' });
      return handleResponseUrl(req, res, responseMatch[1]!);
    }
    const apiMatch = url.pathname.match(/^\/api\/([A-Za-z0-9._]+)$/);
    if (!apiMatch || (req.method !== 'POST' && req.method !== 'GET')) return send(res, 404, { ok: false, error: 'unknown_method' });
    const method = apiMatch[1]!;

    let parsed: { args: Record<string, unknown>; token: string | undefined };
    try {
      parsed = parseArgs(req, url, await readBody(req));
    } catch (error) {
      const code = error instanceof SlackApiError ? error.error : 'invalid_form_data';
      record(method, {}, false, code);
      return send(res, 200, { ok: false, error: code });
    }
    const { args, token } = parsed;
    const delay = slowness.get(method);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));

    const rule = takeRule(method);
    if (rule?.rateLimited) {
      record(method, args, false, 'ratelimited');
      return send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(rule.rateLimited.retryAfterSeconds) });
    }
    if (rule && !rule.dropResponse) {
      const error = rule.error ?? 'internal_error';
      record(method, args, false, error);
      return send(res, 200, { ok: false, error });
    }

    let answer: { status: number; body: Record<string, unknown> };
    const implementation = methods[method];
    if (!token) answer = { status: 200, body: { ok: false, error: 'not_authed' } };
    else if (token !== botToken) answer = { status: 200, body: { ok: false, error: 'invalid_auth' } };
    else if (!implementation) answer = { status: 200, body: { ok: false, error: 'unknown_method' } };
    else {
      try {
        answer = { status: 200, body: { ok: true, ...implementation(args) } };
      } catch (error) {
        if (!(error instanceof SlackApiError)) throw error;
        answer = { status: 200, body: { ok: false, error: error.error, ...error.extra } };
      }
    }
    const ok = answer.body.ok === true;
    record(method, args, ok, ok ? undefined : String(answer.body.error));
    if (rule?.dropResponse) {
      req.socket.destroy();
      return;
    }
    send(res, answer.status, answer.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: 'fake_slack_error', detail: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  const fake: FakeSlack = {
    url: `${base}/api/`,
    botToken,
    botUserId: BOT_USER_ID,
    botId: BOT_ID,
    teamId: TEAM_ID,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    messages: (channel) => messages.filter((m) => m.channel === channel),
    files: () => [...files],
    views,
    issueTriggerId() {
      const id = `${Date.now()}.${randomBytes(6).readUIntBE(0, 6)}.${randomBytes(8).toString('hex')}`;
      triggers.set(id, { issuedAt: Date.now(), used: false });
      return id;
    },
    responseUrl() {
      const id = randomBytes(12).toString('hex');
      responseUrls.set(id, { issuedAt: Date.now(), uses: 0 });
      return `${base}/response/${id}`;
    },
    failNext(rule) {
      if (!(rule.times > 0)) throw new Error('failNext: times must be at least 1');
      rules.push({ ...rule });
    },
    slow(method, ms) {
      slowness.set(method, ms);
    },
    failFor(ms, rule) {
      const now = Date.now();
      windows = windows.filter((w) => w.until > now);
      windows.push({ ...rule, times: 0, until: now + ms });
    },
    reset() {
      calls.length = 0;
      slowness.clear();
      rules = [];
      windows = [];
      messages = [];
      views.opened.length = 0;
      for (const key of Object.keys(views.published)) delete views.published[key];
      for (const key of Object.keys(views.byId)) delete views.byId[key];
      triggers = new Map();
      responseUrls = new Map();
      uploads = new Map();
      files = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
  return fake;
}
