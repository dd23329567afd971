/**
 * What Bolt assumes of a Slack request body before any listener or error handler runs: an object,
 * with a user object on every interaction, an `actions` list on button presses, a view on view
 * submissions, and an event object on Events API callbacks. A body that breaks these (only a
 * forged or corrupted request can) would make Bolt answer 500 or fail outside any handler; it is
 * refused with 400 instead.
 */
import { parse as parseQuery } from 'node:querystring';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body as Bolt reads it: a form (its `payload` field as JSON when there is one) or JSON. Undefined when it cannot be read. */
export function slackBodyOf(raw: string, contentType: string | undefined): { body: unknown } | undefined {
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = parseQuery(raw);
      return { body: typeof form.payload === 'string' ? (JSON.parse(form.payload) as unknown) : form };
    }
    return { body: JSON.parse(raw) as unknown };
  } catch {
    return undefined;
  }
}

const INTERACTIONS = new Set([
  'block_actions',
  'block_suggestion',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'dialog_submission',
  'interactive_message',
]);

/** Why Bolt cannot take this body, or null when it can. */
export function malformedSlackBody(body: unknown): string | null {
  if (!isObject(body)) return 'the body is not an object';
  if (body.ssl_check === '1' || body.type === 'url_verification') return null;
  if (body.event !== undefined) {
    const event = body.event;
    if (!isObject(event)) return 'event is not an object';
    if ('user' in event && typeof event.user !== 'string' && !(isObject(event.user) && typeof event.user.id === 'string')) return 'event.user is not a user';
    if ('channel' in event && typeof event.channel !== 'string' && !isObject(event.channel)) return 'event.channel is neither a string nor an object';
    if ('item' in event && !isObject(event.item)) return 'event.item is not an object';
    if ('subteam' in event && !isObject(event.subteam)) return 'event.subteam is not an object';
    return null;
  }
  if (body.command !== undefined) return typeof body.command === 'string' ? null : 'command is not a string';
  const interaction = body.name !== undefined || body.actions !== undefined || (typeof body.type === 'string' && INTERACTIONS.has(body.type));
  if (!interaction) return null;
  if (!isObject(body.user) || typeof body.user.id !== 'string') return 'an interaction without a user';
  if ('team' in body && body.team !== null && !isObject(body.team)) return 'team is not an object';
  if ('enterprise' in body && body.enterprise !== null && !isObject(body.enterprise)) return 'enterprise is not an object';
  if ('channel' in body && body.channel !== undefined && !isObject(body.channel)) return 'channel is not an object';
  if (body.actions !== undefined || body.type === 'block_actions') {
    if (!Array.isArray(body.actions) || body.actions.length === 0 || !body.actions.every(isObject)) return 'actions is not a list of actions';
  }
  if ((body.type === 'view_submission' || body.type === 'view_closed') && !isObject(body.view)) return 'a view submission without a view';
  if (body.type === 'view_submission') {
    const view = body.view as Record<string, unknown>;
    if (!Array.isArray(view.blocks) || !isObject(view.state) || !isObject(view.state.values)) return 'a view submission without its blocks and state';
  }
  if ('view' in body && body.view !== undefined && body.view !== null && !isObject(body.view)) return 'view is not an object';
  return null;
}
