/** Links to onboarding threads (chat.getPermalink, remembered: a message's permalink never changes). */
import type { WebClient } from '@slack/web-api';
import type { ThreadRef } from '../../workflows/types';

/** Slack's archive link for a message, usable when chat.getPermalink cannot be asked. */
export function archiveLink(thread: ThreadRef): string {
  return `https://slack.com/archives/${thread.channel}/p${thread.ts.replace('.', '')}`;
}

export class Permalinks {
  private readonly known = new Map<string, string>();

  constructor(private readonly client: WebClient) {}

  async of(thread: ThreadRef | null): Promise<string | null> {
    if (!thread || !/^[CDG][A-Z0-9]+$/.test(thread.channel) || !/^\d+\.\d+$/.test(thread.ts)) return null;
    const key = `${thread.channel}/${thread.ts}`;
    const found = this.known.get(key);
    if (found) return found;
    try {
      const result = await this.client.chat.getPermalink({ channel: thread.channel, message_ts: thread.ts });
      if (result.permalink) {
        this.known.set(key, result.permalink);
        return result.permalink;
      }
    } catch {
      // Fall back to the archive link below.
    }
    return archiveLink(thread);
  }
}
