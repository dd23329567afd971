/**
 * What the onboarding hears: the status query, the approver's decision, the person actions — each
 * an Update whose validator alone judges whether it may happen now — and the IT Glue sweep's and
 * scope watch's signals. Signals of person actions are still taken from onboardings started before.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import {
  approveRemoval,
  askAnotherApprover,
  cancel,
  cancelOnboarding,
  changeApprover,
  confirmFixed,
  confirmInvitationResent,
  confirmInvitationSent,
  confirmSettings,
  confirmTwoFactor,
  confirmUserDeleted,
  DECISION_REFUSED,
  decide,
  fixed,
  invitationResent,
  invitationSent,
  offlineApproval,
  type PersonInput,
  recordOfflineApproval,
  resume,
  resumeOnboarding,
  scopeAlert,
  settingsConfirmed,
  status,
  twoFactorConfirmed,
  userGone,
  userObserved,
} from '../messages';
import { batchFailed } from '../approval-batch';
import { ACTION_REFUSED, type PersonAction, personActionsNow } from '../person-actions';
import { oneLine } from '../text';
import type { DecisionInput, DecisionResult, OfflineChannel } from '../types';
import type { Action } from './inbox';
import type { OnboardingRun } from './run';

/** A Slack user ID: who presses a button, or records a decision with the CLI. */
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const OFFLINE_CHANNELS: readonly OfflineChannel[] = ['fax', 'postal-mail', 'email'];

function refuse(type: string, message: string, details: Record<string, unknown> = {}): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });
}

export function registerHandlers(run: OnboardingRun): void {
  wf.setHandler(status, () => run.status);
  wf.setHandler(decide, (d) => decided(run, d), { validator: (d) => judgeDecision(run, d) });
  registerPersonActions(run);
  registerLegacySignals(run);
  wf.setHandler(userObserved, (user) => {
    if (run.takeUser(user)) run.inbox.push({ type: 'user' });
  });
  // The batch this onboarding's approval was mailed in could not send it (docs/design.md §15.3).
  wf.setHandler(batchFailed, ({ reason }) => run.inbox.push({ type: 'batchFailed', reason }));
  // An offboarding's user, no longer listed by IT Glue (the sweep); the offboarding reads it to be sure.
  wf.setHandler(userGone, ({ userId }) => {
    if (run.status.user?.id === userId && run.status.stage === 'AWAITING_DELETION') run.inbox.push({ type: 'userGone' });
  });
  // Kept with the events (the watch has posted it in the thread); only from this onboarding's own watch.
  wf.setHandler(scopeAlert, ({ watchRunId, event }) => {
    if (run.status.scopeWatch?.firstRunId === watchRunId) run.status.events.push(event);
  });
}

