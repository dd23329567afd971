/**
 * VALIDATING (offboarding): IT Glue says whether the user can be offboarded and who the primary
 * contact is; an open onboarding of the same person is cancelled first, with the reason.
 */
import * as wf from '@temporalio/workflow';
import { cancel } from '../messages';
import type { OnboardingRun } from '../onboarding/run';
import { offboardingApprovalOf } from '../policy';
import { productName } from '../text';
import { type OffboardingRequest, workflowIdFor } from '../types';

export async function validateOffboarding(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const request = run.input.request as OffboardingRequest;
  const v = await run.itglue.validateOffboarding(request, run.policy);
  if (!v.ok) {
    s.reason = v.reason;
    await run.note('rejected', v.reason);
    return run.moveTo('REJECTED');
  }
  s.org = v.org;
  s.invitee = v.contact;
  s.user = v.user;
  s.approver = v.primaryContact;
  if (v.simulated) s.itglueSimulated = true;
  // The request's kind is the user's, as IT Glue shows it now.
  s.request = { ...s.request, kind: v.user.myGlue ? 'myglue' : 'itglue' };
  const what = `${productName(s.request)} user ${v.user.email} of ${v.contact.name} (${v.org.name})`;
  await run.note('validated', `The ${what} can be offboarded.`, { post: false });
  await cancelOpenOnboarding(run);

  const mode = offboardingApprovalOf(run.policy);
  if (request.approval) {
    // Given by the customer's access review: its answer, or its policy when nobody answered.
    s.evidence = request.approval;
    const given =
      request.approval.via === 'not-needed' ? 'the access review went unanswered (policy review.onNoAnswer: remove)' : "approved in the customer's access review";
    await run.note('approval-not-needed', `No further approval needed: ${given}.`);
    return run.moveTo('REMOVING_ACCESS');
  }
  if (mode === 'none') {
    s.evidence = { via: 'not-needed', at: run.now(), reason: 'The policy asks no approval for a removal.' };
    await run.note('approval-not-needed', 'No approval needed for a removal (policy offboarding.approval: none).');
    return run.moveTo('REMOVING_ACCESS');
  }
  if (mode === 'primary-contact' && !v.primaryContact) {
    s.reason = v.primaryContactProblem ?? `No primary contact of ${v.org.name} was found: choose the approver.`;
    await run.note('rejected', s.reason);
    return run.moveTo('REJECTED');
  }
  return run.moveTo('AWAITING_APPROVAL', mode === 'manager' ? 'manager' : 'approver');
}

/**
 * An onboarding of the same contact that is still open is cancelled, so that nothing gives the
 * access back while it is taken away. Its cancel is the one a person's Cancel sends; an onboarding
 * that has ended (or never was) does not answer, and nothing is noted.
 */
async function cancelOpenOnboarding(run: OnboardingRun): Promise<void> {
  const { orgId, contactId, requestedBy } = run.input.request;
  const onboardingId = workflowIdFor(orgId, contactId);
  const reason = `the contact's access is being removed (${wf.workflowInfo().workflowId})`;
  try {
    await wf.getExternalWorkflowHandle(onboardingId).signal(cancel, { by: requestedBy, reason });
  } catch (error) {
    // The server refuses the signal when no such workflow runs.
    if (wf.isCancellation(error) || !(error instanceof wf.TemporalFailure)) throw error;
    return;
  }
  await run.note('onboarding-cancelled', `The open onboarding of ${run.state.invitee.name} (${onboardingId}) was cancelled first.`);
}
