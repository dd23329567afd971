/**
 * The side effects the onboarding workflow asks for. The workflow imports these types only;
 * implementations are registered on the worker (IT Glue ones on their own task queue).
 */
import type { Policy } from '../workflows/policy';
import type {
  DecisionResult,
  ItGlueUser,
  OffboardingRequest,
  OnboardingEvent,
  OnboardingRequest,
  OnboardingStatus,
  Organization,
  Person,
  Process,
  ThreadRef,
} from '../workflows/types';
import type { AccessReview, ReviewedUser } from '../workflows/review/record';

/** What IT Glue said of an onboarding's request (validateRequest). */
export type Validation =
  | {
      ok: true;
      org: Organization;
      invitee: Person;
      /** The person who must approve; null when the invitee is the primary contact. */
      approver: Person | null;
      /** The group the user must be in (by the password-access choice, or the MyGlue groups). */
      groupNames: string[];
      /** A pending (not yet accepted) invitation already in IT Glue. */
      existingUser: ItGlueUser | null;
      /**
       * MyGlue: whether the user will see stored passwords, as the chosen groups' denied asset types
       * decide. Absent for IT Glue Lite (the request's choice stands) and in results recorded before it was computed.
       */
      passwordAccess?: boolean;
      /** IT Glue was not asked: the stand-ins that run without ITGLUE_API_KEY made this up. */
      simulated?: boolean;
    }
  | { ok: false; reason: string };

/** What IT Glue said of an offboarding's request (docs/design.md §15). */
export type OffboardingValidation =
  | {
      ok: true;
      org: Organization;
      /** The contact whose access is taken away. */
      contact: Person;
      /** Their IT Glue user as it is now. */
      user: ItGlueUser;
      /**
       * The organization's primary contact (the approver where the policy asks one, and the
       * receipt's addressee), or the approver the request names; null when the rule finds none or
       * several, and `primaryContactProblem` says so.
       */
      primaryContact: Person | null;
      primaryContactProblem?: string;
      simulated?: boolean;
    }
  | { ok: false; reason: string };

export interface VerifyInput {
  request: OnboardingRequest;
  org: Organization;
  user: ItGlueUser;
  groupNames: string[];
  policy: Policy;
}

export interface Verification {
  /** What differs from the request in the user, each in words a tech can act on; none when verified. */
  mismatches: string[];
  /**
   * What is wrong in the IT Glue account rather than the user (a shared customer group that reaches
   * organizations), for managers to fix. Absent in results recorded before it was told apart.
   */
  accountMismatches?: string[];
  /** What the bot changed to make it right (group memberships), in words for the thread. */
  changes?: string[];
  /** The user as IT Glue shows it now (absent when it is gone). */
  user?: ItGlueUser;
}

export interface ItGlueActivities {
  /** Loads org and contact, checks the invitee can be onboarded, resolves the approver (docs/design.md §4.1). */
  validateRequest(request: OnboardingRequest, policy: Policy): Promise<Validation>;
  /** A contact of the org with an email, or null (for "ask another contact"). */
  findContact(orgId: string, contactId: string): Promise<Person | null>;
  /** The IT Glue user with this email (case-insensitive), or null. */
  findUser(email: string): Promise<ItGlueUser | null>;
  /**
   * Puts the user in the chosen group(s) and, for an IT Glue Lite user, out of the other customer
   * group; then lists every mismatch in words the person who can fix it can act on.
   */
  verifyUser(input: VerifyInput): Promise<Verification>;
  /** Adds the contact to the authorization tag field of the org's Site Summary asset. */
  recordAuthorization(input: { orgId: string; contactId: string; policy: Policy }): Promise<void>;
  /**
   * Offboarding (docs/design.md §15): loads the organization, the contact and the user, checks that
   * the user is a customer user (Lite or MyGlue) with the contact's email, and finds the primary contact.
   */
  validateOffboarding(request: OffboardingRequest, policy: Policy): Promise<OffboardingValidation>;
  /**
   * Takes the user out of every group it is in (each through the group's writer) and, where the
   * policy keeps the authorization record, the contact out of its field (through its writer).
   */
  removeAccess(input: RemoveAccessInput): Promise<RemovedAccess>;
  /** The IT Glue user with this ID as it is now; null when IT Glue no longer has it (404). */
  userById(userId: string): Promise<ItGlueUser | null>;
  /**
   * An access review (docs/design.md §15.2): the organization, the person who answers (the named
   * contact, or the primary contact by the policy's rule), and its customer users — those
   * invite-lite onboarded there (with who approved them) and the IT Glue Lite / MyGlue users whose
   * email is the primary email of one of its contacts ("matched by email").
   */
  gatherReview(input: GatherReviewInput): Promise<ReviewGathering>;
}