function registerPersonActions(run: OnboardingRun): void {
  personUpdate(run, confirmInvitationSent, 'invitationSent', ({ by }) => ({ type: 'invitationSent', by }));
  personUpdate(run, confirmInvitationResent, 'invitationResent', ({ by }) => ({ type: 'invitationResent', by }));
  personUpdate(run, confirmFixed, 'fixed', ({ by }) => ({ type: 'fixed', by }));
  personUpdate(run, confirmSettings, 'settingsConfirmed', ({ by }) => ({ type: 'settingsConfirmed', by }));
  personUpdate(run, confirmTwoFactor, 'twoFactorConfirmed', ({ by }) => ({ type: 'twoFactorConfirmed', by }));
  personUpdate(run, resumeOnboarding, 'resume', ({ by }) => ({ type: 'resume', by }));
  personUpdate(run, confirmUserDeleted, 'userDeleted', ({ by }) => ({ type: 'userDeleted', by }));
  personUpdate(
    run,
    approveRemoval,
    'approveRemoval',
    ({ by }) => {
      // Recorded at once, so that a cancel arriving with it finds the decision made.
      run.status.evidence = { via: 'manager', decision: 'approve', at: run.now(), by };
      return { type: 'approveRemoval', by };
    },
    ({ by }) => {
      // Four eyes: whoever asked for the removal does not approve it.
      if (by === run.input.request.requestedBy) refuse(ACTION_REFUSED.invalid, 'Another manager must approve: you asked for this removal.');
      // Not once the request has expired, even while its expiry is being recorded.
      const deadline = run.status.deadline;
      if (deadline && Date.now() >= Date.parse(deadline)) refuse(ACTION_REFUSED.notNow, 'This removal request has expired: ask for the removal again.');
    },
  );
  personUpdate(
    run,
    cancelOnboarding,
    'cancel',
    ({ by, reason }) => ({ type: 'cancel', by, ...(reason ? { reason } : {}) }),
    ({ reason }) => {
      if (reason !== undefined && typeof reason !== 'string') refuse(ACTION_REFUSED.invalid, 'A reason to cancel is text.');
    },
  );
  personUpdate(
    run,
    askAnotherApprover,
    'changeApprover',
    ({ by, approverContactId }) => ({ type: 'changeApprover', by, approverContactId }),
    ({ approverContactId }) => {
      if (typeof approverContactId !== 'string' || !/^\S+$/.test(approverContactId)) {
        refuse(ACTION_REFUSED.invalid, 'Choose the contact who should approve.');
      }
      if (approverContactId === run.input.request.contactId) {
        refuse(ACTION_REFUSED.invalid, 'The invitee cannot approve their own access: choose someone else.');
      }
      if (approverContactId === run.status.approver?.contactId) {
        refuse(ACTION_REFUSED.invalid, 'This contact is already the approver: choose someone else.');
      }
    },
  );
  personUpdate(
    run,
    recordOfflineApproval,
    'offlineApproval',
    ({ by, channel, note }) => {
      // Recorded at once, like a decision through the link, so that the first of the two wins.
      run.status.evidence = { via: 'offline', decision: 'approve', at: run.now(), channel, note, recordedBy: by };
      return { type: 'offlineApproval', by, channel, note };
    },
    ({ channel, note }) => {
      if (!OFFLINE_CHANNELS.includes(channel)) refuse(ACTION_REFUSED.invalid, 'Say how the approval arrived: fax, postal mail or email.');
      if (typeof note !== 'string' || note.trim().length === 0) refuse(ACTION_REFUSED.invalid, 'Say who approved, when, and where the document is kept.');
    },
  );
}

/**
 * A person action as an Update: its validator refuses it when the onboarding has ended, when the
 * press comes from an older drawing of the thread, or when it does not fit the stage; accepted, it
 * counts (the thread is drawn again with the new count) and waits in the inbox for its stage.
 */
function personUpdate<I extends PersonInput>(
  run: OnboardingRun,
  update: UpdateDefinition<void, [I]>,
  kind: PersonAction,
  take: (input: I) => Action,
  check: (input: I) => void = () => undefined,
): void {
  wf.setHandler(
    update,
    (input) => {
      run.status.actionsTaken = run.state.actionsTaken + 1;
      run.publisher.changed();
      run.inbox.push(take(input));
    },
    {
      validator: (input) => {
        judgeAction(run, kind, input);
        check(input);
      },
    },
  );
}

function judgeAction(run: OnboardingRun, kind: PersonAction, input: PersonInput): void {
  const { stage, subState } = run.status;
  if (typeof input?.by !== 'string' || (input.by !== 'cli' && !SLACK_USER.test(input.by))) {
    refuse(ACTION_REFUSED.invalid, 'Who acts must be named by their Slack user ID.');
  }
  if (run.state.ended) refuse(ACTION_REFUSED.ended, `This onboarding has already ended (${stage}).`, { stage });
  // A cancel is never stale: it stops whatever the onboarding is doing, and twice is once.
  if (kind !== 'cancel' && input.seen !== undefined && input.seen !== run.state.actionsTaken) {
    refuse(ACTION_REFUSED.stale, 'Someone acted on this onboarding after this button was drawn.', { stage, subState });
  }
  if (!personActionsNow(run.status).includes(kind)) {
    refuse(ACTION_REFUSED.notNow, `This does not apply to the onboarding at ${subState ?? stage}.`, { stage, subState });
  }
}

