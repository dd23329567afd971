/**
 * The service against the production Temporal server on PostgreSQL, as docker-compose.yml deploys
 * it (the `temporalio/server` version it names, built from the Go module proxy by
 * scripts/temporal-server.sh; one process with all services; `postgres12` for the default and the
 * visibility store): the search attributes registered on SQL visibility, an onboarding completed
 * through two restarts of the server (SIGTERM, then SIGKILL), two service processes sharing the IT
 * Glue task queue's limit (docs/design.md §14), the managers' lists and counts answered by SQL
 * visibility, and the time from a SIGKILL of the compiled service to ready again (printed; the bench
 * compares it with the service run from TypeScript).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection, type Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queueRequestsPer5Minutes } from '../src/itglue/budget';
import { startOnboarding } from '../src/onboardings';
import { loadPolicy } from '../src/policy-file';
import { itglueTaskQueue } from '../workflows/activity-options';
import { SEARCH_ATTRIBUTES } from '../workflows/messages';
import { STAGE_LABELS } from '../src/slack/views/format';
import { killGroup, portOutsideEphemeralRange, ROOT, startServiceProcess, waitUntil, type ServiceProcess } from '../test/support/service-process';
import { ACME, launchBrowser, newInvitee, prepareItGlue, PRIMARY, runOnboarding, workflowIdOf } from './support/people';
import { queryValue, startPostgres, type PostgresCluster } from './support/postgresql';
import { record } from './support/results';
import { duplicates } from './support/side-effects';
import { PEOPLE, startStack, type Stack } from './support/stack';
import { startProductionTemporal, type ProductionTemporal } from './support/temporal-server';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
const INDEXED: Record<string, number> = { KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME };

/** The IT Glue queue's limit the stack configures (ITGLUE_ACTIVITIES_PER_SECOND). */
const ACTIVITIES_PER_SECOND = 1;
/** Onboardings started at once for the two service processes to share. */
const BURST = 16;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let pg: PostgresCluster | undefined;
let temporal: ProductionTemporal | undefined;
let stack: Stack | undefined;
let browser: Browser | undefined;
let second: ServiceProcess | undefined;
let connection: Connection | undefined;
const figures = { onboardings: 0, crashes: 0, lost: 0, duplicateSideEffects: 0 };
const notes: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'invite-lite-e2e-postgresql-'));
  pg = await startPostgres();
  temporal = await startProductionTemporal(pg, dir);
  connection = await Connection.connect({ address: temporal.address });
  const [system, cluster, postgres] = await Promise.all([
    connection.workflowService.getSystemInfo({}),
    connection.workflowService.getClusterInfo({}),
    queryValue(pg, 'temporal', 'SHOW server_version'),
  ]);
  console.log(
    `Temporal server ${system.serverVersion} (persistence ${cluster.persistenceStore}, visibility ${cluster.visibilityStore}) on PostgreSQL ${postgres}, at ${temporal.address}`,
  );
  notes.push(`Temporal ${system.serverVersion} on PostgreSQL ${postgres.split(' ')[0]}`);
  [stack, browser] = await Promise.all([startStack({ temporalAddress: temporal.address }), launchBrowser()]);
  prepareItGlue(stack);
}, 900_000);

afterAll(async () => {
  if (second) {
    second.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(second!.child), 15_000);
    await second.exited;
    clearTimeout(timer);
    killGroup(second.child);
  }
  if (stack) {
    const dup = duplicates(stack);
    figures.duplicateSideEffects = dup.mails + dup.slackPosts;
    if (dup.details.length) notes.push(`duplicates: ${dup.details.join('; ')}`);
  }
  await connection?.close();
  await browser?.close();
  await stack?.close();
  await temporal?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
  record('production Temporal server on PostgreSQL', figures, notes.join('; '));
});

it('runs the server version docker-compose.yml names, with PostgreSQL for persistence and visibility', async () => {
  const [system, cluster] = await Promise.all([connection!.workflowService.getSystemInfo({}), connection!.workflowService.getClusterInfo({})]);
  expect(`v${system.serverVersion}`).toBe(temporal!.build.version);
  expect(cluster.persistenceStore).toBe('postgres12');
  expect(cluster.visibilityStore).toBe('postgres12');
});

it('has the onboarding search attributes registered by the service at start-up', async () => {
  const listed = await connection!.operatorService.listSearchAttributes({ namespace: 'default' });
  for (const key of SEARCH_ATTRIBUTES) expect(listed.customAttributes[key.name], key.name).toBe(INDEXED[key.type]);
  // The fresh server had none of them: the service added them.
  const registered = stack!.log().find((line) => line.includes('"temporal.searchAttributes.registered"'));
  expect(registered).toBeDefined();
  for (const key of SEARCH_ATTRIBUTES) expect(registered).toContain(key.name);
});

