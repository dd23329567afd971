/** Counts of what reached people more than once: mails (same Message-ID) and Slack posts. */
import { ROOT_EVENT_TYPE } from '../../activities/slack';
import type { Stack } from './stack';

export interface Duplicates {
  mails: number;
  slackPosts: number;
  /** What was duplicated, for the report. */
  details: string[];
}

export function duplicates(stack: Stack): Duplicates {
  const details: string[] = [];
  const count = (keys: string[], label: string) => {
    const seen = new Map<string, number>();
    for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
    let extra = 0;
    for (const [key, n] of seen) {
      if (n > 1) {
        extra += n - 1;
        details.push(`${label} ×${n}: ${key}`);
      }
    }
    return extra;
  };
  const mails = count(
    stack.smtp.received.map((m) => `${m.parsed.messageId} → ${m.envelope.to.join(',')}`),
    'mail',
  );
  // A post is the same post when it is the root of the same onboarding, or the same reply in the same thread.
  const posts = stack.slack.calls
    .filter((c) => c.method === 'chat.postMessage' && c.ok)
    .map((c) => {
      const metadata = c.args.metadata as { event_type?: string; event_payload?: { workflowId?: string } } | undefined;
      return c.args.thread_ts
        ? `reply in ${String(c.args.thread_ts)}: ${String(c.args.text).slice(0, 120)}`
        : metadata?.event_type === ROOT_EVENT_TYPE
          ? `root of ${metadata.event_payload?.workflowId}`
          : `message: ${String(c.args.text).slice(0, 120)}`;
    });
  const slackPosts = count(posts, 'Slack post');
  return { mails, slackPosts, details };
}
