/**
 * An onboarding started with others in one request (docs/design.md §15.3): its first approval round
 * is mailed by the batch workflow, in one mail for all of them. It waits in that round without a
 * mail of its own and is reminded by the batch's mails; escalation and expiry stay its own. Asking
 * another contact takes it out of the batch: its rounds are mailed as usual from then on.
 */
import * as wf from '@temporalio/workflow';
import { approvalBatchIdFor, memberDecided, memberWaiting } from '../approval-batch';
import type { Person } from '../types';
import type { OnboardingRun } from './run';

function batchWorkflowId(run: OnboardingRun): string | null {
  const { batchId, orgId } = run.input.request;
  return batchId ? approvalBatchIdFor(orgId, batchId) : null;
}

/** Whether this first approval request goes out in the batch's mail. */
export function joinsBatch(run: OnboardingRun, approver: Person): boolean {
  const { batchId, approverContactId } = run.input.request;
  return !!batchId && run.status.approvalRound === 0 && approver.contactId === approverContactId;
}

/** Still waiting in the batch's round: no other contact was asked, no mail of its own went out. */
export function inBatch(run: OnboardingRun): boolean {
  const { batchId, approverContactId } = run.input.request;
  const s = run.status;
  return !!batchId && s.approvalRound === 1 && s.approver?.contactId === approverContactId && !s.events.some((e) => e.type === 'approver-changed');
}

/**
 * Takes round 1 without a mail and tells the batch; false when the batch cannot be told (it does
 * not run): the onboarding then mails its own request, in round 2.
 */
export async function waitInBatch(run: OnboardingRun): Promise<boolean> {
  const s = run.status;
  s.approvalRound = 1;
  try {
    await wf.getExternalWorkflowHandle(batchWorkflowId(run)!).signal(memberWaiting, {
      workflowId: s.workflowId,
      round: 1,
      expiresAt: new Date(run.state.approvalExpiresAt).toISOString(),
      approverContactId: run.state.approver.contactId,
      approver: run.state.approver,
      invitee: run.state.invitee,
      org: run.state.org,
      request: s.request,
    });
    return true;
  } catch (error) {
    if (wf.isCancellation(error)) throw error;
    return false;
  }
}

/** Tells the batch that this member no longer waits in it (its stage ended, or another contact was asked). */
export async function leaveBatch(run: OnboardingRun): Promise<void> {
  const id = batchWorkflowId(run);
  if (!id) return;
  try {
    await wf.CancellationScope.nonCancellable(() => wf.getExternalWorkflowHandle(id).signal(memberDecided, { workflowId: run.status.workflowId }));
  } catch (error) {
    // The batch has ended: nobody to tell.
    if (wf.isCancellation(error)) throw error;
  }
}
