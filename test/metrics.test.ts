/**
 * GET /metrics (src/metrics/) after one whole onboarding on the run's Temporal dev server: the
 * Slack thread on the fake Slack, IT Glue on the fake IT Glue, the workflow's outcome metrics
 * through the SDK's exporter (src/temporal/runtime.ts, installed here as main.ts installs it), the
 * open onboardings counted from visibility. Also GET /readyz with workers before, while and after
 * they run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Log } from '../src/log';
import { ConfigError, loadConfig } from '../src/config';
import { createMailer } from '../src/mail/mailer';
import { metricsRoutes } from '../src/metrics/route';
import { decideApproval } from '../src/onboardings';
import { ACTIONS } from '../src/slack/action-ids';
import { freeLoopbackPort, installRuntime, sdkMetricsUrl } from '../src/temporal/runtime';
import { isReachable } from '../src/temporal/connection';
import { createWorkers } from '../src/temporal/worker';
import { healthRoutes } from '../src/web/health';
import { startHttpServer, type HttpServer } from '../src/web/server';
import type { OnboardingStatus } from '../workflows/types';
import { makeUser, SEED } from './fakes/itglue-server';
import { FakeSmtpServer } from './fakes/smtp';
import { eventually, startSlackHarness, USERS, type SlackHarness } from './support/slack-harness';
import { GROUP_MODEL, testPolicy } from './support/temporal';

const quiet: Log = () => undefined;
const { org, contact } = SEED;
/**
 * Acme Dental and its contacts under ids of this file's own: onboarding IDs are the namespace's, and
 * other files onboard the seed's Acme contacts on the same Temporal server at the same time.
 */
const base = 7_000_000 + Math.floor(Math.random() * 90_000) * 10;
const ACME = String(base);
const INES = String(base + 1);
const PAULA = String(base + 2);
const ALEX = String(base + 3);
const workflowId = `onboarding:${ACME}:${INES}`;
const TOKEN = 'metrics-test-token-0123456789abcdef0123456789';
let h: SlackHarness;
let server: HttpServer;

beforeAll(async () => {
  // Before anything creates the runtime: the SDK's metrics on a loopback port, as `npm start` has them.
  installRuntime(quiet, 'error', await freeLoopbackPort());
  h = await startSlackHarness({ mode: 'itglue', policy: testPolicy(GROUP_MODEL) });
  const data = h.itglue.data;
  data.organizations.push({ ...structuredClone(data.organizations.find((o) => o.id === org.acme)!), id: ACME });
  for (const [seed, id] of [
    [contact.inesInvitee, INES],
    [contact.paulaPrimary, PAULA],
    [contact.alexApprover, ALEX],
  ] as const) {
    data.contacts.push({ ...structuredClone(data.contacts.find((c) => c.id === seed)!), id, 'organization-id': ACME });
  }
  h.group('Customer - No Password Access')['organization-ids'] = [ACME];
  server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    routes: metricsRoutes({ client: h.temporal.client, taskQueue: h.temporal.taskQueue, token: TOKEN, sdkMetricsUrl: sdkMetricsUrl(), log: quiet, cacheMs: 0 }),
    log: quiet,
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await h?.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of the sample `name{labels…}` (labels matched as given, in any order); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const status = () => h.temporal.client.workflow.getHandle(workflowId).query<OnboardingStatus, []>('status');
let last: OnboardingStatus | null = null;
const until = (check: (s: OnboardingStatus) => boolean, what: string) =>
  eventually(async () => check((last = await status())), what, 30_000).catch((error: Error) => {
    throw new Error(`${error.message}; last status: ${JSON.stringify(last && { stage: last.stage, subState: last.subState, events: last.events.slice(-4) })}`);
  });
/** Scrapes until `check` holds on the text (visibility and the SDK's exporter lag a little). */
const scrapeUntil = (check: (text: string) => boolean, what: string) =>
  eventually(
    async () => {
      const text = await scrape();
      return check(text) ? text : null;
    },
    what,
    30_000,
  );

it('refuses a scrape without the token, and writes no personal data', async () => {
  const anonymous = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
  const wrong = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: { Authorization: 'Bearer not-the-token' } });
  expect(wrong.status).toBe(401);
});

