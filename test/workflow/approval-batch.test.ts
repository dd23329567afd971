/**
 * Onboardings started together for one approver (docs/design.md §15.3) on a real Temporal dev
 * server: ONE approval mail from the batch workflow and none of the members' own, the batch's
 * reminders only, a member that asks another contact leaves the batch and mails on its own, and a
 * decision per member through its own `decide` Update.
 */
import { ApplicationFailure, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BatchApprovalMail } from '../../activities/contracts';
import { getBatchStatus, startApprovalBatch } from '../../src/approval-batches';
import type { ApprovalBatchStatus } from '../../workflows/approval-batch';
import { askAnotherApprover, decide } from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import type { DecisionInput, OnboardingRequest, OnboardingStatus, Person } from '../../workflows/types';
import { FakeWorld, OTHER, PRIMARY } from '../support/fake-activities';
import { connectTemporal, startOnboardingWorkflow, testPolicy, waitForStage, waitForStatus, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
let world: FakeWorld;
let stopWorkers: () => Promise<void>;
let counter = 0;
let started: WorkflowHandle[] = [];

const PEOPLE: Person[] = ['301', '302', '303'].map((id, i) => ({
  contactId: id,
  name: ['Ann Able', 'Ben Baker', 'Cat Cole'][i]!,
  firstName: ['Ann', 'Ben', 'Cat'][i]!,
  email: `${['ann', 'ben', 'cat'][i]}@acme.test`,
}));

beforeAll(async () => {
  temporal = await connectTemporal();
});
afterAll(async () => {
  await temporal.close();
});
beforeEach(async () => {
  world = new FakeWorld();
  for (const p of PEOPLE) world.contacts.set(p.contactId, p);
  stopWorkers = await temporal.startWorkers(world.activities());
  return async () => {
    await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
    started = [];
    await stopWorkers();
  };
});

/** Starts the batch, then its three members, as the modal does. */
async function startBatch(policy: Policy = testPolicy(), people: Person[] = PEOPLE) {
  counter += 1;
  const orgId = `${Date.now()}-${counter}`;
  const batchId = `b${counter}`;
  const requests: OnboardingRequest[] = people.map((p) => ({
    orgId,
    contactId: p.contactId,
    kind: 'itglue',
    passwordAccess: p.contactId === '302',
    approverContactId: PRIMARY.contactId,
    requestedBy: 'UTECH1',
    batchId,
  }));
  const memberIds = requests.map((r) => `onboarding:${orgId}:${r.contactId}`);
  const batchWorkflowId = await startApprovalBatch(temporal.client, temporal.taskQueue, {
    orgId,
    batchId,
    memberIds,
    approverContactId: PRIMARY.contactId,
    policy,
    requestedBy: 'UTECH1',
  });
  const batch = temporal.client.workflow.getHandle(batchWorkflowId);
  started.push(batch);
  const members = await Promise.all(requests.map((r) => startOnboardingWorkflow(temporal, r, policy)));
  started.push(...members);
  return { batch, batchWorkflowId, members, memberIds };
}

const batchMails = () => world.callsOf('sendBatchApprovalRequest').map((a) => a[0] as BatchApprovalMail);
const ownMails = () => world.callsOf('sendApprovalRequest');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(read: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await sleep(100);
  }
}

const decision = (s: OnboardingStatus, over: Partial<DecisionInput>): DecisionInput => ({
  decision: 'approve',
  round: s.approvalRound,
  approverContactId: s.approver!.contactId,
  expiresAt: Date.parse(s.approvalExpiresAt!),
  ip: '198.51.100.7',
  userAgent: 'Mozilla/5.0 (test)',
  ...over,
});

