/** VALIDATING: IT Glue says whether the contact can be onboarded, and who must approve. */
import { settingsChecklist } from './settings';
import type { OnboardingRun } from './run';

export async function validate(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const { request, policy } = run.input;
  const v = await run.itglue.validateRequest(request, policy);
  if (!v.ok) {
    s.reason = v.reason;
    await run.note('rejected', v.reason);
    return run.moveTo('REJECTED');
  }
  s.org = v.org;
  s.invitee = v.invitee;
  s.approver = v.approver;
  s.groupNames = v.groupNames;
  if (v.simulated) s.itglueSimulated = true;
  if (run.confirmsSettings) s.settingsToConfirm = settingsChecklist(run);
  // MyGlue: password access is what the groups allow, not what was asked (absent in older results).
  if (v.passwordAccess !== undefined) s.request = { ...s.request, passwordAccess: v.passwordAccess };
  run.publisher.sweepMemo();
  if (v.existingUser) run.takeUser(v.existingUser);
  await run.note('validated', `${v.invitee.name} of ${v.org.name} can be onboarded.`, { post: false });
  if (v.approver) return run.moveTo('AWAITING_APPROVAL');
  s.evidence = { via: 'not-needed', at: run.now(), reason: 'The invitee is the primary contact.' };
  await run.note('approval-not-needed', `${v.invitee.name} is the primary contact: no approval needed.`);
  return run.moveTo(run.state.afterApproval);
}
