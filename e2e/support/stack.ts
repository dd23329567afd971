/**
 * The whole system for the end-to-end suite: the service as `npm start` runs it (src/main.ts in its
 * own process, with the embedded Temporal dev server and its database in a data directory, or a
 * Temporal server given by the test), the fake Slack and IT Glue servers, a local SMTP server, and
 * the scripted people's tools (signed Slack requests, a Temporal client to read an onboarding's
 * status). The service can be killed (SIGKILL) and started again on the same data, port and fakes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { connect } from 'node:net';
import type { OnboardingStatus } from '../../workflows/types';
import { startFakeItGlue, type FakeItGlue } from '../../test/fakes/itglue-server';
import { startFakeSlack, type FakeSlack } from '../../test/fakes/slack-api';
import { FakeSmtpServer } from '../../test/fakes/smtp';
import { killGroup, portOutsideEphemeralRange, serviceEnv, startServiceProcess, type ServiceProcess } from '../../test/support/service-process';
import { slackDriver, type SlackDriver } from '../../test/support/slack-driver';

export const CHANNEL = 'C0ONBOARD1';
export const TECHS_GROUP = 'S0TECHS001';
export const PEOPLE = {
  tech: 'U0TECH0001',
  manager: 'U0MGR00001',
  outsider: 'U0OUT00001',
} as const;

/** Secrets the service is given; the log scan looks for each of them. */
export const SECRETS = {
  signing: 'e2e-signing-secret-7c1f0b9a2d4e6f80',
  approval: 'e2e-approval-secret-5b8e1d2c3a4f6079e0d1c2b3a4f5e6d7',
  slackBotToken: 'xoxb-e2e-0000000001-secret-bot-token',
  itglueKey: 'ITG.e2e0123456789abcdef.secret-api-key',
  smtpPassword: 'e2e-smtp-p@ss/word',
} as const;

/** Short durations so that reminders, expiry and the sweep happen within the suite. */
export const E2E_POLICY = {
  approval: { reminderEvery: '10m', maxReminders: 3, escalateAfter: '30m', timeout: '1h' },
  invite: { remindTechAfter: '10m', maxTechReminders: 3, linkValidity: '1h', maxResends: 3 },
  twoFactor: { remindAt: ['10m', '20m'], enforcedForItGlue: true, enforcedForMyGlue: false },
  sweep: { every: '4s' },
  branding: { mspName: 'Northwind IT', supportContact: 'help@northwind.example', loginHost: 'app.itglue.com', ssoSubdomain: 'northwind' },
};

export interface StackOptions {
  /** A Temporal server the service uses (TEMPORAL_ADDRESS); the embedded one when unset. */
  temporalAddress?: string;
  /** Merged over E2E_POLICY. */
  policy?: Record<string, unknown>;
  /** More configuration variables of the service (e.g. PAYLOAD_ENCRYPTION_KEY). */
  env?: Record<string, string>;
  /** The data converter of the stack's own Temporal client (the service's, when it encrypts). */
  dataConverter?: DataConverter;
}

