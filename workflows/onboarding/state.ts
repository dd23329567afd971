/**
 * What an onboarding knows: its status (what the `status` query returns) and its progress inside
 * the stage that waits. Both are carried across continue-as-new; the getters name what is derived.
 */
import { type Policy, reviewPolicyOf } from '../policy';
import { isFinal, type Stage } from '../stages';
import type { ItGlueUser, OffboardingInput, OnboardingInput, OnboardingStatus, Organization, Person, Process, Progress } from '../types';

export class OnboardingState {
  readonly status: OnboardingStatus;
  readonly progress: Progress;
  readonly policy: Policy;

  constructor(input: OnboardingInput | OffboardingInput, workflowId: string, now: string, process: Process = 'onboarding') {
    this.policy = input.policy;
    this.status = input.carried ?? {
      workflowId,
      ...(process === 'offboarding' ? { process, removal: { groupsLeft: [], authorizationRemoved: false, deletedAt: null } } : {}),
      ...(process === 'review' ? { process, review: { users: [], answers: null, offboardings: [] } } : {}),
      request: input.request,
      stage: 'VALIDATING',
      subState: null,
      waitingOn: 'system',
      deadline: null,
      startedAt: now,
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
      stages: [{ stage: 'VALIDATING', enteredAt: now, leftAt: null }],
      thread: null,
    };
    this.progress = input.progress ?? { approval: null, invite: null, linkSentAt: null, twoFactor: null };
  }

  get stage(): Stage {
    return this.status.stage;
  }

  get ended(): boolean {
    return isFinal(this.status.stage);
  }

  /** The organization, known once VALIDATING has passed. */
  get org(): Organization {
    return this.status.org!;
  }

  /** The contact being onboarded, known once VALIDATING has passed. */
  get invitee(): Person {
    return this.status.invitee!;
  }

  /** The person asked to approve, known in AWAITING_APPROVAL. */
  get approver(): Person {
    return this.status.approver!;
  }

  /** The invitee's IT Glue user, known from VERIFYING on. */
  get user(): ItGlueUser {
    return this.status.user!;
  }

  /** When the current approval request expires (ms since epoch); 0 before one was sent. */
  get approvalExpiresAt(): number {
    const approval = this.progress.approval;
    return approval ? approval.startedAt + this.approvalTimings.timeout : 0;
  }

  /** Reminders, escalation and expiry of the approval (an access review's answer expires at `review.timeout`). */
  get approvalTimings(): Policy['approval'] {
    return this.status.process === 'review' ? { ...this.policy.approval, timeout: reviewPolicyOf(this.policy).timeout } : this.policy.approval;
  }

  /**
   * The stage after an approval: an offboarding's removal (a review's removals); an onboarding's
   * authorization record where the policy keeps one.
   */
  get afterApproval(): Stage {
    if (this.status.process === 'offboarding' || this.status.process === 'review') return 'REMOVING_ACCESS';
    return this.policy.authorization.record ? 'RECORDING_AUTHORIZATION' : 'SENDING_INSTRUCTIONS';
  }

  /** Person actions taken so far (see OnboardingStatus.actionsTaken). */
  get actionsTaken(): number {
    return this.status.actionsTaken ?? 0;
  }

  /**
   * Keeps the newest snapshot of the invitee's IT Glue user; false when it is someone else's.
   * Compared case-insensitively: IT Glue keeps the address as typed.
   */
  takeUser(user: ItGlueUser): boolean {
    const invitee = this.status.invitee;
    if (!invitee || user.email.toLowerCase() !== invitee.email.toLowerCase()) return false;
    this.status.user = user;
    return true;
  }
}