export interface GatherReviewInput {
  orgId: string;
  approverContactId?: string;
  policy: Policy;
  /** The review's time (ISO), against which `review.dormantAfter` is measured. */
  now: string;
}

export type ReviewGathering = { ok: true; org: Organization; primaryContact: Person; users: ReviewedUser[]; simulated?: boolean } | { ok: false; reason: string };

export interface RemoveAccessInput {
  orgId: string;
  userId: string;
  contactId: string;
  policy: Policy;
}

export interface RemovedAccess {
  /** The names of the groups the user was taken out of (none: it was in none). */
  groupsLeft: string[];
  /** The contact was in the authorization field and was taken out. */
  authorizationRemoved: boolean;
}

/** Run by the group-membership, authorization-record and sweep workflows, on the IT Glue task queue. */
export interface ItGlueMaintenanceActivities {
  /** Adds the users to the group in one read-modify-write, keeping every other member; returns the members. */
  addGroupMembers(groupId: string, userIds: string[]): Promise<string[]>;
  /**
   * Adds the contacts to the authorization tag field of the org's Site Summary asset in one
   * read-modify-write, keeping every other trait; nothing is written when all are there.
   */
  recordAuthorizedContacts(input: AuthorizedContactsInput): Promise<AuthorizedContactsResult>;
  /**
   * The customer's own group of this name (the `group` model with `groups.create`): created with
   * access to this organization only where IT Glue has none; never changes an existing group.
   */
  createCustomerGroup(input: { name: string; orgId: string }): Promise<{ id: string; created: boolean }>;
  /** Adds and removes members in one read-modify-write, keeping every other member; returns the members. */
  changeGroupMembers(groupId: string, change: { add: string[]; remove: string[] }): Promise<string[]>;
  /** Lists IT Glue's users and tells each waiting onboarding what changed for its invitee. */
  sweepUsers(): Promise<SweepReport>;
  /** For the scope watch: what the user did in IT Glue, per organization, resource type and day, in one request. */
  userActivity(input: UserActivityInput): Promise<UserActivity>;
  /**
   * The periodic access reviews (docs/design.md §15.2): starts a review of each organization with a
   * completed onboarding on this deployment's task queue and no review started within `review.every`.
   */
  dueReviews(input: { policy: Policy }): Promise<DueReviews>;
}

/** What the access reviews' planner found and started. */
export interface DueReviews {
  /** Organizations with at least one completed onboarding. */
  organizations: number;
  /** Those with no review started within `review.every`, by ID. */
  due: string[];
  /** The reviews started (workflow IDs); a due organization whose review was open already is not among them. */
  started: string[];
}

export interface UserActivityInput {
  /** The IT Glue user. */
  userId: string;
  /** The first and last UTC day read (YYYY-MM-DD), at most 7 days in all: IT Glue may refuse longer ranges. */
  from: string;
  to: string;
  /** Organizations the user is expected to work in (their own and the shared ones): not named in the answer. */
  expected?: string[];
}

/** One line of IT Glue's activity figures: what the user did in one organization and resource type on one day. */
export interface UserActivityRow {
  organizationId: string;
  /** e.g. Passwords, Configurations, Documents. */
  resourceType: string;
  /** UTC day, YYYY-MM-DD. */
  date: string;
  created: number;
  viewed: number;
  edited: number;
  deleted: number;
}

export interface UserActivity {
  /** Earliest day first. */
  rows: UserActivityRow[];
  /**
   * False when IT Glue had more rows than one page holds (1000): these are the earliest, and the
   * last day among them may be incomplete.
   */
  complete: boolean;
  /**
   * Names of the other organizations in the rows where invite-lite knows them without asking IT
   * Glue (from its own onboardings of those organizations): IT Glue's figures carry ids only.
   */
  organizationNames: Record<string, string>;
}

