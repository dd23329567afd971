/**
 * The Slack app (Bolt). This file only wires: the receiver (HTTP on the service's own server at
 * POST /slack/events with Slack's signature check, or Socket Mode when SLACK_APP_TOKEN is set),
 * the Web API client (SLACK_API_URL), the error handler and the listeners.
 */
import { App, HTTPReceiver, SocketModeReceiver, type Authorize, type Receiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Client } from '@temporalio/client';
import type { Log } from '../log';
import type { Policy } from '../../workflows/policy';
import type { SlackConfig } from '../config/slack';
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

/** See SlackAppOptions.doubleClickMs. */
const MODAL_DOUBLE_CLICK_MS = 3_000;

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
  /**
   * A button that opens a modal, pressed again by the same person within this time, opens it once
   * (default 3 s). Presses that act are made one by their Update IDs, on any replica.
   */
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

interface Identity {
  botId: string;
  botUserId: string;
  teamId: string | undefined;
}

/**
 * The bot's user and bot IDs, read with auth.test once and then remembered (they never change for
 * a token). Until one answer has come, each request waits for the one call in flight; after a
 * failure the next request tries again, and the request goes on without the IDs (no listener of
 * this app needs them).
 */
export class BotIdentity {
  private known: Identity | null = null;
  private pending: Promise<Identity | null> | null = null;

  constructor(
    private readonly client: WebClient,
    private readonly log: Log,
  ) {}

  get(): Promise<Identity | null> {
    if (this.known) return Promise.resolve(this.known);
    this.pending ??= this.client.auth
      .test()
      .then((result) => {
        if (!result.bot_id || !result.user_id) throw new Error('auth.test answered without bot_id / user_id');
        this.known = { botId: result.bot_id, botUserId: result.user_id, teamId: result.team_id };
        return this.known;
      })
      .catch((error: unknown) => {
        this.log('slack.authTestFailed', { error: error instanceof Error ? error.message : String(error) });
        return null;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  /** Bolt's `authorize`: the bot token with the remembered IDs; no Web API call once they are known. */
  authorize(botToken: string): Authorize<boolean> {
    return async () => {
      const known = await this.get();
      return known ? { botToken, botId: known.botId, botUserId: known.botUserId, teamId: known.teamId } : { botToken };
    };
  }
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

  // The app's own Web API client (Bolt gives listeners one per request, with the same token).
  const client = new WebClient(config.botToken, { slackApiUrl: config.apiUrl, logger, ...options.clientOptions });
  const identity = new BotIdentity(client, log);

  const app = new App({
    // The single workspace's bot token and identity, from `authorize`: with Bolt's `token` option
    // and `tokenVerificationEnabled: false`, Bolt would call auth.test before every request.
    authorize: identity.authorize(config.botToken),
    receiver: trackingAcks(inner),
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
          // People are waiting: answered or given up in time (the client makes one attempt).
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
    // Rights are checked before a request is acknowledged: on failure, the last known members count
    // for up to SLACK_GROUP_CACHE_MAX after they were read.
    roles: new Roles(quick, config, log, options.rolesTtlMs, config.groupCacheMaxMs),
    permalinks: new Permalinks(quick),
    recent: new RecentKeys(10_000),
    doubleClickMs: options.doubleClickMs ?? MODAL_DOUBLE_CLICK_MS,
    client,
  };

  app.error(errorHandler(client, log) as Parameters<App['error']>[0]);
  registerListeners(app, deps);

  const routes: Routes = http && config.signingSecret ? [slackEventsRoute(http, log, config.signingSecret)] : [];

  return {
    app,
    deps,
    socketMode,
    routes,
    async start() {
      directory?.searchOrganizations('').catch((error: Error) => log('slack.organizationsWarmUpFailed', { error: error.message }));
      // The bot's identity once, now, so that the first request does not wait for it.
      void identity.get();
      if (socketMode) await app.start();
      log('slack.ready', { mode: socketMode ? 'socket' : 'http', path: socketMode ? null : SLACK_EVENTS_PATH, channel: config.channelId });
    },
    async stop() {
      if (socketMode) await app.stop();
    },
  };
}
