/**
 * The Temporal SDK's process-wide runtime: its log lines go to the service's JSON log, and it leaves
 * signals alone (main.ts decides the order of shutdown).
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';
import type { Log } from '../../activities/logging';

function plain(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export function installRuntime(log: Log): void {
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) => {
      const meta = Object.fromEntries(Object.entries(entry.meta ?? {}).map(([key, value]) => [key, plain(value)]));
      log('temporal.sdk', { level: entry.level, message: entry.message, ...meta });
    }),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) } },
    shutdownSignals: [],
  });
}
