/**
 * The Slack app as the service runs it, for the Slack tests: Bolt on a real HTTP server (the
 * service's router), its Web API client on the fake Slack, IT Glue reads on the fake IT Glue,
 * onboardings on the test Temporal server with the real Slack thread activities (against the same
 * fake Slack). IT Glue activities are either the real ones against the fake IT Glue
 * (`mode: 'itglue'`) or FakeWorld's in-memory ones (`mode: 'world'`); mail is recorded by FakeWorld.
 *
 * Requests into the app are real HTTP with Slack's signature, as Slack sends them.
 */
import { createHmac } from 'node:crypto';
import { createItGlueActivities } from '../../activities/itglue';
import { createSlackActivities, ROOT_EVENT_TYPE } from '../../activities/slack';
import type { SlackConfig } from '../../src/config';
import { ItGlueClient } from '../../src/itglue/client';
import { startOnboarding } from '../../src/onboardings';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import { startHttpServer, type HttpServer } from '../../src/web/server';
import type { Policy } from '../../workflows/policy';
import type { OnboardingRequest } from '../../workflows/types';
import { startFakeItGlue, makeContact, makeOrganization, type FakeItGlue } from '../fakes/itglue-server';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage } from '../fakes/slack-api';
import { FakeWorld, INVITEE, ORG, OTHER, PRIMARY } from './fake-activities';
import { connectTemporal, testPolicy, type TestTemporal } from './temporal';

export const SIGNING_SECRET = 'slack-test-signing-secret-0123456789';
export const CHANNEL = 'C0ONBOARD1';
export const TEAM = 'T0FAKE001';
export const TECHS_GROUP = 'S0TECHS001';
export const USERS = {
  /** A tech by the techs' user group. */
  tech: 'U0TECH0001',
  /** A tech by SLACK_TECH_USER_IDS. */
  tech2: 'U0TECH0002',
  manager: 'U0MGR00001',
  outsider: 'U0OUT00001',
} as const;

export interface SlackHarnessOptions {
  mode: 'itglue' | 'world';
  policy?: Policy;
  doubleClickMs?: number;
}

export interface PostOptions {
  contentType?: string;
  /** Seconds since the epoch (default now). */
  timestamp?: number;
  secret?: string;
  signature?: string;
}

export interface ModalState {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: unknown[];
  hash?: string;
}

export interface SlackHarness {
  slack: FakeSlack;
  itglue: FakeItGlue;
  temporal: TestTemporal;
  world: FakeWorld;
  /** The real IT Glue activities (mode 'itglue'), e.g. to run the sweep. */
  itglueActivities: ReturnType<typeof createItGlueActivities> | null;
  app: SlackApp;
  http: HttpServer;
  config: SlackConfig;
  policy: Policy;
  logged: Array<{ event: string; fields: Record<string, unknown> }>;
  /** A signed POST to /slack/events. */
  post(body: string, options?: PostOptions): Promise<Response>;
  /** A slash command as Slack sends it; returns the HTTP answer, its time, and the trigger and response URL sent. */
  command(
    command: string,
    user: string,
    text?: string,
    extra?: { triggerId?: string; responseUrl?: string; retry?: boolean },
  ): Promise<{ response: Response; ms: number; triggerId: string; responseUrl: string; body: string }>;
  /** A `payload=` interaction (block_actions, view_submission, block_suggestion). */
  interact(payload: Record<string, unknown>): Promise<Response>;
  /** Presses a button of an onboarding's thread root (the message as it is in the fake Slack). */
  press(actionId: string, workflowId: string, user: string): Promise<{ response: Response; triggerId: string; responseUrl: string }>;
  /** A block_actions from an input of a modal (a dispatch action). */
  modalAction(view: ModalState, blockId: string, action: Record<string, unknown>, user: string, values: Record<string, unknown>): Promise<Response>;
  /** Submits a modal with these input values (`state.values`); returns the HTTP status and the JSON answer (null when empty). */
  submit(view: ModalState, user: string, values: Record<string, unknown>): Promise<{ status: number; answer: Record<string, unknown> | null }>;
  /** An external select's option request. */
  suggest(actionId: string, value: string, user: string, view?: ModalState): Promise<{ status: number; options: Array<{ text: { text: string }; value: string }> }>;
  appHomeOpened(user: string): Promise<Response>;
  /** The fake IT Glue's group with this name. */
  group(name: string): FakeItGlue['data']['groups'][number];
  /** The onboarding's thread root in the fake Slack, when posted. */
  root(workflowId: string): FakeSlackMessage | undefined;
  /** The replies of the onboarding's thread, oldest first. */
  replies(workflowId: string): FakeSlackMessage[];
  /** Starts an onboarding directly (for tests about what Slack shows of onboardings). */
  start(request: Partial<OnboardingRequest> & Pick<OnboardingRequest, 'orgId' | 'contactId'>, policy?: Policy): Promise<string>;
  close(): Promise<void>;
}

