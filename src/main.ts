/**
 * `npm start`: loads the configuration, starts the service, and stops it cleanly on SIGTERM/SIGINT.
 * A configuration or start-up problem is one line on stderr and exit code 1.
 */
import { ConfigError, loadConfig, type Config } from './config';
import { loadEnvFile } from './env-file';
import { jsonLog, setLogLevel } from './log';
import { startService, StartupError, type Service } from './service';
import { freeLoopbackPort, installRuntime } from './temporal/runtime';
import { WorkflowBundleError } from './temporal/workflow-bundle';

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

function readConfig(): Config {
  try {
    loadEnvFile();
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  setLogLevel(config.logLevel);
  for (const message of config.warnings) jsonLog('config.warning', { level: 'warn', message });
  // The SDK's metrics on a loopback port, which GET /metrics reads and serves (docs/operations.md);
  // without them (the port taken meanwhile) rather than not at all.
  try {
    installRuntime(jsonLog, config.logLevel, await freeLoopbackPort());
  } catch (error) {
    jsonLog('metrics.sdkUnavailable', { level: 'warn', error: error instanceof Error ? error.message : String(error) });
    try {
      installRuntime(jsonLog, config.logLevel);
    } catch (again) {
      fail(`invite-lite could not start the Temporal runtime: ${again instanceof Error ? again.message : String(again)}`);
    }
  }

  let service: Service | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) return stopping;
    jsonLog('service.stopping', { reason });
    stopping = (async () => {
      await service?.stop();
      jsonLog('service.stopped', { reason });
      process.exit(exitCode);
    })();
    return stopping;
  };
  let signalled: NodeJS.Signals | null = null;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (signalled) {
        jsonLog('service.forcedExit', { level: 'warn', signal });
        process.exit(1);
      }
      signalled = signal;
      // During start-up, the stop happens as soon as start-up is done (it undoes what it started).
      if (service) void stop(signal, 0);
    });
  }

  try {
    service = await startService(config, jsonLog);
  } catch (error) {
    if (error instanceof StartupError || error instanceof WorkflowBundleError) fail(error.message);
    jsonLog('service.startFailed', { level: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    fail(`invite-lite could not start: ${error instanceof Error ? error.message : String(error)}`);
  }

  service.running.catch((error: unknown) => {
    jsonLog('service.workerFailed', { level: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    void stop('worker failure', 1);
  });
  if (signalled) return void stop(signalled, 0);

  jsonLog('service.ready', {
    port: service.port,
    temporal: service.temporalAddress,
    embedded: config.temporal.address === null,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    pid: process.pid,
    temporalPid: service.embeddedTemporalPid,
  });
}

await main();
