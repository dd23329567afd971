/** Links to onboarding threads (chat.getPermalink, remembered: a message's permalink never changes). */
import type { WebClient } from '@slack/web-api';
import type { ThreadRef } from '../../workflows/types';

/** Slack's archive link for a message, usable when chat.getPermalink cannot be asked. */
export function archiveLink(thread: ThreadRef): string {
  return `https://slack.com/archives/${thread.channel}/p${thread.ts.replace('.', '')}`;
}

const isThread = (thread: ThreadRef | null): thread is ThreadRef => !!thread && /^[CDG][A-Z0-9]+$/.test(thread.channel) && /^\d+\.\d+$/.test(thread.ts);

export class Permalinks {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly client: WebClient,
    /** The workspace's address (auth.test's `url`, e.g. https://acme.slack.com/), once known. */
    private readonly workspaceUrl: () => string | null = () => null,
  ) {}

  /**
   * A link to a thread's root without asking Slack, for answers due before a request is
   * acknowledged: the permalink already read, else one built as Slack builds a top-level
   * message's (the workspace's address, once known), else the archive link.
   */
  now(thread: ThreadRef | null): string | null {
    if (!isThread(thread)) return null;
    const found = this.known.get(`${thread.channel}/${thread.ts}`);
    if (found) return found;
    const base = this.workspaceUrl();
    return base && /^https:\/\//.test(base) ? `${base.replace(/\/?$/, '/')}archives/${thread.channel}/p${thread.ts.replace('.', '')}` : archiveLink(thread);
  }

  async of(thread: ThreadRef | null): Promise<string | null> {
    if (!isThread(thread)) return null;
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