it('completes an onboarding while the Temporal server is stopped (SIGTERM) and killed (SIGKILL) and started again', async () => {
  const signals = ['SIGTERM', 'SIGKILL'] as const;
  const restarts: string[] = [];
  const pids = [temporal!.server().process.pid];
  const invitee = newInvitee(stack!, 'Restart');
  figures.onboardings += 1;
  figures.lost += 1; // until it completes
  const journey = await runOnboarding(stack!, browser!, {
    invitee,
    approverContactId: PRIMARY.contactId,
    kind: { kind: 'itglue', passwordAccess: false },
    userId: '31001',
    // While the onboarding waits for the approver, then for the tech: the server goes away and comes back.
    think: async () => {
      const signal = signals[restarts.length];
      if (!signal) return;
      const status = await stack!.status(workflowIdOf(invitee.contactId));
      const started = Date.now();
      await temporal!.restart(signal);
      figures.crashes += 1;
      pids.push(temporal!.server().process.pid);
      restarts.push(`${signal} in ${status.stage}, back in ${Date.now() - started} ms`);
    },
  });
  const dup = duplicates(stack!);
  console.log(`restarts of the Temporal server: ${restarts.join('; ')}; duplicate mails ${dup.mails}, Slack posts ${dup.slackPosts}`);
  notes.push(`server restarts: ${restarts.join('; ')}`);
  expect(journey.final.stage).toBe('COMPLETED');
  figures.lost -= 1;
  expect(restarts).toHaveLength(2);
  expect(new Set(pids).size).toBe(3);
  expect(stack!.service().child.exitCode).toBeNull(); // the service rode through both
  expect((await fetch(`${stack!.base}/healthz`)).status).toBe(200);
});

/** When each IT Glue activity of these workflows started, and which worker took it. */
async function itglueActivityStarts(client: Client, workflowIds: string[], queue: string) {
  const starts: { at: number; identity: string }[] = [];
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = new Map<string, string>();
    for (const event of history.events ?? []) {
      const s = event.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(event.eventId), s.taskQueue?.name ?? '');
      const started = event.activityTaskStartedEventAttributes;
      if (started && scheduled.get(String(started.scheduledEventId)) === queue) {
        const t = event.eventTime!;
        starts.push({ at: Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6), identity: started.identity ?? '' });
      }
    }
  }
  return starts.sort((a, b) => a.at - b.at);
}

it(`shares the IT Glue queue's limit of ${ACTIVITIES_PER_SECOND}/s between two service processes on the same task queue`, async () => {
  const s = stack!;
  second = await startServiceProcess({ ...s.env, PORT: String(await portOutsideEphemeralRange()), DATA_DIR: join(s.dataDir, 'data-2') }, 120_000);
  const taskQueue = s.env.TEMPORAL_TASK_QUEUE!;
  const client = await s.temporal();
  const policy = loadPolicy(s.env.POLICY_FILE);
  const from = Date.now();
  const fromRequest = s.itglue.requests.length;
  // What the operator CLI's `start` does, BURST times at once.
  const ids = await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const invitee = newInvitee(s, `Burst${i}`);
      const request = {
        orgId: ACME.id,
        contactId: invitee.contactId,
        kind: 'itglue' as const,
        passwordAccess: false,
        approverContactId: PRIMARY.contactId,
        requestedBy: PEOPLE.tech,
      };
      return (await startOnboarding(client, taskQueue, request, policy)).workflowId;
    }),
  );
  figures.onboardings += BURST;
  figures.lost += BURST; // until each waits for its approver
  for (const id of ids) {
    await s.waitFor(id, (x) => x.stage === 'AWAITING_APPROVAL', 'AWAITING_APPROVAL', 120_000);
    figures.lost -= 1;
  }
  const until = Date.now();

  const starts = await itglueActivityStarts(client, ids, itglueTaskQueue(taskQueue));
  const byWorker = new Map<string, number>();
  for (const start of starts) byWorker.set(start.identity, (byWorker.get(start.identity) ?? 0) + 1);
  const spanS = (starts.at(-1)!.at - starts[0]!.at) / 1000;
  const rate = (starts.length - 1) / spanS;
  const requests = s.itglue.requests.slice(fromRequest).filter((r) => r.time >= from && r.time <= until);
  const requestRate = requests.length / ((until - from) / 1000);
  const bound = queueRequestsPer5Minutes(ACTIVITIES_PER_SECOND) / 300;
  const perWorker = [...byWorker].map(([who, n]) => `${who}: ${n}`).join(', ');
  console.log(
    `IT Glue queue, two service processes: ${starts.length} activities in ${spanS.toFixed(1)} s (${rate.toFixed(2)}/s, limit ${ACTIVITIES_PER_SECOND}/s; ${perWorker}); ` +
      `${requests.length} IT Glue requests in ${((until - from) / 1000).toFixed(1)} s (${requestRate.toFixed(2)}/s, bound ${bound}/s)`,
  );
  notes.push(`two workers: ${rate.toFixed(2)} IT Glue activities/s (limit ${ACTIVITIES_PER_SECOND}), ${requestRate.toFixed(2)} requests/s`);

  // Both processes took IT Glue activities, from both of them together no faster than the limit
  // (two workers each keeping a limit of their own would start them at twice the rate).
  const pids = [s.service().ready.pid, second.ready.pid];
  expect([...byWorker.keys()].map((who) => Number(who.split('@')[0])).sort()).toEqual(pids.sort());
  expect(starts.length).toBeGreaterThanOrEqual(BURST);
  expect(rate).toBeLessThanOrEqual(ACTIVITIES_PER_SECOND * 1.25);
  expect(requestRate).toBeLessThanOrEqual(bound);
  expect(second.child.exitCode).toBeNull();
});

