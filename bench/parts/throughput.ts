/**
 * 3. Throughput: whole onboardings (bench/support/flows.ts) on the service's workers with the real
 * activities (fake IT Glue, fake Slack, SMTP to a local server), vs. the mirror workflow with the
 * same activities, timers and messages and empty activity bodies, each on its own worker process,
 * `WINDOW` onboardings in flight, in chunks that alternate (app, baseline, baseline, app, …). The mirror's plan
 * is taken from the warm-up runs of the app.
 */
import { row, type PartResult } from '../report';
import { cpuSeconds, type Child } from '../support/children';
import { appFlow, averageShape, Hooks, mirrorFlow, planFromHistory, runFlows, type FlowResult } from '../support/flows';
import { FLOW_POLICY, MAIL_DOMAIN, TECH, type Base } from '../support/stack';
import { percentile, round } from '../support/stats';
import type { PlanStep } from '../workflows';

export const WINDOW = 50;

interface Cpu {
  temporalServer: number;
  worker: number;
  /** This process: the fakes (IT Glue, Slack, SMTP) and the drivers. */
  benchProcess: number;
}

const emptyCpu = (): Cpu => ({ temporalServer: 0, worker: 0, benchProcess: 0 });

function cpuNow(base: Base, worker: Child): Cpu {
  const own = process.cpuUsage();
  return {
    temporalServer: cpuSeconds(base.server.process.pid!) ?? 0,
    worker: cpuSeconds(worker.pid) ?? 0,
    benchProcess: (own.user + own.system) / 1e6,
  };
}

function addCpu(into: Cpu, from: Cpu, to: Cpu) {
  for (const key of Object.keys(into) as Array<keyof Cpu>) into[key] += to[key] - from[key];
}

function perOnboardingCpu(cpu: Cpu, count: number) {
  return Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round((v / Math.max(1, count)) * 1000, 1)]));
}

