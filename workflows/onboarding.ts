/**
 * One onboarding of a customer contact as an IT Glue Lite or MyGlue user (PRODUCT.md §3).
 *
 * The workflow is a small state machine: each stage is a function that does its work, waits for
 * people or timers, and moves to the next stage. Everything it needs to pick up where it was is in
 * `s` (the status the `status` query returns) and `p` (progress inside a stage), which it carries
 * across continue-as-new. Messages land in `inbox`; stages take what concerns them.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import type { ItGlueActivities, MailActivities, MailContext, SlackActivities } from '../activities/contracts';
import {
  cancel,
  changeApprover,
  decide,
  DECISION_REFUSED,
  fixed,
  invitationResent,
  invitationSent,
  offlineApproval,
  ONBOARDING_DEADLINE,
  ONBOARDING_KIND,
  ONBOARDING_ORG_ID,
  ONBOARDING_REQUESTED_BY,
  ONBOARDING_STAGE,
  resume,
  scopeAlert,
  settingsConfirmed,
  status,
  twoFactorConfirmed,
  userObserved,
} from './messages';
import { ACTIVITY_HEARTBEAT_TIMEOUT } from './messages';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { organizationAccessOf, scopeWatchOf } from './policy';
import { dayOf, onboardingEnded, scopeWatch, scopeWatchWorkflowId } from './scope-watch';
import { isFinal, type Stage, type WaitingOn } from './stages';
import { oneLine } from './text';
import type {
  DecisionResult,
  ItGlueUser,
  OfflineChannel,
  OnboardingEvent,
  OnboardingInput,
  OnboardingMemo,
  OnboardingStatus,
  Mention,
  Person,
  Progress,
} from './types';
import { OVERVIEW_MEMO, overviewOf, userFingerprint } from './types';

type Action =
  | { type: 'decided' }
  | { type: 'user' }
  | { type: 'invitationSent'; by: string }
  | { type: 'invitationResent'; by: string }
  | { type: 'fixed'; by: string }
  | { type: 'settingsConfirmed'; by: string }
  | { type: 'twoFactorConfirmed'; by: string }
  | { type: 'offlineApproval'; by: string; channel: OfflineChannel; note: string }
  | { type: 'changeApprover'; by: string; approverContactId: string }
  | { type: 'cancel'; by: string; reason?: string }
  | { type: 'resume'; by: string };
type CancelAction = Extract<Action, { type: 'cancel' }>;

const HOUR = 3_600_000;
/** A Slack user ID: who records a decision with the CLI. */
const OPERATOR_ID = /^[UW][A-Z0-9]{2,}$/;

