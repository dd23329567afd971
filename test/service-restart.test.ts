/**
 * The service as an operator runs it: `npm start`'s program with the embedded Temporal server, the
 * operator CLI, a kill -9 and a restart (open onboardings survive), and a clean SIGTERM.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnboardingStatus } from '../workflows/types';
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

describe('the service across a kill and a restart', { timeout: 120_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'invite-lite-service-'));
    env = serviceEnv({ DATA_DIR: dataDir, PORT: String(await portOutsideEphemeralRange()) });
  });

  afterAll(() => {
    if (service) killGroup(service.child);
    rmSync(dataDir, { recursive: true, force: true });
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
  });

  it('starts an onboarding from the CLI that waits for another contact to approve', async () => {
    const args = ['start', '--org', '1001', '--contact', '2002', '--approver', '3003', '--by', 'U0TECH01', '--ticket', 'T-42'];
    const first = await runCli(args, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ workflowId: WORKFLOW_ID, created: true });

    const status = await waitUntil(
      async () => {
        const s = await statusOf(WORKFLOW_ID);
        return s.stage === 'AWAITING_APPROVAL' ? s : undefined;
      },
      30_000,
      'AWAITING_APPROVAL',
    );
    expect(status.approver?.contactId).toBe('3003');
    expect(status.request).toMatchObject({ orgId: '1001', contactId: '2002', requestedBy: 'U0TECH01', ticket: 'T-42' });

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
    expect(status.approver?.contactId).toBe('3003');

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
