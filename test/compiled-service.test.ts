/**
 * The compiled service, as `npm start` and the image run it: `npm run build` (scripts/build.ts),
 * then `node dist/main.js` on the tests' Temporal server. It loads the prebuilt workflow bundle
 * instead of bundling at start, answers /healthz and /readyz, runs an onboarding started with the
 * compiled CLI (`node dist/cli.js`), and stops cleanly on SIGTERM; without TEMPORAL_ADDRESS it
 * finds the project's scripts to start its embedded Temporal server.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OnboardingStatus } from '../workflows/types';
import { killGroup, portOutsideEphemeralRange, ROOT, serviceEnv, startServiceProcess, waitUntil, type ServiceProcess } from './support/service-process';

const run = promisify(execFile);
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const WORKFLOW_ID = 'onboarding:7001:7002';

/** The worker's log line naming the prebuilt bundle it loads (src/temporal/worker.ts), once written. */
function bundleLine(service: ServiceProcess): { codePath?: string } | undefined {
  return service.stdout.map((line) => JSON.parse(line) as { message?: string; codePath?: string }).find((l) => l.message === 'Using the prebuilt workflow bundle');
}

describe('the compiled service', { timeout: 180_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let service: ServiceProcess | undefined;
  const cli = async (args: string[]) => run(process.execPath, ['dist/cli.js', ...args], { cwd: ROOT, env, timeout: 30_000 });

  beforeAll(async () => {
    const built = await run(TSX, ['scripts/build.ts'], { cwd: ROOT, timeout: 120_000 });
    expect(built.stdout).toMatch(/^build: dist\/main\.js, dist\/cli\.js; workflow bundles (made|up to date)/);
    dataDir = mkdtempSync(join(tmpdir(), 'invite-lite-compiled-'));
    env = serviceEnv({
      DATA_DIR: dataDir,
      PORT: String(await portOutsideEphemeralRange()),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      TEMPORAL_TASK_QUEUE: `compiled-${process.pid}`,
      APPROVAL_SECRET: 'compiled service test approval secret, 32+ bytes',
    });
  }, 150_000);

  afterAll(() => {
    if (service) killGroup(service.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts from dist/main.js with the prebuilt workflow bundle and answers /healthz and /readyz', async () => {
    service = await startServiceProcess(env, 60_000, 'compiled');
    const used = await waitUntil(() => bundleLine(service!), 5_000, 'the prebuilt bundle log line');
    expect(used.codePath).toBe(join(ROOT, 'dist', 'workflow-bundle.js'));

    const base = `http://127.0.0.1:${service.ready.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, temporal: 'reachable' });
    const ready = await waitUntil(async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), 10_000, '/readyz 200');
    expect(ready).toBe(true);
  });

  it('runs the workflows from that bundle: an onboarding started with the compiled CLI waits for its approver', async () => {
    const started = await cli(['start', '--org', '7001', '--contact', '7002', '--approver', '7003', '--by', 'U0TECH01']);
    expect(JSON.parse(started.stdout)).toEqual({ workflowId: WORKFLOW_ID, created: true });
    const status = await waitUntil(
      async () => {
        const s = JSON.parse((await cli(['status', WORKFLOW_ID])).stdout) as OnboardingStatus;
        return s.stage === 'AWAITING_APPROVAL' && s.events.some((e) => e.type === 'approval-requested') ? s : undefined;
      },
      60_000,
      'AWAITING_APPROVAL with the request mailed',
    );
    expect(status.approver?.contactId).toBe('7003');
    // Cancelled, so that the shared Temporal server keeps no open onboarding of this test.
    await cli(['signal', WORKFLOW_ID, 'cancel', '--by', 'U0TECH01']);
  });

  it('stops cleanly on SIGTERM', async () => {
    service!.child.kill('SIGTERM');
    expect(await service!.exited).toEqual({ code: 0, signal: null });
  });

  it('loads the bundle with the encrypting failure converter when PAYLOAD_ENCRYPTION_KEY is set', async () => {
    const encrypted = await startServiceProcess(
      { ...env, TEMPORAL_TASK_QUEUE: `compiled-encrypted-${process.pid}`, PAYLOAD_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      60_000,
      'compiled',
    );
    try {
      const used = await waitUntil(() => bundleLine(encrypted), 5_000, 'the prebuilt bundle log line');
      expect(used.codePath).toBe(join(ROOT, 'dist', 'workflow-bundle-encrypted.js'));
      expect((await fetch(`http://127.0.0.1:${encrypted.ready.port}/healthz`)).status).toBe(200);
      encrypted.child.kill('SIGTERM');
      expect(await encrypted.exited).toEqual({ code: 0, signal: null });
    } finally {
      killGroup(encrypted.child);
    }
  });

  it('starts its embedded Temporal server without TEMPORAL_ADDRESS, as `npm start` does by default', async () => {
    const embeddedDir = mkdtempSync(join(tmpdir(), 'invite-lite-compiled-embedded-'));
    const embedded = await startServiceProcess(
      serviceEnv({ DATA_DIR: embeddedDir, PORT: String(await portOutsideEphemeralRange()), APPROVAL_SECRET: 'compiled service test approval secret, 32+ bytes' }),
      90_000,
      'compiled',
    );
    try {
      expect(embedded.ready.temporalPid).toEqual(expect.any(Number));
      expect((await fetch(`http://127.0.0.1:${embedded.ready.port}/healthz`)).status).toBe(200);
      embedded.child.kill('SIGTERM');
      expect(await embedded.exited).toEqual({ code: 0, signal: null });
    } finally {
      killGroup(embedded.child);
      rmSync(embeddedDir, { recursive: true, force: true });
    }
  });
});