export async function throughputPart(
  base: Base,
  appQueue: string,
  baselineQueue: string,
  appWorker: Child,
  baselineWorker: Child,
  count: number,
  firstInvitee: number,
  deadline: number,
): Promise<PartResult> {
  const started = performance.now();
  const { client } = base;
  const timeoutMs = 120_000;
  const app = { client, taskQueue: appQueue, policy: FLOW_POLICY, sink: base.sink, itglue: base.itglue, tech: TECH, mailDomain: MAIL_DOMAIN, timeoutMs };
  const run = Date.now().toString(36);
  let next = firstInvitee;
  const appIds: string[] = [];
  const appRun = (n: number) => runFlows(n, WINDOW, async () => void appIds.push(await appFlow(app, next++)), deadline);

  // Warm-up of the app, then the mirror's plan from runs whose people take their time.
  const warmUp = Math.min(20, Math.max(10, Math.round(count / 25)));
  const warm = await runFlows(warmUp, 10, async () => void appIds.push(await appFlow(app, next++)), deadline);
  if (warm.failures.length > 0) throw new Error(`app warm-up: ${warm.failures[0]}`);
  const calibration: string[] = [];
  await runFlows(3, 3, async () => void calibration.push(await appFlow({ ...app, pauseMs: 1_500 }, next++)), deadline);
  const plans = new Map<string, { plan: PlanStep[]; n: number }>();
  for (const id of calibration) {
    const plan = planFromHistory((await client.workflow.getHandle(id).fetchHistory()).events ?? []);
    const key = JSON.stringify(plan);
    plans.set(key, { plan, n: (plans.get(key)?.n ?? 0) + 1 });
  }
  if (plans.size === 0) throw new Error('no calibration run completed');
  const plan = [...plans.values()].sort((a, b) => b.n - a.n)[0]!.plan;
  appIds.length = 0;

  const hooks = new Hooks(baselineWorker);
  const mirrorIds: string[] = [];
  let m = 0;
  const mirror = { client, taskQueue: baselineQueue, hooks, plan, tech: TECH, run, timeoutMs };
  const mirrorRun = (n: number, window = WINDOW) => runFlows(n, window, async () => void mirrorIds.push(await mirrorFlow(mirror, m++)), deadline);
  const mirrorWarm = await mirrorRun(warmUp, 10);
  if (mirrorWarm.failures.length > 0) throw new Error(`baseline warm-up: ${mirrorWarm.failures[0]}`);
  mirrorIds.length = 0;

  const requestsBefore = base.itglue.requests.length;
  const results: { app: FlowResult[]; baseline: FlowResult[] } = { app: [], baseline: [] };
  const cpu = { app: emptyCpu(), baseline: emptyCpu() };
  let itglueRequests = 0;
  const measured = async (which: 'app' | 'baseline', n: number) => {
    const before = base.itglue.requests.length;
    const worker = which === 'app' ? appWorker : baselineWorker;
    const at = cpuNow(base, worker);
    results[which].push(await (which === 'app' ? appRun(n) : mirrorRun(n)));
    addCpu(cpu[which], at, cpuNow(base, worker));
    if (which === 'app') itglueRequests += base.itglue.requests.length - before;
  };
  // Chunks in the order app, baseline, baseline, app, app, baseline, baseline, app.
  const chunks = 4;
  const size = Math.ceil(count / chunks);
  let skipped = 0;
  for (let c = 0; c < chunks; c++) {
    const n = Math.min(size, count - c * size);
    // Only whole pairs, so that both sides are measured alike; a pair needs a minute or two.
    const lastPair = results.app.at(-1)?.seconds ?? 60;
    if (c > 0 && Date.now() + 3 * lastPair * 1000 > deadline) {
      skipped += count - c * size;
      break;
    }
    for (const which of c % 2 === 0 ? (['app', 'baseline'] as const) : (['baseline', 'app'] as const)) await measured(which, n);
  }

  const sum = (rs: FlowResult[]) => ({
    count: rs.reduce((n, r) => n + r.count, 0),
    failures: rs.flatMap((r) => r.failures),
    seconds: rs.reduce((n, r) => n + r.seconds, 0),
    latencies: rs.flatMap((r) => r.latenciesMs),
  });
  const a = sum(results.app);
  const b = sum(results.baseline);
  const appRate = (a.count - a.failures.length) / a.seconds;
  const baseRate = (b.count - b.failures.length) / b.seconds;
  const sample = (ids: string[]) => ids.filter((_, i) => i % Math.max(1, Math.floor(ids.length / 10)) === 0).slice(0, 10);
  const [appShape, mirrorShape] = await Promise.all([averageShape(client, sample(appIds)), averageShape(client, sample(mirrorIds))]);
  const ms = (l: number[], q: number) => round(percentile(l, q), 0);
  const perOnboarding = itglueRequests / Math.max(1, a.count - a.failures.length);

  return {
    part: 3,
    name: 'Throughput',
    seconds: (performance.now() - started) / 1000,
    rows: [
      row(3, `onboardings per second (${WINDOW} in flight)`, '/s', appRate, baseRate, 'empty activities', { text: 'ratio ≥ 0.6', met: appRate / baseRate >= 0.6 }),
      row(3, 'onboardings failed', '', a.failures.length, b.failures.length, 'empty activities', { text: '0', met: a.failures.length === 0 }),
    ],
    details: {
      onboardings: {
        app: a.count,
        baseline: b.count,
        skippedForTime: skipped,
        warmUpEach: warmUp,
        window: WINDOW,
        chunks: 'app, baseline | baseline, app | app, baseline | baseline, app',
      },
      seconds: {
        app: round(a.seconds, 1),
        baseline: round(b.seconds, 1),
        chunks: { app: results.app.map((r) => round(r.seconds, 1)), baseline: results.baseline.map((r) => round(r.seconds, 1)) },
      },
      latencyMs: {
        app: { p50: ms(a.latencies, 50), p99: ms(a.latencies, 99) },
        baseline: { p50: ms(b.latencies, 50), p99: ms(b.latencies, 99) },
      },
      failures: { app: a.failures.slice(0, 5), baseline: b.failures.slice(0, 5) },
      shape: { app: appShape, baseline: mirrorShape },
      plan: plan.map((s) => ('activity' in s ? `${s.activity}${s.queue === 'itglue' ? '@itglue' : ''}` : `wait:${s.wait}`)).join(' '),
      plansSeenInCalibration: plans.size,
      itglueRequestsPerOnboarding: round(perOnboarding, 2),
      cpuMsPerOnboarding: {
        app: perOnboardingCpu(cpu.app, a.count),
        baseline: perOnboardingCpu(cpu.baseline, b.count),
      },
      itglueRequestsDuringBaseline: base.itglue.requests.length - requestsBefore - itglueRequests,
    },
  };
}
