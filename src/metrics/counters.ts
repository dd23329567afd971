/**
 * The service's own counters (docs/operations.md, Metrics), kept in one registry for the process:
 * failures of the systems it talks to, by kind, and IT Glue requests by method and outcome. The
 * clients count where the failure happens (src/itglue/client.ts, activities/slack.ts,
 * src/mail/mailer.ts); GET /metrics (src/metrics/route.ts) writes them. Labels are fixed words:
 * never an address, a name or an ID.
 */
import { Counter, Registry } from 'prom-client';

export const METRIC_PREFIX = 'invite_lite_';

/** The registry of the counters below: one per process, as the clients are. */
export const counterRegistry = new Registry();

export type IntegrationService = 'itglue' | 'slack' | 'smtp';

/**
 * What went wrong: `rate_limited` (429, Slack's ratelimited), `server_error` (5xx, an SMTP 4xx
 * deferral), `timeout` (no answer in time), `unreachable` (no connection), `auth` (a refused key,
 * token or login), `refused` (any other refusal of the request), `not_found`, `invalid` (an answer
 * that is not understood).
 */
export type FailureKind = 'rate_limited' | 'server_error' | 'timeout' | 'unreachable' | 'auth' | 'refused' | 'not_found' | 'invalid';

const integrationFailures = new Counter({
  name: `${METRIC_PREFIX}integration_failures_total`,
  help: 'Failed requests to IT Glue, Slack and the SMTP server, by service and kind of failure',
  labelNames: ['service', 'kind'] as const,
  registers: [counterRegistry],
});

const itglueRequests = new Counter({
  name: `${METRIC_PREFIX}itglue_requests_total`,
  help: 'Requests sent to the IT Glue API, by HTTP method and outcome (ok, or the kind of failure)',
  labelNames: ['method', 'outcome'] as const,
  registers: [counterRegistry],
});

export function countFailure(service: IntegrationService, kind: FailureKind): void {
  integrationFailures.inc({ service, kind });
}

/** One IT Glue request answered (`ok`) or failed; a failure is counted with the integration failures too. */
export function countItGlueRequest(method: string, outcome: 'ok' | FailureKind): void {
  itglueRequests.inc({ method, outcome });
  if (outcome !== 'ok') countFailure('itglue', outcome);
}