function decided(run: OnboardingRun, d: DecisionInput): DecisionResult {
  const approver = run.state.approver;
  const at = run.now();
  const comment = d.comment ? oneLine(d.comment).trim() || null : null;
  const { decision, round } = d;
  if (run.status.review && d.answers) run.status.review.answers = { ...d.answers };
  run.status.evidence = d.recordedBy
    ? { via: 'cli', decision, at, round, approver, comment, recordedBy: d.recordedBy }
    : { via: 'link', decision, at, round, approver, ip: d.ip ?? null, userAgent: d.userAgent ?? null, comment };
  run.inbox.push({ type: 'decided' });
  return { decision, round, decidedAt: at };
}

/** Refuses a decision that is late, stale, or not the approver's to make now. */
function judgeDecision(run: OnboardingRun, d: DecisionInput): void {
  const s = run.status;
  if (s.evidence) refuse(DECISION_REFUSED.alreadyDecided, 'A decision has already been recorded for this request.');
  if (s.stage !== 'AWAITING_APPROVAL' || !run.state.progress.approval || !s.approver) {
    refuse(DECISION_REFUSED.notAwaiting, 'This onboarding is not waiting for an approval.');
  }
  const round = d.round === s.approvalRound || d.round === run.sendingRound;
  const request = d.expiresAt === undefined || d.expiresAt === run.state.approvalExpiresAt;
  if (!round || !request || d.approverContactId !== s.approver?.contactId) {
    refuse(DECISION_REFUSED.superseded, 'This link has been replaced by a newer one.');
  }
  if (Date.now() >= run.state.approvalExpiresAt) refuse(DECISION_REFUSED.expired, 'This approval request has expired.');
  if (d.decision !== 'approve' && d.decision !== 'deny') refuse(DECISION_REFUSED.invalid, 'Unknown decision.');
  if (s.review)
    judgeAnswers(
      s.review.users.map((u) => u.userId),
      d,
    );
  if (d.recordedBy !== undefined && !SLACK_USER.test(d.recordedBy)) {
    refuse(DECISION_REFUSED.invalid, 'The operator who records a decision must be named by their Slack user ID.');
  }
}

/** An access review is answered whole: Keep or Remove for each of its users, and nothing else. */
function judgeAnswers(userIds: string[], d: DecisionInput): void {
  const answers = d.answers ?? {};
  const missing = userIds.filter((id) => answers[id] !== 'keep' && answers[id] !== 'remove');
  const unknown = Object.keys(answers).filter((id) => !userIds.includes(id));
  if (d.decision !== 'approve' || missing.length > 0 || unknown.length > 0) {
    refuse(DECISION_REFUSED.invalid, 'Choose Keep or Remove for every user of the review.');
  }
}

/** Onboardings started before the Updates received person actions as signals: taken as they always were. */
function registerLegacySignals(run: OnboardingRun): void {
  const push = (action: Action) => void run.inbox.push(action);
  wf.setHandler(offlineApproval, ({ by, channel, note }) => {
    // Recorded at once, like a decision through the link, so that the first of the two wins.
    if (run.status.stage !== 'AWAITING_APPROVAL' || run.status.evidence) return;
    run.status.evidence = { via: 'offline', decision: 'approve', at: run.now(), channel, note, recordedBy: by };
    push({ type: 'offlineApproval', by, channel, note });
  });
  wf.setHandler(invitationSent, ({ by }) => push({ type: 'invitationSent', by }));
  wf.setHandler(invitationResent, ({ by }) => push({ type: 'invitationResent', by }));
  wf.setHandler(fixed, ({ by }) => push({ type: 'fixed', by }));
  wf.setHandler(settingsConfirmed, ({ by }) => push({ type: 'settingsConfirmed', by }));
  wf.setHandler(twoFactorConfirmed, ({ by }) => push({ type: 'twoFactorConfirmed', by }));
  wf.setHandler(changeApprover, ({ by, approverContactId }) => push({ type: 'changeApprover', by, approverContactId }));
  wf.setHandler(cancel, ({ by, reason }) => push({ type: 'cancel', by, reason }));
  wf.setHandler(resume, ({ by }) => push({ type: 'resume', by }));
}
