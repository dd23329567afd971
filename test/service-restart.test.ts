/**
 * The service as an operator runs it: `npm start`'s program with the embedded Temporal server, the
 * operator CLI, a kill -9 and a restart (open onboardings survive and go on), a SIGTERM while a
 * mail is being sent (drained: sent once, taken up after the next start), and a clean SIGTERM.
 * Mail goes to a local SMTP server that answers each message a few seconds after taking it, so
 * that a send is in flight long enough to be interrupted.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTRUCTIONS_SUBJECT } from '../src/mail/messages';
import type { OnboardingStatus } from '../workflows/types';
import { FakeSmtpServer, type ReceivedMail } from './fakes/smtp';
import {
  isAlive,
  killGroup,
  portOutsideEphemeralRange,
  processesMentioning,
  runCli,
  runServiceToExit,
  serviceEnv,
  startServiceProcess,
  waitUntil,
  type ServiceProcess,
} from './support/service-process';

const WORKFLOW_ID = 'onboarding:1001:2002';
/** How long the SMTP server takes to answer a message it has already taken. */
const SMTP_ANSWER_DELAY_MS = 3_000;
/** The placeholder people of the logging IT Glue activities (no ITGLUE_API_KEY). */
const APPROVER_EMAIL = 'contact-3003@example.invalid';
const INVITEE_EMAIL = 'contact-2002@example.invalid';
const RECEIPT_SUBJECT = 'You approved IT Glue access for Contact 2002 (Organization 1001)';