it('counts one onboarding from its request to COMPLETED: by stage while open, its outcome and time, IT Glue requests and a 429', async () => {
  await h.start({ orgId: ACME, contactId: INES, approverContactId: PAULA });
  await until((s) => s.stage === 'AWAITING_APPROVAL' && s.approvalRound === 1, 'the approval request');
  const waiting = await scrapeUntil((t) => sample(t, 'invite_lite_onboardings_open', { stage: 'AWAITING_APPROVAL' }) === 1, 'one open onboarding awaiting approval');
  for (const line of ['# HELP invite_lite_onboardings_open', '# TYPE invite_lite_onboardings_open gauge', '# TYPE invite_lite_itglue_requests_total counter']) {
    expect(waiting).toContain(line);
  }
  expect(sample(waiting, 'invite_lite_onboardings_open', { stage: 'AWAITING_INVITE' })).toBe(0);
  expect(sample(waiting, 'invite_lite_onboardings_overdue')).toBe(0);
  expect(sample(waiting, 'invite_lite_onboardings_stalled')).toBe(0);
  expect(sample(waiting, 'invite_lite_onboardings_visibility_up')).toBe(1);
  // The SDK's own metrics come along (the workers' polls).
  expect(waiting).toMatch(/^temporal_\w+/m);

  await decideApproval(h.temporal.client, workflowId, {
    decision: 'approve',
    round: 1,
    approverContactId: PAULA,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
  });
  await until((s) => s.stage === 'AWAITING_INVITE', 'the invitation stage');

  // IT Glue answers the next look-up with 429 once: counted as a rate-limited request, then retried.
  h.itglue.data.users.push(
    makeUser({
      id: '5200',
      'first-name': 'Ines',
      'last-name': 'Invitee',
      email: 'ines.invitee@acme-dental.test',
      'role-name': 'Lite',
      'invitation-sent-at': new Date().toISOString(),
    }),
  );
  h.itglue.failNext({ status: 429, times: 1, retryAfterSeconds: 1, method: 'GET', path: /users/ });
  await h.press(ACTIONS.invitationSent, workflowId, USERS.tech);
  await until((s) => s.stage === 'AWAITING_ACCEPTANCE', 'the acceptance stage');

  const user = h.itglue.data.users.find((u) => u.id === '5200')!;
  user['invitation-accepted-at'] = new Date().toISOString();
  user['current-sign-in-at'] = new Date().toISOString();
  await h.itglueActivities!.sweepUsers();
  await until((s) => s.stage === 'COMPLETED', 'completion');

  const done = await scrapeUntil(
    (t) =>
      sample(t, 'invite_lite_onboarding_outcomes_total', { outcome: 'completed' }) === 1 &&
      sample(t, 'invite_lite_onboardings_open', { stage: 'AWAITING_ACCEPTANCE' }) === 0,
    'the completion counted and no onboarding open',
  );
  expect(done).toContain('# TYPE invite_lite_onboarding_outcomes_total counter');
  expect(done).toContain('# TYPE invite_lite_onboarding_time_to_complete_seconds histogram');
  expect(sample(done, 'invite_lite_onboarding_time_to_complete_seconds_count')).toBe(1);
  const seconds = sample(done, 'invite_lite_onboarding_time_to_complete_seconds_sum')!;
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThan(120);
  // Within the first bucket (an hour), as a test onboarding takes seconds.
  expect(sample(done, 'invite_lite_onboarding_time_to_complete_seconds_bucket', { le: '3600' })).toBe(1);
  expect(sample(done, 'invite_lite_onboarding_outcomes_total', { outcome: 'cancelled' })).toBeUndefined();
  for (const stage of ['VALIDATING', 'AWAITING_APPROVAL', 'AWAITING_INVITE', 'VERIFYING', 'AWAITING_ACCEPTANCE', 'AWAITING_2FA', 'STALLED']) {
    expect(sample(done, 'invite_lite_onboardings_open', { stage })).toBe(0);
  }
  expect(sample(done, 'invite_lite_itglue_requests_total', { method: 'GET', outcome: 'ok' })).toBeGreaterThan(0);
  expect(sample(done, 'invite_lite_itglue_requests_total', { method: 'GET', outcome: 'rate_limited' })).toBe(1);
  expect(sample(done, 'invite_lite_integration_failures_total', { service: 'itglue', kind: 'rate_limited' })).toBe(1);
  // No names, addresses or IDs of the onboarding in any label.
  for (const personal of ['Ines', 'acme-dental', workflowId, INES, ACME]) expect(done).not.toContain(personal);
}, 180_000);

