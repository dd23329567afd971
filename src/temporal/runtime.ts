/**
 * The Temporal SDK's process-wide runtime: its log lines go to the service's JSON log at their own
 * level (LOG_LEVEL decides which are written), and it leaves signals alone (main.ts decides the
 * order of shutdown).
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry, type Logger, type LogLevel as TemporalLevel } from '@temporalio/worker';
import type { Level, Log, LogLevel } from '../log';

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

export function installRuntime(log: Log, level: LogLevel = 'info'): void {
  // The Rust core is chatty below WARN: it is forwarded from WARN, or from LOG_LEVEL when that is stricter.
  const core = level === 'error' || level === 'fatal' || level === 'silent' ? 'ERROR' : 'WARN';
  Runtime.install({
    logger: temporalLogger(log, level),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core, other: 'ERROR' }) } },
    shutdownSignals: [],
  });
}