describe('the service across a kill and a restart', { timeout: 180_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let service: ServiceProcess | undefined;
  let smtp: FakeSmtpServer;
  /** The onboarding's status just before the service was killed. */
  let beforeKill: OnboardingStatus;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'invite-lite-service-'));
    smtp = await FakeSmtpServer.start({ answerDelayMs: SMTP_ANSWER_DELAY_MS });
    env = serviceEnv({
      DATA_DIR: dataDir,
      PORT: String(await portOutsideEphemeralRange()),
      SMTP_URL: smtp.url(),
      MAIL_FROM: 'Acme IT <it@acme.example>',
      // Real mail needs a secret of its own for the approval links.
      APPROVAL_SECRET: 'service-restart test approval secret, 32+ bytes',
    });
  });

  afterAll(async () => {
    if (service) killGroup(service.child);
    await smtp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const mailsTo = (address: string, subject: (s: string) => boolean): ReceivedMail[] =>
    smtp.received.filter((m) => m.envelope.to.includes(address) && subject(m.parsed.subject ?? ''));
  const approvalRequests = () => mailsTo(APPROVER_EMAIL, (s) => s.startsWith('Approval needed for IT Glue access'));
  const receipts = () => mailsTo(APPROVER_EMAIL, (s) => s === RECEIPT_SUBJECT);
  const instructions = () => mailsTo(INVITEE_EMAIL, (s) => s === INSTRUCTIONS_SUBJECT);
  /** Index of the first line of the service's log with this event (and these fields), or -1. */
  const logIndex = (lines: string[], event: string, fields: Record<string, unknown> = {}) =>
    lines.findIndex((line) => {
      if (!line.includes(`"${event}"`)) return false;
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry.event === event && Object.entries(fields).every(([k, v]) => entry[k] === v);
    });

  async function statusOf(workflowId: string): Promise<OnboardingStatus> {
    const result = await runCli(['status', workflowId], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as OnboardingStatus;
  }

  it('starts with the embedded Temporal server and answers /healthz', async () => {
    service = await startServiceProcess(env);
    expect(service.ready.temporal).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(service.ready.temporalPid).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'temporal.db'))).toBe(true);

    const response = await fetch(`http://127.0.0.1:${service.ready.port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, temporal: 'reachable' });
    expect((await fetch(`http://127.0.0.1:${service.ready.port}/elsewhere`)).status).toBe(404);
    // Without ITGLUE_API_KEY, the start says that IT Glue is simulated.
    const warnings = service.stdout.filter((line) => line.includes('"config.warning"')).map((line) => (JSON.parse(line) as { message: string }).message);
    expect(warnings.filter((w) => w.startsWith('ITGLUE_API_KEY is unset: IT Glue is simulated'))).toHaveLength(1);
    expect(warnings.filter((w) => w.startsWith('APPROVAL_SECRET'))).toEqual([]);
  });

  it('starts an onboarding from the CLI that waits for another contact to approve', async () => {
    const args = ['start', '--org', '1001', '--contact', '2002', '--approver', '3003', '--by', 'U0TECH01', '--ticket', 'T-42'];
    const first = await runCli(args, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ workflowId: WORKFLOW_ID, created: true });

    // Waiting for the approver once the request has been mailed (and the mail recorded as sent).
    const status = await waitUntil(
      async () => {
        const s = await statusOf(WORKFLOW_ID);
        return s.stage === 'AWAITING_APPROVAL' && s.events.some((e) => e.type === 'approval-requested') ? s : undefined;
      },
      60_000,
      'AWAITING_APPROVAL with the request mailed',
    );
    expect(status.approver?.contactId).toBe('3003');
    expect(status.approvalRound).toBe(1);
    expect(status.waitingOn).toBe('approver');
    expect(status.request).toMatchObject({ orgId: '1001', contactId: '2002', requestedBy: 'U0TECH01', ticket: 'T-42' });
    expect(status.itglueSimulated).toBe(true);
    expect(approvalRequests()).toHaveLength(1);
    beforeKill = status;

    const second = await runCli(args, env);
    expect(JSON.parse(second.stdout)).toEqual({ workflowId: WORKFLOW_ID, created: false });
  });

  it('leaves no Temporal server behind when the service is killed with SIGKILL', async () => {
    const { pid, temporalPid } = service!.ready;
    process.kill(pid, 'SIGKILL');
    await service!.exited;
    await waitUntil(() => (isAlive(temporalPid!) ? undefined : true), 20_000, `the Temporal server (pid ${temporalPid}) to exit`);
    await waitUntil(
      () => (processesMentioning(dataDir).length === 0 ? true : undefined),
      20_000,
      `no process using ${dataDir} (left: ${processesMentioning(dataDir).join('; ')})`,
    );

    const cli = await runCli(['status', WORKFLOW_ID], env);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim()).toBe('invite-lite: the service is not running: start it with npm start');
  });

  it('finds the onboarding where it was after a restart', async () => {
    service = await startServiceProcess(env);
    const status = await statusOf(WORKFLOW_ID);
    expect(status.stage).toBe('AWAITING_APPROVAL');
    expect(status.approver).toEqual(beforeKill.approver);
    expect(status.approvalRound).toBe(beforeKill.approvalRound);
    expect(status.deadline).toBe(beforeKill.deadline);
    expect(status.events).toEqual(beforeKill.events);
    expect(status.stages).toEqual(beforeKill.stages);

    const listed = await waitUntil(
      async () => {
        const result = await runCli(['list', '--stage', 'AWAITING_APPROVAL', '--json'], env);
        expect(result.code).toBe(0);
        const rows = JSON.parse(result.stdout) as Array<{ workflowId: string; stage: string }>;
        return rows.length > 0 ? rows : undefined;
      },
      20_000,
      'the onboarding in the list',
    );
    expect(listed).toEqual([expect.objectContaining({ workflowId: WORKFLOW_ID, stage: 'AWAITING_APPROVAL' })]);
  });

  it('goes on after the restart: a decision through the CLI is taken, and SIGTERM during its receipt mail drains it', async () => {
    // Nothing was sent again by the restart.
    expect(approvalRequests()).toHaveLength(1);

    const decided = await runCli(['decide', WORKFLOW_ID, 'approve', '--round', '1', '--approver', '3003', '--by', 'U0OPER0001', '--comment', 'OK'], env);
    expect(decided.stderr).toBe('');
    expect(decided.code).toBe(0);
    expect(JSON.parse(decided.stdout)).toMatchObject({ decision: 'approve', round: 1 });

    // The SMTP server has taken the receipt and not answered yet: the mail activity is in flight.
    const receipt = await smtp.waitFor((m) => m.parsed.subject === RECEIPT_SUBJECT, 30_000);
    // The approver is told that the MSP recorded it, not that they pressed the link.
    expect(receipt.parsed.text).toMatch(/has recorded your decision, as you gave it to them: you approved .* not through the link in our email\./s);
    const { temporalPid } = service!.ready;
    service!.child.kill('SIGTERM');
    const { code } = await service!.exited;
    expect(code).toBe(0);

    // The send finished while the service was stopping, before it said it had stopped.
    const log = service!.stdout;
    const stopping = logIndex(log, 'service.stopping', { reason: 'SIGTERM' });
    const sent = logIndex(log, 'mail.sent', { messageId: receipt.parsed.messageId });
    const stopped = logIndex(log, 'service.stopped');
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(sent).toBeGreaterThan(stopping);
    expect(stopped).toBeGreaterThan(sent);
    expect(isAlive(temporalPid!)).toBe(false);
    expect(receipts()).toHaveLength(1);
    service = undefined;
  });

  it('takes up after the next start where the drained service stopped: receipt not sent again, instructions sent, AWAITING_INVITE', async () => {
    service = await startServiceProcess(env);
    const status = await waitUntil(
      async () => {
        const s = await statusOf(WORKFLOW_ID);
        return s.stage === 'AWAITING_INVITE' ? s : undefined;
      },
      60_000,
      'AWAITING_INVITE',
    );
    // Recorded with the CLI: kept as the operator's record of the approver's decision, not as a press of the link.
    expect(status.evidence).toMatchObject({ via: 'cli', decision: 'approve', round: 1, approver: { contactId: '3003' }, comment: 'OK', recordedBy: 'U0OPER0001' });
    expect(status.stages.map((v) => v.stage)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE']);
    expect(status.events.slice(0, beforeKill.events.length)).toEqual(beforeKill.events);
    expect(status.events.filter((e) => e.type !== 'stage').map((e) => e.type)).toEqual(['validated', 'approval-requested', 'approved', 'instructions-sent']);
    expect(status.waitingOn).toBe('tech');

    await smtp.waitFor((m) => m.parsed.subject === INSTRUCTIONS_SUBJECT, 30_000);
    expect(instructions()).toHaveLength(1);
    expect(receipts()).toHaveLength(1);
    expect(approvalRequests()).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM: exit code 0, Temporal server stopped', async () => {
    const { temporalPid } = service!.ready;
    service!.child.kill('SIGTERM');
    const { code } = await service!.exited;
    expect(code).toBe(0);
    expect(service!.stdout.some((line) => line.includes('"service.stopped"'))).toBe(true);
    expect(isAlive(temporalPid!)).toBe(false);
    expect(existsSync(join(dataDir, 'temporal.address'))).toBe(false);
    service = undefined;
  });
});

describe('a bad configuration value', () => {
  it('stops the program with exit code 1 and one line naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'invite-lite-badconfig-'));
    try {
      const result = await runServiceToExit(serviceEnv({ DATA_DIR: dataDir, PORT: 'abc' }));
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('PORT: expected a whole number from 1 to 65535, got "abc"\n');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
