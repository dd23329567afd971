/**
 * GET /metrics (docs/operations.md, Metrics): Prometheus' text format. The service's counters
 * (./counters.ts), the open onboardings' gauges (./onboardings.ts), and the Temporal SDK's own
 * metrics with the workflow's outcome metrics, read from the SDK's exporter on a loopback port
 * (src/temporal/runtime.ts). With METRICS_TOKEN, only requests with `Authorization: Bearer
 * <METRICS_TOKEN>` are answered. Nothing in it names a person, an address or a secret.
 */
import type { Client } from '@temporalio/client';
import { Registry } from 'prom-client';
import type { Log } from '../log';
import { bearerCheck } from '../web/bearer';
import { sendJson, type Routes } from '../web/router';
import { counterRegistry } from './counters';
import { onboardingGauges } from './onboardings';

export interface MetricsOptions {
  client: Client;
  taskQueue: string;
  /** METRICS_TOKEN; null: the endpoint is open (keep it off the public network). */
  token: string | null;
  /** The SDK's Prometheus exporter (http://127.0.0.1:<port>/metrics); null: not installed. */
  sdkMetricsUrl: string | null;
  log: Log;
  cacheMs?: number;
}

/** The SDK exporter's text, or nothing when it does not answer in time (logged). */
async function sdkMetrics(url: string | null, log: Log): Promise<string> {
  if (!url) return '';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.text();
  } catch (error) {
    log('metrics.sdkUnavailable', { level: 'warn', error: error instanceof Error ? error.message : String(error) });
    return '';
  }
}

export function metricsRoutes(options: MetricsOptions): Routes {
  const authorized = options.token ? bearerCheck(options.token) : () => true;
  const registry = Registry.merge([counterRegistry, onboardingGauges(options)]);
  return [
    {
      methods: ['GET'],
      path: /^\/metrics$/,
      async handle({ req, res }) {
        if (!authorized(req)) {
          res.setHeader('WWW-Authenticate', 'Bearer realm="invite-lite metrics"');
          return sendJson(res, 401, { error: 'this endpoint needs Authorization: Bearer <METRICS_TOKEN>' });
        }
        const [own, sdk] = await Promise.all([registry.metrics(), sdkMetrics(options.sdkMetricsUrl, options.log)]);
        const text = sdk ? `${own.trimEnd()}\n${sdk.trimEnd()}\n` : own;
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
        res.end(text);
      },
    },
  ];
}
