/**
 * One run of the onboarding workflow (or of the offboarding one, which shares its record and its
 * ways): its state, the activities it may call, its inbox, and the few things every stage does —
 * record an event, say who it waits on, move to the next stage, wait for people or a time, stop at
 * once on a cancel.
 */
import * as wf from '@temporalio/workflow';
import type { ItGlueActivities, MailActivities, MailContext, SlackActivities } from '../../activities/contracts';
import { itglueTaskQueue, MAIL, ONBOARDING_ITGLUE, SLACK } from '../activity-options';
import { organizationAccessOf } from '../policy';
import { isFinal, type Stage, type SubState, type WaitingOn } from '../stages';
import type { EventType, ItGlueUser, Mention, OffboardingInput, OnboardingEvent, OnboardingInput, OnboardingStatus, Process } from '../types';
import { type Action, type CancelAction, Inbox } from './inbox';
import { countOutcome } from './metrics';
import { Publisher } from './publish';
import { OnboardingState } from './state';

export interface NoteOptions {
  /** Who acted (a Slack user ID). */
  by?: string;
  /** Who the thread reply asks to act (see Mention); by default whom its kind asks (ASKS). */
  mention?: Mention;
  /** False: recorded only, not posted in the thread. */
  post?: boolean;
}

/**
 * Who each kind of event asks to act, mentioned in its thread reply so that Slack notifies them:
 * the tech for approval reminders sent, the escalation, the invitation reminder and an expired
 * invitation; the managers for an expired approval and a stalled onboarding.
 */
const ASKS: Partial<Record<EventType, 'tech' | 'managers'>> = {
  'approval-reminder': 'tech',
  escalated: 'tech',
  'tech-reminder': 'tech',
  'invite-expired': 'tech',
  'delete-user': 'tech',
  'approval-expired': 'managers',
  stalled: 'managers',
};

export class OnboardingRun {
  readonly state: OnboardingState;
  readonly publisher: Publisher;
  readonly inbox = new Inbox();
  readonly itglue: ItGlueActivities;
  readonly mail: MailActivities;
  readonly slack: SlackActivities;
  /** Histories recorded before a cancel could stop a stage's work took it only while waiting. */
  readonly cancelAnyTime: boolean;
  /**
   * Under shared customer groups an IT Glue Lite user's own organization access is set on the user,
   * which the API cannot read: the tech confirms it (Invitation sent, or Settings confirmed).
   */
  readonly confirmsSettings: boolean;
  /** Waits on the tech are escalated to managers (escalation.ts); not in histories recorded before it. */
  readonly escalatesTech: boolean;
  /** A cancel that stopped a stage's work, to be handled once the stage has ended. */
  stopping: CancelAction | undefined;
  /**
   * The round of an approval mail being sent: its link may be out before the send is recorded
   * (a retry after the server took it), so it decides too; the round before it stays valid until
   * the new mail has gone.
   */
  sendingRound: number | null = null;

  constructor(
    readonly input: OnboardingInput | OffboardingInput,
    process: Process = 'onboarding',
  ) {
    const info = wf.workflowInfo();
    this.state = new OnboardingState(input, info.workflowId, this.now(), process);
    this.itglue = wf.proxyActivities<ItGlueActivities>({ ...ONBOARDING_ITGLUE, taskQueue: itglueTaskQueue(info.taskQueue) });
    this.mail = wf.proxyActivities<MailActivities>(MAIL);
    this.slack = wf.proxyActivities<SlackActivities>(SLACK);
    // The patches are asked in this order, before the first command, as they always were.
    this.publisher = new Publisher(this.state, this.slack, wf.patched('stage-attributes'));
    this.cancelAnyTime = wf.patched('cancel-any-time');
    const { request, policy } = input;
    this.confirmsSettings = request.kind === 'itglue' && organizationAccessOf(policy) === 'per-user' && wf.patched('settings-confirmation');
    this.escalatesTech = wf.patched('tech-escalation');
  }

  get status(): OnboardingStatus {
    return this.state.status;
  }

  get policy() {
    return this.state.policy;
  }

  now(): string {
    return new Date(Date.now()).toISOString();
  }

  /** Keeps the newest snapshot of the invitee's IT Glue user and tells the sweep; false when it is someone else's. */
  takeUser(user: ItGlueUser): boolean {
    if (!this.state.takeUser(user)) return false;
    this.publisher.sweepMemo();
    return true;
  }

  /**
   * The tech who started the onboarding, mentioned where they must act; the managers when no
   * person did (the command line, the review schedule).
   */
  techMention(): Mention {
    const by = this.status.request.requestedBy;
    return /^[UW][A-Z0-9]{2,}$/.test(by) ? { users: [by] } : this.managersMention();
  }

  managersMention(): Mention {
    return { managers: true };
  }

  private asked(type: EventType): Mention | undefined {
    const who = ASKS[type];
    return who === 'tech' ? this.techMention() : who === 'managers' ? this.managersMention() : undefined;
  }

