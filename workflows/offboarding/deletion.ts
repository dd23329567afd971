/**
 * AWAITING_DELETION: IT Glue's API cannot delete a user, so the tech is told exactly where to
 * (and, for MyGlue, what goes with the user). The sweep notices the user is gone, or the tech
 * presses User deleted; either way one read confirms it. Then the primary contact gets a receipt
 * and the offboarding is done. The tech is reminded, and managers told when it takes long.
 */
import * as wf from '@temporalio/workflow';
import { cancelled } from '../onboarding/endings';
import { earliest, escalateTechWait, techWaitEscalatesAt } from '../onboarding/escalation';
import type { OnboardingRun } from '../onboarding/run';
import { onboardingEnded, scopeWatchWorkflowId } from '../scope-watch';
import { productName } from '../text';

export async function awaitDeletion(run: OnboardingRun): Promise<void> {
  const { invite: policy } = run.policy;
  const p = run.state.progress;
  if (!p.deletion) {
    p.deletion = { since: Date.now(), techReminders: 0 };
    await run.note('delete-user', deletionSteps(run));
  }
  for (;;) {
    const d = p.deletion;
    const remindAt = d.techReminders < policy.maxTechReminders ? d.since + (d.techReminders + 1) * policy.remindTechAfter : null;
    const escalateAt = techWaitEscalatesAt(run, 'delete-user');
    run.waitFor('tech', remindAt);
    for (const action of await run.next(earliest(remindAt, escalateAt))) {
      if (action.type === 'cancel') return cancelled(run, action);
      if (action.type !== 'userGone' && action.type !== 'userDeleted') continue;
      if (await deleted(run, action.type === 'userDeleted' ? action.by : undefined)) return removed(run);
    }
    const email = run.state.user.email;
    if (remindAt !== null && Date.now() >= remindAt) {
      d.techReminders += 1;
      await run.note('tech-reminder', `${email} is still in IT Glue: please delete the user (Account → Users).`);
    }
    await escalateTechWait(run, 'delete-user', `No tech has deleted the ${productName(run.status.request)} user ${email}`);
  }
}

/** Exactly where the user is deleted, and for MyGlue what is deleted with them. */
function deletionSteps(run: OnboardingRun): string {
  const { email } = run.state.user;
  const myGlue = run.status.request.kind === 'myglue';
  const tab = myGlue ? 'MyGlue' : 'IT Glue';
  const steps = `Please delete the ${productName(run.status.request)} user ${email} in IT Glue: Account → Users → the ${tab} tab → the row of ${email} → the delete (trash) icon, then press User deleted.`;
  const warning = myGlue
    ? " Warning: deleting a MyGlue user also deletes the user's personal passwords and every asset they have not shared; ask the customer to move what they need first."
    : '';
  return `${steps}${warning} IT Glue's API cannot delete users; the bot checks IT Glue with every sweep.`;
}

/** Reads the user once: gone means deleted. A press that IT Glue contradicts is said in the thread. */
async function deleted(run: OnboardingRun, by: string | undefined): Promise<boolean> {
  const user = await run.itglue.userById(run.state.user.id);
  if (!user) return true;
  if (by)
    await run.note('user-still-there', `<@${by}> says the user was deleted, but IT Glue still has ${user.email}: delete it, then press User deleted again.`, { by });
  return false;
}

/** The user is gone: noted, the scope watch stopped, the primary contact told, the offboarding done. */
async function removed(run: OnboardingRun): Promise<void> {
  const s = run.status;
  const at = run.now();
  s.removal = { ...s.removal!, deletedAt: at };
  await run.note('user-deleted', `IT Glue no longer has the user ${run.state.user.email}: deleted.`);
  await stopScopeWatch(run);
  const to = run.state.status.approver;
  if (to) {
    await run.mail.sendRemovalReceipt({
      ...run.mailContext(),
      to,
      userEmail: run.state.user.email,
      groupsLeft: s.removal.groupsLeft,
      authorizationRemoved: s.removal.authorizationRemoved,
      deletedAt: at,
      approval: approvalText(run),
      approvedAt: run.status.evidence?.via === 'not-needed' ? null : (run.status.evidence?.at ?? null),
    });
    await run.note('receipt-sent', `Receipt sent to ${to.name}.`);
  } else {
    await run.note('receipt-sent', `No receipt sent: ${run.state.org.name} has no primary contact the rule finds.`);
  }
  const event = run.record('completed', `${run.state.invitee.name}'s access to ${run.state.org.name} is removed: out of every group, user deleted in IT Glue.`);
  await run.moveTo('COMPLETED');
  await run.tell(event);
}

/** How the removal was approved, for the receipt. */
function approvalText(run: OnboardingRun): string {
  const e = run.status.evidence;
  switch (e?.via) {
    case 'link':
      return `approved by ${e.approver.name}`;
    case 'cli':
      return `approved by ${e.approver.name}, as told to ${run.policy.branding.mspName}`;
    case 'offline':
      return `approved in writing (${e.channel})`;
    case 'manager':
      return `approved by a manager of ${run.policy.branding.mspName}`;
    default:
      return 'no approval needed';
  }
}

/** The onboarding's scope watch has nothing left to watch: stopped, if it still runs. */
async function stopScopeWatch(run: OnboardingRun): Promise<void> {
  const { orgId, contactId } = run.input.request;
  try {
    await wf.getExternalWorkflowHandle(scopeWatchWorkflowId(orgId, contactId)).signal(onboardingEnded, { outcome: 'cancelled', at: run.now() });
  } catch (error) {
    // No watch runs.
    if (wf.isCancellation(error) || !(error instanceof wf.TemporalFailure)) throw error;
  }
}
