/**
 * What the benchmark runs against, all on loopback: a Temporal dev server started here, the fake
 * Slack Web API and fake IT Glue from the tests, a local SMTP server, and child processes: the
 * service as `npm start` runs it (dist/main.js), bench workers, the bare Bolt app.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { startFakeItGlue, type FakeItGlue, type FakeItGlueData } from '../../test/fakes/itglue-server';
import { startFakeSlack, type FakeSlack } from '../../test/fakes/slack-api';
import { DEFAULT_POLICY, type Policy } from '../../workflows/policy';
import { childEnv, startChild, type Child } from './children';
import { SmtpSink } from './smtp-sink';

export const SIGNING_SECRET = 'bench-slack-signing-secret-0123456789';
export const APPROVAL_SECRET = 'bench approval secret, 32 bytes or more of it';
export const CHANNEL = 'C0BENCH001';
export const TECH = 'U0BTECH001';
/** Techs of the parked onboardings (each has a tenth of them). */
export const TECHS = Array.from({ length: 10 }, (_, i) => `U0BTECH${String(i + 1).padStart(3, '0')}`);
export const MANAGER = 'U0BMGR0001';
export const MAIL_FROM = 'Bench IT <it@bench-it.example>';
export const MAIL_DOMAIN = 'bench-it.example';
export const NAMESPACE = 'default';

const MINUTE = 60_000;
const shared: Partial<Policy> = {
  groups: { ...DEFAULT_POLICY.groups, organizationAccess: 'per-user' },
  // The schedule exists, but no sweep runs during the benchmark unless it asks for one.
  sweep: { every: 24 * 60 * MINUTE },
  branding: { mspName: 'Bench IT', supportContact: 'help@bench-it.example', loginHost: 'app.itglue.com', myGlueLoginHost: 'app.myglue.com', ssoSubdomain: 'benchit' },
};

/**
 * Short durations for whole onboardings: minutes instead of days, still longer than a run lasts,
 * so that no reminder fires (the figures count them: timersFired).
 */
export const FLOW_POLICY: Policy = {
  ...DEFAULT_POLICY,
  ...shared,
  approval: { reminderEvery: 10 * MINUTE, maxReminders: 3, escalateAfter: 20 * MINUTE, timeout: 30 * MINUTE },
  invite: { remindTechAfter: 10 * MINUTE, maxTechReminders: 3, linkValidity: 30 * MINUTE, maxResends: 3 },
  twoFactor: { ...DEFAULT_POLICY.twoFactor, remindAt: [10 * MINUTE, 20 * MINUTE] },
};

/** Production durations (days) for onboardings that stay parked. */
export const PARKED_POLICY: Policy = { ...DEFAULT_POLICY, ...shared };

export interface Base {
  dir: string;
  server: DevServer;
  connection: Connection;
  client: Client;
  slack: FakeSlack;
  itglue: FakeItGlue;
  sink: SmtpSink;
  children: Child[];
  close(): Promise<void>;
}

