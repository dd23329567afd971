/**
 * The side effects the onboarding workflow asks for. The workflow imports these types only;
 * implementations are registered on the worker (IT Glue ones on their own task queue).
 */
import type { Policy } from '../workflows/policy';
import type {
  DecisionResult,
  ItGlueUser,
  OnboardingEvent,
  OnboardingRequest,
  OnboardingStatus,
  Organization,
  Person,
  ThreadRef,
  Validation,
} from '../workflows/types';

export interface VerifyInput {
  request: OnboardingRequest;
  org: Organization;
  user: ItGlueUser;
  groupNames: string[];
  policy: Policy;
}

export interface Verification {
  /** What differs from the request, each in words a tech can act on; none when verified. */
  mismatches: string[];
  /** The user as IT Glue shows it now (absent when it is gone). */
  user?: ItGlueUser;
}

export interface ItGlueActivities {
  /** Loads org and contact, checks the invitee can be onboarded, resolves the approver (§3 step 1, §3.1). */
  validateRequest(request: OnboardingRequest, policy: Policy): Promise<Validation>;
  /** A contact of the org with an email, or null (for "ask another contact"). */
  findContact(orgId: string, contactId: string): Promise<Person | null>;
  /** The IT Glue user with this email (case-insensitive), or null. */
  findUser(email: string): Promise<ItGlueUser | null>;
  /** Ensures the group membership, then lists every mismatch in words a tech can act on. */
  verifyUser(input: VerifyInput): Promise<Verification>;
  /** Adds the contact to the authorization tag field of the org's Site Summary asset. */
  recordAuthorization(input: { orgId: string; contactId: string; policy: Policy }): Promise<void>;
}

/** Run by the group-membership and sweep workflows, on the IT Glue task queue. */
export interface ItGlueMaintenanceActivities {
  /** Adds the users to the group in one read-modify-write, keeping every other member; returns the members. */
  addGroupMembers(groupId: string, userIds: string[]): Promise<string[]>;
  /** Lists IT Glue's users and tells each waiting onboarding what changed for its invitee. */
  sweepUsers(): Promise<SweepReport>;
}

export interface SweepReport {
  users: number;
  waiting: number;
  signalled: number;
  itglueRequests: number;
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
}

export interface ApprovalMail extends MailContext {
  approver: Person;
  round: number;
  /** 0 for the request, 1.. for reminders. */
  reminder: number;
  expiresAt: string;
}

export interface MailActivities {
  sendApprovalRequest(mail: ApprovalMail): Promise<void>;
  sendDecisionReceipt(mail: MailContext & { approver: Person; result: DecisionResult }): Promise<void>;
  /** "IT Documentation Access via IT Glue" to the invitee, a copy to the tech. */
  sendInstructions(mail: MailContext & { linkValidityHours: number }): Promise<void>;
  sendInviteExpired(mail: MailContext & { expiry: number }): Promise<void>;
  sendTwoFactorReminder(mail: MailContext & { reminder: number }): Promise<void>;
}

export interface SlackActivities {
  /** Posts the onboarding's root message, or updates it in place; returns where it is. */
  updateThread(status: OnboardingStatus): Promise<ThreadRef>;
  /** Posts an event as a reply in the onboarding's thread. */
  postToThread(input: { workflowId: string; thread: ThreadRef; event: OnboardingEvent }): Promise<void>;
}
