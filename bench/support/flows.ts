/**
 * Whole onboardings driven as people would drive them, for the throughput figures:
 *
 * - the app: start the onboarding; when the approval request reaches the mail server, the approver
 *   decides (the `decide` update); when the access instructions arrive, the tech creates the user
 *   in (the fake) IT Glue, already accepted and signed in, and presses "Invitation sent" (the
 *   Update) once the thread shows it; the onboarding then verifies the user, adds it to the group
 *   and completes.
 * - the baseline: bench/workflows.ts `benchMirror` with the plan of a real run (same activities by
 *   name and task queue, same messages at the same points); the same messages are sent when the
 *   activities standing for the two mails run.
 */
import type { Client } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { decideApproval, startOnboarding } from '../../src/onboardings';
import { messageIdFor } from '../../src/mail/message-id';
import type { FakeItGlue } from '../../test/fakes/itglue-server';
import { confirmInvitationSent, status } from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import type { OnboardingStatus } from '../../workflows/types';
import { benchDecide, benchInvitationSent, benchMirror, type PlanStep } from '../workflows';
import type { Child } from './children';
import { invitee, requestFor, userFor } from './seed';
import type { SmtpSink } from './smtp-sink';

export interface FlowResult {
  count: number;
  seconds: number;
  perSecond: number;
  latenciesMs: number[];
  failures: string[];
}