it('counts a Slack 429 by service and kind', async () => {
  h.slack.failNext({ method: 'chat.postMessage', times: 1, rateLimited: { retryAfterSeconds: 1 } });
  const second = await h.start({ orgId: ACME, contactId: ALEX, approverContactId: PAULA });
  await eventually(() => h.root(second), 'the thread root, posted after the 429', 30_000);
  const text = await scrapeUntil((t) => sample(t, 'invite_lite_integration_failures_total', { service: 'slack', kind: 'rate_limited' }) === 1, 'the Slack 429 counted');
  expect(text).toContain('# HELP invite_lite_integration_failures_total');
}, 60_000);

it('answers /readyz 503 before the workers run and after they stop, 200 while they run and Temporal answers', async () => {
  const native = await NativeConnection.connect({ address: h.temporal.address });
  const workers = await createWorkers({
    connection: native,
    namespace: h.temporal.namespace,
    taskQueue: `${h.temporal.taskQueue}-ready`,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    activities: { itglue: { noop: async () => undefined } as never, mail: {} as never, slack: {} as never },
    itglueActivitiesPerSecond: 1,
    shutdownGraceTime: 500,
  });
  let reachable = true;
  const health = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    routes: healthRoutes({
      temporalReachable: async () => reachable && (await isReachable(h.temporal.client.connection as Connection)),
      workerStates: () => ({ main: workers.main.getState(), itglue: workers.itglue.getState() }),
    }),
    log: quiet,
  });
  const ready = async () => {
    const response = await fetch(`http://127.0.0.1:${health.port}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  try {
    const before = await ready();
    expect(before.status).toBe(503);
    expect(before.body).toMatchObject({
      ok: false,
      temporal: 'reachable',
      workers: { main: 'INITIALIZED', itglue: 'INITIALIZED' },
      notReady: ['worker main', 'worker itglue'],
    });
    const running = workers.run();
    await eventually(async () => (await ready()).status === 200, '/readyz 200 with the workers running');
    expect((await ready()).body).toEqual({ ok: true, temporal: 'reachable', workers: { main: 'RUNNING', itglue: 'RUNNING' } });
    reachable = false;
    expect(await ready()).toMatchObject({ status: 503, body: { ok: false, temporal: 'unreachable', notReady: ['temporal'] } });
    reachable = true;
    await workers.shutdown();
    await running;
    const after = await ready();
    expect(after.status).toBe(503);
    expect(after.body.notReady).toEqual(['worker main', 'worker itglue']);
    // /healthz asks only whether Temporal answers.
    expect((await fetch(`http://127.0.0.1:${health.port}/healthz`)).status).toBe(200);
  } finally {
    await health.close();
    await native.close();
  }
}, 60_000);

it('counts a recipient the SMTP server refuses, and a server that cannot be reached', async () => {
  const smtp = await FakeSmtpServer.start({ refuse: /^nobody@/ });
  const message = (to: string) => ({
    messageId: `<m${Math.random()}@acme-it.example>`,
    to: { name: 'N', address: to },
    cc: [],
    subject: 's',
    text: 't',
    html: '<p>t</p>',
    links: [],
  });
  try {
    const mailer = createMailer({ smtpUrl: smtp.url(), from: 'it@acme-it.example', outboxDir: '/nonexistent', log: quiet });
    await expect(mailer.send(message('nobody@acme.test'))).rejects.toThrow();
    mailer.close();
  } finally {
    await smtp.stop();
  }
  const down = createMailer({ smtpUrl: `smtp://127.0.0.1:${await freeLoopbackPort()}`, from: 'it@acme-it.example', outboxDir: '/nonexistent', log: quiet });
  await expect(down.send(message('someone@acme.test'))).rejects.toThrow();
  down.close();
  const text = await scrape();
  expect(sample(text, 'invite_lite_integration_failures_total', { service: 'smtp', kind: 'refused' })).toBe(1);
  expect(sample(text, 'invite_lite_integration_failures_total', { service: 'smtp', kind: 'unreachable' })).toBe(1);
});

it('METRICS_TOKEN: at least 32 bytes, never shown in the error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'invite-lite-metrics-'));
  try {
    expect(loadConfig({ DATA_DIR: dir, METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(loadConfig({ DATA_DIR: dir }).metricsToken).toBeNull();
    expect(() => loadConfig({ DATA_DIR: dir, METRICS_TOKEN: 'short-secret' })).toThrow(ConfigError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(() => loadConfig({ METRICS_TOKEN: 'short-secret' })).toThrow(
    'METRICS_TOKEN: expected at least 32 bytes without spaces (e.g. the output of openssl rand -hex 32), got 12 bytes (value not shown)',
  );
});