export interface AuthorizedContactsInput {
  orgId: string;
  contactIds: string[];
  /** Take these contacts out of the field instead of adding them. */
  remove?: boolean;
  assetTypeName: string;
  fieldNameKey: string;
}

export interface AuthorizedContactsResult {
  /** The field's contacts after the write. */
  contactIds: string[];
  /** The contacts this write added (none: nothing was written). */
  added: string[];
  /** The contacts this write took out (absent when adding). */
  removed?: string[];
}

export interface SweepReport {
  users: number;
  waiting: number;
  signalled: number;
  itglueRequests: number;
  /** Offboardings waiting for their user's deletion (absent: none). */
  awaitingDeletion?: number;
  /** Of those, the ones told their user is gone from IT Glue's list. */
  gone?: number;
}

/** What every onboarding mail needs to say who it is about. */
export interface MailContext {
  workflowId: string;
  /**
   * The onboarding's first run ID, the same through continue-as-new: it tells apart two onboardings
   * of the same contact, which share the workflow ID.
   */
  runId: string;
  request: OnboardingRequest;
  org: Organization;
  invitee: Person;
  branding: Policy['branding'];
  /** An offboarding's mail (absent: an onboarding's): asks to approve, or tells of, a removal. */
  process?: Process;
  /** An offboarding's reason, as the requester gave it. */
  reason?: string;
}

export interface ApprovalMail extends MailContext {
  approver: Person;
  round: number;
  /** 0 for the request, 1.. for reminders. */
  reminder: number;
  expiresAt: string;
  /** An access review's users, whom the mail asks about (process `review`). */
  review?: AccessReview;
}

/**
 * One approval mail for several onboardings of one organization (docs/design.md §15.3): the persons,
 * one link to the page of the batch (`workflowId` is the batch's), the expiry.
 */
export interface BatchApprovalMail {
  workflowId: string;
  /** The batch workflow's first run ID (for the Message-ID). */
  runId: string;
  org: Organization;
  approver: Person;
  branding: Policy['branding'];
  members: Array<{ invitee: Person; request: OnboardingRequest }>;
  /** 1 for the first mail, then one more for each mail sent again. */
  round: number;
  /** 0 for the request, 1.. for reminders. */
  reminder: number;
  expiresAt: string;
}

export interface MailActivities {
  sendApprovalRequest(mail: ApprovalMail): Promise<void>;
  sendBatchApprovalRequest(mail: BatchApprovalMail): Promise<void>;
  /** `via: 'cli'`: the MSP recorded the approver's decision with the operator CLI (the receipt says so). */
  sendDecisionReceipt(mail: DecisionReceipt): Promise<void>;
  /** "IT Documentation Access via IT Glue" to the invitee, a copy to the tech. */
  sendInstructions(mail: MailContext & { linkValidityHours: number }): Promise<void>;
  sendInviteExpired(mail: MailContext & { expiry: number }): Promise<void>;
  sendTwoFactorReminder(mail: MailContext & { reminder: number }): Promise<void>;
  /** Offboarding: tells the primary contact (`to`) that the contact's access was taken away and the user deleted. */
  sendRemovalReceipt(mail: RemovalReceipt): Promise<void>;
}

export interface DecisionReceipt extends MailContext {
  approver: Person;
  result: DecisionResult;
  via?: 'link' | 'cli';
  /** An access review's users and answers (process `review`): the receipt lists who is kept and who removed. */
  review?: AccessReview;
  /** The approver's comment, as recorded (an access review's receipt repeats it). */
  comment?: string | null;
}

export interface RemovalReceipt extends MailContext {
  to: Person;
  /** The deleted IT Glue user's email and kind. */
  userEmail: string;
  groupsLeft: string[];
  authorizationRemoved: boolean;
  deletedAt: string;
  /** How the removal was approved, in words (e.g. "approved by Paula Primary", "no approval needed"). */
  approval: string;
  /** When it was approved (ISO); null when no approval was needed. */
  approvedAt: string | null;
}

export interface SlackActivities {
  /** Posts the onboarding's root message, or updates it in place; returns where it is. */
  updateThread(status: OnboardingStatus): Promise<ThreadRef>;
  /** Posts an event as a reply in the onboarding's thread. */
  postToThread(input: { workflowId: string; thread: ThreadRef; event: OnboardingEvent }): Promise<void>;
}
