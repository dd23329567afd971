/**
 * Slack mrkdwn escaping: every value that did not come from this program goes through here before
 * it is put into a message, a view or a notification text.
 *
 * Slack reads `<…>` as a link, a mention (`<@U123>`, `<#C123>`, `<!subteam^S123>`) or a broadcast
 * (`<!channel>`, `<!here>`, `<!everyone>`), and `&` as the start of an entity. Escaping `&`, `<`
 * and `>` (in that order) turns each of these into plain text. The words `@channel`, `@here` and
 * `@everyone` are broken with a zero-width space as well, because Slack links them when a message
 * is sent with `link_names` or `parse: full`. Slack also links bare web addresses (`https://…`,
 * `www.…`, `evil.example/login`): those are written unclickable (`hxxps://evil[.]example`, see
 * src/defang.ts). Other characters (é, emoji, quotes) stay as they are.
 */
import { defang } from '../defang';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ZERO_WIDTH_SPACE = '\u200b';

/** A value as plain text in mrkdwn (or in a message's `text`): no links, mentions or broadcasts. */
export function escapeMrkdwn(value: unknown): string {
  return defang(withoutBroadcasts(value));
}

/** Escaped, and broadcast words broken, but web addresses as they are (for a code span, where Slack links nothing). */
function withoutBroadcasts(value: unknown): string {
  return escapeEntities(value).replace(/@(channel|here|everyone)\b/gi, `@${ZERO_WIDTH_SPACE}$1`);
}

function escapeEntities(value: unknown): string {
  return String(value ?? '').replace(/[&<>]/g, (c) => ENTITIES[c]!);
}

/** The address of a link this program writes itself (`<address|text>`): escaped, `|` encoded, still a working link. */
export function linkTarget(url: string): string {
  return escapeEntities(url).replace(/\|/g, '%7C');
}

/**
 * A value in a code span, for copying (an email address): nothing in a code span becomes a link. A
 * backtick would end the span early, so a value that has one is shown escaped but without the span.
 */
export function code(value: string): string {
  return value.includes('`') || value.trim() === '' ? escapeMrkdwn(value) : `\`${withoutBroadcasts(value)}\``;
}

/** A value in bold; `*` inside it would end the bold early, so it is left as plain text then. */
export function bold(value: string): string {
  const escaped = escapeMrkdwn(value);
  return value.includes('*') || value.trim() === '' ? escaped : `*${escaped}*`;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** `<@U123>` for a Slack user ID this program holds (never for text someone typed); escaped text otherwise. */
export function mention(userId: string): string {
  return SLACK_USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

export function isSlackUserId(value: string | undefined | null): value is string {
  return !!value && SLACK_USER_ID.test(value);
}

const SLACK_USERGROUP_ID = /^S[A-Z0-9]{2,}$/;

export function isSlackUsergroupId(value: string | undefined | null): value is string {
  return !!value && SLACK_USERGROUP_ID.test(value);
}

/** `<!subteam^S123>`, the handle of a user group this program holds (notifies its members); '' for anything else. */
export function usergroupMention(usergroupId: string): string {
  return isSlackUsergroupId(usergroupId) ? `<!subteam^${usergroupId}>` : '';
}

/** Slack's date formatting: shown in each reader's time zone, with `fallback` where that is not possible. */
export function slackDate(time: string | number | Date, fallback: string, format = '{date_short_pretty} {time}'): string {
  const seconds = Math.floor(new Date(time).getTime() / 1000);
  // The fallback sits inside <…|…>: it may not contain | or >.
  const safeFallback = escapeMrkdwn(fallback).replace(/\|/g, '/');
  if (!Number.isFinite(seconds)) return safeFallback;
  return `<!date^${seconds}^${format}|${safeFallback}>`;
}

/** Cuts text to at most `max` characters (Slack rejects a block whose text is too long). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
