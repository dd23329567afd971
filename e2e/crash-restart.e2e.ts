/**
 * Crashes and restarts while onboardings run: the service is killed with SIGKILL at random
 * moments (its embedded Temporal server ends with it) and started again on the same data, and
 * separately the Temporal server of a service is killed and started again. Every onboarding
 * completes, none is lost or started twice, and mails and Slack posts sent twice are counted.
 *
 * The moments are drawn from a seeded generator; the seed is printed, and E2E_SEED replays it
 * (E2E_CRASHES sets the number of service crashes, default 24).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import type { Stage } from '../workflows/stages';
import { SEED } from '../test/fakes/itglue-server';
import { launchBrowser, newInvitee, prepareItGlue, PRIMARY, runOnboarding, type Journey, type Kind } from './support/people';
import { record } from './support/results';
import { duplicates } from './support/side-effects';
import { portOutsideEphemeralRange } from '../test/support/service-process';
import { startStack, type Stack } from './support/stack';

const seed = Number(process.env.E2E_SEED ?? 20_261_124);
const CRASHES = Number(process.env.E2E_CRASHES ?? 24);

/** mulberry32: a small seeded generator, so that a run's moments can be replayed. */
function generator(s: number) {
  let a = s >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, between: (min: number, max: number) => Math.round(min + next() * (max - min)) };
}

/** The stages the crashes aim at, in turn (the moments within them are random). */
const TARGETS: Stage[] = ['AWAITING_APPROVAL', 'AWAITING_INVITE', 'AWAITING_ACCEPTANCE', 'AWAITING_2FA'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const KINDS: Array<{ kind: Kind; approval: boolean }> = [
  { kind: { kind: 'itglue', passwordAccess: false }, approval: true },
  { kind: { kind: 'myglue', role: 'Creator', groupIds: [SEED.group.acmeMyGlue] }, approval: true },
  { kind: { kind: 'itglue', passwordAccess: true }, approval: true },
];

let browser: Browser;
const stacks: Stack[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  console.log(`crash test seed ${seed} (replay with E2E_SEED=${seed})`);
});

afterAll(async () => {
  await browser?.close();
  for (const stack of stacks) await stack.close();
});

