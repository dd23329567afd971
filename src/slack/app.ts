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

/** How long start() waits for the first read of the user groups. */
const GROUPS_WARM_UP_MS = 5_000;

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
  /** An onboarding's page in the Temporal UI, linked from the App Home (TEMPORAL_UI_URL). */
  workflowPage?: ((workflowId: string) => string) | null;
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
  /** The workspace's address, e.g. https://acme.slack.com/. */
  url: string | undefined;
}

/**
 * The bot's user and bot IDs, read with auth.test once and then remembered (they never change for
 * a token). Until one answer has come, requests go on without the IDs (no listener of this app
 * needs them) and share the one call in flight; after a failure the next request tries again.
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
        this.known = { botId: result.bot_id, botUserId: result.user_id, teamId: result.team_id, url: result.url };
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

  /** The workspace's address, once auth.test has answered. */
  workspaceUrl(): string | null {
    return this.known?.url ?? null;
  }

  /**
   * Bolt's `authorize`: the bot token with the remembered IDs. It never waits for Slack (it runs
   * before the request is acknowledged): until the IDs are known the request goes on with the token
   * alone, and the one call asking for them is started.
   */
  authorize(botToken: string): Authorize<boolean> {
    return async () => {
      const known = this.known;
      if (!known) void this.get();
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

  // Look-ups while someone waits (permalinks): one quick retry, then do without.
  const quick = new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    logger,
    timeout: 2_000,
    rejectRateLimitedCalls: true,
    ...options.clientOptions,
    retryConfig: { retries: 1, minTimeout: 100, maxTimeout: 500 },
  });

  // The user groups are read in the background (nobody waits for them): Slack may take its time.
  const background = new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    logger,
    timeout: 15_000,
    rejectRateLimitedCalls: true,
    ...options.clientOptions,
    retryConfig: { retries: 1, minTimeout: 1_000, maxTimeout: 5_000 },
  });

  const deps: SlackDeps = {
    config,
    temporal: options.temporal,
    taskQueue: options.taskQueue,
    policy: options.policy,
    directory,
    log,
    // Rights are checked before a request is acknowledged, from the lists last read (read in the
    // background); on failure, the last known members count for up to SLACK_GROUP_CACHE_MAX after they were read.
    roles: new Roles(background, config, log, options.rolesTtlMs, config.groupCacheMaxMs),
    permalinks: new Permalinks(quick, () => identity.workspaceUrl()),
    recent: new RecentKeys(10_000),
    doubleClickMs: options.doubleClickMs ?? MODAL_DOUBLE_CLICK_MS,
    client,
    workflowPage: options.workflowPage ?? null,
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
      // The bot's identity and the techs' and managers' groups, read now (then in the background):
      // requests never wait for them (docs/design.md §9).
      // Start-up waits for the first read a few seconds at most: until it answers, requests that only
      // a group could allow are told to try again in a moment.
      void identity.get();
      await Promise.race([deps.roles.start(), new Promise((resolve) => setTimeout(resolve, GROUPS_WARM_UP_MS).unref())]);
      if (socketMode) await app.start();
      log('slack.ready', { mode: socketMode ? 'socket' : 'http', path: socketMode ? null : SLACK_EVENTS_PATH, channel: config.channelId });
    },
    async stop() {
      deps.roles.stop();
      if (socketMode) await app.stop();
    },
  };
}
