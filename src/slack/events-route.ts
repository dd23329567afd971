/**
 * POST /slack/events on the service's HTTP server. Slack's signature is checked here first, over
 * the raw bytes of the body and before anything reads them as a form or JSON: HMAC-SHA256 of
 * `v0:<timestamp>:<body>` with the signing secret, compared in constant time. In order:
 *
 * - a timestamp more than 5 minutes old or ahead, or a missing or malformed `X-Slack-Signature`:
 *   401 at once, without reading the body (whatever its size);
 * - a body declared or found larger than Slack ever sends: 413, reading stops there;
 * - a signature that does not match the body: 401;
 * - a signed body of a shape Bolt cannot handle: 400 (see request-shape.ts);
 * - anything else goes to Bolt's HTTP receiver, which checks the signature once more.
 *
 * A refused body is not read beyond the limit, and a client that goes away mid-body is let go
 * without an answer or a log line.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import type { Log } from '../log';
import type { Route } from '../web/router';
import { malformedSlackBody, slackBodyOf } from './request-shape';

export const SLACK_EVENTS_PATH = '/slack/events';

const WINDOW_SECONDS = 5 * 60;
/** The largest body taken (Bolt's own limit); Slack's requests are far smaller. */
export const SLACK_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

const SIGNATURE = /^v0=[0-9a-f]{64}$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function withinWindow(timestamp: string | undefined): boolean {
  const seconds = Number(timestamp);
  return !!timestamp && Number.isInteger(seconds) && Math.abs(Date.now() / 1000 - seconds) <= WINDOW_SECONDS;
}

/** Whether `signature` is Slack's signature of this timestamp and raw body with the secret. */
export function isSlackSignature(secret: string, timestamp: string, raw: Buffer, signature: string): boolean {
  if (!SIGNATURE.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(signature.slice(3), 'hex'));
}

type Read = { kind: 'body'; raw: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** The whole body, up to the limit (reading stops there). */
async function readBody(req: IncomingMessage, limit: number): Promise<Read> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) return { kind: 'too-large' };
      chunks.push(chunk);
    }
  } catch (error) {
    if (req.destroyed && !req.complete) return { kind: 'aborted' };
    throw error;
  }
  return { kind: 'body', raw: Buffer.concat(chunks) };
}

/**
 * Answers a request without reading its body: the connection is closed after the answer, so an
 * unread body is not taken in (the answer goes out first, a client still sending may see a reset).
 */
function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status, { Connection: 'close', 'Content-Length': 0 }).end();
}

export function slackEventsRoute(receiver: HTTPReceiver, log: Log, signingSecret: string): Route {
  return {
    methods: ['POST'],
    path: /^\/slack\/events$/,
    handle: async ({ req, res }) => {
      const timestamp = header(req, 'x-slack-request-timestamp');
      const signature = header(req, 'x-slack-signature') ?? '';
      if (!withinWindow(timestamp)) {
        log('slack.requestRefused', { reason: 'timestamp outside the 5-minute window' });
        return refuse(res, 401);
      }
      if (!SIGNATURE.test(signature)) {
        log('slack.requestRefused', { reason: "no signature, or not one of Slack's" });
        return refuse(res, 401);
      }
      if (Number(header(req, 'content-length') ?? 0) > SLACK_BODY_LIMIT_BYTES) {
        log('slack.requestRefused', { reason: `body over ${SLACK_BODY_LIMIT_BYTES} bytes` });
        return refuse(res, 413);
      }
      const read = await readBody(req, SLACK_BODY_LIMIT_BYTES);
      if (read.kind === 'aborted') return void res.destroy();
      if (read.kind === 'too-large') {
        log('slack.requestRefused', { reason: `body over ${SLACK_BODY_LIMIT_BYTES} bytes` });
        return refuse(res, 413);
      }
      if (!isSlackSignature(signingSecret, timestamp!, read.raw, signature)) {
        log('slack.requestRefused', { reason: 'the signature does not match the body' });
        return refuse(res, 401);
      }
      // Only a signed body is read as a form or JSON.
      const parsed = slackBodyOf(read.raw.toString('utf8'), req.headers['content-type']);
      const malformed = parsed ? malformedSlackBody(parsed.body) : null;
      if (malformed) {
        log('slack.requestRefused', { reason: malformed });
        res.writeHead(400).end();
        return;
      }
      // Bolt reads a body already read from `rawBody`.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = read.raw;
      receiver.requestListener(req, res);
    },
  };
}
