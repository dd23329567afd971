/**
 * POST /slack/events on the service's HTTP server, handed to Bolt's HTTP receiver, which checks the
 * request's signature (HMAC-SHA256 of timestamp and body with the signing secret, compared in
 * constant time) and refuses timestamps over 5 minutes old with 401. A timestamp as far in the
 * future is refused here too.
 */
import type { HTTPReceiver } from '@slack/bolt';
import type { Log } from '../../activities/logging';
import type { Route } from '../web/router';

export const SLACK_EVENTS_PATH = '/slack/events';

const WINDOW_SECONDS = 5 * 60;

function withinWindow(header: string | string[] | undefined): boolean {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(seconds) && Math.abs(Date.now() / 1000 - seconds) <= WINDOW_SECONDS;
}

export function slackEventsRoute(receiver: HTTPReceiver, log: Log): Route {
  return {
    methods: ['POST'],
    path: /^\/slack\/events$/,
    handle: ({ req, res }) => {
      if (!withinWindow(req.headers['x-slack-request-timestamp'])) {
        log('slack.requestRefused', { reason: 'timestamp outside the 5-minute window' });
        res.writeHead(401).end();
        return;
      }
      receiver.requestListener(req, res);
    },
  };
}
