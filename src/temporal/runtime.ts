/**
 * The Temporal SDK's process-wide runtime: its log lines go to the service's JSON log at their own
 * level (LOG_LEVEL decides which are written), and it leaves signals alone (main.ts decides the
 * order of shutdown).
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry, type Logger, type LogLevel as TemporalLevel } from '@temporalio/worker';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Level, Log, LogLevel } from '../log';
import { TIME_TO_COMPLETE_METRIC } from '../../workflows/onboarding/metrics';

function plain(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

const FROM_TEMPORAL: Record<TemporalLevel, Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The least severe Temporal level that LOG_LEVEL writes (Temporal has nothing above ERROR). */
export function temporalLevel(level: LogLevel): TemporalLevel {
  switch (level) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}

/** The SDK's logger over the service's log: `temporal.sdk` lines, Temporal's levels mapped onto the log's. */
export function temporalLogger(log: Log, level: LogLevel = 'info'): Logger {
  return new DefaultLogger(temporalLevel(level), (entry: LogEntry) => {
    const meta = Object.fromEntries(Object.entries(entry.meta ?? {}).map(([key, value]) => [key, plain(value)]));
    log('temporal.sdk', { message: entry.message, ...meta, level: FROM_TEMPORAL[entry.level] ?? 'info' });
  });
}

/** Hours to a month: an onboarding waits for people for days. */
const TIME_TO_COMPLETE_BUCKETS = [3_600, 4 * 3_600, 86_400, 2 * 86_400, 4 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400];

/** A port free on the loopback interface now, for the SDK's exporter (which cannot say which port it took). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

/** The SDK's Prometheus metrics as the runtime serves them (GET /metrics appends them); null until installed with them. */
let sdkMetrics: string | null = null;

export function sdkMetricsUrl(): string | null {
  return sdkMetrics;
}

/**
 * Installs the runtime. With `metricsPort`, the SDK's metrics (workers, polls, activities, and the
 * workflow's own: workflows/onboarding/metrics.ts) are served on 127.0.0.1:<metricsPort> only,
 * durations in seconds, counters with `_total`.
 */
export function installRuntime(log: Log, level: LogLevel = 'info', metricsPort?: number): void {
  // The Rust core is chatty below WARN: it is forwarded from WARN, or from LOG_LEVEL when that is stricter.
  const core = level === 'error' || level === 'fatal' || level === 'silent' ? 'ERROR' : 'WARN';
  const bindAddress = metricsPort ? `127.0.0.1:${metricsPort}` : null;
  Runtime.install({
    logger: temporalLogger(log, level),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core, other: 'ERROR' }) },
      ...(bindAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress,
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                histogramBucketOverrides: { [TIME_TO_COMPLETE_METRIC]: TIME_TO_COMPLETE_BUCKETS },
              },
            },
          }
        : {}),
    },
    shutdownSignals: [],
  });
  sdkMetrics = bindAddress ? `http://${bindAddress}/metrics` : null;
}
