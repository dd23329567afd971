/** Data that crosses the workflow boundary: the request, what IT Glue says, the status. */
import type { Policy } from './policy';
import type { AccessReview, ReviewAnswer } from './review/record';
import type { Stage, SubState, WaitingOn } from './stages';

export type AccessKind = 'itglue' | 'myglue';
export type MyGlueRole = 'Lite' | 'Creator' | 'Editor';

/** What the tech asked for (the modal, or the operator CLI). */
export interface OnboardingRequest {
  orgId: string;
  contactId: string;
  kind: AccessKind;
  /** MyGlue only; an IT Glue user is always Lite. */
  myGlueRole?: MyGlueRole;
  /** MyGlue only: the MyGlue groups (at least one). */
  myGlueGroupIds?: string[];
  passwordAccess: boolean;
  /** The approver chosen in the modal; otherwise the primary-contact rule decides. */
  approverContactId?: string;
  ticket?: string;
  note?: string;
  /** Slack user ID of the tech who started it. */
  requestedBy: string;
  /** Started with others: batch `approval-batch:<orgId>:<batchId>` mails the first approval (docs/design.md §15.3). */
  batchId?: string;
}

/**
 * What is asked of an offboarding (docs/design.md §15): take the IT Glue user of this contact out of
 * the organization's access. `kind` is the user's (IT Glue Lite or MyGlue), `passwordAccess` unused.
 */
export interface OffboardingRequest extends OnboardingRequest {
  /** The IT Glue user whose access is taken away. */
  userId: string;
  /** Why, in the words of whoever asked (shown in the thread and the receipt). */
  reason?: string;
  /** The approval, already given elsewhere (a customer's access review): none is asked. */
  approval?: Evidence;
}

/** Which process a record belongs to: absent in onboardings' records. */
export type Process = 'onboarding' | 'offboarding' | 'review';

export interface Person {
  contactId: string;
  name: string;
  firstName: string;
  email: string;
}

export interface Organization {
  id: string;
  name: string;
}

/** An IT Glue user as the API reports it (the fields the onboarding follows). */
export interface ItGlueUser {
  id: string;
  email: string;
  roleName: string;
  myGlue: boolean;
  invitationSentAt: string | null;
  invitationAcceptedAt: string | null;
  currentSignInAt: string | null;
}

/** Who confirmed the user's settings in IT Glue, when, and what they confirmed. */
export interface SettingsConfirmation {
  by: string;
  at: string;
  items: string[];
}

export type Decision = 'approve' | 'deny';

export interface DecisionInput {
  decision: Decision;
  round: number;
  approverContactId: string;
  /** The link's expiry (ms since epoch): a link of an earlier approval request has another one. */
  expiresAt?: number;
  ip?: string;
  userAgent?: string;
  comment?: string;
  /** An access review's answer for each of its users (the page's one POST). */
  answers?: Record<string, ReviewAnswer>;
  /**
   * Set when an operator records the approver's decision with the CLI (`decide --by`): the Slack user
   * ID of that operator. Unset through the approval page.
   */
  recordedBy?: string;
}

export interface DecisionResult {
  decision: Decision;
  round: number;
  decidedAt: string;
}

export type OfflineChannel = 'fax' | 'postal-mail' | 'email';

/** How the approval was obtained, kept with the onboarding. */
export type Evidence =
  | {
      via: 'link';
      decision: Decision;
      at: string;
      round: number;
      approver: Person;
      ip: string | null;
      userAgent: string | null;
      comment: string | null;
    }
  /** The approver's decision, given to the MSP and recorded by an operator with the CLI. */
  | {
      via: 'cli';
      decision: Decision;
      at: string;
      round: number;
      approver: Person;
      comment: string | null;
      /** Slack user ID of the operator. */
      recordedBy: string;
    }
  | { via: 'offline'; decision: 'approve'; at: string; channel: OfflineChannel; note: string; recordedBy: string }
  /** An offboarding approved by a manager in Slack (the policy's `offboarding.approval: manager`). */
  | { via: 'manager'; decision: 'approve'; at: string; by: string }
  | { via: 'not-needed'; at: string; reason: string };

/**
 * Who a thread reply asks to act, so that Slack notifies them: Slack users by ID (the tech who
 * started the onboarding) and/or the managers (their user group's handle, or each listed manager).
 */
export interface Mention {
  users?: string[];
  managers?: boolean;
}

/** What an event records, by kind (the thread shows each kind with its own emoji). */
export type EventType =
  | 'stage'
  | 'validated'
  | 'rejected'
  | 'approval-not-needed'
  | 'approval-requested'
  | 'approval-reminder'
  | 'escalated'
  | 'approved'
  | 'denied'
  | 'approved-offline'
  | 'approver-changed'
  | 'approver-not-found'
  | 'approval-expired'
  | 'authorization-recorded'
  | 'instructions-sent'
  | 'invitation-sent'
  | 'user-not-found'
  | 'user-found'
  | 'tech-reminder'
  | 'group-changed'
  | 'mismatch'
  | 'account-mismatch'
  | 'fixed'
  | 'confirm-settings'
  | 'settings-confirmed'
  | 'verified'
  | 'invite-expired'
  | 'resent'
  | 'accepted'
  | 'signed-in'
  | '2fa-reminder'
  | '2fa-confirmed'
  | 'scope-alert'
  | 'onboarding-cancelled'
  | 'access-removed'
  | 'delete-user'
  | 'user-still-there'
  | 'user-deleted'
  | 'receipt-sent'
  | 'review-started'
  | 'reviewed'
  | 'review-applied'
  | 'stalled'
  | 'resumed'
  | 'cancelled'
  | 'completed';

