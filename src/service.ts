/**
 * The whole service in one process (docs/design.md §14): Temporal (embedded or configured), the
 * workers, and the HTTP server. `stop()` undoes everything in reverse order.
 */
import { Client } from '@temporalio/client';
import type { Log } from './log';
import type { Config } from './config';
import { metricsRoutes } from './metrics/route';
import { serviceActivities } from './service-activities';
import { createSlackApp } from './slack/app';
import { connectClient, connectWorker, isReachable } from './temporal/connection';
import { encryptionCodec, temporalDataConverter } from './temporal/data-converter';
import { readEmbeddedAddress, startEmbeddedServer } from './temporal/embedded-server';
import { registerSearchAttributes } from './temporal/search-attributes';
import { ensureReviewSchedule } from './temporal/review-schedule';
import { ensureSweepSchedule } from './temporal/sweep-schedule';
import { sdkMetricsUrl } from './temporal/runtime';
import { workflowPages } from './temporal/ui-link';
import { createWorkers } from './temporal/worker';
import { approvalRoutes } from './web/approval-pages';
import { CODEC_BASE_PATH, codecRoutes } from './web/codec-endpoint';
import { healthRoutes } from './web/health';
import { startHttpServer } from './web/server';

export interface Service {
  port: number;
  temporalAddress: string;
  /** Set when the service runs its own Temporal dev server. */
  embeddedTemporalPid: number | null;
  client: Client;
  /** Rejects if the workers stop on their own (a fatal worker error). */
  running: Promise<void>;
  stop(): Promise<void>;
}

/** Something the service cannot start with, said in one line. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export async function startService(config: Config, log: Log): Promise<Service> {
  // Everything started so far, undone in reverse order by stop() or when start-up fails.
  const undo: Array<{ what: string; run: () => Promise<void> }> = [];
  const stop = async () => {
    while (undo.length > 0) {
      const step = undo.pop()!;
      try {
        await step.run();
      } catch (error) {
        log('service.stopError', { step: step.what, error: error instanceof Error ? error.message : String(error) });
      }
    }
  };

  try {
    const temporal = config.temporal;
    let address = temporal.address;
    let embeddedTemporalPid: number | null = null;
    if (!address) {
      await refuseSecondInstance(config);
      const server = await startEmbeddedServer({
        dataDir: config.dataDir,
        namespace: temporal.namespace,
        uiPort: temporal.uiPort,
        onLog: (text) => {
          for (const line of text.split('\n')) if (line.trim()) log('temporal.server', { line: line.trim() });
        },
      });
      undo.push({ what: 'embedded Temporal server', run: () => server.stop() });
      address = server.address;
      embeddedTemporalPid = server.pid ?? null;
      log('temporal.embedded', {
        address,
        pid: embeddedTemporalPid,
        database: `${config.dataDir}/temporal.db`,
        ui: temporal.uiPort ? `http://127.0.0.1:${temporal.uiPort}` : null,
      });
    }

    const connection = await connectClient(temporal, address).catch((error: Error) => {
      const source = temporal.address ? 'TEMPORAL_ADDRESS: cannot reach' : 'cannot reach the embedded';
      throw new StartupError(`${source} Temporal at ${address} (${error.message})`);
    });
    undo.push({ what: 'Temporal client connection', run: () => connection.close() });
    await registerSearchAttributes(connection, temporal.namespace, log);
    // With PAYLOAD_ENCRYPTION_KEY, the client, the workers and the codec endpoint encrypt and decrypt alike.
    const dataConverter = temporalDataConverter(config.payloadEncryption);
    const client = new Client({ connection, namespace: temporal.namespace, dataConverter });
    const codec = config.payloadEncryption ? encryptionCodec(config.payloadEncryption) : null;
    log('temporal.payloadEncryption', {
      encrypted: codec !== null,
      // Key ids are hashes of the keys: they tell which key a payload needs, and nothing of the key.
      keyIds: codec?.keyIds ?? [],
      codecEndpoint: codec && config.codecEndpoint ? { path: CODEC_BASE_PATH, corsOrigins: config.codecEndpoint.corsOrigins } : null,
    });

    const workerConnection = await connectWorker(temporal, address);
    undo.push({ what: 'Temporal worker connection', run: () => workerConnection.close() });
    const workers = await createWorkers({
      connection: workerConnection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      activities: serviceActivities(config, log, { client, taskQueue: temporal.taskQueue }),
      itglueActivitiesPerSecond: config.itglue.activitiesPerSecond,
      dataConverter,
    });
    if (config.itglue.apiKey) {
      await ensureSweepSchedule(client, temporal.taskQueue, config.policy.sweep.every);
      await ensureReviewSchedule(client, temporal.taskQueue, config.policy);
    }
    const running = workers.run();
    // Handled by whoever awaits `running`; marked here so a failure during start-up is not unhandled.
    running.catch(() => undefined);
    undo.push({ what: 'workers', run: () => workers.shutdown() });

    const slack = config.slack
      ? createSlackApp({
          config: config.slack,
          temporal: client,
          taskQueue: temporal.taskQueue,
          policy: config.policy,
          itglue: config.itglue.apiKey ? { ...config.itglue, apiKey: config.itglue.apiKey } : null,
          log,
          workflowPage: workflowPages(temporal),
        })
      : null;

    const http = await startHttpServer({
      port: config.port,
      routes: [
        ...healthRoutes({
          temporalReachable: () => isReachable(connection),
          workerStates: () => ({ main: workers.main.getState(), itglue: workers.itglue.getState() }),
        }),
        ...metricsRoutes({ client, taskQueue: temporal.taskQueue, token: config.metricsToken, sdkMetricsUrl: sdkMetricsUrl(), log }),
        ...approvalRoutes({
          client,
          secret: config.approvalSecret,
          previousSecret: config.approvalSecretPrevious,
          branding: config.policy.branding,
          trustProxy: config.trustProxy,
          secureCookies: config.publicBaseUrl.startsWith('https:'),
          log,
        }),
        ...(slack?.routes ?? []),
        ...(codec && config.codecEndpoint ? codecRoutes({ codec, ...config.codecEndpoint, namespace: temporal.namespace, log }) : []),
      ],
      log,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new StartupError(`PORT: ${config.port} is already in use by another program`);
      throw error;
    });
    undo.push({ what: 'HTTP server', run: () => http.close() });
    if (slack) {
      await slack.start();
      undo.push({ what: 'Slack app', run: () => slack.stop() });
    }

    return { port: http.port, temporalAddress: address, embeddedTemporalPid, client, running, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Two services on one DATA_DIR would share the embedded server's database. */
async function refuseSecondInstance(config: Config): Promise<void> {
  const address = readEmbeddedAddress(config.dataDir);
  if (!address) return;
  const connection = await connectClient(config.temporal, address, 2_000).catch(() => null);
  if (!connection) return;
  try {
    if (await isReachable(connection)) {
      throw new StartupError(`the service is already running with DATA_DIR ${config.dataDir} (Temporal at ${address}): stop it first`);
    }
  } finally {
    await connection.close();
  }
}
