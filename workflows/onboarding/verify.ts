/**
 * VERIFYING: the user IT Glue shows is checked against the request — role, exactly one customer
 * group, organization access. What differs is fixed by the tech (or, for a shared group reaching
 * other organizations, by a manager), who presses Fixed; what the API cannot read, the tech confirms.
 */
import * as wf from '@temporalio/workflow';
import { cancelled } from './endings';
import { endTechWait, escalateTechWait, techWaitEscalatesAt } from './escalation';
import type { CancelAction } from './inbox';
import type { OnboardingRun } from './run';
import { confirmationIn, settingsChecklist } from './settings';

export async function verify(run: OnboardingRun): Promise<void> {
  const s = run.status;
  for (;;) {
    const { request, policy } = run.input;
    const verification = await run.itglue.verifyUser({ request, org: run.state.org, user: run.state.user, groupNames: s.groupNames, policy });
    const { mismatches, user } = verification;
    // Results recorded before the account's problems were told apart have none of their own.
    const accountMismatches = verification.accountMismatches ?? [];
    // Histories recorded before the fresh read keep the user they had.
    if (user && wf.patched('verify-fresh-user')) run.takeUser(user);
    s.mismatches = mismatches;
    s.accountMismatches = accountMismatches;
    for (const change of verification.changes ?? []) await run.note('group-changed', change);
    if (mismatches.length === 0 && accountMismatches.length === 0) {
      if (run.confirmsSettings && !s.confirmation) {
        const stop = await awaitConfirmation(run);
        if (stop) return cancelled(run, stop);
      }
      await run.note('verified', 'IT Glue user verified: role, group and organization access match the request.');
      return run.moveTo('AWAITING_ACCEPTANCE', 'invitee');
    }
    const stop = await awaitFixed(run, mismatches, accountMismatches);
    if (stop) return cancelled(run, stop);
  }
}

/** Tells who must fix what, and waits for Fixed. Returns the cancel that stopped it, if any. */
async function awaitFixed(run: OnboardingRun, mismatches: string[], accountMismatches: string[]): Promise<CancelAction | undefined> {
  if (accountMismatches.length > 0) {
    const list = accountMismatches.join('\n• ');
    await run.note('account-mismatch', `Needs a manager: fix in IT Glue, then press Fixed:\n• ${list}`, { mention: run.managersMention() });
  }
  if (mismatches.length > 0) {
    await run.note('mismatch', `Please fix in IT Glue, then press Fixed:\n• ${mismatches.join('\n• ')}`, { mention: run.techMention() });
  }
  const onTech = mismatches.length > 0;
  run.waitFor(onTech ? 'tech' : 'manager', null, 'MISMATCH');
  for (;;) {
    const actions = await run.next(onTech ? techWaitEscalatesAt(run, 'mismatch') : null);
    const stop = actions.find((a) => a.type === 'cancel');
    if (stop?.type === 'cancel') return stop;
    await confirmationIn(run, actions);
    const done = actions.find((a) => a.type === 'fixed');
    if (done?.type === 'fixed') {
      endTechWait(run);
      await run.note('fixed', `<@${done.by}> says it is fixed; verifying again.`, { by: done.by });
      run.leaveSubState();
      return undefined;
    }
    if (onTech) await escalateTechWait(run, 'mismatch', `No tech has fixed the IT Glue user ${run.state.user.email}`);
  }
}

/**
 * The user matches what the API can read; the tech confirms the rest (the user was found by the
 * sweep before anyone pressed Invitation sent). Returns the cancel that stopped it, if any.
 */
async function awaitConfirmation(run: OnboardingRun): Promise<CancelAction | undefined> {
  const where = 'check in IT Glue (Account → Users → the user), then press Settings confirmed';
  await run.note(
    'confirm-settings',
    `${run.state.user.email} is in IT Glue with the right role and group. The API cannot read the rest: ${where}: ${settingsChecklist(run).join('; ')}.`,
    { mention: run.techMention() },
  );
  run.waitFor('tech', null, 'CONFIRM_SETTINGS');
  while (!run.status.confirmation) {
    const actions = await run.next(techWaitEscalatesAt(run, 'confirm-settings'));
    const stop = actions.find((a) => a.type === 'cancel');
    if (stop?.type === 'cancel') return stop;
    await confirmationIn(run, actions);
    if (!run.status.confirmation) await escalateTechWait(run, 'confirm-settings', `No tech has confirmed the settings of ${run.state.user.email} in IT Glue`);
  }
  endTechWait(run);
  run.leaveSubState();
  return undefined;
}