it("answers the managers' lists and counts from SQL visibility (App Home and /onboarding-status)", async () => {
  const s = stack!;
  const open = BURST;
  const visibility = (where: string) =>
    queryValue(pg!, 'temporal_visibility', `SELECT count(*) FROM executions_visibility WHERE workflow_type_name = 'onboarding' AND ${where}`);
  // What the managers are shown is what PostgreSQL holds: the open onboardings, waiting for approval.
  expect(await visibility('status = 1')).toBe(String(open));
  expect(await visibility(`status = 1 AND search_attributes::text LIKE '%AWAITING_APPROVAL%'`)).toBe(String(open));

  const from = s.slack.callsOf('response_url').length;
  expect((await s.driver.command('/onboarding-status', PEOPLE.manager, '')).response.status).toBe(200);
  const deadline = Date.now() + 20_000;
  while (s.slack.callsOf('response_url').length === from && Date.now() < deadline) await sleep(100);
  const answer = s.slack.callsOf('response_url')[from]?.args as { text?: string; blocks?: unknown[] } | undefined;
  expect(answer?.text).toMatch(new RegExp(`^Open onboardings — .*: ${open}$`));
  expect(JSON.stringify(answer?.blocks)).toContain(STAGE_LABELS.AWAITING_APPROVAL);

  expect((await s.driver.appHomeOpened(PEOPLE.manager)).status).toBe(200);
  let home = '';
  for (const until = Date.now() + 20_000; Date.now() < until && !home.includes('Recently completed'); await sleep(100)) {
    home = JSON.stringify(s.slack.views.published[PEOPLE.manager] ?? '');
  }
  expect(home).toContain(`*Open: ${open}*`);
  expect(home).toContain(`${STAGE_LABELS.AWAITING_APPROVAL}: *${open}*`);
  // The onboarding of the previous test, listed among the completed by a visibility query on CloseTime.
  expect(home).toMatch(/Restart/);
});

it('is ready again quickly after a SIGKILL of the compiled service (prebuilt workflow bundle)', async () => {
  const s = stack!;
  await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build.ts'], { cwd: ROOT, timeout: 120_000 });
  const env = { ...s.env, PORT: String(await portOutsideEphemeralRange()), DATA_DIR: join(s.dataDir, 'data-compiled'), TEMPORAL_TASK_QUEUE: `restart-${process.pid}` };
  const readyz = async () => (await fetch(`http://127.0.0.1:${env.PORT}/readyz`).catch(() => null))?.status === 200 || undefined;
  let service = await startServiceProcess(env, 120_000, 'compiled');
  await waitUntil(readyz, 30_000, '/readyz 200');
  const times: number[] = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      killGroup(service.child); // SIGKILL
      await service.exited;
      figures.crashes += 1;
      const killed = Date.now();
      service = await startServiceProcess(env, 120_000, 'compiled');
      await waitUntil(readyz, 30_000, '/readyz 200');
      times.push(Date.now() - killed);
      expect(service.stdout.some((line) => line.includes('Using the prebuilt workflow bundle'))).toBe(true);
    }
  } finally {
    killGroup(service.child);
    await service.exited;
  }
  console.log(`restart to ready after SIGKILL (compiled service, Temporal on PostgreSQL): ${times.join(', ')} ms`);
  notes.push(`compiled service restart to ready after SIGKILL: ${times.join(', ')} ms`);
});