describe('a batch of three onboardings', () => {
  it('sends exactly one approval mail for all three and none of their own', async () => {
    const { batch, batchWorkflowId, members, memberIds } = await startBatch();
    const [mail] = await until(() => batchMails().length > 0 && batchMails(), 'the batch mail');
    expect(mail).toMatchObject({ workflowId: batchWorkflowId, approver: PRIMARY, round: 1, reminder: 0 });
    expect(mail!.members.map((m) => m.invitee.contactId).sort()).toEqual(['301', '302', '303']);
    expect(mail!.members.find((m) => m.invitee.contactId === '302')!.request.passwordAccess).toBe(true);
    for (const m of members) {
      const s = await waitForStatus(m, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound === 1);
      expect(s.events.find((e) => e.type === 'approval-requested')?.text).toContain('in one mail with the other contacts');
    }
    const status = await getBatchStatus(temporal.client, batchWorkflowId);
    expect(status.members.map((m) => m.workflowId).sort()).toEqual([...memberIds].sort());
    expect(status).toMatchObject({ approver: PRIMARY, round: 1, ended: false });
    expect(status.expiresAt).toBe(mail!.expiresAt);
    await sleep(500);
    expect(batchMails()).toHaveLength(1);
    expect(ownMails()).toHaveLength(0);
    void batch;
  });

  it('reminds from the batch only, naming those still waiting', async () => {
    const policy = testPolicy({ approval: { reminderEvery: 2_500, maxReminders: 2, escalateAfter: 600_000, timeout: 600_000 } });
    const { members } = await startBatch(policy);
    await until(() => batchMails().length === 1, 'the batch mail');
    const first = await waitForStatus(members[0]!, (x) => x.approvalRound === 1);
    await members[0]!.executeUpdate(decide, { args: [decision(first, { decision: 'approve' })] });
    const reminders = await until(() => batchMails().length >= 3 && batchMails(), 'two reminders', 30_000);
    expect(reminders.map((m) => [m.round, m.reminder])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
    expect(reminders[1]!.members.map((m) => m.invitee.contactId).sort()).toEqual(['302', '303']);
    await sleep(3_000);
    expect(batchMails()).toHaveLength(3);
    expect(ownMails()).toHaveLength(0);
    for (const m of members.slice(1)) expect((await waitForStage(m, 'AWAITING_APPROVAL')).approvalRound).toBe(1);
  });

  it('lets a member that asks another contact leave the batch and mail on its own', async () => {
    const policy = testPolicy({ approval: { reminderEvery: 3_000, maxReminders: 1, escalateAfter: 600_000, timeout: 600_000 } });
    const { batchWorkflowId, members } = await startBatch(policy);
    await until(() => batchMails().length === 1, 'the batch mail');
    await waitForStatus(members[2]!, (x) => x.approvalRound === 1);
    await members[2]!.executeUpdate(askAnotherApprover, { args: [{ by: 'UTECH1', approverContactId: OTHER.contactId }] });
    const s = await waitForStatus(members[2]!, (x) => x.approver?.contactId === OTHER.contactId && x.approvalRound === 2);
    expect(ownMails()).toHaveLength(1);
    expect(ownMails()[0]![0]).toMatchObject({ approver: OTHER, round: 2, reminder: 0 });
    const batch = await getBatchStatus(temporal.client, batchWorkflowId);
    expect(batch.members.find((m) => m.workflowId === s.workflowId)?.waiting).toBe(false);
    const reminder = await until(() => batchMails().length >= 2 && batchMails()[1], 'the batch reminder');
    expect(reminder.members.map((m) => m.invitee.contactId).sort()).toEqual(['301', '302']);
    // Its own reminders again, from round 3, to the other contact.
    await until(() => ownMails().length >= 2, 'its own reminder', 30_000);
    expect(ownMails()[1]![0]).toMatchObject({ approver: OTHER, round: 3, reminder: 1 });
  });

  it('takes a decision per member, and ends when none waits', async () => {
    const { batch, batchWorkflowId, members } = await startBatch();
    await until(() => batchMails().length === 1, 'the batch mail');
    const [a, b, c] = await Promise.all(members.map((m) => waitForStatus(m, (x) => x.approvalRound === 1)));
    await members[0]!.executeUpdate(decide, { args: [decision(a!, { decision: 'approve', comment: 'Ann yes' })] });
    await members[1]!.executeUpdate(decide, { args: [decision(b!, { decision: 'deny', comment: 'Ben no' })] });
    const approved = await waitForStage(members[0]!, 'AWAITING_INVITE');
    expect(approved.evidence).toMatchObject({ via: 'link', decision: 'approve', round: 1, comment: 'Ann yes', ip: '198.51.100.7' });
    const denied = await waitForStage(members[1]!, 'DENIED');
    expect(denied.evidence).toMatchObject({ via: 'link', decision: 'deny', comment: 'Ben no' });
    expect((await getBatchStatus(temporal.client, batchWorkflowId)).ended).toBe(false);
    await members[2]!.executeUpdate(decide, { args: [decision(c!, { decision: 'approve' })] });
    const ended = (await batch.result()) as ApprovalBatchStatus;
    expect(ended.ended).toBe(true);
    expect(ended.members.every((m) => !m.waiting)).toBe(true);
    expect(batchMails()).toHaveLength(1);
  });

  it('when the batch mail is refused for good, each member still waiting mails its own request', async () => {
    world.failures.set('sendBatchApprovalRequest', [ApplicationFailure.nonRetryable('the mail server refused the message (550)', 'MailRefused')]);
    const { batch, members } = await startBatch();
    expect(((await batch.result()) as ApprovalBatchStatus).ended).toBe(true);
    for (const m of members) {
      const s = await waitForStatus(m, (x) => x.approvalRound === 2);
      expect(s.stage).toBe('AWAITING_APPROVAL');
      expect(s.events.filter((e) => e.type === 'approval-requested').at(-1)!.text).toContain('could not be sent (the mail server refused the message (550))');
    }
    expect(ownMails().map((a) => (a[0] as { round: number }).round)).toEqual([2, 2, 2]);
  });

  it('mails on its own when its batch does not run', async () => {
    counter += 1;
    const policy = testPolicy();
    const request: OnboardingRequest = {
      orgId: `${Date.now()}-${counter}`,
      contactId: '301',
      kind: 'itglue',
      passwordAccess: false,
      approverContactId: PRIMARY.contactId,
      requestedBy: 'UTECH1',
      batchId: 'nowhere',
    };
    const handle = await startOnboardingWorkflow(temporal, request, policy);
    started.push(handle);
    await waitForStatus(handle, (x) => x.approvalRound === 2);
    expect(ownMails()[0]![0]).toMatchObject({ approver: PRIMARY, round: 2, reminder: 0 });
  });
});