export interface Stack {
  slack: FakeSlack;
  itglue: FakeItGlue;
  smtp: FakeSmtpServer;
  /** Signed requests into the service's Slack endpoint. */
  driver: SlackDriver;
  /** The service's base URL (also PUBLIC_BASE_URL of the approval links). */
  base: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** The running service process (replaced by each start). */
  service(): ServiceProcess;
  /** Every line the service wrote to stdout and stderr, over all its runs. */
  log(): string[];
  /** Kills the service (and with it the embedded Temporal server) with SIGKILL. */
  kill(): Promise<void>;
  /** Starts the service again on the same data directory, port and fakes. */
  start(): Promise<void>;
  /** An onboarding's status (through the service's Temporal server). */
  status(workflowId: string): Promise<OnboardingStatus>;
  /** Polls the status until `until` holds; fails with the last status seen. */
  waitFor(workflowId: string, until: (s: OnboardingStatus) => boolean, what: string, timeoutMs?: number): Promise<OnboardingStatus>;
  temporal(): Promise<Client>;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'invite-lite-e2e-'));
  const [slack, itglue, smtp, port] = await Promise.all([
    startFakeSlack({ botToken: SECRETS.slackBotToken, usergroups: { [TECHS_GROUP]: [PEOPLE.tech] } }),
    startFakeItGlue({ apiKey: SECRETS.itglueKey }),
    FakeSmtpServer.start({ auth: { user: 'invite-lite', pass: SECRETS.smtpPassword } }),
    portOutsideEphemeralRange(),
  ]);
  const policyFile = join(dataDir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ ...E2E_POLICY, ...options.policy }, null, 2));
  const base = `http://127.0.0.1:${port}`;
  const env = serviceEnv({
    DATA_DIR: join(dataDir, 'data'),
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    APPROVAL_SECRET: SECRETS.approval,
    POLICY_FILE: policyFile,
    SLACK_BOT_TOKEN: SECRETS.slackBotToken,
    SLACK_SIGNING_SECRET: SECRETS.signing,
    SLACK_API_URL: slack.url,
    SLACK_CHANNEL_ID: CHANNEL,
    SLACK_TECH_USERGROUP_ID: TECHS_GROUP,
    SLACK_MANAGER_USER_IDS: PEOPLE.manager,
    ITGLUE_API_KEY: SECRETS.itglueKey,
    ITGLUE_API_URL: itglue.url,
    ITGLUE_REQUESTS_PER_SECOND: '10',
    ITGLUE_ACTIVITIES_PER_SECOND: '1',
    SMTP_URL: smtp.url({ user: 'invite-lite', pass: SECRETS.smtpPassword }),
    MAIL_FROM: 'Northwind IT <it@northwind.example>',
    ...(options.temporalAddress ? { TEMPORAL_ADDRESS: options.temporalAddress, TEMPORAL_TASK_QUEUE: `e2e-${randomUUID()}` } : {}),
    ...options.env,
  });

  const runs: ServiceProcess[] = [];
  let current: ServiceProcess | null = null;
  // One client per Temporal address (the embedded server gets a new port at each start); all are
  // closed at the end only, as a query may still be retrying on an old one.
  const clients = new Map<string, { client: Client; connection: Connection }>();

  const start = async () => {
    current = await startServiceProcess(env, 120_000);
    runs.push(current);
  };

  const temporal = async () => {
    const address = current!.ready.temporal;
    let entry = clients.get(address);
    if (!entry) {
      const connection = await Connection.connect({ address });
      entry = { connection, client: new Client({ connection, namespace: 'default', dataConverter: options.dataConverter }) };
      clients.set(address, entry);
    }
    return entry.client;
  };

  /** The status, or a failure within 5 s (the server may be down). */
  const status = async (workflowId: string) => {
    const client = await temporal();
    return client.withDeadline(Date.now() + 5_000, () => client.workflow.getHandle(workflowId).query<OnboardingStatus, []>('status'));
  };

  await start();
  const stack: Stack = {
    slack,
    itglue,
    smtp,
    driver: slackDriver({ url: `${base}/slack/events`, secret: SECRETS.signing, slack, channel: CHANNEL }),
    base,
    env,
    dataDir,
    service: () => current!,
    // The service process keeps appending its lines to these arrays as it runs.
    log: () => runs.flatMap((run) => [...run.stdout, ...run.stderr]),
    async kill() {
      const proc = current!;
      // Only the service's own process, as an OOM kill would: its guard ends the embedded server.
      process.kill(proc.ready.pid, 'SIGKILL');
      await proc.exited;
      // The embedded Temporal server goes with the service (its guard ends it): wait for its port.
      if (!options.temporalAddress) await untilClosed(proc.ready.temporal);
    },
    start,
    status,
    async waitFor(workflowId, until, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last: OnboardingStatus | null = null;
      let error: unknown = null;
      for (;;) {
        try {
          last = await status(workflowId);
          if (until(last)) return last;
        } catch (e) {
          error = e;
        }
        if (Date.now() > deadline) {
          const seen = last && { stage: last.stage, subState: last.subState, reason: last.reason, mismatches: last.mismatches, events: last.events.slice(-4) };
          throw new Error(`${workflowId}: timed out waiting for ${what}; last status ${JSON.stringify(seen)}${error ? `; last error ${String(error)}` : ''}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    temporal,
    async close() {
      for (const { connection } of clients.values()) await connection.close().catch(() => undefined);
      if (current && current.child.exitCode === null && current.child.signalCode === null) {
        current.child.kill('SIGTERM');
        const timer = setTimeout(() => killGroup(current!.child), 15_000);
        await current.exited;
        clearTimeout(timer);
      }
      if (current) killGroup(current.child); // anything left of it
      await Promise.all([slack.close(), itglue.close(), smtp.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Until nothing listens on host:port any more. */
async function untilClosed(address: string, timeoutMs = 20_000): Promise<void> {
  const [host, port] = address.split(':');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((ok) => {
      const socket = connect({ host, port: Number(port) });
      socket.once('connect', () => {
        socket.destroy();
        ok(true);
      });
      socket.once('error', () => ok(false));
    });
    if (!open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the embedded Temporal server still listens on ${address} ${timeoutMs} ms after the service was killed`);
}
