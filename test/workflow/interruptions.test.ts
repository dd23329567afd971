/**
 * The onboarding workflow when something happens in the middle of a stage's work, on a real
 * Temporal dev server with recording activities: a cancel while a mail is being retried, stages
 * that do not wait shown to list queries, an approval mail that is still being sent, and the link
 * of an earlier onboarding of the same contact.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cancel, decide, DECISION_REFUSED, ONBOARDING_STAGE, settingsConfirmed, status as statusQuery } from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import type { DecisionInput, OnboardingRequest, OnboardingStatus } from '../../workflows/types';
import { FakeWorld, INVITEE, PRIMARY, userFor } from '../support/fake-activities';
import { connectTemporal, startOnboardingWorkflow, updateRefusal, testPolicy, waitForApprovalRequest, waitForStatus, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
let world: FakeWorld;
let stopWorkers: () => Promise<void>;
let counter = 0;
let started: WorkflowHandle[] = [];

beforeAll(async () => {
  temporal = await connectTemporal();
});
afterAll(async () => {
  await temporal.close();
});
beforeEach(async () => {
  world = new FakeWorld();
  stopWorkers = await temporal.startWorkers(world.activities());
  return async () => {
    await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
    started = [];
    await stopWorkers();
  };
});

function request(overrides: Partial<OnboardingRequest> = {}): OnboardingRequest {
  counter += 1;
  return { orgId: `int-${Date.now()}-${counter}`, contactId: INVITEE.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1', ...overrides };
}

async function start(req: OnboardingRequest, policy: Policy = testPolicy()) {
  const handle = await startOnboardingWorkflow(temporal, req, policy);
  started.push(handle);
  return handle;
}

const approve = (round: number, over: Partial<DecisionInput> = {}): DecisionInput => ({
  decision: 'approve',
  round,
  approverContactId: PRIMARY.contactId,
  ...over,
});

const failures = (n: number, message: string) => Array.from({ length: n }, () => new Error(message));
const approvalMails = () => world.callsOf('sendApprovalRequest') as [{ round: number; runId: string; expiresAt: string }][];

/** The OnboardingStage values the history upserted, in order. */
async function upsertedStages(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  const stages: string[] = [];
  for (const event of history.events ?? []) {
    const payload = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[ONBOARDING_STAGE.name];
    if (payload) stages.push(defaultPayloadConverter.fromPayload<string>(payload));
  }
  return stages;
}

describe('cancel at any time', () => {
  it('stops a stage whose mail is being retried, and sends nothing after it', async () => {
    world.failures.set('sendInstructions', failures(50, 'smtp down'));
    const handle = await start(request({ approverContactId: INVITEE.contactId }));
    await waitForStatus(handle, (s) => s.stage === 'SENDING_INSTRUCTIONS' && world.callsOf('sendInstructions').length >= 1);

    await handle.signal(cancel, { by: 'UMANAGER1', reason: 'wrong contact' });
    const s = await waitForStatus(handle, (x) => x.stage === 'CANCELLED', 10_000);
    expect(s.reason).toBe('wrong contact');
    expect(s.stages.map((v) => v.stage)).toEqual(['VALIDATING', 'SENDING_INSTRUCTIONS', 'CANCELLED']);
    const attempts = world.callsOf('sendInstructions').length;
    await new Promise((r) => setTimeout(r, 7_000)); // longer than the mail retry's first intervals
    expect(world.callsOf('sendInstructions')).toHaveLength(attempts);
    const thread = world.callsOf('updateThread').at(-1)![0] as OnboardingStatus;
    expect(thread.stage).toBe('CANCELLED');
  });
});

describe('search attributes', () => {
  it('show every stage, also those that do not wait', async () => {
    world.users.set(INVITEE.email.toLowerCase(), userFor(INVITEE));
    const handle = await start(request({ approverContactId: INVITEE.contactId }), testPolicy({ authorization: { record: true } }));
    // The user was in IT Glue before anyone pressed Invitation sent: the tech confirms the settings.
    await waitForStatus(handle, (x) => x.subState === 'CONFIRM_SETTINGS');
    await handle.signal(settingsConfirmed, { by: 'UTECH1' });
    const s = await waitForStatus(handle, (x) => x.stage === 'AWAITING_ACCEPTANCE');
    const visited = s.stages.map((v) => v.stage);
    expect(visited).toEqual(['VALIDATING', 'RECORDING_AUTHORIZATION', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE', 'VERIFYING', 'AWAITING_ACCEPTANCE']);
    const upserted = await upsertedStages(handle);
    expect([...new Set(upserted)]).toEqual(visited);
  });
});

describe('approval rounds', () => {
  it('keeps the earlier link valid while the reminder that replaces it is still being sent', async () => {
    const handle = await start(request(), testPolicy({ approval: { reminderEvery: 3_000 } }));
    await waitForApprovalRequest(handle);
    world.failures.set('sendApprovalRequest', failures(2, 'smtp down'));
    await waitForStatus(handle, () => approvalMails().some(([m]) => m.round === 2));
    expect((await handle.query(statusQuery)).approvalRound).toBe(1);

    const result = await handle.executeUpdate(decide, { args: [approve(1)] });
    expect(result.round).toBe(1);
    // The decision is taken at once; the onboarding goes on once the mail server is back (5 + 10 s).
    const s = await waitForStatus(handle, (x) => x.stage === 'AWAITING_INVITE', 45_000);
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', round: 1 });
    expect(s.approvalRound).toBe(2);
  });

  it('refuses the link of an earlier onboarding of the same contact, and mails the new one', async () => {
    const req = request();
    const first = await start(req);
    await waitForApprovalRequest(first);
    const firstMail = approvalMails()[0]![0];
    await first.signal(cancel, { by: 'UTECH1' });
    expect((await first.result()).stage).toBe('CANCELLED');

    await new Promise((r) => setTimeout(r, 5)); // another millisecond: another expiry
    const second = await start(req);
    await waitForApprovalRequest(second);
    expect(approvalMails()).toHaveLength(2);
    const secondMail = approvalMails()[1]![0];
    expect(secondMail.runId).not.toBe(firstMail.runId);
    expect(secondMail.round).toBe(firstMail.round);
    const oldExpiry = Date.parse(firstMail.expiresAt);
    expect(Date.parse(secondMail.expiresAt)).not.toBe(oldExpiry);

    expect((await updateRefusal(second.executeUpdate(decide, { args: [approve(1, { expiresAt: oldExpiry })] }))).type).toBe(DECISION_REFUSED.superseded);
    expect((await second.query(statusQuery)).evidence).toBeNull();
    const accepted = await second.executeUpdate(decide, { args: [approve(1, { expiresAt: Date.parse(secondMail.expiresAt) })] });
    expect(accepted.decision).toBe('approve');
  });
});
