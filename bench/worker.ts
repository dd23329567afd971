/**
 * A worker process for the throughput and approval benchmarks, run by bench/run.ts:
 *
 * - `BENCH_WORKER_MODE=app`: the service's two workers with the service's own activities (IT Glue,
 *   mail, Slack; src/service-activities.ts) configured from the same environment variables, except
 *   that the IT Glue rate limits (at most 10 a second in the configuration, IT Glue's own limit) are
 *   lifted to BENCH_ITGLUE_RATE, so that the figure is the code's and not the limit's.
 * - `BENCH_WORKER_MODE=baseline`: the same two workers running bench/workflows.ts with activities
 *   that do nothing; the two that stand for the mails a person reacts to (approval request,
 *   instructions) only print a `bench.hook` line, from which the benchmark sends the next message.
 *
 * Prints a `bench.ready` JSON line when polling; stops on SIGTERM.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import type { ItGlueActivities, ItGlueMaintenanceActivities, MailActivities, SlackActivities } from '../activities/contracts';
import { loadConfig } from '../src/config';
import { jsonLog, setLogLevel } from '../src/log';
import { serviceActivities } from '../src/service-activities';
import { connectClient, connectWorker } from '../src/temporal/connection';
import { installRuntime } from '../src/temporal/runtime';
import { createWorkers, type ServiceActivities } from '../src/temporal/worker';

type AllActivities = ItGlueActivities & ItGlueMaintenanceActivities & MailActivities & SlackActivities;

/** Every activity the onboarding can schedule, by name. */
const ACTIVITY_NAMES = Object.keys({
  validateRequest: true,
  findContact: true,
  findUser: true,
  verifyUser: true,
  recordAuthorization: true,
  addGroupMembers: true,
  recordAuthorizedContacts: true,
  changeGroupMembers: true,
  createCustomerGroup: true,
  sweepUsers: true,
  userActivity: true,
  validateOffboarding: true,
  removeAccess: true,
  userById: true,
  gatherReview: true,
  dueReviews: true,
  sendRemovalReceipt: true,
  sendApprovalRequest: true,
  sendBatchApprovalRequest: true,
  sendDecisionReceipt: true,
  sendInstructions: true,
  sendInviteExpired: true,
  sendTwoFactorReminder: true,
  updateThread: true,
  postToThread: true,
} satisfies Record<keyof AllActivities, true>);

/** The activities after which a person acts (the mails they receive). */
const HOOKS = new Set(['sendApprovalRequest', 'sendInstructions']);

function baselineActivities(): ServiceActivities {
  const all: Record<string, (workflowId: string) => Promise<void>> = {};
  for (const name of ACTIVITY_NAMES) {
    all[name] = HOOKS.has(name)
      ? async (workflowId) => void process.stdout.write(`${JSON.stringify({ event: 'bench.hook', activity: name, workflowId })}\n`)
      : async () => undefined;
  }
  // Both task queues take every name: the plan says which queue each activity of the mirror runs on.
  return { itglue: all, mail: all, slack: {} } as unknown as ServiceActivities;
}

const mode = process.env.BENCH_WORKER_MODE;
const rate = Number(process.env.BENCH_ITGLUE_RATE ?? '1000');
const config = loadConfig(process.env);
setLogLevel(config.logLevel);
installRuntime(jsonLog, config.logLevel);
const address = config.temporal.address;
if (!address) throw new Error('TEMPORAL_ADDRESS is required');
const { namespace, taskQueue } = config.temporal;

const connection = await connectClient(config.temporal, address);
const client = new Client({ connection, namespace });
const workerConnection = await connectWorker(config.temporal, address);

let activities: ServiceActivities;
let workflowsPath: string | undefined;
if (mode === 'app') {
  config.itglue = { ...config.itglue, requestsPerSecond: rate, activitiesPerSecond: rate };
  activities = serviceActivities(config, jsonLog, { client, taskQueue });
} else if (mode === 'baseline') {
  activities = baselineActivities();
  workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));
} else {
  throw new Error('BENCH_WORKER_MODE must be app or baseline');
}

const workers = await createWorkers({
  connection: workerConnection,
  namespace,
  taskQueue,
  activities,
  itglueActivitiesPerSecond: rate,
  workflowsPath,
});
const running = workers.run();
process.stdout.write(`${JSON.stringify({ event: 'bench.ready', pid: process.pid, mode, taskQueue })}\n`);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void workers
    .shutdown()
    .then(() => Promise.all([workerConnection.close(), connection.close()]))
    .finally(() => process.exit(0));
});
running.catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
