/**
 * Telling the person who sent a request something only they see: a refusal or an error. Where
 * the request has not been acknowledged yet, the acknowledgement itself carries it (a command's
 * ephemeral answer, a form's inline error, an empty option list); otherwise an ephemeral message
 * in the channel it came from, or a direct message from the app when there is no such channel.
 */
import type { WebClient } from '@slack/web-api';
import type { Log } from '../log';
import { commandChannelOf, firstInputBlockId, kindOf, messageOf, responseUrlOf, userOf, viewOf } from './payload';
import type { AckState } from './receiver';
import { homeNotice } from './views/home';

export interface TellInput {
  client: WebClient;
  body: unknown;
  text: string;
  ack: AckState | null;
  log: Log;
}

/** The acknowledgement that carries `text`, for kinds of requests that can carry one. */
function ackCarrying(body: unknown, text: string): unknown | undefined {
  switch (kindOf(body)) {
    case 'command':
      return { response_type: 'ephemeral', text };
    case 'view_submission': {
      const blockId = firstInputBlockId(viewOf(body));
      return blockId ? { response_action: 'errors', errors: { [blockId]: text.slice(0, 2000) } } : undefined;
    }
    case 'block_suggestion':
      return { options: [] };
    default:
      return undefined;
  }
}

export async function postToResponseUrl(url: string, message: Record<string, unknown>): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(message),
  });
  if (!response.ok) throw new Error(`response_url answered ${response.status}`);
}

export async function tellUser({ client, body, text, ack, log }: TellInput): Promise<void> {
  const user = userOf(body);
  if (ack && !ack.acked) {
    const carrying = ackCarrying(body, text);
    await ack.ack(carrying);
    // An option list cannot say why it is empty; one request per keystroke is not worth a message either.
    if (carrying !== undefined) return;
  }
  if (!user) return;
  try {
    const kind = kindOf(body);
    const message = messageOf(body);
    const responseUrl = responseUrlOf(body);
    if (kind === 'command' && responseUrl) {
      await postToResponseUrl(responseUrl, { response_type: 'ephemeral', text });
    } else if (kind === 'command' && commandChannelOf(body)) {
      await client.chat.postEphemeral({ channel: commandChannelOf(body)!, user, text });
    } else if (message) {
      await client.chat.postEphemeral({ channel: message.channel, user, text, thread_ts: message.threadTs });
    } else if (kind === 'event') {
      await client.views.publish({ user_id: user, view: homeNotice(text) });
    } else {
      // From a modal or the App Home: the app's direct messages with this person.
      await client.chat.postMessage({ channel: user, text });
    }
  } catch (error) {
    log('slack.tellUserFailed', { user, error: error instanceof Error ? error.message : String(error) });
  }
}
