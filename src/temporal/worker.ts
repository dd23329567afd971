/**
 * The service's two workers: the main task queue (the onboarding workflow, mail and Slack
 * activities) and `<taskQueue>-itglue` (IT Glue activities, rate-limited by the server for every
 * worker on that queue, so that all of them together stay under IT Glue's request limit).
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, Runtime, Worker, type BundleOptions, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { heartbeatInterceptor } from './heartbeat';
import { prebuiltBundlePath } from './workflow-bundle';
import type { ItGlueActivities, ItGlueMaintenanceActivities, MailActivities, SlackActivities } from '../../activities/contracts';
import { itglueTaskQueue } from '../../workflows/activity-options';

/** The workflows' entry point, from src/temporal/ (the compiled service loads its prebuilt bundle instead). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface ServiceActivities {
  itglue: ItGlueActivities & ItGlueMaintenanceActivities;
  mail: MailActivities;
  slack: SlackActivities;
}

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ServiceActivities;
  /** IT Glue activities per second on the IT Glue task queue, for all workers together (the request bound it gives: src/itglue/budget.ts). */
  itglueActivitiesPerSecond: number;
  /**
   * A prebuilt workflow bundle; otherwise the compiled service's own (dist/, checked) or, from
   * TypeScript, the workflows bundled from `workflowsPath` (with the data converter's failure
   * converter). A prebuilt bundle must have been built with the same `failureConverterPath` as
   * `dataConverter` has.
   */
  workflowBundle?: WorkflowBundleOption;
  workflowsPath?: string;
  /** How long running activities may take to finish after shutdown is requested (default 10 s). */
  shutdownGraceTime?: number;
  /** Workflows kept in the worker's memory between their tasks (default MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number;
  /** Payload encryption (src/temporal/data-converter.ts); the SDK's default when unset. */
  dataConverter?: DataConverter;
}

/**
 * Workflows kept in memory between their tasks. Onboardings wait for days, so most of them are
 * idle: the SDK's default (sized from the heap limit: about 2,300 for the service) would keep
 * thousands of them, at 0.3–0.45 MB each. One that is not kept is rebuilt by replaying its short
 * history when it next has a task or is queried; 100 covers the onboardings that are busy at once.
 */
export const MAX_CACHED_WORKFLOWS = 100;

export interface Workers {
  main: Worker;
  itglue: Worker;
  /** Runs both until they are shut down; if one fails, the other is shut down too. */
  run(): Promise<void>;
  /** Stops polling, lets running tasks finish, and resolves when both have stopped. */
  shutdown(): Promise<void>;
}

/**
 * Set in the compiled service by scripts/build.ts (esbuild `define`): the hash of the workflow
 * sources its prebuilt bundles were built from (src/temporal/workflow-bundle.ts). Undefined when
 * the service runs from TypeScript (tsx, the tests), which bundles the workflows at start.
 */
declare const INVITE_LITE_WORKFLOW_SOURCES: string | undefined;

/**
 * Bundles the workflow code, as the worker does at start from TypeScript and `npm run build` does
 * for the compiled service; the bundler's build report is left out of the log, its warnings are
 * kept. `webpackConfigHook` lets the build see which files went in.
 */
export async function bundleWorkflows(
  workflowsPath: string,
  failureConverterPath: string | undefined,
  webpackConfigHook?: BundleOptions['webpackConfigHook'],
): Promise<{ code: string }> {
  const logger = Runtime.instance().logger;
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath,
    webpackConfigHook,
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (message, meta) => logger.warn(message, meta),
      error: (message, meta) => logger.error(message, meta),
    },
  });
  return { code };
}

/** The compiled service's prebuilt bundle (dist/, beside dist/main.js), checked; the workflows bundled now otherwise. */
async function workflowBundleFor(setup: WorkerSetup): Promise<WorkflowBundleOption> {
  const failureConverterPath = setup.dataConverter?.failureConverterPath;
  if (typeof INVITE_LITE_WORKFLOW_SOURCES !== 'string') return bundleWorkflows(setup.workflowsPath ?? WORKFLOWS_PATH, failureConverterPath);
  const distDir = fileURLToPath(new URL('.', import.meta.url));
  const root = fileURLToPath(new URL('..', import.meta.url));
  const codePath = prebuiltBundlePath(distDir, root, INVITE_LITE_WORKFLOW_SOURCES, failureConverterPath ? 'encrypted' : 'plain');
  Runtime.instance().logger.info('Using the prebuilt workflow bundle', { codePath });
  return { codePath };
}

export async function createWorkers(setup: WorkerSetup): Promise<Workers> {
  const { connection, namespace, taskQueue, activities } = setup;
  const shutdownGraceTime = setup.shutdownGraceTime ?? 10_000;
  const { dataConverter } = setup;
  const workflowBundle = setup.workflowBundle ?? (await workflowBundleFor(setup));

  const [main, itglue] = await Promise.all([
    Worker.create({
      connection,
      namespace,
      taskQueue,
      dataConverter,
      workflowBundle,
      activities: { ...activities.mail, ...activities.slack },
      interceptors: { activity: [heartbeatInterceptor] },
      maxCachedWorkflows: setup.maxCachedWorkflows ?? MAX_CACHED_WORKFLOWS,
      shutdownGraceTime,
    }),
    Worker.create({
      connection,
      namespace,
      taskQueue: itglueTaskQueue(taskQueue),
      dataConverter,
      activities: { ...activities.itglue },
      // No periodic heartbeat: IT Glue activities heartbeat with their progress (src/temporal/heartbeat.ts).
      maxTaskQueueActivitiesPerSecond: setup.itglueActivitiesPerSecond,
      shutdownGraceTime,
    }),
  ]);

  const both = [main, itglue];
  let running: Promise<void> | null = null;

  const stopAll = () => {
    for (const worker of both) if (worker.getState() === 'RUNNING') worker.shutdown();
  };

  return {
    main,
    itglue,
    run() {
      running ??= Promise.all(
        both.map((worker) =>
          worker.run().catch((error: unknown) => {
            stopAll();
            throw error;
          }),
        ),
      ).then(() => undefined);
      return running;
    },
    async shutdown() {
      stopAll();
      // A failure is reported to whoever awaits run().
      await running?.catch(() => undefined);
    },
  };
}
