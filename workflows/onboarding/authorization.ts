/** RECORDING_AUTHORIZATION: the invitee is recorded as authorized in the organization's own asset (where the policy keeps one). */
import type { OnboardingRun } from './run';

export async function recordAuthorization(run: OnboardingRun): Promise<void> {
  const { request, policy } = run.input;
  await run.itglue.recordAuthorization({ orgId: request.orgId, contactId: request.contactId, policy });
  await run.note('authorization-recorded', `${run.state.invitee.name} recorded as authorized in ${policy.authorization.assetTypeName}.`);
  return run.moveTo('SENDING_INSTRUCTIONS');
}