/** Polls until `read` returns a value (not undefined / null / false); fails with `what` after the timeout. */
export async function eventually<T>(read: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

let viewCounter = 0;

export async function startSlackHarness(options: SlackHarnessOptions): Promise<SlackHarness> {
  const logged: SlackHarness['logged'] = [];
  const log = (event: string, fields: Record<string, unknown>) => void logged.push({ event, fields });
  const policy = options.policy ?? testPolicy();

  const slack = await startFakeSlack({ usergroups: { [TECHS_GROUP]: [USERS.tech] } });
  const itglue = await startFakeItGlue();
  // Each IT Glue group has one membership workflow (`itglue-group:<id>`) in the namespace, and test
  // files share one Temporal server: this file's groups get ids of their own. Find them by name.
  const offset = 1_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
  for (const g of itglue.data.groups) g.id = String(Number(g.id) + offset);
  if (options.mode === 'world') {
    // FakeWorld's organization and contacts, so that the modals can list them.
    itglue.data.organizations.push(makeOrganization({ id: ORG.id, name: ORG.name }));
    for (const p of [INVITEE, PRIMARY, OTHER]) {
      const [first, last] = p.name.split(' ');
      itglue.data.contacts.push(makeContact({ id: p.contactId, 'organization-id': ORG.id, 'first-name': first, 'last-name': last, email: p.email }));
    }
  }
  const temporal = await connectTemporal();
  const config: SlackConfig = {
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    appToken: null,
    apiUrl: slack.url,
    channelId: CHANNEL,
    techUsergroupId: TECHS_GROUP,
    techUserIds: [USERS.tech2],
    managerUsergroupId: null,
    managerUserIds: [USERS.manager],
  };
  const world = new FakeWorld();
  const threadActivities = createSlackActivities(config, { log });
  const itglueActivities =
    options.mode === 'itglue'
      ? createItGlueActivities({
          client: new ItGlueClient({ baseUrl: itglue.url, apiKey: itglue.apiKey, requestsPerSecond: 100, retries: 1, backoffMs: 50 }),
          temporal: temporal.client,
          taskQueue: temporal.taskQueue,
        })
      : null;
  const stopWorkers = await temporal.startWorkers({ ...world.activities(), ...(itglueActivities ?? {}), ...threadActivities });

  const app = createSlackApp({
    config,
    temporal: temporal.client,
    taskQueue: temporal.taskQueue,
    policy,
    itglue: { apiUrl: itglue.url, apiKey: itglue.apiKey, requestsPerSecond: 100 },
    log,
    clientOptions: { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    doubleClickMs: options.doubleClickMs,
  });
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', routes: app.routes, log });
  await app.start();
  const url = `http://127.0.0.1:${http.port}/slack/events`;
  const started: string[] = [];

  const post: SlackHarness['post'] = (body, o = {}) => {
    const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
    return fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': o.contentType ?? 'application/x-www-form-urlencoded',
        'X-Slack-Request-Timestamp': String(timestamp),
        'X-Slack-Signature': o.signature ?? sign(body, timestamp, o.secret),
      },
      body,
    });
  };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const interact = (payload: Record<string, unknown>) => post(form({ payload: JSON.stringify(payload) }));
  const userOf = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: TEAM });
  const rootOf = (workflowId: string) =>
    slack.messages(CHANNEL).find((m) => !m.threadTs && m.metadata?.event_type === ROOT_EVENT_TYPE && m.metadata.event_payload.workflowId === workflowId);

  const harness: SlackHarness = {
    slack,
    itglue,
    temporal,
    world,
    itglueActivities,
    app,
    http,
    config,
    policy,
    logged,
    post,
    interact,
    async command(command, user, text = '', extra = {}) {
      const triggerId = extra.triggerId ?? slack.issueTriggerId();
      const responseUrl = extra.responseUrl ?? slack.responseUrl();
      const body = form({
        token: 'legacy-verification-token',
        team_id: TEAM,
        team_domain: 'fake-team',
        channel_id: 'C0GENERAL1',
        channel_name: 'general',
        user_id: user,
        user_name: user.toLowerCase(),
        command,
        text,
        api_app_id: 'A0FAKE001',
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: triggerId,
      });
      const at = Date.now();
      const response = await post(body);
      const ms = Date.now() - at;
      return { response, ms, triggerId, responseUrl, body: await response.text() };
    },
    async press(actionId, workflowId, user) {
      const root = rootOf(workflowId);
      if (!root) throw new Error(`no thread root for ${workflowId}`);
      const triggerId = slack.issueTriggerId();
      const responseUrl = slack.responseUrl();
      const response = await interact({
        type: 'block_actions',
        user: userOf(user),
        api_app_id: 'A0FAKE001',
        token: 'legacy-verification-token',
        container: { type: 'message', message_ts: root.ts, channel_id: CHANNEL, is_ephemeral: false },
        trigger_id: triggerId,
        team: { id: TEAM, domain: 'fake-team' },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: CHANNEL, name: 'onboarding' },
        message: { type: 'message', user: slack.botUserId, ts: root.ts, text: root.text, blocks: root.blocks },
        response_url: responseUrl,
        actions: [
          {
            action_id: actionId,
            block_id: 'onboarding_actions',
            text: { type: 'plain_text', text: actionId },
            value: workflowId,
            type: 'button',
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      });
      return { response, triggerId, responseUrl };
    },
    modalAction(view, blockId, action, user, values) {
      return interact({
        type: 'block_actions',
        user: userOf(user),
        api_app_id: 'A0FAKE001',
        token: 'legacy-verification-token',
        container: { type: 'view', view_id: view.id },
        trigger_id: slack.issueTriggerId(),
        team: { id: TEAM, domain: 'fake-team' },
        view: { ...view, type: 'modal', hash: view.hash ?? 'h', state: { values } },
        actions: [{ block_id: blockId, action_ts: `${Date.now() / 1000}`, ...action }],
      });
    },
    async submit(view, user, values) {
      const response = await interact({
        type: 'view_submission',
        team: { id: TEAM, domain: 'fake-team' },
        user: userOf(user),
        api_app_id: 'A0FAKE001',
        token: 'legacy-verification-token',
        trigger_id: slack.issueTriggerId(),
        view: { ...view, type: 'modal', hash: view.hash ?? 'h', state: { values } },
        response_urls: [],
        is_enterprise_install: false,
      });
      const text = await response.text();
      return { status: response.status, answer: text ? (JSON.parse(text) as Record<string, unknown>) : null };
    },
    async suggest(actionId, value, user, view) {
      const response = await interact({
        type: 'block_suggestion',
        user: userOf(user),
        container: view ? { type: 'view', view_id: view.id } : { type: 'view', view_id: `V${++viewCounter}` },
        api_app_id: 'A0FAKE001',
        token: 'legacy-verification-token',
        action_id: actionId,
        block_id: 'org',
        value,
        team: { id: TEAM, domain: 'fake-team' },
        ...(view ? { view: { ...view, type: 'modal', state: { values: {} } } } : {}),
      });
      const text = await response.text();
      return { status: response.status, options: text ? ((JSON.parse(text) as { options?: [] }).options ?? []) : [] };
    },
    appHomeOpened(user) {
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: TEAM,
        api_app_id: 'A0FAKE001',
        event: { type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
        type: 'event_callback',
        event_id: `Ev${Date.now()}${++viewCounter}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: TEAM, user_id: slack.botUserId, is_bot: true }],
      });
      return post(body, { contentType: 'application/json' });
    },
    root: rootOf,
    group(name) {
      const found = itglue.data.groups.find((g) => g.name === name);
      if (!found) throw new Error(`no IT Glue group named ${name}`);
      return found;
    },
    replies(workflowId) {
      const root = rootOf(workflowId);
      return root ? slack.messages(CHANNEL).filter((m) => m.threadTs === root.ts && m.ts !== root.ts) : [];
    },
    async start(request, startPolicy = policy) {
      const full: OnboardingRequest = { kind: 'itglue', passwordAccess: false, requestedBy: USERS.tech, ...request };
      const { workflowId } = await startOnboarding(temporal.client, temporal.taskQueue, full, startPolicy);
      started.push(workflowId);
      return workflowId;
    },
    async close() {
      await app.stop();
      await http.close();
      const ids = new Set(started);
      for await (const w of temporal.client.workflow.list({ query: `TaskQueue = "${temporal.taskQueue}" AND ExecutionStatus = "Running"` })) ids.add(w.workflowId);
      await Promise.all([...ids].map((id) => temporal.client.workflow.getHandle(id).terminate('test over').catch(() => undefined)));
      await stopWorkers();
      await temporal.close();
      await slack.close();
      await itglue.close();
    },
  };
  return harness;
}
