/**
 * POST /slack/events on the service's HTTP server, handed to Bolt's HTTP receiver, which checks the
 * request's signature (HMAC-SHA256 of timestamp and body with the signing secret, compared in
 * constant time) and refuses timestamps over 5 minutes old with 401. A timestamp as far in the
 * future is refused here too, and so is a body larger than Bolt takes (413) or of a shape Bolt
 * cannot handle (400, see request-shape.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import type { Log } from '../../activities/logging';
import type { Route } from '../web/router';
import { malformedSlackBody, slackBodyOf } from './request-shape';

export const SLACK_EVENTS_PATH = '/slack/events';

const WINDOW_SECONDS = 5 * 60;
/** Bolt's own limit for a request body. */
export const SLACK_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

function withinWindow(header: string | string[] | undefined): boolean {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(seconds) && Math.abs(Date.now() / 1000 - seconds) <= WINDOW_SECONDS;
}

/** The whole body, or null when it is over the limit. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function slackEventsRoute(receiver: HTTPReceiver, log: Log): Route {
  return {
    methods: ['POST'],
    path: /^\/slack\/events$/,
    handle: async ({ req, res }) => {
      if (!withinWindow(req.headers['x-slack-request-timestamp'])) {
        log('slack.requestRefused', { reason: 'timestamp outside the 5-minute window' });
        res.writeHead(401).end();
        return;
      }
      const raw = await readBody(req, SLACK_BODY_LIMIT_BYTES);
      if (!raw) {
        log('slack.requestRefused', { reason: `body over ${SLACK_BODY_LIMIT_BYTES} bytes` });
        res.writeHead(413, { Connection: 'close' }).end();
        return;
      }
      const parsed = slackBodyOf(raw.toString('utf8'), req.headers['content-type']);
      const malformed = parsed ? malformedSlackBody(parsed.body) : null;
      if (malformed) {
        log('slack.requestRefused', { reason: malformed });
        res.writeHead(400).end();
        return;
      }
      // Bolt reads a body already read from `rawBody`.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
      receiver.requestListener(req, res);
    },
  };
}
