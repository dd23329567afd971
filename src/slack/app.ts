/**
 * The Slack app (Bolt). This file only wires: the receiver (HTTP on the service's own server at
 * POST /slack/events with Slack's signature check, or Socket Mode when SLACK_APP_TOKEN is set),
 * the Web API client (SLACK_API_URL), the error handler and the listeners.
 */
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Client } from '@temporalio/client';
import type { Log } from '../../activities/logging';
import type { Policy } from '../../workflows/policy';
import type { SlackConfig } from '../config';
import { ItGlueClient } from '../itglue/client';
import type { Routes } from '../web/router';
import { Roles } from './authorization';
import { boltLogger } from './bolt-logger';
import { RecentKeys } from './dedupe';
import type { SlackDeps } from './deps';
import { SlackDirectory } from './directory';
import { errorHandler } from './errors';
import { SLACK_EVENTS_PATH, slackEventsRoute } from './events-route';
import { registerListeners } from './listeners';
import { Permalinks } from './permalinks';
import { trackingAcks } from './receiver';
import { DOUBLE_CLICK_MS } from './thread-buttons';

export { SLACK_EVENTS_PATH };

export interface SlackAppOptions {
  config: SlackConfig;
  temporal: Client;
  taskQueue: string;
  policy: Policy;
  /** IT Glue, for the modals' reads; null when it is not configured. */
  itglue: { apiUrl: string; apiKey: string; requestsPerSecond: number } | null;
  log: Log;
  /** Extra Web API client options (tests: no retries). */
  clientOptions?: WebClientOptions;
  /** How long user group members are remembered (default 3 minutes). */
  rolesTtlMs?: number;
  /** Presses of one button within this time count as one (default 10 s). */
  doubleClickMs?: number;
}

export interface SlackApp {
  app: App;
  deps: SlackDeps;
  /** Socket Mode: no HTTP route. */
  socketMode: boolean;
  /** POST /slack/events, for the service's HTTP server (none in Socket Mode). */
  routes: Routes;
  /** Connects Socket Mode, and reads the organization list once so the first type-ahead is quick. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, log } = options;
  const logger = boltLogger(log);
  const socketMode = !!config.appToken;

  let http: HTTPReceiver | null = null;
  let inner: Receiver;
  if (config.appToken) {
    inner = new SocketModeReceiver({ appToken: config.appToken, logger });
  } else {
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
    http = new HTTPReceiver({ signingSecret: config.signingSecret, endpoints: SLACK_EVENTS_PATH, logger, signatureVerification: true });
    inner = http;
  }

  const app = new App({
    token: config.botToken,
    receiver: trackingAcks(inner),
    // No auth.test at construction (and none needed: a single workspace, a bot token).
    tokenVerificationEnabled: false,
    logger,
    extendedErrorHandler: true,
    clientOptions: { slackApiUrl: config.apiUrl, ...options.clientOptions },
  });

  const directory = options.itglue
    ? new SlackDirectory(
        new ItGlueClient({
          baseUrl: options.itglue.apiUrl,
          apiKey: options.itglue.apiKey,
          requestsPerSecond: options.itglue.requestsPerSecond,
          // People are waiting: one attempt, answered or given up in time.
          retries: 0,
          timeoutMs: 10_000,
        }),
      )
    : null;

  // Look-ups while someone waits (rights, permalinks): one quick retry, then do without.
  const quick = new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    logger,
    timeout: 2_000,
    rejectRateLimitedCalls: true,
    ...options.clientOptions,
    retryConfig: { retries: 1, minTimeout: 100, maxTimeout: 500 },
  });

  const deps: SlackDeps = {
    config,
    temporal: options.temporal,
    taskQueue: options.taskQueue,
    policy: options.policy,
    directory,
    log,
    // Rights are checked before a request is acknowledged: on failure, the last known members count.
    roles: new Roles(quick, config, log, options.rolesTtlMs),
    permalinks: new Permalinks(quick),
    recent: new RecentKeys(10_000),
    doubleClickMs: options.doubleClickMs ?? DOUBLE_CLICK_MS,
    client: app.client,
  };

  app.error(errorHandler(app.client, log) as Parameters<App['error']>[0]);
  registerListeners(app, deps);

  const routes: Routes = http ? [slackEventsRoute(http, log)] : [];

  return {
    app,
    deps,
    socketMode,
    routes,
    async start() {
      directory?.searchOrganizations('').catch((error: Error) => log('slack.organizationsWarmUpFailed', { error: error.message }));
      if (socketMode) await app.start();
      log('slack.ready', { mode: socketMode ? 'socket' : 'http', path: socketMode ? null : SLACK_EVENTS_PATH, channel: config.channelId });
    },
    async stop() {
      if (socketMode) await app.stop();
    },
  };
}
