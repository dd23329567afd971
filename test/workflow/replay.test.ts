/**
 * Replay: histories of complete onboardings must replay with the current workflow code.
 * The fresh runs send person actions as Updates; the committed `*-signals-*` histories, recorded
 * before the Updates, carry them as signals, which running onboardings may still hold.
 * Two sources: histories recorded earlier and committed in test/fixtures/histories (they catch a
 * change that would break onboardings already running in production), and fresh ones from full
 * runs made here. `RECORD_HISTORIES=<label>` writes the fresh ones as new fixtures, named
 * `<scenario>-<label>-<run>.json` (the label says which version of the workflow recorded them).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { onboarding } from '../../workflows/onboarding';
import {
  askAnotherApprover,
  cancelOnboarding,
  confirmFixed,
  confirmInvitationResent,
  confirmInvitationSent,
  confirmSettings,
  confirmTwoFactor,
  decide,
  recordOfflineApproval,
  resumeOnboarding,
  userObserved,
} from '../../workflows/messages';
import { status } from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import { workflowIdFor, type OnboardingRequest } from '../../workflows/types';
import { FakeWorld, INVITEE, OTHER, userFor } from '../support/fake-activities';
import { connectTemporal, testPolicy, waitForStatus, type TestTemporal } from '../support/temporal';

const FIXTURES = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const History = proto.api.history.v1.History;

// protobufjs' own object form (enums by name, 64-bit numbers and bytes as strings) round-trips exactly.
const historyToFile = (h: proto.api.history.v1.IHistory) =>
  JSON.stringify(History.toObject(History.fromObject(h), { enums: String, longs: String, bytes: String }), null, 1);
const historyFromFile = (text: string) => History.fromObject(JSON.parse(text));

let temporal: TestTemporal;
let world: FakeWorld;
let stopWorkers: () => Promise<void>;

beforeAll(async () => {
  temporal = await connectTemporal();
  world = new FakeWorld();
  stopWorkers = await temporal.startWorkers(world.activities());
});
afterAll(async () => {
  await stopWorkers();
  await temporal.close();
});

let n = 0;
async function start(overrides: Partial<OnboardingRequest>, policy: Policy = testPolicy()) {
  n += 1;
  const request: OnboardingRequest = {
    orgId: `replay-${Date.now()}-${n}`,
    contactId: INVITEE.contactId,
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: 'UTECH1',
    ...overrides,
  };
  return temporal.client.workflow.start(onboarding, {
    taskQueue: temporal.taskQueue,
    workflowId: workflowIdFor(request.orgId, request.contactId),
    args: [{ request, policy }],
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000) {
  for (const deadline = Date.now() + timeoutMs; !(await check()); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms`);
  }
}

const accepted = () => userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() });

/** Full runs through every stage and most messages; each ends in a final stage. */
const scenarios: Record<string, () => Promise<WorkflowHandleWithFirstExecutionRunId<typeof onboarding>>> = {
  async approvedAndSignedIn() {
    const h = await start({ ticket: 'T-1' }, testPolicy({ authorization: { record: true } }));
    const s = await waitForStatus(h, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
    await h.executeUpdate(decide, {
      args: [{ decision: 'approve', round: 1, approverContactId: s.approver!.contactId, ip: '203.0.113.9' }],
    });
    await waitForStatus(h, (x) => x.stage === 'AWAITING_INVITE');
    // Found by the sweep before anyone pressed Invitation sent: the tech confirms the settings.
    await h.signal(userObserved, userFor(INVITEE));
    await waitForStatus(h, (x) => x.subState === 'CONFIRM_SETTINGS');
    await h.executeUpdate(confirmSettings, { args: [{ by: 'UTECH1' }] });
    await waitForStatus(h, (x) => x.stage === 'AWAITING_ACCEPTANCE');
    await h.signal(userObserved, accepted());
    await waitForStatus(h, (x) => x.stage === 'AWAITING_2FA');
    await h.signal(userObserved, userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString(), currentSignInAt: new Date().toISOString() }));
    return h;
  },
  async denied() {
    const h = await start({});
    const s = await waitForStatus(h, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
    await h.executeUpdate(decide, { args: [{ decision: 'deny', round: 1, approverContactId: s.approver!.contactId }] });
    return h;
  },
  async expiredAfterReminders() {
    return start({}, testPolicy({ approval: { reminderEvery: 400, maxReminders: 2, escalateAfter: 700, timeout: 1_500 } }));
  },
  async mismatchResendStallResumeCancel() {
    world.mismatches.push(['Role is Editor; set it to Lite.']);
    const h = await start({ approverContactId: INVITEE.contactId }, testPolicy({ invite: { linkValidity: 500, maxResends: 1 } }));
    await waitForStatus(h, (x) => x.stage === 'AWAITING_INVITE');
    await h.signal(userObserved, userFor(INVITEE));
    await waitForStatus(h, (x) => x.subState === 'MISMATCH');
    await h.executeUpdate(confirmFixed, { args: [{ by: 'UTECH1' }] });
    await waitForStatus(h, (x) => x.subState === 'CONFIRM_SETTINGS');
    await h.executeUpdate(confirmSettings, { args: [{ by: 'UTECH1' }] });
    await waitForStatus(h, (x) => x.subState === 'INVITE_EXPIRED');
    await h.executeUpdate(confirmInvitationResent, { args: [{ by: 'UTECH1' }] });
    await waitForStatus(h, (x) => x.stage === 'STALLED');
    await h.executeUpdate(resumeOnboarding, { args: [{ by: 'UMANAGER' }] });
    await waitForStatus(h, (x) => x.stage === 'AWAITING_ACCEPTANCE' && x.subState === 'INVITE_EXPIRED');
    await h.executeUpdate(cancelOnboarding, { args: [{ by: 'UMANAGER', reason: 'replay' }] });
    return h;
  },
  async anotherApproverThenOfflineThenCancelled() {
    const h = await start({});
    await waitForStatus(h, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
    await h.executeUpdate(askAnotherApprover, { args: [{ by: 'UTECH1', approverContactId: OTHER.contactId }] });
    await waitForStatus(h, (x) => x.approver?.contactId === OTHER.contactId && x.approvalRound === 2);
    await h.executeUpdate(recordOfflineApproval, { args: [{ by: 'UTECH1', channel: 'fax', note: 'Fax from Otto, filed in the ticket' }] });
    await waitForStatus(h, (x) => x.stage === 'AWAITING_INVITE');
    await h.executeUpdate(confirmInvitationSent, { args: [{ by: 'UTECH1' }] });
    await waitForStatus(h, (x) => x.events.some((e) => e.type === 'user-not-found'));
    await h.executeUpdate(cancelOnboarding, { args: [{ by: 'UTECH1', reason: 'customer changed their mind' }] });
    return h;
  },
  async myGlueConfirmedAfterContinueAsNew() {
    const h = await start(
      { approverContactId: INVITEE.contactId, kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: ['7'] },
      testPolicy({ historyLimit: 30, twoFactor: { remindAt: [200] } }),
    );
    await waitForStatus(h, (x) => x.stage === 'AWAITING_INVITE');
    // It continues as new at its first quiet moment once the history is long.
    await waitFor(async () => (await h.describe()).runId !== h.firstExecutionRunId);
    await h.signal(userObserved, userFor(INVITEE, { myGlue: true }));
    await waitForStatus(h, (x) => x.stage === 'AWAITING_ACCEPTANCE');
    await h.signal(userObserved, { ...accepted(), myGlue: true });
    await waitForStatus(h, (x) => x.stage === 'AWAITING_2FA' && x.events.some((e) => e.type === '2fa-reminder'));
    await h.executeUpdate(confirmTwoFactor, { args: [{ by: 'UTECH1' }] });
    return h;
  },
};

/** Every run of a workflow, first to last, following its continue-as-new chain. */
async function historiesOf(handle: WorkflowHandleWithFirstExecutionRunId<typeof onboarding>) {
  const runs: { workflowId: string; history: proto.api.history.v1.IHistory }[] = [];
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId) {
    const history = await temporal.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs.push({ workflowId: `${handle.workflowId}/${runs.length}`, history });
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

async function replay(histories: { workflowId: string; history: unknown }[]) {
  const failures: string[] = [];
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('replay', () => {
  it('replays fresh histories of full runs through every stage', { timeout: 120_000 }, async () => {
    // One at a time: the scenarios share one fake IT Glue.
    const handles = [];
    for (const run of Object.values(scenarios)) handles.push(await run());
    const finals = await Promise.all(handles.map((h) => h.result()));
    expect(finals.map((s) => s.stage)).toEqual(['COMPLETED', 'DENIED', 'APPROVAL_EXPIRED', 'CANCELLED', 'CANCELLED', 'COMPLETED']);

    const histories = await Promise.all(handles.map(historiesOf));
    expect(histories.map((runs) => runs.length)).toEqual([1, 1, 1, 1, 1, expect.any(Number)]);
    expect(histories[5]!.length).toBeGreaterThanOrEqual(2);
    const recorded = histories.flat();
    expect(await replay(recorded)).toEqual([]);

    const label = process.env.RECORD_HISTORIES;
    if (label) {
      mkdirSync(FIXTURES, { recursive: true });
      Object.keys(scenarios).forEach((name, i) => {
        histories[i]!.forEach((r, run) => {
          writeFileSync(`${FIXTURES}${name}-${label}-${run}.json`, historyToFile(r.history));
        });
      });
    }
    // The status query answers on a finished workflow too.
    expect((await handles[0]!.query(status)).stage).toBe('COMPLETED');
  });

  it('replays the committed histories recorded by earlier versions', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    // Recorded before and after person actions became Updates.
    expect(files.filter((f) => f.includes('-signals-')).length).toBeGreaterThanOrEqual(6);
    expect(files.filter((f) => f.includes('-updates-')).length).toBeGreaterThanOrEqual(6);
    const histories = files.map((f) => ({ workflowId: f, history: historyFromFile(readFileSync(FIXTURES + f, 'utf8')) }));
    expect(await replay(histories)).toEqual([]);
  });
});