/** The dev server (in memory, or with its database in `dbFile`), the fakes and a client. */
export async function startBase(options: { name: string; dbFile?: boolean; seed: FakeItGlueData }): Promise<Base> {
  // A database file in memory (tmpfs) where there is one: its size is the same as on a disk, and
  // parking thousands of onboardings does not wait for the disk.
  const parent = options.dbFile && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(parent, `invite-lite-bench-${options.name}-`));
  const [server, slack, itglue, sink] = await Promise.all([
    startDevServer({ namespace: NAMESPACE, dbFile: options.dbFile ? join(dir, 'temporal.db') : undefined, endWithParent: true }),
    startFakeSlack(),
    startFakeItGlue({ seed: options.seed }),
    SmtpSink.start(),
  ]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: NAMESPACE });
  const base: Base = {
    dir,
    server,
    connection,
    client,
    slack,
    itglue,
    sink,
    children: [],
    async close() {
      await Promise.all(base.children.map((c) => c.stop()));
      await connection.close();
      await server.stop();
      await Promise.all([slack.close(), itglue.close(), sink.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return base;
}

/** The service's environment: Slack, IT Glue and SMTP all pointing at the fakes. */
export async function serviceSettings(base: Base, name: string, taskQueue: string, policy: Policy, extra: Record<string, string> = {}) {
  const dataDir = join(base.dir, name);
  mkdirSync(dataDir, { recursive: true });
  const policyFile = join(dataDir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(policy));
  const port = await freePort();
  return {
    DATA_DIR: dataDir,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    APPROVAL_SECRET,
    TEMPORAL_ADDRESS: base.server.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SLACK_BOT_TOKEN: base.slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: base.slack.url,
    SLACK_CHANNEL_ID: CHANNEL,
    SLACK_TECH_USER_IDS: [TECH, ...TECHS].join(','),
    SLACK_MANAGER_USER_IDS: MANAGER,
    ITGLUE_API_KEY: base.itglue.apiKey,
    ITGLUE_API_URL: base.itglue.url,
    SMTP_URL: base.sink.url(),
    MAIL_FROM,
    POLICY_FILE: policyFile,
    ...extra,
  };
}

/**
 * The service's program: compiled, as `npm start` runs it (dist/main.js with the prebuilt workflow
 * bundle; bench/run.ts runs `npm run build`'s build first), or from TypeScript with tsx, bundling
 * the workflows at start (as the image ran it before).
 */
export const SERVICE_SCRIPT = { compiled: 'dist/main.js', source: 'src/main.ts' } as const;
export type ServiceProgram = keyof typeof SERVICE_SCRIPT;

/** Starts the service (compiled unless told); `ready.port` is its HTTP port. */
export async function startServiceChild(name: string, env: NodeJS.ProcessEnv, program: ServiceProgram = 'compiled'): Promise<Child> {
  return startChild({ name, script: SERVICE_SCRIPT[program], env, readyEvent: 'service.ready' });
}

/** The service as `npm start` runs it; `ready.port` is its HTTP port. */
export async function startService(base: Base, name: string, taskQueue: string, policy: Policy, extra: Record<string, string> = {}): Promise<Child> {
  const env = childEnv(await serviceSettings(base, name, taskQueue, policy, extra));
  const child = await startServiceChild(name, env);
  base.children.push(child);
  return child;
}

export async function startBenchWorker(base: Base, name: string, mode: 'app' | 'baseline', taskQueue: string, policy: Policy): Promise<Child> {
  const settings = await serviceSettings(base, name, taskQueue, policy, { BENCH_WORKER_MODE: mode, BENCH_ITGLUE_RATE: '1000' });
  const child = await startChild({ name, script: 'bench/worker.ts', env: childEnv(settings), readyEvent: 'bench.ready' });
  base.children.push(child);
  return child;
}

/** The bare Bolt app; it opens the modal in `modalFile` (a view as JSON) after each ack. */
export async function startBareBolt(base: Base, modalFile: string, tokenVerification = true): Promise<Child> {
  const env = childEnv({
    BENCH_SIGNING_SECRET: SIGNING_SECRET,
    BENCH_SLACK_API_URL: base.slack.url,
    BENCH_SLACK_BOT_TOKEN: base.slack.botToken,
    BENCH_BOLT_TOKEN_VERIFICATION: String(tokenVerification),
    BENCH_MODAL_FILE: modalFile,
  });
  const child = await startChild({ name: tokenVerification ? 'bare-bolt' : 'bare-bolt-per-request-auth', script: 'bench/bare-bolt.ts', env, readyEvent: 'bench.ready' });
  base.children.push(child);
  return child;
}

/** Size of the SQLite database with its journal files, in bytes. */
export function databaseBytes(dbFile: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      total += statSync(`${dbFile}${suffix}`).size;
    } catch {
      // Absent.
    }
  }
  return total;
}

/** Until visibility counts `count` workflows matching `query` (it is eventually consistent). */
export async function counted(client: Client, query: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = (await client.workflow.count(query)).count;
    if (n >= count) return;
    if (Date.now() > deadline) throw new Error(`visibility shows ${n} of ${count} for ${query}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
