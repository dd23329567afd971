/** What the listeners and middlewares need from any kind of Slack request body. */
import type { View } from '@slack/types';

/** Anything with blocks: a view as built, or as Slack sends it back. */
export interface BlocksOf {
  blocks: Array<{ type: string; block_id?: string }>;
}

export type PayloadKind = 'command' | 'block_actions' | 'view_submission' | 'view_closed' | 'block_suggestion' | 'event' | 'other';

type Body = Record<string, unknown> & {
  type?: string;
  command?: string;
  user_id?: string;
  user?: { id?: string };
  event?: { type?: string; user?: string };
  channel?: { id?: string };
  channel_id?: string;
  message?: { ts?: string; thread_ts?: string };
  container?: { type?: string; channel_id?: string; message_ts?: string; thread_ts?: string };
  view?: View & { id?: string; private_metadata?: string };
  response_url?: string;
};

export function kindOf(body: unknown): PayloadKind {
  const b = (body ?? {}) as Body;
  if (typeof b.command === 'string') return 'command';
  if (b.type === 'event_callback') return 'event';
  if (b.type === 'block_actions' || b.type === 'view_submission' || b.type === 'view_closed' || b.type === 'block_suggestion') return b.type;
  return 'other';
}

/** The Slack user who sent the request. */
export function userOf(body: unknown): string | null {
  const b = (body ?? {}) as Body;
  return b.user_id ?? b.user?.id ?? b.event?.user ?? null;
}

/** The message (and its thread) a button was pressed on, when it was one. */
export function messageOf(body: unknown): { channel: string; ts: string; threadTs: string } | null {
  const b = (body ?? {}) as Body;
  const channel = b.channel?.id ?? b.container?.channel_id;
  const ts = b.message?.ts ?? b.container?.message_ts;
  if (!channel || !ts) return null;
  return { channel, ts, threadTs: b.message?.thread_ts ?? b.container?.thread_ts ?? ts };
}

export function responseUrlOf(body: unknown): string | null {
  const b = (body ?? {}) as Body;
  return typeof b.response_url === 'string' && b.response_url ? b.response_url : null;
}

/** The channel a slash command was typed in. */
export function commandChannelOf(body: unknown): string | null {
  const b = (body ?? {}) as Body;
  return typeof b.channel_id === 'string' ? b.channel_id : null;
}

export function viewOf(body: unknown): (View & { id?: string; private_metadata?: string }) | null {
  return ((body ?? {}) as Body).view ?? null;
}

/** The `block_id` of a view's first input block (where an error about the whole form is shown). */
export function firstInputBlockId(view: BlocksOf | null): string | null {
  const blocks: unknown = view?.blocks;
  const block = Array.isArray(blocks) ? (blocks as BlocksOf['blocks']).find((b) => b?.type === 'input' && b.block_id) : undefined;
  return block?.block_id ?? null;
}
