/**
 * The Slack app as the service runs it, for the Slack tests: Bolt on a real HTTP server (the
 * service's router), its Web API client on the fake Slack, IT Glue reads on the fake IT Glue,
 * onboardings on the test Temporal server with the real Slack thread activities (against the same
 * fake Slack). IT Glue activities are either the real ones against the fake IT Glue
 * (`mode: 'itglue'`) or FakeWorld's in-memory ones (`mode: 'world'`); mail is recorded by FakeWorld.
 *
 * Requests into the app are real HTTP with Slack's signature, as Slack sends them.
 */
import { createItGlueActivities } from '../../activities/itglue';
import { createSlackActivities } from '../../activities/slack';
import type { SlackConfig } from '../../src/config/slack';
import { ItGlueClient } from '../../src/itglue/client';
import { startOnboarding } from '../../src/onboardings';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import { visibilityQuery } from '../../src/temporal/visibility-query';
import { startHttpServer, type HttpServer } from '../../src/web/server';
import type { Policy } from '../../workflows/policy';
import type { OnboardingRequest } from '../../workflows/types';
import { startFakeItGlue, makeContact, makeOrganization, type FakeItGlue } from '../fakes/itglue-server';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api';
import { FakeWorld, INVITEE, ORG, OTHER, PRIMARY } from './fake-activities';
import { slackDriver, type SlackDriver } from './slack-driver';

export { sign, TEAM, type ModalState, type PostOptions } from './slack-driver';
import { connectTemporal, testPolicy, type TestTemporal } from './temporal';

export const SIGNING_SECRET = 'slack-test-signing-secret-0123456789';
export const CHANNEL = 'C0ONBOARD1';
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

export interface SlackHarnessOptions {
  mode: 'itglue' | 'world';
  policy?: Policy;
  doubleClickMs?: number;
}

export interface SlackHarness extends SlackDriver {
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
  /** The fake IT Glue's group with this name. */
  group(name: string): FakeItGlue['data']['groups'][number];
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
          client: new ItGlueClient({ baseUrl: itglue.url, apiKey: itglue.apiKey, requestsPerSecond: 100 }),
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

  const driver = slackDriver({ url, secret: SIGNING_SECRET, slack, channel: CHANNEL });
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
    ...driver,
    group(name) {
      const found = itglue.data.groups.find((g) => g.name === name);
      if (!found) throw new Error(`no IT Glue group named ${name}`);
      return found;
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
      const running = visibilityQuery().where('TaskQueue', '=', temporal.taskQueue).where('ExecutionStatus', '=', 'Running');
      for await (const w of temporal.client.workflow.list({ query: running.toString() })) ids.add(w.workflowId);
      await Promise.all(
        [...ids].map((id) =>
          temporal.client.workflow
            .getHandle(id)
            .terminate('test over')
            .catch(() => undefined),
        ),
      );
      await stopWorkers();
      await temporal.close();
      await slack.close();
      await itglue.close();
    },
  };
  return harness;
}
