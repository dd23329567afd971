/**
 * AWAITING_APPROVAL: the approver answers through the emailed link (or tells the MSP, who records
 * it); reminders go out, the tech is told when it takes long, and the request expires.
 */
import { leaveBatch, inBatch, joinsBatch, waitInBatch } from './approval-member';
import { oneLine } from '../text';
import type { Person } from '../types';
import { cancelled } from './endings';
import type { Action } from './inbox';
import type { OnboardingRun } from './run';

/**
 * `expired` says what an unanswered request comes to (by default APPROVAL_EXPIRED: silence never
 * approves); an access review's policy may remove instead.
 */
export async function awaitApproval(run: OnboardingRun, expired: (run: OnboardingRun) => Promise<void> = approvalExpired): Promise<void> {
  if (!run.input.request.batchId) return approvalStage(run, expired);
  try {
    await approvalStage(run, expired);
  } finally {
    // A member of a batch (docs/design.md §15.3) tells it when its approval stage has ended.
    if (run.status.stage !== 'AWAITING_APPROVAL' || run.stopping) await leaveBatch(run);
  }
}

async function approvalStage(run: OnboardingRun, expired: (run: OnboardingRun) => Promise<void>): Promise<void> {
  const policy = run.state.approvalTimings;
  if (!run.state.progress.approval) await startApproval(run, run.state.approver);
  for (;;) {
    const a = run.state.progress.approval!;
    const timeoutAt = a.startedAt + policy.timeout;
    // A member of a batch is reminded by the batch's mails while it is in it.
    const reminderAt = a.remindersSent < policy.maxReminders && !inBatch(run) ? a.startedAt + (a.remindersSent + 1) * policy.reminderEvery : Infinity;
    const escalateAt = a.escalated ? Infinity : a.startedAt + policy.escalateAfter;
    run.waitFor('approver', timeoutAt);

    for (const action of await run.next(Math.min(timeoutAt, reminderAt, escalateAt))) {
      if (action.type === 'cancel') return cancelled(run, action);
      if (await answered(run, action)) return;
    }

    const t = Date.now();
    if (t >= timeoutAt) return expired(run);
    if (!a.escalated && t >= escalateAt) {
      a.escalated = true;
      const ways = run.status.process === 'review' ? 'ask another contact' : 'ask another contact or record an approval received offline';
      await run.note('escalated', `${run.state.approver.name} has not answered: ${ways}.`);
    }
    if (a.remindersSent < policy.maxReminders && t >= reminderAt) {
      a.remindersSent += 1;
      await sendApprovalMail(run, a.remindersSent);
      await run.note('approval-reminder', `Reminder ${a.remindersSent} sent to ${run.state.approver.name}.`);
    }
  }
}

async function approvalExpired(run: OnboardingRun): Promise<void> {
  await run.note('approval-expired', `No answer from ${run.state.approver.name} in time: the request has expired.`);
  return run.moveTo('APPROVAL_EXPIRED');
}

/** Takes an action of the approval stage; true when it decided the stage (the onboarding moved on). */
async function answered(run: OnboardingRun, action: Action): Promise<boolean> {
  switch (action.type) {
    case 'decided':
      return decided(run);
    case 'offlineApproval':
      await run.note('approved-offline', `Approval received by ${action.channel} recorded by <@${action.by}>: ${action.note}`, { by: action.by });
      await run.moveTo(run.state.afterApproval);
      return true;
    case 'changeApprover':
      await anotherApprover(run, action.by, action.approverContactId);
      return false;
    case 'batchFailed':
      // Still waiting in the batch's round: its own request now, in a new round.
      if (!inBatch(run)) return false;
      await sendApprovalMail(run, 0);
      await run.note(
        'approval-requested',
        `The email for several contacts could not be sent (${action.reason}): approval requested from ${run.state.approver.name} by an email of its own.`,
      );
      return false;
    default:
      return false;
  }
}

/** The approver's decision, through the link or recorded with the command line: noted, receipted, acted on. */
async function decided(run: OnboardingRun): Promise<boolean> {
  const e = run.status.evidence;
  if (e?.via !== 'link' && e?.via !== 'cli') return false;
  const review = run.status.process === 'review';
  const verb = review ? 'Reviewed' : e.decision === 'approve' ? 'Approved' : 'Denied';
  const type = review ? 'reviewed' : e.decision === 'approve' ? 'approved' : 'denied';
  // The approver's name and comment on one line: they cannot add lines to the thread.
  const comment = e.comment ? `: “${oneLine(e.comment)}”` : '';
  const approver = oneLine(e.approver.name);
  if (e.via === 'cli') {
    const how = `as told to the MSP: recorded by <@${e.recordedBy}> with the command line at ${e.at}, not through the approval link`;
    await run.note(type, `${verb} by ${approver}, ${how}${comment}`, { by: e.recordedBy });
  } else {
    await run.note(type, `${verb} by ${approver} at ${e.at}${e.ip ? ` from ${e.ip}` : ''}${comment}`);
  }
  await run.mail.sendDecisionReceipt({
    ...run.mailContext(),
    approver: e.approver,
    result: { decision: e.decision, round: e.round, decidedAt: e.at },
    ...(e.via === 'cli' ? { via: 'cli' as const } : {}),
    ...(run.status.review ? { review: run.status.review, ...(e.comment ? { comment: e.comment } : {}) } : {}),
  });
  await run.moveTo(e.decision === 'approve' ? run.state.afterApproval : 'DENIED');
  return true;
}

/** The tech asked another contact to approve: a new request to them, or a note why they cannot. */
async function anotherApprover(run: OnboardingRun, by: string, contactId: string): Promise<void> {
  const { request } = run.input;
  const person = contactId === request.contactId ? null : await run.itglue.findContact(request.orgId, contactId);
  if (!person) {
    const why = `choose another contact of ${run.state.org.name} with an email address, other than the invitee`;
    await run.note('approver-not-found', `Contact ${contactId} cannot approve: ${why}.`, { by });
  } else {
    const leaving = inBatch(run);
    await run.note('approver-changed', `<@${by}> asked ${person.name} to approve instead.`, { by });
    if (leaving) await leaveBatch(run);
    await startApproval(run, person);
  }
}

/** A new approval request: a new link (older ones stop working) to the approver, and a new clock. */
async function startApproval(run: OnboardingRun, approver: Person): Promise<void> {
  const s = run.status;
  s.approver = approver;
  run.state.progress.approval = { startedAt: Date.now(), remindersSent: 0, escalated: false };
  s.approvalExpiresAt = new Date(run.state.approvalExpiresAt).toISOString();
  run.waitFor('approver', run.state.approvalExpiresAt);
  if (joinsBatch(run, approver) && (await waitInBatch(run))) {
    await run.note('approval-requested', `Approval requested from ${approver.name} by email, in one mail with the other contacts of the same request.`);
    return;
  }
  await sendApprovalMail(run, 0);
  await run.note('approval-requested', `Approval requested from ${approver.name} by email.`);
}

/** A new approval round: the mail with its link, a reminder after the first. */
async function sendApprovalMail(run: OnboardingRun, reminder: number): Promise<void> {
  const round = run.status.approvalRound + 1;
  run.sendingRound = round;
  try {
    await run.mail.sendApprovalRequest({
      ...run.mailContext(),
      approver: run.state.approver,
      round,
      reminder,
      expiresAt: new Date(run.state.approvalExpiresAt).toISOString(),
      ...(run.status.review ? { review: run.status.review } : {}),
    });
    run.status.approvalRound = round;
  } finally {
    run.sendingRound = null;
  }
}
