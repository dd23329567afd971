/** GET /healthz: 200 when the Temporal server answers, 503 otherwise. */
import type { Routes } from './router';
import { sendJson } from './router';

export interface HealthDependencies {
  /** Whether Temporal answers a cheap call in time. */
  temporalReachable(): Promise<boolean>;
}

export function healthRoutes({ temporalReachable }: HealthDependencies): Routes {
  return [
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
}
