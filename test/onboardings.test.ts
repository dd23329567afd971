/**
 * The client API (src/onboardings.ts) against the run's Temporal dev server, with the service's
 * workers (src/temporal/worker.ts) running the onboarding workflow and the logging activities.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loggingItGlueActivities, loggingMailActivities, loggingSlackActivities } from '../activities/logging';
import type { Log } from '../src/log';
import { decideApproval, getStatus, InvalidInputError, listOnboardings, onboardingQuery, startOnboarding, validateRequest } from '../src/onboardings';
import { ActionRefusedError, sendMessage } from '../src/onboarding-messages';
import { createWorkers, type Workers } from '../src/temporal/worker';
import { SIMULATED_ITGLUE } from '../src/wording';
import type { OnboardingRequest } from '../workflows/types';
import { connectTemporal, testPolicy, type TestTemporal } from './support/temporal';

const quiet: Log = () => undefined;
/** What the logging Slack activities wrote: the thread, without Slack. */
const threadLog: Array<Record<string, unknown>> = [];
const org = `org-${randomUUID().slice(0, 8)}`;

let temporal: TestTemporal;
let native: NativeConnection;
let workers: Workers;
let running: Promise<void>;

function request(contactId: string, fields: Partial<OnboardingRequest> = {}): OnboardingRequest {
  return { orgId: org, contactId, kind: 'itglue', passwordAccess: false, approverContactId: '9001', requestedBy: 'U0TECH01', ...fields };
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const stageOf = (workflowId: string, stage: string) =>
  eventually(async () => {
    const status = await getStatus(temporal.client, workflowId);
    return status.stage === stage ? status : undefined;
  }, `${workflowId} in ${stage}`);

beforeAll(async () => {
  temporal = await connectTemporal();
  native = await NativeConnection.connect({ address: temporal.address });
  workers = await createWorkers({
    connection: native,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    activities: {
      itglue: loggingItGlueActivities(quiet),
      mail: loggingMailActivities(quiet),
      slack: loggingSlackActivities((event, fields) => void threadLog.push({ event, ...fields })),
    },
    itglueActivitiesPerSecond: 8,
    shutdownGraceTime: 1_000,
  });
  running = workers.run();
});

afterAll(async () => {
  await workers.shutdown();
  await running;
  await native.close();
  await temporal.close();
});

describe('startOnboarding', () => {
  it('starts one onboarding per organization and contact, and returns the open one on a second start', async () => {
    const first = await startOnboarding(temporal.client, temporal.taskQueue, request('2001'), testPolicy());
    expect(first).toEqual({ workflowId: `onboarding:${org}:2001`, created: true });
    const again = await startOnboarding(temporal.client, temporal.taskQueue, request('2001', { ticket: 'other' }), testPolicy());
    expect(again).toEqual({ workflowId: first.workflowId, created: false });

    const status = await stageOf(first.workflowId, 'AWAITING_APPROVAL');
    expect(status.request.ticket).toBeUndefined();
    expect(status.approver?.contactId).toBe('9001');
    // Run on the IT Glue stand-ins: the status says so, and so does the thread from validation on.
    expect(status.itglueSimulated).toBe(true);
    const roots = threadLog.filter((line) => line.event === 'slack.updateThread' && line.workflowId === first.workflowId);
    const validated = roots.filter((line) => line.stage !== 'VALIDATING');
    expect(validated.length).toBeGreaterThan(0);
    for (const line of validated) expect(line.itglue).toBe(SIMULATED_ITGLUE);
  });

  it('refuses a request the workflow could not carry out', () => {
    expect(() => validateRequest(request('2002', { kind: 'myglue' }))).toThrow(/myGlueGroupIds: a MyGlue user must be in at least one MyGlue group/);
    expect(() => validateRequest(request('2002', { myGlueRole: 'Creator' }))).toThrow(/kind: a MyGlue role or groups need kind myglue/);
    expect(() => validateRequest(request('2002', { requestedBy: 'bob' }))).toThrow(InvalidInputError);
    expect(validateRequest(request('2002', { kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: ['7'] })).kind).toBe('myglue');
  });
});

describe('listOnboardings', () => {
  it('finds onboardings by stage and organization through the search attributes', async () => {
    const { workflowId } = await startOnboarding(temporal.client, temporal.taskQueue, request('2003'), testPolicy());
    await stageOf(workflowId, 'AWAITING_APPROVAL');
    const rows = await eventually(async () => {
      const found = await listOnboardings(temporal.client, onboardingQuery({ stage: 'AWAITING_APPROVAL', orgId: org }));
      return found.some((row) => row.workflowId === workflowId) ? found : undefined;
    }, 'the onboarding in the list');
    const row = rows.find((r) => r.workflowId === workflowId)!;
    expect(row).toMatchObject({ stage: 'AWAITING_APPROVAL', orgId: org, kind: 'itglue', requestedBy: 'U0TECH01', executionStatus: 'RUNNING' });
    expect(Date.parse(row.deadline!)).toBeGreaterThan(Date.now());
  });

  it('builds visibility queries only from known stages and plain values', () => {
    // Onboardings and offboardings alike unless a process is named (docs/design.md §15).
    expect(onboardingQuery({ stage: 'STALLED', open: true })).toBe(
      'WorkflowType IN ("onboarding", "offboarding", "accessReview") AND ExecutionStatus != "ContinuedAsNew" AND OnboardingStage = "STALLED" AND ExecutionStatus = "Running"',
    );
    expect(onboardingQuery({ stage: 'STALLED', open: true, process: 'onboarding' })).toBe(
      'WorkflowType = "onboarding" AND ExecutionStatus != "ContinuedAsNew" AND OnboardingStage = "STALLED" AND ExecutionStatus = "Running"',
    );
    expect(() => onboardingQuery({ stage: 'WAITING' })).toThrow(/stage: expected one of VALIDATING, /);
    expect(() => onboardingQuery({ orgId: '1" OR 1=1' })).toThrow(InvalidInputError);
  });
});

describe('person actions and decisions', () => {
  it('checks message names and fields before sending', async () => {
    const id = `onboarding:${org}:2001`;
    await expect(sendMessage(temporal.client, id, 'approve', { by: 'U0TECH01' })).rejects.toThrow(/unknown message "approve": expected one of invitation-sent, /);
    await expect(sendMessage(temporal.client, id, 'offline-approval', { by: 'U0TECH01', channel: 'telex', note: 'x' })).rejects.toThrow(
      'offline-approval: channel: expected fax, postal-mail or email',
    );
    await expect(sendMessage(temporal.client, id, 'cancel', { by: 'U0TECH01', extra: 1 })).rejects.toThrow(InvalidInputError);
  });

  it('lets the workflow refuse an action that does not fit now, with its reason, and changes nothing', async () => {
    const { workflowId } = await startOnboarding(temporal.client, temporal.taskQueue, request('2007'), testPolicy());
    await stageOf(workflowId, 'AWAITING_APPROVAL');
    const refusal = await sendMessage(temporal.client, workflowId, 'fixed', { by: 'U0TECH01' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ActionRefusedError);
    expect(refusal).toMatchObject({ reason: 'ActionNotNow', stage: 'AWAITING_APPROVAL' });
    const invitee = await sendMessage(temporal.client, workflowId, 'change-approver', { by: 'U0TECH01', approverContactId: '2007' }).catch((e: unknown) => e);
    expect(invitee).toMatchObject({ reason: 'InvalidAction', message: 'The invitee cannot approve their own access: choose someone else.' });
    const s = await getStatus(temporal.client, workflowId);
    expect(s.actionsTaken ?? 0).toBe(0);
    expect(s.events.map((e) => e.type)).not.toContain('fixed');
  });

  it('acts once on the same update ID sent twice; refuses a press from an older drawing and one after the end', async () => {
    const { workflowId } = await startOnboarding(temporal.client, temporal.taskQueue, request('2008'), testPolicy());
    await stageOf(workflowId, 'AWAITING_APPROVAL');
    const ask = { by: 'U0TECH01', seen: 0, approverContactId: '9002' };
    // One press delivered twice (two replicas, or a retry): one action.
    await Promise.all([
      sendMessage(temporal.client, workflowId, 'change-approver', ask, { updateId: 'press-1' }),
      sendMessage(temporal.client, workflowId, 'change-approver', ask, { updateId: 'press-1' }),
    ]);
    const changed = await eventually(async () => {
      const s = await getStatus(temporal.client, workflowId);
      return s.approver?.contactId === '9002' ? s : undefined;
    }, 'the new approver');
    expect(changed.actionsTaken).toBe(1);
    expect(changed.events.filter((e) => e.type === 'approver-changed')).toHaveLength(1);
    // Another press on the drawing before that action: refused as stale.
    const offline = { by: 'U0TECH01', seen: 0, channel: 'fax', note: 'Signed form in the ticket' };
    const stale = await sendMessage(temporal.client, workflowId, 'offline-approval', offline, { updateId: 'press-2' }).catch((e: unknown) => e);
    expect(stale).toMatchObject({ reason: 'StalePress' });
    expect((await getStatus(temporal.client, workflowId)).evidence).toBeNull();
    // Cancel is never stale: it stops the onboarding whatever was drawn.
    await sendMessage(temporal.client, workflowId, 'cancel', { by: 'U0TECH01', seen: 0 }, { updateId: 'press-3' });
    await stageOf(workflowId, 'CANCELLED');
    const ended = await eventually(
      () =>
        sendMessage(temporal.client, workflowId, 'resume', { by: 'U0MGR01' }).then(
          () => undefined,
          (e: unknown) => e,
        ),
      'the refusal of an ended onboarding',
    );
    expect(ended).toMatchObject({ reason: 'OnboardingEnded', stage: 'CANCELLED' });
  });

  it('changes the approver, takes only the current round decision, and cancels', async () => {
    const { workflowId } = await startOnboarding(temporal.client, temporal.taskQueue, request('2004'), testPolicy());
    await stageOf(workflowId, 'AWAITING_APPROVAL');

    await sendMessage(temporal.client, workflowId, 'change-approver', { by: 'U0TECH01', approverContactId: '9002' });
    // Once the new request has gone out: its round counts from then on.
    const changed = await eventually(async () => {
      const s = await getStatus(temporal.client, workflowId);
      return s.approver?.contactId === '9002' && s.events.filter((e) => e.type === 'approval-requested').length === 2 ? s : undefined;
    }, 'the new approver');

    const stale = { decision: 'approve' as const, round: changed.approvalRound - 1, approverContactId: '9001' };
    await expect(decideApproval(temporal.client, workflowId, stale)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    const decided = await decideApproval(temporal.client, workflowId, { decision: 'deny', round: changed.approvalRound, approverContactId: '9002' });
    expect(decided).toMatchObject({ decision: 'deny', round: changed.approvalRound });
    await stageOf(workflowId, 'DENIED');

    const { workflowId: other } = await startOnboarding(temporal.client, temporal.taskQueue, request('2005'), testPolicy());
    await stageOf(other, 'AWAITING_APPROVAL');
    await sendMessage(temporal.client, other, 'cancel', { by: 'U0TECH01', reason: 'asked twice' });
    await stageOf(other, 'CANCELLED');
  });

  it('keeps a decision an operator records as recorded by them (via cli), not as a press of the approver’s link', async () => {
    const { workflowId } = await startOnboarding(temporal.client, temporal.taskQueue, request('2006'), testPolicy());
    const waiting = await eventually(async () => {
      const s = await getStatus(temporal.client, workflowId);
      return s.waitingOn === 'approver' && s.events.some((e) => e.type === 'approval-requested') ? s : undefined;
    }, 'the approval request');
    const base = { decision: 'approve' as const, round: waiting.approvalRound, approverContactId: '9001' };
    // The operator is named by Slack user ID, or the decision is refused.
    for (const recordedBy of ['cli', 'bob', '<@U0OPER0001>']) {
      const refused = await decideApproval(temporal.client, workflowId, { ...base, recordedBy }).catch((error: unknown) => error);
      expect(refused, recordedBy).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause?.message).toBe('The operator who records a decision must be named by their Slack user ID.');
    }
    expect((await getStatus(temporal.client, workflowId)).evidence).toBeNull();

    await decideApproval(temporal.client, workflowId, { ...base, recordedBy: 'U0OPER0001', comment: 'Said yes\non the phone' });
    const decided = await eventually(async () => {
      const s = await getStatus(temporal.client, workflowId);
      return s.stage !== 'AWAITING_APPROVAL' ? s : undefined;
    }, 'the decision taken');
    expect(decided.evidence).toEqual({
      via: 'cli',
      decision: 'approve',
      at: expect.any(String),
      round: waiting.approvalRound,
      approver: expect.objectContaining({ contactId: '9001' }),
      comment: 'Said yes on the phone',
      recordedBy: 'U0OPER0001',
    });
    const event = decided.events.find((e) => e.type === 'approved')!;
    expect(event.by).toBe('U0OPER0001');
    expect(event.text).toBe(
      `Approved by Contact 9001, as told to the MSP: recorded by <@U0OPER0001> with the command line at ${decided.evidence!.at}, not through the approval link: “Said yes on the phone”`,
    );
    const posted = await eventually(
      async () => threadLog.find((line) => line.event === 'slack.postToThread' && line.workflowId === workflowId && line.type === 'approved'),
      'the reply in the thread',
    );
    expect(posted.text).toBe(event.text);
  });
});