  /** Records an event without telling the thread yet (see tell). */
  record(type: EventType, text: string, { by, mention = this.asked(type) }: NoteOptions = {}): OnboardingEvent {
    const event: OnboardingEvent = { at: this.now(), type, text, ...(by ? { by } : {}), ...(mention ? { mention } : {}) };
    this.status.events.push(event);
    return event;
  }

  /** Posts a recorded event in the onboarding's Slack thread. */
  tell(event: OnboardingEvent): Promise<void> {
    return this.publisher.reply(event);
  }

  /** Records an event and, unless `post` is false, tells the thread. */
  async note(type: EventType, text: string, options: NoteOptions = {}): Promise<void> {
    const event = this.record(type, text, options);
    if (options.post !== false) await this.tell(event);
  }

  /** Who the stage waits on and until when (ms since epoch); shown before the wait. */
  waitFor(waitingOn: WaitingOn, deadline: number | null, subState: SubState | null = this.status.subState): void {
    const s = this.status;
    const next = deadline === null ? null : new Date(deadline).toISOString();
    if (s.waitingOn === waitingOn && s.deadline === next && s.subState === subState) return;
    s.waitingOn = waitingOn;
    s.deadline = next;
    s.subState = subState;
    this.publisher.changed();
  }

  /** Leaves the sub-state the stage waited in. */
  leaveSubState(): void {
    this.status.subState = null;
  }

  async moveTo(stage: Stage, waitingOn: WaitingOn = isFinal(stage) ? 'nobody' : 'system'): Promise<void> {
    const s = this.status;
    const at = this.now();
    const visit = s.stages[s.stages.length - 1];
    if (visit) visit.leftAt = at;
    s.stages.push({ stage, enteredAt: at, leftAt: isFinal(stage) ? at : null });
    s.stage = stage;
    s.subState = null;
    s.waitingOn = waitingOn;
    s.deadline = null;
    // A wait on the tech ends with its stage (escalation.ts).
    if (this.state.progress.techWait) this.state.progress.techWait = null;
    s.events.push({ at, type: 'stage', text: stage });
    // The outcome metrics are the onboardings' (an offboarding's or a review's end is not one).
    if (!s.process) countOutcome(stage, s.startedAt, at);
    this.publisher.changed();
    // Visible at once to list queries, also for stages that do not wait.
    if (this.publisher.stagesPublished) this.publisher.searchAttributes();
    if (isFinal(stage)) await this.publisher.showStatus();
  }

  /**
   * Shows what changed, then waits for messages or until `until` (ms since epoch); returns the
   * messages (none on time-out). Between messages, a long history continues as new.
   */
  async next(until: number | null): Promise<Action[]> {
    await this.publisher.publish();
    await this.continueAsNewIfLong();
    if (this.inbox.empty) {
      if (until === null) await wf.condition(() => !this.inbox.empty);
      else await wf.condition(() => !this.inbox.empty, Math.max(until - Date.now(), 1));
    }
    return this.inbox.takeAll();
  }

  /** Carries everything to a new run when the history grows long; only between messages. */
  private async continueAsNewIfLong(): Promise<void> {
    const long = () => {
      const { continueAsNewSuggested, historyLength } = wf.workflowInfo();
      return continueAsNewSuggested || historyLength >= this.policy.historyLimit;
    };
    if (!this.inbox.empty || !long()) return;
    await wf.condition(wf.allHandlersFinished);
    if (!this.inbox.empty) return;
    const { request, policy } = this.input;
    await wf.continueAsNew<(input: OnboardingInput) => Promise<OnboardingStatus>>({
      request,
      policy,
      carried: this.status,
      progress: this.state.progress,
    });
  }

  /**
   * Runs a stage so that a cancel stops it at any time, also while it works (e.g. an activity
   * retrying through an outage): the cancel is taken from the inbox, the stage's work cancelled,
   * and the cancel handled after it (see `stopping`).
   */
  async cancellable(stage: () => Promise<void>): Promise<void> {
    if (!this.cancelAnyTime) return stage();
    const work = new wf.CancellationScope();
    const watch = new wf.CancellationScope();
    const cancelWaits = () => !this.state.ended && this.inbox.hasCancel();
    watch
      .run(() => wf.condition(cancelWaits))
      .then(
        () => {
          // The stage may have taken the cancel itself in the meantime.
          if (!cancelWaits()) return;
          this.stopping = this.inbox.takeCancel();
          work.cancel();
        },
        () => undefined,
      );
    try {
      await work.run(stage);
    } finally {
      watch.cancel();
    }
  }

  /** Who and what every mail of this onboarding is about. */
  mailContext(): MailContext {
    const s = this.status;
    return {
      workflowId: s.workflowId,
      runId: wf.workflowInfo().firstExecutionRunId,
      request: s.request,
      org: this.state.org,
      invitee: this.state.invitee,
      branding: this.policy.branding,
      ...(s.process ? { process: s.process } : {}),
      ...(this.offboardingReason ? { reason: this.offboardingReason } : {}),
    };
  }

  /** An offboarding's reason, as the requester gave it. */
  get offboardingReason(): string | undefined {
    return 'reason' in this.input.request ? this.input.request.reason : undefined;
  }
}
