/**
 * GET /healthz: 200 when the Temporal server answers, 503 otherwise (the process is alive and can
 * reach Temporal). GET /readyz: 200 only when Temporal answers and every worker is running (the
 * service takes work), else 503 naming the part that is not ready.
 */
import type { Routes } from './router';
import { sendJson } from './router';

export interface HealthDependencies {
  /** Whether Temporal answers a cheap call in time. */
  temporalReachable(): Promise<boolean>;
  /** Each worker's state (Worker.getState(): RUNNING when it polls), by name; without it, /readyz is not served. */
  workerStates?(): Record<string, string>;
}

export function healthRoutes({ temporalReachable, workerStates }: HealthDependencies): Routes {
  const routes: Routes = [
    {
      methods: ['GET', 'HEAD'],
      path: /^\/healthz$/,
      async handle({ req, res }) {
        const reachable = await temporalReachable();
        const head = req.method === 'HEAD';
        if (reachable) sendJson(res, 200, { ok: true, temporal: 'reachable' }, head);
        else sendJson(res, 503, { ok: false, temporal: 'unreachable' }, head);
      },
    },
  ];
  if (!workerStates) return routes;
  return [
    ...routes,
    {
      methods: ['GET', 'HEAD'],
      path: /^\/readyz$/,
      async handle({ req, res }) {
        const reachable = await temporalReachable();
        const workers = workerStates();
        const notRunning = Object.keys(workers).filter((name) => workers[name] !== 'RUNNING');
        const ready = reachable && notRunning.length === 0;
        const notReady = [...(reachable ? [] : ['temporal']), ...notRunning.map((name) => `worker ${name}`)];
        const body = { ok: ready, temporal: reachable ? 'reachable' : 'unreachable', workers, ...(ready ? {} : { notReady }) };
        sendJson(res, ready ? 200 : 503, body, req.method === 'HEAD');
      },
    },
  ];
}
