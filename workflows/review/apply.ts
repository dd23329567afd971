/**
 * REMOVING_ACCESS (access review): each user to remove gets an offboarding of its own, started
 * with the review's answer as its approval (it goes straight to the removal), which outlives the
 * review. One already open for the user is left to go on.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { offboarding } from '../offboarding';
import type { OnboardingRun } from '../onboarding/run';
import { type OffboardingRequest, offboardingIdFor } from '../types';

export async function applyAnswers(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const review = s.review!;
  const answers = review.answers ?? {};
  const removed = review.users.filter((u) => answers[u.userId] === 'remove');
  const day = run.now().slice(0, 10);
  for (const user of removed) {
    if (review.offboardings.some((o) => o.userId === user.userId)) continue; // started before a continue-as-new
    const workflowId = offboardingIdFor(s.request.orgId, user.userId);
    const request: OffboardingRequest = {
      orgId: s.request.orgId,
      contactId: user.contactId,
      userId: user.userId,
      kind: user.myGlue ? 'myglue' : 'itglue',
      passwordAccess: false,
      requestedBy: s.request.requestedBy,
      reason: `Removed in the access review of ${s.org!.name} (${day})`,
      ...(s.evidence ? { approval: s.evidence } : {}),
    };
    let started = true;
    try {
      await wf.startChild<typeof offboarding>('offboarding', {
        workflowId,
        args: [{ request, policy: run.policy }],
        parentClosePolicy: 'ABANDON',
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      started = false;
    }
    review.offboardings.push({ userId: user.userId, workflowId, started });
  }
  const kept = review.users.length - removed.length;
  const text = removed.length
    ? `Review applied: ${kept} kept, ${removed.length} removed (${removed.map((u) => u.email).join(', ')}): an offboarding each.`
    : `Review applied: all ${kept} users kept.`;
  await run.note('review-applied', text);
  const event = run.record('completed', `Access review of ${s.org!.name} done.`);
  await run.moveTo('COMPLETED');
  await run.tell(event);
}