export interface OnboardingEvent {
  at: string;
  type: EventType;
  text: string;
  /** Slack user ID, contact ID or 'system'. */
  by?: string;
  /** Who the reply in the thread mentions. */
  mention?: Mention;
}

export interface StageVisit {
  stage: Stage;
  enteredAt: string;
  leftAt: string | null;
}

/** What an offboarding has done so far. */
export interface Removal {
  /** The groups the user was taken out of. */
  groupsLeft: string[];
  /** The contact was taken out of the Site Summary's authorization field (false: not there, or not kept). */
  authorizationRemoved: boolean;
  /** When the sweep (or the tech's press) found the user deleted and a read confirmed it. */
  deletedAt: string | null;
}

/** What the `status` query returns (an offboarding's too: `process` says which). */
export interface OnboardingStatus {
  workflowId: string;
  /** Absent: an onboarding. */
  process?: Process;
  request: OnboardingRequest;
  stage: Stage;
  /** A finer state inside a stage, e.g. INVITE_EXPIRED in AWAITING_ACCEPTANCE. */
  subState: SubState | null;
  waitingOn: WaitingOn;
  deadline: string | null;
  startedAt: string;
  org: Organization | null;
  invitee: Person | null;
  approver: Person | null;
  approvalRound: number;
  /**
   * When the current approval request expires (ISO): with the round and approver it tells this
   * request's links from those of an earlier onboarding of the same contact. Absent in statuses
   * carried over from runs that did not record it.
   */
  approvalExpiresAt?: string | null;
  evidence: Evidence | null;
  user: ItGlueUser | null;
  /** The IT Glue group(s) the user must be in. */
  groupNames: string[];
  mismatches: string[];
  /** Problems of the IT Glue account (a shared group reaching organizations), for managers. */
  accountMismatches?: string[];
  /** The tech's confirmation of the settings the API cannot read; absent in older statuses. */
  confirmation?: SettingsConfirmation | null;
  /** What the tech must confirm (an IT Glue Lite user under shared groups); null when nothing. */
  settingsToConfirm?: string[] | null;
  resends: number;
  stalledFrom: Stage | null;
  reason: string | null;
  events: OnboardingEvent[];
  stages: StageVisit[];
  thread: ThreadRef | null;
  /**
   * How many person actions (Updates) the onboarding has taken. The thread's buttons carry the
   * count they were drawn with, so that a press on an older drawing (a double click, a second
   * person pressing the same button) is refused. Absent in statuses of runs before it was kept.
   */
  actionsTaken?: number;
  /**
   * Run on the IT Glue stand-ins (no ITGLUE_API_KEY): the organization, the people and every step in
   * IT Glue are made up, and the thread says so. Absent for onboardings run against IT Glue.
   */
  itglueSimulated?: boolean;
  /**
   * The scope watch started at the user's first sign-in (workflows/scope-watch.ts): its workflow
   * ID and first run ID (null when it could not be started). Absent until then.
   */
  scopeWatch?: { workflowId: string; firstRunId: string | null };
  /** An offboarding's removal; absent in onboardings. */
  removal?: Removal;
  /** An access review's users and answers; absent in onboardings and offboardings. */
  review?: AccessReview;
}

/** Where an onboarding's Slack thread lives. */
export interface ThreadRef {
  channel: string;
  ts: string;
}

/** Progress inside the stages that wait (times in ms since epoch). */
export interface Progress {
  approval: { startedAt: number; remindersSent: number; escalated: boolean } | null;
  invite: { since: number; techReminders: number } | null;
  /** Start of the current invitation link's life; null until the user is known. */
  linkSentAt: number | null;
  twoFactor: { since: number; remindersSent: number } | null;
  /** An offboarding's wait for the user's deletion in IT Glue; absent in onboardings. */
  deletion?: { since: number; techReminders: number } | null;
  /** The current wait on the tech (see workflows/onboarding/escalation.ts); absent in older progress. */
  techWait?: { kind: TechWaitKind; since: number; escalated: boolean } | null;
}

/** The waits whose next actor is the tech. */
export type TechWaitKind = 'invite' | 'confirm-settings' | 'mismatch' | 'invite-expired' | 'delete-user';

export interface OnboardingInput {
  request: OnboardingRequest;
  policy: Policy;
  /** Present when the workflow continued as new: everything it had. */
  carried?: OnboardingStatus;
  progress?: Progress;
}

export function workflowIdFor(orgId: string, contactId: string): string {
  return `onboarding:${orgId}:${contactId}`;
}

/** One access review open at a time per organization (each new one a new run). */
export function reviewIdFor(orgId: string): string {
  return `access-review:${orgId}`;
}

/** One offboarding per organization and IT Glue user. */
export function offboardingIdFor(orgId: string, userId: string): string {
  return `offboarding:${orgId}:${userId}`;
}

/** The IT Glue user an offboarding's workflow ID names; null for any other ID. */
export function offboardedUserOf(workflowId: string): string | null {
  const match = /^offboarding:[^:]+:([^:]+)$/.exec(workflowId);
  return match ? match[1]! : null;
}

export interface OffboardingInput {
  request: OffboardingRequest;
  policy: Policy;
  carried?: OnboardingStatus;
  progress?: Progress;
}
