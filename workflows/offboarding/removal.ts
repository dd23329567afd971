/**
 * REMOVING_ACCESS: at once, the user leaves every group it is in (each through the group's single
 * writer: password access ends now) and the contact leaves the Site Summary's authorization field
 * where the policy keeps it (through its writer).
 */
import type { OnboardingRun } from '../onboarding/run';

export async function removeAccess(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const { orgId, contactId } = run.input.request;
  const removed = await run.itglue.removeAccess({ orgId, contactId, userId: run.state.user.id, policy: run.policy });
  // After a Resume, the groups left on the first attempt are no longer listed: kept from before.
  const before = s.removal!;
  s.removal = {
    ...before,
    groupsLeft: [...new Set([...before.groupsLeft, ...removed.groupsLeft])],
    authorizationRemoved: before.authorizationRemoved || removed.authorizationRemoved,
  };
  const left = s.removal.groupsLeft;
  const groups = left.length ? `taken out of ${left.map((g) => `"${g}"`).join(', ')}` : 'in no group any more';
  const record = s.removal.authorizationRemoved ? `; ${run.state.invitee.name} taken out of the authorized contacts` : '';
  await run.note('access-removed', `${run.state.user.email} ${groups}${record}.`);
  return run.moveTo('AWAITING_DELETION', 'tech');
}