export async function onboarding(input: OnboardingInput): Promise<OnboardingStatus> {
  const { request, policy } = input;
  const info = wf.workflowInfo();
  const itglue = wf.proxyActivities<ItGlueActivities>({
    taskQueue: `${info.taskQueue}-itglue`,
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  const mail = wf.proxyActivities<MailActivities>({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  const slack = wf.proxyActivities<SlackActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

  const now = () => new Date(Date.now()).toISOString();
  const s: OnboardingStatus = input.carried ?? {
    workflowId: info.workflowId,
    request,
    stage: 'VALIDATING',
    subState: null,
    waitingOn: 'system',
    deadline: null,
    startedAt: now(),
    org: null,
    invitee: null,
    approver: null,
    approvalRound: 0,
    approvalExpiresAt: null,
    evidence: null,
    user: null,
    mismatches: [],
    accountMismatches: [],
    confirmation: null,
    settingsToConfirm: null,
    resends: 0,
    stalledFrom: null,
    reason: null,
    groupNames: [],
    events: [],
    stages: [{ stage: 'VALIDATING', enteredAt: now(), leftAt: null }],
    thread: null,
  };
  const p: Progress = input.progress ?? { approval: null, invite: null, linkSentAt: null, twoFactor: null };
  const inbox: Action[] = [];
  /** The status changed since it was last shown in Slack and the search attributes. */
  let unpublished = false;
  const stagesPublished = wf.patched('stage-attributes');
  const cancelAnyTime = wf.patched('cancel-any-time');
  /**
   * Under shared customer groups an IT Glue Lite user's own organization access is set on the user,
   * which the API cannot read: the tech confirms it (Invitation sent, or Settings confirmed).
   */
  const confirmsSettings =
    request.kind === 'itglue' && organizationAccessOf(policy) === 'per-user' && wf.patched('settings-confirmation');
  /** A cancel that stopped a stage's work, to be handled once the stage has ended. */
  let stopping: CancelAction | undefined;
  /** Stage and deadline as last upserted, so that an unchanged pair is not upserted again. */
  let publishedAttributes = '';

  // ---- messages ------------------------------------------------------------------------------

  const approvalExpiresAt = () => (p.approval ? p.approval.startedAt + policy.approval.timeout : 0);
  /**
   * The round of an approval mail being sent: its link may be out before the send is recorded
   * (a retry after the server took it), so it decides too; the round before it stays valid until
   * the new mail has gone.
   */
  let sendingRound: number | null = null;
  const refuse = (type: string, message: string) => {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
  };

  wf.setHandler(status, () => s);
  wf.setHandler(
    decide,
    (d): DecisionResult => {
      const approver = s.approver as Person;
      const at = now();
      const comment = d.comment ? oneLine(d.comment).trim() || null : null;
      s.evidence = d.recordedBy
        ? { via: 'cli', decision: d.decision, at, round: d.round, approver, comment, recordedBy: d.recordedBy }
        : {
            via: 'link',
            decision: d.decision,
            at,
            round: d.round,
            approver,
            ip: d.ip ?? null,
            userAgent: d.userAgent ?? null,
            comment,
          };
      inbox.push({ type: 'decided' });
      return { decision: d.decision, round: d.round, decidedAt: at };
    },
    {
      validator: (d) => {
        if (s.evidence) refuse(DECISION_REFUSED.alreadyDecided, 'A decision has already been recorded for this request.');
        if (s.stage !== 'AWAITING_APPROVAL' || !p.approval || !s.approver) {
          refuse(DECISION_REFUSED.notAwaiting, 'This onboarding is not waiting for an approval.');
        }
        const round = d.round === s.approvalRound || d.round === sendingRound;
        const request = d.expiresAt === undefined || d.expiresAt === approvalExpiresAt();
        if (!round || !request || d.approverContactId !== s.approver?.contactId) {
          refuse(DECISION_REFUSED.superseded, 'This link has been replaced by a newer one.');
        }
        if (Date.now() >= approvalExpiresAt()) refuse(DECISION_REFUSED.expired, 'This approval request has expired.');
        if (d.decision !== 'approve' && d.decision !== 'deny') refuse(DECISION_REFUSED.invalid, 'Unknown decision.');
        if (d.recordedBy !== undefined && !OPERATOR_ID.test(d.recordedBy)) {
          refuse(DECISION_REFUSED.invalid, 'The operator who records a decision must be named by their Slack user ID.');
        }
      },
    },
  );
  wf.setHandler(offlineApproval, ({ by, channel, note }) => {
    // Recorded at once, like a decision through the link, so that the first of the two wins.
    if (s.stage !== 'AWAITING_APPROVAL' || s.evidence) return;
    s.evidence = { via: 'offline', decision: 'approve', at: now(), channel, note, recordedBy: by };
    inbox.push({ type: 'offlineApproval', by, channel, note });
  });
  wf.setHandler(invitationSent, ({ by }) => void inbox.push({ type: 'invitationSent', by }));
  wf.setHandler(invitationResent, ({ by }) => void inbox.push({ type: 'invitationResent', by }));
  wf.setHandler(fixed, ({ by }) => void inbox.push({ type: 'fixed', by }));
  wf.setHandler(settingsConfirmed, ({ by }) => void inbox.push({ type: 'settingsConfirmed', by }));
  wf.setHandler(twoFactorConfirmed, ({ by }) => void inbox.push({ type: 'twoFactorConfirmed', by }));
  wf.setHandler(changeApprover, ({ by, approverContactId }) =>
    void inbox.push({ type: 'changeApprover', by, approverContactId }),
  );
  wf.setHandler(cancel, ({ by, reason }) => void inbox.push({ type: 'cancel', by, reason }));
  wf.setHandler(resume, ({ by }) => void inbox.push({ type: 'resume', by }));
  wf.setHandler(userObserved, (user) => {
    if (takeUser(user)) inbox.push({ type: 'user' });
  });
  // Kept with the events (the watch has posted it in the thread); only from this onboarding's own watch.
  wf.setHandler(scopeAlert, ({ watchRunId, event }) => {
    if (s.scopeWatch?.firstRunId === watchRunId) s.events.push(event);
  });

  /** Keeps the newest snapshot of the invitee's IT Glue user; false when it is someone else's. */
  function takeUser(user: ItGlueUser): boolean {
    if (!s.invitee || user.email.toLowerCase() !== s.invitee.email.toLowerCase()) return false;
    s.user = user;
    publishMemo();
    return true;
  }

  /** Tells the IT Glue sweep whose user to look for and what is already known of it. */
  function publishMemo() {
    if (!s.invitee) return;
    const memo: OnboardingMemo = { inviteeEmail: s.invitee.email.toLowerCase(), userFingerprint: userFingerprint(s.user) };
    const current = wf.workflowInfo().memo as Partial<OnboardingMemo> | undefined;
    if (current?.inviteeEmail === memo.inviteeEmail && current.userFingerprint === memo.userFingerprint) return;
    wf.upsertMemo({ ...memo });
  }

  /** Tells the Slack overviews what to show of this onboarding (OnboardingOverview), when it changed. */
  function publishOverview() {
    // Histories recorded before the overview was published replay without it.
    if (!wf.patched('overview-memo')) return;
    const overview = overviewOf(s);
    const current = (wf.workflowInfo().memo as Record<string, unknown> | undefined)?.[OVERVIEW_MEMO];
    if (JSON.stringify(current) === JSON.stringify(overview)) return;
    wf.upsertMemo({ [OVERVIEW_MEMO]: overview });
  }

  // ---- bookkeeping -----------------------------------------------------------------------------

  function publishSearchAttributes() {
    const attributes = JSON.stringify([s.stage, s.deadline]);
    if (stagesPublished && attributes === publishedAttributes) return;
    publishedAttributes = attributes;
    wf.upsertSearchAttributes([
      { key: ONBOARDING_STAGE, value: s.stage },
      { key: ONBOARDING_ORG_ID, value: request.orgId },
      { key: ONBOARDING_REQUESTED_BY, value: request.requestedBy },
      { key: ONBOARDING_KIND, value: request.kind },
      { key: ONBOARDING_DEADLINE, value: s.deadline ? new Date(s.deadline) : null },
    ]);
  }

  /**
   * A Slack write. Where it fails for good (bad token, bot not in the channel) an open onboarding
   * stalls, like on any such failure; once stalled or finished, Slack is only told if it can be.
   */
  async function toSlack(write: () => Promise<void>) {
    try {
      await write();
    } catch (error) {
      if (!(error instanceof wf.ActivityFailure) || !(isFinal(s.stage) || s.stage === 'STALLED')) throw error;
    }
  }

  async function showThread() {
    await toSlack(async () => {
      s.thread = await slack.updateThread(s);
    });
  }

  interface NoteOptions {
    /** Who acted (a Slack user ID). */
    by?: string;
    /** Who the thread reply asks to act (see Mention). */
    mention?: Mention;
    /** False: recorded only, not posted in the thread. */
    post?: boolean;
  }

  /** Records an event; unless `mention` says otherwise, its reply mentions whom its kind asks to act (`asks`). */
  function record(type: string, text: string, { by, mention = asks.get(type)?.() }: NoteOptions = {}): OnboardingEvent {
    const event: OnboardingEvent = { at: now(), type, text, ...(by ? { by } : {}), ...(mention ? { mention } : {}) };
    s.events.push(event);
    return event;
  }

  /** The tech who started the onboarding, to be mentioned where they must act. */
  const techMention = (): Mention => ({ users: [request.requestedBy] });
  const managersMention = (): Mention => ({ managers: true });

  /**
   * Who each kind of event asks to act, mentioned in its thread reply so that Slack notifies them:
   * the tech for approval reminders sent, the escalation, the invitation reminder and an expired
   * invitation; the managers for an expired approval and a stalled onboarding.
   */
  const asks = new Map<string, () => Mention>([
    ['approval-reminder', techMention],
    ['escalated', techMention],
    ['tech-reminder', techMention],
    ['invite-expired', techMention],
    ['approval-expired', managersMention],
    ['stalled', managersMention],
  ]);

  /** Posts the event as a reply in the onboarding's Slack thread. */
  async function tell(event: OnboardingEvent) {
    const thread = s.thread;
    if (thread) await toSlack(() => slack.postToThread({ workflowId: s.workflowId, thread, event }));
  }

  /** Records an event; `post` also tells the onboarding's Slack thread. */
  async function note(type: string, text: string, options: NoteOptions = {}) {
    const event = record(type, text, options);
    if (options.post !== false) await tell(event);
  }

  /** Who the stage waits on and until when; published (Slack, search attributes) before the wait. */
  function waitFor(waitingOn: WaitingOn, deadline: number | null, subState: string | null = s.subState) {
    const next = deadline === null ? null : new Date(deadline).toISOString();
    if (s.waitingOn === waitingOn && s.deadline === next && s.subState === subState) return;
    s.waitingOn = waitingOn;
    s.deadline = next;
    s.subState = subState;
    unpublished = true;
  }

  /**
   * Shows the status in the Slack thread and the search attributes. Called before every wait and
   * at the end, so that one update carries a stage change together with what the stage waits for.
   */
  async function publish() {
    if (!unpublished) return;
    unpublished = false;
    publishSearchAttributes();
    await showThread();
  }

  async function moveTo(stage: Stage, waitingOn: WaitingOn = isFinal(stage) ? 'nobody' : 'system') {
    const at = now();
    const visit = s.stages[s.stages.length - 1];
    if (visit) visit.leftAt = at;
    s.stages.push({ stage, enteredAt: at, leftAt: isFinal(stage) ? at : null });
    s.stage = stage;
    s.subState = null;
    s.waitingOn = waitingOn;
    s.deadline = null;
    s.events.push({ at, type: 'stage', text: stage });
    unpublished = true;
    // Visible at once to list queries, also for stages that do not wait (histories recorded before
    // showed a stage only once it waited).
    if (stagesPublished) publishSearchAttributes();
    if (isFinal(stage)) await publish();
  }

  // The last three record their event first, so that the thread's root shows it, then reply with it.
  async function stall(reason: string) {
    s.stalledFrom = s.stage;
    s.reason = reason;
    const event = record('stalled', `Needs a manager: ${reason}`);
    await moveTo('STALLED', 'manager');
    await tell(event);
  }

  async function cancelled(action: CancelAction) {
    s.reason = action.reason ?? null;
    const event = record('cancelled', `Cancelled by <@${action.by}>${action.reason ? `: ${action.reason}` : ''}`, { by: action.by });
    await moveTo('CANCELLED');
    await tell(event);
    await endScopeWatch('cancelled');
  }

  async function completed() {
    // 2FA confirmed by the tech means the user has signed in, even where no sign-in was seen yet.
    await watchScope(true);
    const event = record('completed', `${s.invitee!.name} is onboarded: IT Glue access set up and verified, invitation accepted, 2FA in place.`);
    await moveTo('COMPLETED');
    await tell(event);
    await endScopeWatch('completed');
  }

  /**
   * From the user's first sign-in, the scope watch (workflows/scope-watch.ts) reads where the user
   * works in IT Glue; it outlives the onboarding. Histories recorded before it replay without one.
   */
  async function watchScope(signedIn = !!s.user?.currentSignInAt) {
    const user = s.user;
    if (s.scopeWatch || !user || !signedIn || !wf.patched('scope-watch')) return;
    const workflowId = scopeWatchWorkflowId(request.orgId, request.contactId);
    const seen = [user.invitationAcceptedAt, user.currentSignInAt].map(parseTime).filter((t) => !Number.isNaN(t));
    try {
      const child = await wf.CancellationScope.nonCancellable(() =>
        wf.startChild(scopeWatch, {
          workflowId,
          parentClosePolicy: 'ABANDON',
          cancellationType: 'ABANDON',
          args: [
            {
              onboarding: { workflowId: s.workflowId, firstRunId: wf.workflowInfo().firstExecutionRunId },
              org: s.org!,
              user: { id: user.id, name: s.invitee!.name },
              requestedBy: request.requestedBy,
              thread: s.thread,
              sharedOrganizations: policy.groups.sharedOrganizations ?? [],
              settings: scopeWatchOf(policy),
              historyLimit: policy.historyLimit,
              since: dayOf(seen.length > 0 ? Math.min(...seen) : Date.now()),
              until: null,
            },
          ],
        }),
      );
      s.scopeWatch = { workflowId, firstRunId: child.firstExecutionRunId };
    } catch (error) {
      // Another onboarding's watch of this contact still runs (its user was deleted and invited again).
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      s.scopeWatch = { workflowId, firstRunId: null };
      wf.log.warn('scope watch not started: another one is running', { workflowId });
    }
  }

  /** Tells the scope watch that the onboarding ended: it goes on for its days after completion, or stops. */
  async function endScopeWatch(outcome: 'completed' | 'cancelled') {
    if (!s.scopeWatch?.firstRunId) return;
    try {
      const endedAt = s.stages[s.stages.length - 1]!.enteredAt;
      await wf.getExternalWorkflowHandle(s.scopeWatch.workflowId).signal(onboardingEnded, { outcome, at: endedAt });
    } catch (error) {
      // The watch has ended already.
      if (wf.isCancellation(error)) throw error;
    }
  }

  /** Carries everything to a new run when the history grows long; only between messages. */
  async function continueAsNewIfLong() {
    const long = () => {
      const { continueAsNewSuggested, historyLength } = wf.workflowInfo();
      return continueAsNewSuggested || historyLength >= policy.historyLimit;
    };
    if (inbox.length > 0 || !long()) return;
    await wf.condition(wf.allHandlersFinished);
    if (inbox.length > 0) return;
    await wf.continueAsNew<typeof onboarding>({ request, policy, carried: s, progress: p });
  }

  /** Waits for messages, or until `until` (ms since epoch); returns the messages (none on time-out). */
  async function next(until: number | null): Promise<Action[]> {
    await publish();
    publishOverview();
    await continueAsNewIfLong();
    if (inbox.length === 0) {
      if (until === null) await wf.condition(() => inbox.length > 0);
      else await wf.condition(() => inbox.length > 0, Math.max(until - Date.now(), 1));
    }
    return inbox.splice(0);
  }

  /**
   * Runs a stage so that a cancel stops it at any time (PRODUCT.md §3), also while it works (e.g.
   * an activity retrying through an outage): the cancel is taken from the inbox, the stage's work
   * cancelled, and the cancel handled after it. Histories recorded before this ran their stages to
   * the end, taking a cancel only while they waited.
   */
  async function cancellable(stage: () => Promise<void>) {
    if (!cancelAnyTime) return stage();
    const work = new wf.CancellationScope();
    const watch = new wf.CancellationScope();
    const cancelAt = () => (isFinal(s.stage) ? -1 : inbox.findIndex((a) => a.type === 'cancel'));
    watch
      .run(() => wf.condition(() => cancelAt() >= 0))
      .then(() => {
        // The stage may have taken the cancel itself in the meantime.
        const at = cancelAt();
        if (at < 0) return;
        stopping = inbox.splice(at, 1)[0] as CancelAction;
        work.cancel();
      }, () => undefined);
    try {
      await work.run(stage);
    } finally {
      watch.cancel();
    }
  }

  function mailContext(): MailContext {
    return {
      workflowId: s.workflowId,
      runId: wf.workflowInfo().firstExecutionRunId,
      request: s.request,
      org: s.org!,
      invitee: s.invitee!,
      branding: policy.branding,
    };
  }

  const afterApproval = (): Stage => (policy.authorization.record ? 'RECORDING_AUTHORIZATION' : 'SENDING_INSTRUCTIONS');

  // ---- stages ----------------------------------------------------------------------------------

  async function validating() {
    const v = await itglue.validateRequest(request, policy);
    if (!v.ok) {
      s.reason = v.reason;
      await note('rejected', v.reason);
      return moveTo('REJECTED');
    }
    s.org = v.org;
    s.invitee = v.invitee;
    s.approver = v.approver;
    s.groupNames = v.groupNames;
    if (v.simulated) s.itglueSimulated = true;
    if (confirmsSettings) s.settingsToConfirm = settingsChecklist();
    // MyGlue: password access is what the groups allow, not what was asked (absent in older results).
    if (v.passwordAccess !== undefined) s.request = { ...s.request, passwordAccess: v.passwordAccess };
    publishMemo();
    if (v.existingUser) takeUser(v.existingUser);
    await note('validated', `${v.invitee.name} of ${v.org.name} can be onboarded.`, { post: false });
    if (v.approver) return moveTo('AWAITING_APPROVAL');
    s.evidence = { via: 'not-needed', at: now(), reason: 'The invitee is the primary contact.' };
    await note('approval-not-needed', `${v.invitee.name} is the primary contact: no approval needed.`);
    return moveTo(afterApproval());
  }

  /** A new approval round: a new link (older ones stop working) to the current approver. */
  async function sendApprovalMail(reminder: number) {
    const round = s.approvalRound + 1;
    sendingRound = round;
    try {
      await mail.sendApprovalRequest({
        ...mailContext(),
        approver: s.approver!,
        round,
        reminder,
        expiresAt: new Date(approvalExpiresAt()).toISOString(),
      });
      s.approvalRound = round;
    } finally {
      sendingRound = null;
    }
  }

  async function startApproval(approver: Person) {
    s.approver = approver;
    p.approval = { startedAt: Date.now(), remindersSent: 0, escalated: false };
    s.approvalExpiresAt = new Date(approvalExpiresAt()).toISOString();
    waitFor('approver', approvalExpiresAt());
    await sendApprovalMail(0);
    await note('approval-requested', `Approval requested from ${approver.name} by email.`);
  }

  async function awaitingApproval() {
    if (!p.approval) await startApproval(s.approver!);
    for (;;) {
      const a = p.approval!;
      const timeoutAt = a.startedAt + policy.approval.timeout;
      const reminderAt =
        a.remindersSent < policy.approval.maxReminders
          ? a.startedAt + (a.remindersSent + 1) * policy.approval.reminderEvery
          : Infinity;
      const escalateAt = a.escalated ? Infinity : a.startedAt + policy.approval.escalateAfter;
      waitFor('approver', timeoutAt);

      for (const action of await next(Math.min(timeoutAt, reminderAt, escalateAt))) {
        switch (action.type) {
          case 'cancel':
            return cancelled(action);
          case 'decided': {
            const e = s.evidence;
            if (e?.via !== 'link' && e?.via !== 'cli') break;
            const verb = e.decision === 'approve' ? 'Approved' : 'Denied';
            // The approver's name and comment on one line: they cannot add lines to the thread.
            const comment = e.comment ? `: “${oneLine(e.comment)}”` : '';
            const approver = oneLine(e.approver.name);
            if (e.via === 'cli') {
              await note(e.decision === 'approve' ? 'approved' : 'denied',
                `${verb} by ${approver}, as told to the MSP: recorded by <@${e.recordedBy}> with the command line at ${e.at}, not through the approval link${comment}`, { by: e.recordedBy });
            } else {
              await note(e.decision === 'approve' ? 'approved' : 'denied',
                `${verb} by ${approver} at ${e.at}${e.ip ? ` from ${e.ip}` : ''}${comment}`);
            }
            await mail.sendDecisionReceipt({
              ...mailContext(),
              approver: e.approver,
              result: { decision: e.decision, round: e.round, decidedAt: e.at },
              ...(e.via === 'cli' ? { via: 'cli' as const } : {}),
            });
            return moveTo(e.decision === 'approve' ? afterApproval() : 'DENIED');
          }
          case 'offlineApproval':
            await note('approved-offline', `Approval received by ${action.channel} recorded by <@${action.by}>: ${action.note}`, { by: action.by });
            return moveTo(afterApproval());
          case 'changeApprover': {
            const person =
              action.approverContactId === request.contactId
                ? null
                : await itglue.findContact(request.orgId, action.approverContactId);
            if (!person) {
              await note('approver-not-found', `Contact ${action.approverContactId} cannot approve: choose another contact of ${s.org!.name} with an email address, other than the invitee.`, { by: action.by });
            } else {
              await note('approver-changed', `<@${action.by}> asked ${person.name} to approve instead.`, { by: action.by });
              await startApproval(person);
            }
            break;
          }
          default:
            break;
        }
      }

      const t = Date.now();
      if (t >= timeoutAt) {
        await note('approval-expired', `No answer from ${s.approver!.name} in time: the request has expired.`);
        return moveTo('APPROVAL_EXPIRED');
      }
      if (!a.escalated && t >= escalateAt) {
        a.escalated = true;
        await note('escalated', `${s.approver!.name} has not answered: ask another contact or record an approval received offline.`);
      }
      if (a.remindersSent < policy.approval.maxReminders && t >= reminderAt) {
        a.remindersSent += 1;
        await sendApprovalMail(a.remindersSent);
        await note('approval-reminder', `Reminder ${a.remindersSent} sent to ${s.approver!.name}.`);
      }
    }
  }

  async function recordingAuthorization() {
    await itglue.recordAuthorization({ orgId: request.orgId, contactId: request.contactId, policy });
    await note('authorization-recorded', `${s.invitee!.name} recorded as authorized in ${policy.authorization.assetTypeName}.`);
    return moveTo('SENDING_INSTRUCTIONS');
  }

  async function sendingInstructions() {
    await mail.sendInstructions({ ...mailContext(), linkValidityHours: policy.invite.linkValidity / HOUR });
    await note('instructions-sent', `Access instructions emailed to ${s.invitee!.name}.`);
    return moveTo('AWAITING_INVITE', 'tech');
  }

  async function awaitingInvite() {
    p.invite ??= { since: Date.now(), techReminders: 0 };
    for (;;) {
      if (s.user) {
        await note('user-found', `IT Glue user ${s.user.email} found.`);
        return moveTo('VERIFYING');
      }
      const i = p.invite;
      const remindAt =
        i.techReminders < policy.invite.maxTechReminders
          ? i.since + (i.techReminders + 1) * policy.invite.remindTechAfter
          : null;
      waitFor('tech', remindAt);
      for (const action of await next(remindAt)) {
        if (action.type === 'cancel') return cancelled(action);
        if (action.type === 'invitationSent') {
          const confirmed = confirmSettings(action.by);
          const settings = confirmed ? ` and confirms the settings: ${confirmed}` : '';
          await note('invitation-sent', `<@${action.by}> says the invitation was sent${settings}.`, { by: action.by });
          const user = await itglue.findUser(s.invitee!.email);
          if (!user || !takeUser(user)) {
            await note('user-not-found', `No IT Glue user with ${s.invitee!.email} yet; checking again with every sweep.`);
          }
        }
      }
      if (!s.user && remindAt !== null && Date.now() >= remindAt) {
        i.techReminders += 1;
        await note('tech-reminder', `The IT Glue invitation for ${s.invitee!.email} has not been seen yet: please send it.`);
      }
    }
  }

  /**
   * What the tech confirms for an IT Glue Lite user under shared customer groups: the settings made
   * on the user in IT Glue's UI, which the API cannot read (its own organization access above all).
   */
  function settingsChecklist(): string[] {
    const org = s.org?.name ?? `organization ${request.orgId}`;
    return [
      'role Lite',
      `the group "${s.groupNames[0] ?? 'chosen'}" and no other group`,
      `organization access: ${org} and ONLY ${org}`,
      'no sub-organizations',
    ];
  }

  /**
   * Keeps the tech's confirmation of the settings as evidence (who, when, what); the first one
   * counts. Returns what was confirmed, for the thread; null when nothing was to be confirmed.
   */
  function confirmSettings(by: string): string | null {
    if (!confirmsSettings || s.confirmation) return null;
    s.confirmation = { by, at: now(), items: settingsChecklist() };
    return settingsChecklist().join('; ');
  }

  /** Takes a confirmation of the settings from the actions (Invitation sent, or the confirmation itself). */
  async function confirmationIn(actions: Action[]) {
    for (const action of actions) {
      if (action.type !== 'invitationSent' && action.type !== 'settingsConfirmed') continue;
      const confirmed = confirmSettings(action.by);
      if (confirmed) await note('settings-confirmed', `<@${action.by}> confirmed the settings in IT Glue: ${confirmed}.`, { by: action.by });
    }
  }

  async function verifying() {
    for (;;) {
      const verification = await itglue.verifyUser({
        request,
        org: s.org!,
        user: s.user!,
        groupNames: s.groupNames,
        policy,
      });
      const { mismatches, user } = verification;
      // Results recorded before the account's problems were told apart have none of their own.
      const accountMismatches = verification.accountMismatches ?? [];
      // Histories recorded before the fresh read keep the user they had.
      if (user && wf.patched('verify-fresh-user')) takeUser(user);
      s.mismatches = mismatches;
      s.accountMismatches = accountMismatches;
      for (const change of verification.changes ?? []) await note('group-changed', change);
      if (mismatches.length === 0 && accountMismatches.length === 0) {
        if (confirmsSettings && !s.confirmation) {
          const stop = await awaitConfirmation();
          if (stop) return cancelled(stop);
        }
        await note('verified', 'IT Glue user verified: role, group and organization access match the request.');
        return moveTo('AWAITING_ACCEPTANCE', 'invitee');
      }
      if (accountMismatches.length > 0) {
        await note('account-mismatch', `Needs a manager: fix in IT Glue, then press Fixed:\n• ${accountMismatches.join('\n• ')}`, {
          mention: managersMention(),
        });
      }
      if (mismatches.length > 0) {
        await note('mismatch', `Please fix in IT Glue, then press Fixed:\n• ${mismatches.join('\n• ')}`, { mention: techMention() });
      }
      waitFor(mismatches.length > 0 ? 'tech' : 'manager', null, 'MISMATCH');
      for (;;) {
        const actions = await next(null);
        const stop = actions.find((a) => a.type === 'cancel');
        if (stop?.type === 'cancel') return cancelled(stop);
        await confirmationIn(actions);
        const done = actions.find((a) => a.type === 'fixed');
        if (done?.type === 'fixed') {
          await note('fixed', `<@${done.by}> says it is fixed; verifying again.`, { by: done.by });
          break;
        }
      }
      s.subState = null;
    }
  }

  /**
   * The user matches what the API can read; the tech confirms the rest (the user was found by the
   * sweep before anyone pressed Invitation sent). Returns the cancel that stopped it, if any.
   */
  async function awaitConfirmation(): Promise<CancelAction | undefined> {
    await note(
      'confirm-settings',
      `${s.user!.email} is in IT Glue with the right role and group. The API cannot read the rest: check in IT Glue (Account → Users → the user), then press Settings confirmed: ${settingsChecklist().join('; ')}.`,
      { mention: techMention() },
    );
    waitFor('tech', null, 'CONFIRM_SETTINGS');
    while (!s.confirmation) {
      const actions = await next(null);
      const stop = actions.find((a) => a.type === 'cancel');
      if (stop?.type === 'cancel') return stop;
      await confirmationIn(actions);
    }
    s.subState = null;
    return undefined;
  }

  const parseTime = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

  async function awaitingAcceptance() {
    p.linkSentAt ??= Number.isNaN(parseTime(s.user!.invitationSentAt)) ? Date.now() : parseTime(s.user!.invitationSentAt);
    for (;;) {
      const user = s.user!;
      if (user.invitationAcceptedAt) {
        await note('accepted', `${s.invitee!.name} accepted the invitation.`);
        return moveTo('AWAITING_2FA', 'invitee');
      }
      const sentAt = parseTime(user.invitationSentAt);
      const expired = s.subState === 'INVITE_EXPIRED';
      if (!Number.isNaN(sentAt) && sentAt > p.linkSentAt!) {
        // A newer invitation in IT Glue: a resend, whether or not anyone pressed Resent.
        p.linkSentAt = sentAt;
        if (expired) await resent('IT Glue shows a new invitation.');
        continue;
      }
      const expiresAt = p.linkSentAt! + policy.invite.linkValidity;
      if (!expired && Date.now() >= expiresAt) {
        if (s.resends >= policy.invite.maxResends) {
          return stall(`the invitation expired ${s.resends + 1} times without being accepted.`);
        }
        await note('invite-expired', `The invitation link for ${user.email} expired unused. Resend it: IT Glue → Account → Users → the "Invited User" row → Reset Invitation, then press Resent.`);
        // Counted over the whole onboarding (resends start again after a resume): one message per expiry.
        const expiry = s.events.filter((e) => e.type === 'invite-expired').length;
        await mail.sendInviteExpired({ ...mailContext(), expiry });
        waitFor('tech', null, 'INVITE_EXPIRED');
        continue;
      }
      if (!expired) waitFor('invitee', expiresAt, null);
      for (const action of await next(expired ? null : expiresAt)) {
        if (action.type === 'cancel') return cancelled(action);
        if (action.type === 'invitationResent') {
          const found = await itglue.findUser(s.invitee!.email);
          if (found) takeUser(found);
          const newer = parseTime(s.user!.invitationSentAt);
          if (!Number.isNaN(newer) && newer > p.linkSentAt!) {
            p.linkSentAt = newer;
          } else if (s.subState === 'INVITE_EXPIRED') {
            p.linkSentAt = Date.now();
          }
          if (s.subState === 'INVITE_EXPIRED') await resent(`<@${action.by}> resent the invitation.`, action.by);
        }
      }
    }
  }

  async function resent(text: string, by?: string) {
    s.resends += 1;
    await note('resent', `${text} (resend ${s.resends} of ${policy.invite.maxResends})`, { by });
    waitFor('invitee', p.linkSentAt! + policy.invite.linkValidity, null);
  }

  async function awaitingTwoFactor() {
    const acceptedAt = parseTime(s.user!.invitationAcceptedAt);
    p.twoFactor ??= { since: Number.isNaN(acceptedAt) ? Date.now() : acceptedAt, remindersSent: 0 };
    const enforced = request.kind === 'itglue' ? policy.twoFactor.enforcedForItGlue : policy.twoFactor.enforcedForMyGlue;
    for (;;) {
      if (enforced && s.user!.currentSignInAt) {
        await note('signed-in', `${s.invitee!.name} signed in at ${s.user!.currentSignInAt}; MFA is enforced, so 2FA is set up.`);
        return completed();
      }
      const t = p.twoFactor;
      const offset = policy.twoFactor.remindAt[t.remindersSent];
      const remindAt = offset === undefined ? null : t.since + offset;
      waitFor(enforced ? 'invitee' : 'tech', remindAt);
      await watchScope();
      for (const action of await next(remindAt)) {
        if (action.type === 'cancel') return cancelled(action);
        if (action.type === 'twoFactorConfirmed') {
          await note('2fa-confirmed', `<@${action.by}> confirmed that 2FA is set up.`, { by: action.by });
          return completed();
        }
      }
      if (remindAt !== null && Date.now() >= remindAt && !(enforced && s.user!.currentSignInAt)) {
        t.remindersSent += 1;
        await mail.sendTwoFactorReminder({ ...mailContext(), reminder: t.remindersSent });
        await note('2fa-reminder', `2FA reminder ${t.remindersSent} sent to ${s.invitee!.name}.`);
      }
    }
  }

  async function stalled() {
    for (;;) {
      for (const action of await next(null)) {
        if (action.type === 'cancel') return cancelled(action);
        if (action.type === 'resume') {
          const back = s.stalledFrom ?? 'VALIDATING';
          s.stalledFrom = null;
          s.reason = null;
          s.resends = 0;
          await note('resumed', `<@${action.by}> resumed the onboarding at ${back}.`, { by: action.by });
          return moveTo(back);
        }
      }
    }
  }

  const stages: Partial<Record<Stage, () => Promise<void>>> = {
    VALIDATING: validating,
    AWAITING_APPROVAL: awaitingApproval,
    RECORDING_AUTHORIZATION: recordingAuthorization,
    SENDING_INSTRUCTIONS: sendingInstructions,
    AWAITING_INVITE: awaitingInvite,
    VERIFYING: verifying,
    AWAITING_ACCEPTANCE: awaitingAcceptance,
    AWAITING_2FA: awaitingTwoFactor,
    STALLED: stalled,
  };

  // ---- the process -----------------------------------------------------------------------------

  publishSearchAttributes();
  publishMemo();
  while (!isFinal(s.stage)) {
    const pending = inbox.findIndex((a) => a.type === 'cancel');
    const stop = stopping ?? (pending >= 0 ? inbox.splice(pending, 1)[0] : undefined);
    stopping = undefined;
    if (stop?.type === 'cancel') {
      await cancelled(stop);
      break;
    }
    try {
      if (!s.thread) await showThread();
      await cancellable(stages[s.stage]!);
    } catch (error) {
      // A cancel stopped the stage's work: handled at the top of the loop.
      if (wf.isCancellation(error) && stopping) continue;
      if (!(error instanceof wf.ActivityFailure)) throw error;
      // A failure that retrying cannot mend (bad API key, refused request): a person must look.
      const cause = error.cause instanceof Error ? error.cause.message : error.message;
      await stall(`${s.stage} failed: ${cause}`);
    }
  }
  return s;
}
