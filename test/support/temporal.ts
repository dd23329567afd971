/** Connects a test file to the run's Temporal dev server and runs workers on its own task queue. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, IllegalStateError } from '@temporalio/common';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createWorkers } from '../../src/temporal/worker';
import { afterAll, beforeAll, beforeEach, expect, inject } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../workflows/policy';
import { deepMerge } from '../../src/policy-file';
import { authorizationRecordWorkflowId } from '../../workflows/authorization-record';
import { groupMembershipWorkflowId } from '../../workflows/group-membership';
import { status } from '../../workflows/messages';
import type { Stage } from '../../workflows/stages';
import { onboarding } from '../../workflows/onboarding';
import { workflowIdFor, type OnboardingRequest, type OnboardingStatus } from '../../workflows/types';
import { byQueue, type FakeActivities, FakeWorld } from './fake-activities';

let runtimeInstalled = false;
/** The SDK's own log, errors only (one runtime per process). */
export function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m) } as never,
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
  } catch (error) {
    // The test file installed the runtime itself (the metrics test, with the SDK's metrics exporter).
    if (!(error instanceof IllegalStateError)) throw error;
  }
}

export interface TestTemporal {
  client: Client;
  taskQueue: string;
  namespace: string;
  address: string;
  /** Runs workers for the main and the IT Glue task queue with these activities until stopped. */
  startWorkers(activities: FakeActivities, options?: { shutdownGraceTime?: number }): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function connectTemporal(): Promise<TestTemporal> {
  quietRuntime();
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const taskQueue = `test-${randomUUID()}`;
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');
  const native = await NativeConnection.connect({ address });

  return {
    client,
    taskQueue,
    namespace,
    address,
    async startWorkers(activities, options = {}) {
      const workers = await createWorkers({
        ...options,
        connection: native,
        namespace,
        taskQueue,
        workflowBundle: { code },
        activities: byQueue(activities),
        itglueActivitiesPerSecond: 1_000,
      });
      const running = workers.run();
      return async () => {
        await workers.shutdown();
        await running;
      };
    },
    async close() {
      await connection.close();
      await native.close();
    },
  };
}

/** Policy with test-sized durations (seconds instead of days). */
export function testPolicy(overrides: DeepPartial<Policy> = {}): Policy {
  const base: Policy = {
    ...DEFAULT_POLICY,
    approval: { reminderEvery: 60_000, maxReminders: 3, escalateAfter: 120_000, timeout: 300_000 },
    invite: { remindTechAfter: 60_000, maxTechReminders: 3, linkValidity: 300_000, maxResends: 3 },
    twoFactor: { ...DEFAULT_POLICY.twoFactor, remindAt: [60_000, 120_000] },
  };
  return deepMerge(base, overrides) as Policy;
}

/** Per-customer groups that carry the organization (the `group` model), named as the policy names them. */
export const GROUP_MODEL = { groups: { organizationAccess: 'group', nameTemplate: '{group}' } } as const;

type DeepPartial<T> = { [K in keyof T]?: NonNullable<T[K]> extends object ? (NonNullable<T[K]> extends unknown[] ? T[K] : DeepPartial<NonNullable<T[K]>>) : T[K] };

/** Polls the status query until `until` holds; fails with the last status seen. */
export async function waitForStatus(handle: WorkflowHandle, until: (s: OnboardingStatus) => boolean, timeoutMs = 20_000): Promise<OnboardingStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: OnboardingStatus | undefined;
  for (;;) {
    try {
      last = await handle.query(status);
      if (until(last)) return last;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not reached in ${timeoutMs} ms; last status: ${JSON.stringify(last, null, 1)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const waitForStage = (handle: WorkflowHandle, stage: Stage, timeoutMs?: number) => waitForStatus(handle, (s) => s.stage === stage, timeoutMs);

/** Until the approval request is out (stage AWAITING_APPROVAL with a round), so that a decision can be made. */
export const waitForApprovalRequest = (handle: WorkflowHandle, timeoutMs?: number) =>
  waitForStatus(handle, (s) => s.stage === 'AWAITING_APPROVAL' && s.approvalRound > 0, timeoutMs);

/**
 * Ends the IT Glue group writers (workflows/group-membership.ts) of these groups. A writer waits a
 * quiet minute before it ends, on its file's task queue: left behind when that file's workers stop,
 * it would hold the next file's additions to the same group.
 */
export async function endGroupWriters(client: Client, groupIds: string[]): Promise<void> {
  await Promise.all(
    groupIds.map((id) =>
      client.workflow
        .getHandle(groupMembershipWorkflowId(id))
        .terminate('test file over')
        .catch(() => undefined),
    ),
  );
}

/**
 * Ends the writers of these organizations' authorization records (workflows/authorization-record.ts),
 * for the same reason as endGroupWriters: one left on a stopped file's task queue would hold the
 * next file's records for the same organization.
 */
export async function endAuthorizationWriters(client: Client, orgIds: string[]): Promise<void> {
  await Promise.all(
    orgIds.map((id) =>
      client.workflow
        .getHandle(authorizationRecordWorkflowId(id))
        .terminate('test file over')
        .catch(() => undefined),
    ),
  );
}

/** Starts an onboarding workflow on the test's task queue, by default with its production workflow ID. */
export function startOnboardingWorkflow(
  temporal: TestTemporal,
  request: OnboardingRequest,
  policy: Policy,
  workflowId = workflowIdFor(request.orgId, request.contactId),
): Promise<WorkflowHandle<typeof onboarding>> {
  return temporal.client.workflow.start(onboarding, { taskQueue: temporal.taskQueue, workflowId, args: [{ request, policy }] });
}

/** The failure with which an Update was refused (its validator's ApplicationFailure); fails when it was accepted. */
export async function updateRefusal(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => new Error('the update was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/**
 * A workflow test's Temporal and fresh recording activities for each test: workers on the test's
 * task queue with a new FakeWorld per test, and the workflows a test started (`started`)
 * terminated after it, so that none acts on the next test's fakes.
 */
export function withFakeWorkers(): { readonly temporal: TestTemporal; readonly world: FakeWorld; started: WorkflowHandle[] } {
  let temporal: TestTemporal;
  let world: FakeWorld;
  let stopWorkers: (() => Promise<void>) | undefined;
  const fakes = {
    get temporal() {
      return temporal;
    },
    get world() {
      return world;
    },
    started: [] as WorkflowHandle[],
  };
  beforeAll(async () => {
    temporal = await connectTemporal();
  });
  afterAll(async () => {
    await temporal.close();
  });
  beforeEach(async () => {
    await stopWorkers?.();
    world = new FakeWorld();
    stopWorkers = await temporal.startWorkers(world.activities());
    return async () => {
      await Promise.all(fakes.started.map((h) => h.terminate('test over').catch(() => undefined)));
      fakes.started = [];
      world.releaseHolds();
      await stopWorkers!();
    };
  });
  return fakes;
}
