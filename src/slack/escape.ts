/**
 * Slack mrkdwn escaping: every value that did not come from this program goes through here before
 * it is put into a message, a view or a notification text.
 *
 * Slack reads `<…>` as a link, a mention (`<@U123>`, `<#C123>`, `<!subteam^S123>`) or a broadcast
 * (`<!channel>`, `<!here>`, `<!everyone>`), and `&` as the start of an entity. Escaping `&`, `<`
 * and `>` (in that order) turns each of these into plain text. The words `@channel`, `@here` and
 * `@everyone` are broken with a zero-width space as well, because Slack links them when a message
 * is sent with `link_names` or `parse: full`. Other characters (é, emoji, quotes) stay as they are.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ZERO_WIDTH_SPACE = '\u200b';

/** A value as plain text in mrkdwn (or in a message's `text`): no links, mentions or broadcasts. */
export function escapeMrkdwn(value: unknown): string {
  return String(value ?? '')
    .replace(/[&<>]/g, (c) => ENTITIES[c]!)
    .replace(/@(channel|here|everyone)\b/gi, `@${ZERO_WIDTH_SPACE}$1`);
}

/**
 * A value in a code span, for copying (an email address). A backtick would end the span early, so a
 * value that has one is shown escaped but without the span.
 */
export function code(value: string): string {
  const escaped = escapeMrkdwn(value);
  return value.includes('`') || value.trim() === '' ? escaped : `\`${escaped}\``;
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
