/**
 * Everything between an onboarding and its approver, for the approval tests: the onboarding
 * workflow on the test Temporal server with the real mail activities (SMTP to a local server
 * started here), the fake IT Glue and Slack activities, and the approval pages on a real HTTP
 * server, configured like the service (loadConfig). With `itglue`, the IT Glue activities are the
 * real ones, against that fake IT Glue server over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { createItGlueActivities } from '../../activities/itglue';
import { ItGlueClient } from '../../src/itglue/client';
import { loadConfig } from '../../src/config';
import { configuredMail } from '../../src/mail/configured';
import { messageIdFor, type MailStep } from '../../src/mail/message-id';
import { approvalRoutes } from '../../src/web/approval-pages';
import { startHttpServer, type HttpServer } from '../../src/web/server';
import type { onboarding } from '../../workflows/onboarding';
import type { Policy } from '../../workflows/policy';
import { workflowIdFor, type OnboardingRequest } from '../../workflows/types';
import type { FakeItGlue } from '../fakes/itglue-server';
import { FakeSmtpServer, linksIn, type ReceivedMail } from '../fakes/smtp';
import { FakeWorld, INVITEE } from './fake-activities';
import { connectTemporal, testPolicy, waitForStatus, type TestTemporal } from './temporal';

export const APPROVAL_SECRET = 'approval test secret: 32 bytes or more';
export const BRANDING: Policy['branding'] = {
  mspName: 'Acme IT',
  supportContact: 'help@acme-it.example',
  loginHost: 'app.itglue.com',
  myGlueLoginHost: 'app.myglue.com',
  ssoSubdomain: 'acme',
};

/** A started onboarding: its first run ID is part of its Message-IDs. */
export type OnboardingHandle = WorkflowHandleWithFirstExecutionRunId<typeof onboarding>;

export interface ApprovalHarness {
  temporal: TestTemporal;
  world: FakeWorld;
  smtp: FakeSmtpServer;
  http: HttpServer;
  /** The approval pages' base URL (PUBLIC_BASE_URL). */
  base: string;
  logged: Array<{ event: string; fields: Record<string, unknown> }>;
  /** Starts an onboarding that needs approval, with a fresh organization ID. */
  start(policy?: Policy, overrides?: Partial<OnboardingRequest>): Promise<OnboardingHandle>;
  /** Starts one and waits for its approval request (round 1) to arrive; returns it with its link. */
  startAndReceive(policy?: Policy, overrides?: Partial<OnboardingRequest>): Promise<{ handle: OnboardingHandle; mail: ReceivedMail; link: string }>;
  /** The mail with this step and round of this onboarding, as received. */
  mailOf(handle: OnboardingHandle, step: MailStep, round: number, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

let counter = 0;

export async function startApprovalHarness(options: { trustProxy?: string[]; itglue?: FakeItGlue } = {}): Promise<ApprovalHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'invite-lite-approval-'));
  const logged: ApprovalHarness['logged'] = [];
  const log = (event: string, fields: Record<string, unknown>) => void logged.push({ event, fields });
  const smtp = await FakeSmtpServer.start();
  const temporal = await connectTemporal();
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log,
    routes: approvalRoutes({
      client: temporal.client,
      secret: APPROVAL_SECRET,
      branding: BRANDING,
      trustProxy: options.trustProxy ?? [],
      secureCookies: false,
      log,
    }),
  });
  const base = `http://127.0.0.1:${http.port}`;
  const config = loadConfig({
    SMTP_URL: smtp.url(),
    MAIL_FROM: 'Acme IT <it@acme-it.example>',
    MAIL_COPY_TO: 'helpdesk@acme-it.example',
    PUBLIC_BASE_URL: base,
    APPROVAL_SECRET,
    DATA_DIR: dataDir,
  });
  const mail = configuredMail(config, log);
  const world = new FakeWorld();
  const itglue = options.itglue
    ? createItGlueActivities({
        client: new ItGlueClient({ baseUrl: options.itglue.url, apiKey: options.itglue.apiKey, requestsPerSecond: 100 }),
        temporal: temporal.client,
        taskQueue: temporal.taskQueue,
      })
    : {};
  const stopWorkers = await temporal.startWorkers({ ...world.activities(), ...itglue, ...mail.activities });
  const started: WorkflowHandle[] = [];

  const harness: ApprovalHarness = {
    temporal,
    world,
    smtp,
    http,
    base,
    logged,
    async start(policy = testPolicy({ branding: BRANDING }), overrides = {}) {
      counter += 1;
      const request: OnboardingRequest = {
        orgId: `${Date.now()}${counter}`,
        contactId: INVITEE.contactId,
        kind: 'itglue',
        passwordAccess: false,
        requestedBy: 'UTECH1',
        ...overrides,
      };
      const handle = await temporal.client.workflow.start<typeof onboarding>('onboarding', {
        taskQueue: temporal.taskQueue,
        workflowId: workflowIdFor(request.orgId, request.contactId),
        args: [{ request, policy }],
      });
      started.push(handle);
      return handle;
    },
    async startAndReceive(policy, overrides) {
      const handle = await harness.start(policy, overrides);
      const mail = await harness.mailOf(handle, 'approval-request', 1);
      // Settled: the request is recorded and the workflow waits for the approver.
      await waitForStatus(handle, (st) => st.waitingOn === 'approver' && st.events.some((e) => e.type === 'approval-requested'));
      const links = linksIn(mail);
      if (links.length !== 1) throw new Error(`expected one link in the approval request, got ${links.join(', ')}`);
      return { handle, mail, link: links[0]! };
    },
    mailOf(handle, step, round, timeoutMs) {
      const messageId = messageIdFor({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, step, round, 'acme-it.example');
      return smtp.waitFor((m) => m.parsed.messageId === messageId, timeoutMs);
    },
    async close() {
      await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
      await stopWorkers();
      await http.close();
      await temporal.close();
      await smtp.stop();
      mail.mailer.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
