/**
 * 6. Restart after a crash: the service is killed with SIGKILL and started again on the same data
 * and the same (external) Temporal dev server, `repeats` times each for the compiled service with
 * its prebuilt workflow bundle (`node dist/main.js`, what `npm start` and the image run) and for
 * the service run from TypeScript, bundling the workflows at start (`node --import tsx
 * src/main.ts`, what the image ran before). Both run side by side, alternately restarted, the
 * other one idle meanwhile. The time is from starting the process to the service being ready: its
 * `service.ready` line and GET /readyz answering 200 (GET /healthz where the service has no
 * /readyz). The idle RSS of each is read a few seconds after each of its starts. Should the
 * workflow sources be edited during the run, the compiled service refuses its bundle
 * (src/temporal/workflow-bundle.ts): the bundle is built again and that start taken again.
 */
import { build } from '../../scripts/build';
import { row, type PartResult } from '../report';
import { rssBytes, childEnv, type Child } from '../support/children';
import { FLOW_POLICY, serviceSettings, startServiceChild, type Base, type ServiceProgram } from '../support/stack';
import { MB, median, percentile, round, sleep, until } from '../support/stats';

/** How long after being ready a service's RSS is read. */
const IDLE_MS = 5_000;
export const RESTART_TARGET_MS = 2_000;

/** The probe of readiness: /readyz, or /healthz where the service does not serve /readyz (404). */
async function answersReady(port: number): Promise<true | undefined> {
  try {
    const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
    await readyz.arrayBuffer();
    if (readyz.status === 200) return true;
    if (readyz.status !== 404) return undefined;
    const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
    await healthz.arrayBuffer();
    return healthz.status === 200 ? true : undefined;
  } catch {
    return undefined;
  }
}

interface Samples {
  ms: number[];
  rssMB: number[];
  probe: Set<string>;
}

export async function restartPart(base: Base, repeats: number, deadline: number): Promise<PartResult> {
  const started = performance.now();
  const programs: ServiceProgram[] = ['compiled', 'source'];
  const envs = new Map<ServiceProgram, NodeJS.ProcessEnv>();
  for (const program of programs) envs.set(program, childEnv(await serviceSettings(base, `restart-${program}`, `bench-restart-${program}`, FLOW_POLICY)));
  const samples: Record<ServiceProgram, Samples> = { compiled: { ms: [], rssMB: [], probe: new Set() }, source: { ms: [], rssMB: [], probe: new Set() } };
  const running = new Map<ServiceProgram, Child>();
  let rebuilds = 0;

  /** Starts `program`'s service and waits until it is ready; the time and the idle RSS are kept when `keep`. */
  const start = async (program: ServiceProgram, keep: boolean) => {
    let at = performance.now();
    let child: Child;
    try {
      child = await startServiceChild(`restart-${program}`, envs.get(program)!, program);
    } catch (error) {
      // Workflow sources edited during the run: the compiled service refuses its bundle; built again, this start is taken again.
      if (program !== 'compiled' || !String(error).includes('run `npm run build`')) throw error;
      rebuilds++;
      await build();
      at = performance.now();
      child = await startServiceChild(`restart-${program}`, envs.get(program)!, program);
    }
    running.set(program, child);
    const port = Number(child.ready.port);
    await until(() => answersReady(port), 30_000, `${program} service ready`, 10);
    const ms = performance.now() - at;
    await sleep(IDLE_MS);
    const rss = rssBytes(child.pid);
    if (!keep) return;
    samples[program].ms.push(ms);
    if (rss !== null) samples[program].rssMB.push(rss / MB);
    const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
    samples[program].probe.add(readyz.status === 404 ? '/healthz' : '/readyz');
  };

  try {
    // First starts (not counted): the service registers its search attributes, tsx fills its cache.
    for (const program of programs) await start(program, false);
    for (let i = 0; i < repeats; i++) {
      // Each program first in turn.
      for (const program of i % 2 === 0 ? programs : [...programs].reverse()) {
        if (Date.now() > deadline) throw new Error('time limit reached');
        await running.get(program)!.kill();
        await start(program, true);
      }
    }
  } finally {
    await Promise.all([...running.values()].map((child) => child.stop()));
  }

  const { compiled, source } = samples;
  const p = (values: number[], q: number) => round(percentile(values, q), 0);
  return {
    part: 6,
    name: 'Restart after SIGKILL',
    seconds: (performance.now() - started) / 1000,
    rows: [
      row(6, `restart after SIGKILL → ready, p50 (${repeats} each)`, 'ms', median(compiled.ms), median(source.ms), 'tsx, bundling at start'),
      row(6, 'restart after SIGKILL → ready, max', 'ms', Math.max(...compiled.ms), Math.max(...source.ms), 'tsx, bundling at start', {
        text: `compiled ≤ ${RESTART_TARGET_MS / 1000} s`,
        met: Math.max(...compiled.ms) <= RESTART_TARGET_MS,
      }),
      row(6, `idle RSS, ${IDLE_MS / 1000} s after ready (median)`, 'MB', median(compiled.rssMB), median(source.rssMB), 'tsx, bundling at start'),
    ],
    details: {
      repeats,
      idleMs: IDLE_MS,
      rebuildsForEditedSources: rebuilds,
      readyProbe: { compiled: [...compiled.probe], source: [...source.probe] },
      restartMs: {
        compiled: { p50: p(compiled.ms, 50), max: p(compiled.ms, 100), all: compiled.ms.map((v) => round(v, 0)) },
        source: { p50: p(source.ms, 50), max: p(source.ms, 100), all: source.ms.map((v) => round(v, 0)) },
      },
      idleRssMB: { compiled: compiled.rssMB.map((v) => round(v, 1)), source: source.rssMB.map((v) => round(v, 1)) },
    },
  };
}
