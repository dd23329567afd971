/**
 * `npm run bench`: the performance figures of invite-lite, each measured side by side with its
 * baseline in the same run (see docs/performance.md). Prints a table and writes bench/results.json
 * (only for a complete run at full size; other runs write to the system's temporary directory).
 *
 * BENCH_SCALE (default 1) scales every count (e.g. 0.1 while developing); BENCH_PARTS (default
 * 1,2,3,4,5,6) chooses the parts. The service runs compiled, as `npm start` runs it: the build
 * (scripts/build.ts) runs first. BENCH_UPDATE=1 with a full-size run of some parts: those parts
 * replace theirs in bench/results.json (each with its own `runAt`), the others are kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build';
import { MAX_ACTIVITIES_PER_SECOND } from '../src/itglue/budget';
import { ensureSweepSchedule } from '../src/temporal/sweep-schedule';
import { ackPart } from './parts/ack';
import { approvalPart } from './parts/approval';
import { restartPart } from './parts/restart';
import { scaleParts } from './parts/scale';
import { throughputPart } from './parts/throughput';
import { table, type PartResult } from './report';
import { killAllChildren, type Child } from './support/children';
import { benchSeed } from './support/seed';
import { FLOW_POLICY, PARKED_POLICY, startBase, startBenchWorker, startService, type Base } from './support/stack';
import { round } from './support/stats';

const scale = Number(process.env.BENCH_SCALE ?? '1');
if (!(scale > 0 && scale <= 1)) throw new Error('BENCH_SCALE must be a number in (0, 1]');
const wanted = new Set((process.env.BENCH_PARTS ?? '1,2,3,4,5,6').split(',').map((p) => Number(p.trim())));
const complete = scale === 1 && [1, 2, 3, 4, 5, 6].every((p) => wanted.has(p));
const update = !complete && scale === 1 && process.env.BENCH_UPDATE === '1';
const scaled = (n: number, least: number) => Math.max(least, Math.round(n * scale));

const SIZES = {
  commands: scaled(2_000, 100),
  approvals: scaled(200, 20),
  onboardings: scaled(500, 40),
  parked: scaled(10_000, 200),
  // At the IT Glue queue's limit (MAX_ACTIVITIES_PER_SECOND), each one's 4 IT Glue activities take about 4 s.
  budgetFlows: scaled(10, 5),
  restarts: scaled(5, 3),
};
/** Time limits of the parts (the whole run must stay under 20 minutes). */
const LIMIT_MS = { ack: 2.5 * 60_000, approval: 2.5 * 60_000, throughput: 7 * 60_000, scale: 8 * 60_000, restart: 3 * 60_000 };
/** First invitee numbers: the throughput runs' contacts are in the fake IT Glue. */
const FIRST = { approval: 0, throughput: 1_000, budget: 0 };

const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

async function part(results: PartResult[], number: number, name: string, run: () => Promise<PartResult | PartResult[]>) {
  log(`part ${number}: ${name}…`);
  const started = performance.now();
  try {
    const result = await run();
    for (const r of Array.isArray(result) ? result : [result]) {
      results.push(r);
      log(`part ${r.part}: done in ${r.seconds.toFixed(0)} s`);
    }
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`part ${number} failed: ${message}`);
    results.push({ part: number, name, seconds: (performance.now() - started) / 1000, rows: [], details: {}, error: message });
  }
}

async function appParts(results: PartResult[]) {
  const throughputWarmUp = 20;
  const base = await startBase({
    name: 'app',
    seed: benchSeed({ from: FIRST.throughput, count: SIZES.onboardings + throughputWarmUp + 10 }, FLOW_POLICY),
  });
  try {
    log('starting the service and the workers…');
    const [service, appWorker, baselineWorker] = await Promise.all([
      // Approvers answer from addresses of their own (the approval pages limit requests per client), through a local proxy.
      startService(base, 'service', 'bench-app', FLOW_POLICY, { TRUST_PROXY: '127.0.0.1' }),
      wanted.has(3) ? startBenchWorker(base, 'app-worker', 'app', 'bench-flow', FLOW_POLICY) : Promise.resolve(null),
      startBenchWorker(base, 'baseline-worker', 'baseline', 'bench-baseline', FLOW_POLICY),
    ]);
    if (wanted.has(1)) {
      await part(results, 1, 'Slash-command ack', () => ackPart(base, service, SIZES.commands, Date.now() + LIMIT_MS.ack));
    }
    if (wanted.has(2)) {
      await part(results, 2, 'Approval round trip', () =>
        approvalPart(base, service, 'bench-app', 'bench-baseline', SIZES.approvals, FIRST.approval, Date.now() + LIMIT_MS.approval),
      );
    }
    if (wanted.has(3)) {
      await part(results, 3, 'Throughput', () =>
        throughputPart(base, 'bench-flow', 'bench-baseline', appWorker as Child, baselineWorker, SIZES.onboardings, FIRST.throughput, Date.now() + LIMIT_MS.throughput),
      );
    }
  } finally {
    await base.close();
  }
}