/** Runs `count` flows with at most `window` in flight; the time is from the first start to the last end. */
export async function runFlows(count: number, window: number, flow: (i: number) => Promise<void>, deadline: number): Promise<FlowResult> {
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(window, count) }, async () => {
      while (next < count) {
        if (Date.now() > deadline) throw new Error(`time limit reached after ${latenciesMs.length} of ${count} onboardings`);
        const i = next++;
        const at = performance.now();
        try {
          await flow(i);
          latenciesMs.push(performance.now() - at);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { count, seconds, perSecond: (count - failures.length) / seconds, latenciesMs, failures };
}

export interface AppFlowContext {
  client: Client;
  taskQueue: string;
  policy: Policy;
  sink: SmtpSink;
  itglue: FakeItGlue;
  /** The tech who starts the onboardings and presses the buttons. */
  tech: string;
  /** MAIL_FROM's domain (in the Message-IDs). */
  mailDomain: string;
  timeoutMs: number;
  /** How long the people take to react to a mail (0: at once). */
  pauseMs?: number;
}

/** One onboarding of invitee `n`, start to COMPLETED; returns its workflow ID. */
export async function appFlow(ctx: AppFlowContext, n: number): Promise<string> {
  const { client, sink, mailDomain, timeoutMs } = ctx;
  const pause = () => (ctx.pauseMs ? new Promise((ok) => setTimeout(ok, ctx.pauseMs)) : undefined);
  const { workflowId } = await startOnboarding(client, ctx.taskQueue, requestFor(n, ctx.tech), ctx.policy);
  const handle = client.workflow.getHandle(workflowId);
  // Just started, the onboarding is still in its first run.
  const run = { workflowId, runId: (await handle.describe()).runId };
  await sink.waitFor(messageIdFor(run, 'approval-request', 1, mailDomain), timeoutMs);
  await pause();
  await decideApproval(client, workflowId, {
    decision: 'approve',
    round: 1,
    approverContactId: invitee(n).approver.contactId,
    ip: '127.0.0.1',
    userAgent: 'invite-lite-bench',
  });
  await sink.waitFor(messageIdFor(run, 'instructions', 1, mailDomain), timeoutMs);
  await pause();
  ctx.itglue.data.users.push(userFor(n, true));
  // The tech presses Invitation sent once the thread shows it: when the onboarding waits for the invitation.
  const deadline = Date.now() + timeoutMs;
  while ((await handle.query(status)).stage !== 'AWAITING_INVITE') {
    if (Date.now() > deadline) throw new Error(`${workflowId} never waited for the invitation`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
  await handle.executeUpdate(confirmInvitationSent, { args: [{ by: ctx.tech }] });
  const ended = (await client.withDeadline(Date.now() + timeoutMs, () => handle.result())) as OnboardingStatus;
  if (ended.stage !== 'COMPLETED') throw new Error(`${workflowId} ended ${ended.stage}: ${ended.reason ?? ''}`);
  return workflowId;
}

/** Resolves when the baseline worker reports that a hook activity ran for a workflow. */
export class Hooks {
  private readonly seen = new Set<string>();
  private readonly waiting = new Map<string, () => void>();

  constructor(worker: Child) {
    worker.onLine((line) => {
      if (line.event !== 'bench.hook') return;
      const key = `${String(line.workflowId)}|${String(line.activity)}`;
      const wake = this.waiting.get(key);
      if (wake) {
        this.waiting.delete(key);
        wake();
      } else this.seen.add(key);
    });
  }

  wait(workflowId: string, activity: string, timeoutMs: number): Promise<void> {
    const key = `${workflowId}|${activity}`;
    if (this.seen.delete(key)) return Promise.resolve();
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        fail(new Error(`no ${activity} for ${workflowId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(key, () => {
        clearTimeout(timer);
        ok();
      });
    });
  }
}

export interface MirrorFlowContext {
  client: Client;
  taskQueue: string;
  hooks: Hooks;
  plan: PlanStep[];
  tech: string;
  run: string;
  timeoutMs: number;
}

export async function mirrorFlow(ctx: MirrorFlowContext, n: number): Promise<string> {
  const { client, hooks, timeoutMs } = ctx;
  const workflowId = `bench-mirror:${ctx.run}:${n}`;
  const handle = await client.workflow.start(benchMirror, { taskQueue: ctx.taskQueue, workflowId, args: [{ plan: ctx.plan }] });
  await hooks.wait(workflowId, 'sendApprovalRequest', timeoutMs);
  await handle.executeUpdate(benchDecide, {
    args: [{ decision: 'approve', round: 1, approverContactId: invitee(n).approver.contactId, ip: '127.0.0.1', userAgent: 'invite-lite-bench' }],
  });
  await hooks.wait(workflowId, 'sendInstructions', timeoutMs);
  await handle.executeUpdate(benchInvitationSent, { args: [{ by: ctx.tech }] });
  await client.withDeadline(Date.now() + timeoutMs, () => handle.result());
  return workflowId;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * The mirror's plan from a run's history: its activities in order (by name and task queue), and a
 * wait for each message, placed before the first activity scheduled after the message arrived.
 * From a run whose messages came late (`pauseMs`), so that each arrived while the workflow waited
 * for it, the waits are where the workflow waits.
 */
export function planFromHistory(events: HistoryEvent[]): PlanStep[] {
  const plan: PlanStep[] = [];
  let pending: PlanStep[] = [];
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      plan.push(...pending);
      pending = [];
      const queue = scheduled.taskQueue?.name ?? '';
      plan.push({ activity: scheduled.activityType?.name ?? '?', queue: queue.endsWith('-itglue') ? 'itglue' : 'main' });
    } else if (e.workflowExecutionSignaledEventAttributes) {
      pending.push({ wait: 'signal' });
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      pending.push({ wait: 'update' });
    }
  }
  return [...plan, ...pending];
}

export interface Shape {
  historyEvents: number;
  /** The history's size as the server stores it (protobuf). */
  historyBytes: number;
  workflowTasks: number;
  activities: number;
  itglueActivities: number;
  timersStarted: number;
  timersFired: number;
  signals: number;
  updates: number;
  searchAttributeUpserts: number;
  memoUpserts: number;
}

export function shapeOf(events: HistoryEvent[]): Shape {
  const shape: Shape = {
    historyEvents: events.length,
    historyBytes: proto.temporal.api.history.v1.History.encode({ events }).finish().length,
    workflowTasks: 0,
    activities: 0,
    itglueActivities: 0,
    timersStarted: 0,
    timersFired: 0,
    signals: 0,
    updates: 0,
    searchAttributeUpserts: 0,
    memoUpserts: 0,
  };
  for (const e of events) {
    if (e.workflowTaskCompletedEventAttributes) shape.workflowTasks += 1;
    if (e.activityTaskScheduledEventAttributes) {
      shape.activities += 1;
      if (e.activityTaskScheduledEventAttributes.taskQueue?.name?.endsWith('-itglue')) shape.itglueActivities += 1;
    }
    if (e.timerStartedEventAttributes) shape.timersStarted += 1;
    if (e.timerFiredEventAttributes) shape.timersFired += 1;
    if (e.workflowExecutionSignaledEventAttributes) shape.signals += 1;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) shape.updates += 1;
    if (e.upsertWorkflowSearchAttributesEventAttributes) shape.searchAttributeUpserts += 1;
    if (e.workflowPropertiesModifiedEventAttributes) shape.memoUpserts += 1;
  }
  return shape;
}

/** The average shape of some runs. */
export async function averageShape(client: Client, workflowIds: string[]): Promise<Shape> {
  const shapes = await Promise.all(workflowIds.map(async (id) => shapeOf((await client.workflow.getHandle(id).fetchHistory()).events ?? [])));
  const total = shapes.reduce((sum, s) => Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v + s[k as keyof Shape]])) as unknown as Shape);
  return Object.fromEntries(Object.entries(total).map(([k, v]) => [k, Math.round((v / shapes.length) * 10) / 10])) as unknown as Shape;
}