/** Keeps the last stage seen of each open onboarding (for where the crashes hit). */
function watchStages(stack: Stack, open: Set<string>) {
  const last = new Map<string, Stage>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const id of open) {
        try {
          last.set(id, (await stack.status(id)).stage);
        } catch {
          // the service or its Temporal server is down
        }
      }
      await sleep(300);
    }
  })();
  return {
    stagesNow: () => [...open].map((id) => last.get(id) ?? 'NOT_STARTED'),
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

interface Run {
  started: Set<string>;
  done: Journey[];
  failed: Array<{ workflowId: string; error: string }>;
}

/** Onboardings at Acme by the scripted people, taking their time between steps; `more()` says whether to start another. */
async function journeys(stack: Stack, rng: ReturnType<typeof generator>, o: { concurrent: number; more: () => boolean; open: Set<string>; label: string }): Promise<Run> {
  const run: Run = { started: new Set(), done: [], failed: [] };
  let n = 0;
  const lane = async () => {
    while (o.more()) {
      const i = n++;
      const { kind, approval } = KINDS[i % KINDS.length]!;
      const person = newInvitee(stack, `${o.label}${i}`);
      const workflowId = `onboarding:${SEED.org.acme}:${person.contactId}`;
      o.open.add(workflowId);
      run.started.add(workflowId);
      try {
        run.done.push(
          await runOnboarding(stack, browser, {
            invitee: person,
            approverContactId: approval ? PRIMARY.contactId : undefined,
            kind,
            userId: String(20_000 + Number(person.contactId)),
            think: () => sleep(rng.between(0, 4_000)),
          }),
        );
      } catch (error) {
        run.failed.push({ workflowId, error: error instanceof Error ? error.message : String(error) });
      }
      o.open.delete(workflowId);
    }
  };
  await Promise.all(Array.from({ length: o.concurrent }, lane));
  return run;
}

/** Executions of each onboarding ID, not counting the runs that continued as new (the same onboarding). */
async function onboardingExecutions(stack: Stack): Promise<Map<string, number>> {
  const client = await stack.temporal();
  const runs = new Map<string, number>();
  for await (const w of client.workflow.list({ query: `WorkflowType = 'onboarding'` })) {
    runs.set(w.workflowId, (runs.get(w.workflowId) ?? 0) + (w.status.name === 'CONTINUED_AS_NEW' ? 0 : 1));
  }
  return runs;
}

function report(part: string, stack: Stack, run: Run, executions: Map<string, number>, crashes: number) {
  const dup = duplicates(stack);
  const lost = [...run.started].filter((id) => !run.done.some((j) => j.workflowId === id && j.final.stage === 'COMPLETED'));
  const twice = [...executions].filter(([, n]) => n > 1).map(([id]) => id);
  console.log(
    `${part}: ${run.done.length} onboardings completed of ${run.started.size}; ${crashes} crashes; lost ${lost.length}; started twice ${twice.length};` +
      ` duplicate mails ${dup.mails}, duplicate Slack posts ${dup.slackPosts}` +
      [...run.failed.map((f) => `\n  failed ${f.workflowId}: ${f.error}`), ...dup.details.map((d) => `\n  ${d}`)].join(''),
  );
  record(
    part,
    { onboardings: run.started.size, crashes, lost: lost.length + twice.length, duplicateSideEffects: dup.mails + dup.slackPosts },
    `seed ${seed}; duplicates: ${dup.details.join('; ') || 'none'}`,
  );
  return { lost, twice };
}

it(`completes every onboarding through ${CRASHES} SIGKILLs of the service at random moments`, async () => {
  const rng = generator(seed);
  const stack = await startStack();
  stacks.push(stack);
  prepareItGlue(stack);

  const open = new Set<string>();
  const watcher = watchStages(stack, open);
  const hits: Array<{ n: number; target: Stage; afterMs: number; stages: string[]; restartMs: number }> = [];
  let crashes = 0;
  const crashing = (async () => {
    while (crashes < CRASHES) {
      // Each crash aims at a stage in turn: once an onboarding is in it (or after 30 s), a random moment later.
      const target = TARGETS[crashes % TARGETS.length]!;
      const aimed = Date.now() + 30_000;
      while (Date.now() < aimed && !watcher.stagesNow().includes(target)) await sleep(100);
      const afterMs = rng.between(0, 2_500);
      await sleep(afterMs);
      const stages = watcher.stagesNow();
      await stack.kill();
      crashes += 1;
      const restarting = Date.now();
      await stack.start();
      hits.push({ n: crashes, target, afterMs, stages, restartMs: Date.now() - restarting });
    }
  })();
  const run = await journeys(stack, rng, { concurrent: 3, more: () => crashes < CRASHES, open, label: 'Crash' });
  await crashing;
  await watcher.stop();

  console.log(
    `crash points (seed ${seed}):\n${hits.map((h) => `  #${h.n} aimed at ${h.target}, ${h.afterMs} ms later: ${h.stages.join(', ') || '(between onboardings)'} (restarted in ${h.restartMs} ms)`).join('\n')}`,
  );
  const stagesHit = new Set(hits.flatMap((h) => h.stages));
  console.log(`stages at the crashes: ${[...stagesHit].sort().join(', ')}`);

  const executions = await onboardingExecutions(stack);
  const { lost, twice } = report('SIGKILL of the service', stack, run, executions, crashes);
  expect(crashes).toBeGreaterThanOrEqual(Math.min(CRASHES, 20));
  expect(run.failed).toEqual([]);
  expect(run.done.length).toBeGreaterThanOrEqual(KINDS.length);
  expect(lost).toEqual([]);
  expect(twice).toEqual([]);
  expect([...executions.keys()].sort()).toEqual([...run.started].sort());
  // The crashes hit onboardings waiting in each of the long stages.
  for (const stage of TARGETS) expect(stagesHit, stage).toContain(stage);
  await stack.close();
  stacks.pop();
});

it('completes every onboarding through restarts of the Temporal server', async () => {
  const rng = generator(seed + 1);
  const dir = mkdtempSync(join(tmpdir(), 'invite-lite-e2e-temporal-'));
  const port = await portOutsideEphemeralRange();
  const serverOptions = { dbFile: join(dir, 'temporal.db'), namespace: 'default', port };
  let server: DevServer = await startDevServer(serverOptions);
  try {
    const stack = await startStack({ temporalAddress: server.address });
    stacks.push(stack);
    prepareItGlue(stack);
    const open = new Set<string>();
    const RESTARTS = 3;
    let restarts = 0;
    const restarting = (async () => {
      while (restarts < RESTARTS) {
        await sleep(rng.between(3_000, 8_000));
        server.process.kill('SIGKILL');
        await new Promise((r) => server.process.once('exit', r));
        await sleep(rng.between(1_000, 5_000));
        server = await startDevServer(serverOptions);
        restarts += 1;
      }
    })();
    let startedCount = 0;
    const run = await journeys(stack, rng, { concurrent: 3, more: () => startedCount++ < KINDS.length, open, label: 'Server' });
    await restarting;
    expect(stack.service().child.exitCode).toBeNull(); // the service rode through the restarts
    const executions = await onboardingExecutions(stack);
    const { lost, twice } = report('restart of the Temporal server', stack, run, executions, restarts);
    expect(run.failed).toEqual([]);
    expect(run.done).toHaveLength(KINDS.length);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect((await fetch(`${stack.base}/healthz`)).status).toBe(200);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