async function scaleStack(results: PartResult[]) {
  const base: Base = await startBase({ name: 'scale', dbFile: true, seed: benchSeed({ from: FIRST.budget, count: SIZES.budgetFlows + 5 }, PARKED_POLICY) });
  try {
    log('starting the loaded and the idle service…');
    // The IT Glue rates at the most the configuration allows (src/itglue/budget.ts; IT Glue's own limit).
    const rates = { ITGLUE_ACTIVITIES_PER_SECOND: String(MAX_ACTIVITIES_PER_SECOND), ITGLUE_REQUESTS_PER_SECOND: '10' };
    const [loaded, idle] = await Promise.all([
      startService(base, 'loaded', 'bench-parked', PARKED_POLICY, rates),
      startService(base, 'idle', 'bench-idle', PARKED_POLICY, rates),
    ]);
    // Both services set up the sweep's schedule; it belongs to the loaded one.
    await ensureSweepSchedule(base.client, 'bench-parked', PARKED_POLICY.sweep.every);
    const flowsBaseline = (results.find((r) => r.part === 3)?.details.itglueRequestsPerOnboarding as number | undefined) ?? null;
    await part(results, 4, 'Parked scale and IT Glue budget', () =>
      scaleParts(
        base,
        loaded,
        idle,
        'bench-parked',
        { parked: SIZES.parked, flows: SIZES.budgetFlows, firstFlowInvitee: FIRST.budget },
        flowsBaseline,
        Date.now() + LIMIT_MS.scale,
      ),
    );
  } finally {
    await base.close();
  }
}

async function restartStack(results: PartResult[]) {
  const base = await startBase({ name: 'restart', seed: benchSeed({ from: FIRST.approval, count: 5 }, FLOW_POLICY) });
  try {
    await part(results, 6, 'Restart after SIGKILL', () => restartPart(base, SIZES.restarts, Date.now() + LIMIT_MS.restart));
  } finally {
    await base.close();
  }
}

const started = performance.now();
const results: PartResult[] = [];
log(`scale ${scale}: ${JSON.stringify(SIZES)}`);
const built = await build();
log(`build: workflow bundles ${built.bundled ? 'made' : 'up to date'} in ${Math.round(built.ms)} ms`);
if ([1, 2, 3].some((p) => wanted.has(p))) await appParts(results);
if (wanted.has(4) || wanted.has(5)) await scaleStack(results);
if (wanted.has(6)) await restartStack(results);
const seconds = (performance.now() - started) / 1000;

const runAt = new Date().toISOString();
for (const r of results) r.runAt = runAt;
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', memoryGB: round(totalmem() / 1024 ** 3, 1), node: process.version, platform: process.platform };
const resultsFile = fileURLToPath(new URL('./results.json', import.meta.url));
let output: Record<string, unknown> = { runAt, seconds: round(seconds, 0), scale, sizes: SIZES, machine, table: results.flatMap((r) => r.rows), parts: results };
if (update) {
  const previous = JSON.parse(readFileSync(resultsFile, 'utf8')) as { parts: PartResult[]; sizes: object } & Record<string, unknown>;
  const parts = [...previous.parts.filter((p) => !results.some((r) => r.part === p.part)), ...results].sort((a, b) => a.part - b.part);
  output = { ...previous, updatedAt: runAt, updatedMachine: machine, sizes: { ...previous.sizes, ...SIZES }, table: parts.flatMap((p) => p.rows), parts };
}
const file = complete || update ? resultsFile : join(tmpdir(), 'invite-lite-bench-results.json');
writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
results.sort((a, b) => a.part - b.part);
process.stdout.write(`\n${table(results)}\n\nRun time ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s (scale ${scale}). Results: ${file}\n`);
process.exit(results.some((r) => r.error) ? 1 : 0);
