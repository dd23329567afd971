/**
 * Mail through an SMTP outage: the onboarding workflow runs with the real mail activities while the
 * local SMTP server is stopped for a while and started again. Temporal retries the failed sends with
 * the workflow's backoff, and every message arrives exactly once.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decide } from '../workflows/messages';
import { startApprovalHarness, type ApprovalHarness } from './support/approval-harness';
import { PRIMARY } from './support/fake-activities';
import { waitForStage } from './support/temporal';

let h: ApprovalHarness;

beforeAll(async () => {
  h = await startApprovalHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Waits until the activity has failed at least once and waits for its next attempt. */
async function waitForRetry(handle: WorkflowHandle, activityType: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const activity = pending.find((a) => a.activityType?.name === activityType);
    if (activity && (activity.attempt ?? 0) >= 2) return activity.lastFailure?.message ?? '';
    if (Date.now() > deadline) throw new Error(`${activityType} was not retried within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function attemptsOf(handle: WorkflowHandle, activityType: string): Promise<number[]> {
  const types = new Map<string, string>();
  const attempts: number[] = [];
  const history = await handle.fetchHistory();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) types.set(String(event.eventId), scheduled.activityType?.name ?? '');
    const started = event.activityTaskStartedEventAttributes;
    if (started && types.get(String(started.scheduledEventId)) === activityType) attempts.push(started.attempt ?? 0);
  }
  return attempts;
}

it('delivers every message once when the SMTP server is down for a while and comes back', async () => {
  await h.smtp.stop();
  const handle = await h.start();
  const failure = await waitForRetry(handle, 'sendApprovalRequest');
  expect(failure).toMatch(/ECONNREFUSED|connect/i);
  expect(h.smtp.received).toHaveLength(0);

  await h.smtp.listen();
  const request = await h.mailOf(handle, 'approval-request', 1);

  // Down again while the decision's receipt and the instructions go out.
  await h.smtp.stop();
  await handle.executeUpdate(decide, { args: [{ decision: 'approve', round: 1, approverContactId: PRIMARY.contactId }] });
  await waitForRetry(handle, 'sendDecisionReceipt');
  await h.smtp.listen();
  await waitForStage(handle, 'AWAITING_INVITE', 30_000);

  const receipt = await h.mailOf(handle, 'decision-receipt', 1);
  const instructions = await h.mailOf(handle, 'instructions', 1);
  const ids = h.smtp.received.map((m) => m.parsed.messageId);
  expect(ids.sort()).toEqual([request, receipt, instructions].map((m) => m.parsed.messageId).sort());
  for (const id of ids) expect(h.smtp.byMessageId(id!)).toHaveLength(1);

  // Each failed send was retried by Temporal: the accepted attempt was not the first.
  expect((await attemptsOf(handle, 'sendApprovalRequest')).at(-1)).toBeGreaterThanOrEqual(2);
  expect((await attemptsOf(handle, 'sendDecisionReceipt')).at(-1)).toBeGreaterThanOrEqual(2);
  expect(await attemptsOf(handle, 'sendInstructions')).toEqual([1]);
}, 90_000);
