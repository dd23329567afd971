/**
 * Activities for workflow tests: a small in-memory IT Glue directory and mail / Slack that only
 * record. Every call is kept, with its arguments, in `calls`.
 */
import type {
  ItGlueActivities,
  ItGlueMaintenanceActivities,
  MailActivities,
  OffboardingValidation,
  ReviewGathering,
  Validation,
  SlackActivities,
  UserActivity,
  UserActivityInput,
  UserActivityRow,
} from '../../activities/contracts';
import type { ServiceActivities } from '../../src/temporal/worker';
import type { ItGlueUser, OffboardingRequest, OnboardingStatus, Person } from '../../workflows/types';
import type { ReviewedUser } from '../../workflows/review/record';

export interface Call {
  name: string;
  args: unknown[];
}

export const ORG = { id: '100', name: 'Acme Dental' };
export const INVITEE: Person = { contactId: '201', name: 'Ines Invitee', firstName: 'Ines', email: 'Ines@acme.test' };
export const PRIMARY: Person = { contactId: '202', name: 'Paula Primary', firstName: 'Paula', email: 'paula@acme.test' };
export const OTHER: Person = { contactId: '203', name: 'Otto Other', firstName: 'Otto', email: 'otto@acme.test' };

export function userFor(person: Person, fields: Partial<ItGlueUser> = {}): ItGlueUser {
  return {
    id: `u${person.contactId}`,
    email: person.email.toLowerCase(),
    roleName: 'Lite',
    myGlue: false,
    invitationSentAt: new Date().toISOString(),
    invitationAcceptedAt: null,
    currentSignInAt: null,
    ...fields,
  };
}

export type FakeActivities = ItGlueActivities & ItGlueMaintenanceActivities & MailActivities & SlackActivities;

/** Flat activities grouped as the workers take them (IT Glue ones go to the IT Glue task queue). */
export function byQueue(activities: FakeActivities): ServiceActivities {
  const {
    validateRequest,
    findContact,
    findUser,
    verifyUser,
    recordAuthorization,
    addGroupMembers,
    changeGroupMembers,
    createCustomerGroup,
    recordAuthorizedContacts,
    sweepUsers,
    userActivity,
    validateOffboarding,
    removeAccess,
    userById,
    gatherReview,
    dueReviews,
    ...mailAndSlack
  } = activities;
  return {
    itglue: {
      validateRequest,
      findContact,
      findUser,
      verifyUser,
      recordAuthorization,
      addGroupMembers,
      changeGroupMembers,
      createCustomerGroup,
      recordAuthorizedContacts,
      sweepUsers,
      userActivity,
      validateOffboarding,
      removeAccess,
      userById,
      gatherReview,
      dueReviews,
    },
    mail: mailAndSlack,
    slack: mailAndSlack,
  };
}

/** A call of an activity held at its start until released (see FakeWorld.hold). */
export class Hold {
  /** Resolves when the held call has started (it is already in `calls`). */
  readonly reached: Promise<void>;
  private arrive!: () => void;
  private open!: () => void;
  /** What the held call waits for. */
  readonly released: Promise<void>;

  constructor() {
    this.reached = new Promise((ok) => (this.arrive = ok));
    this.released = new Promise((ok) => (this.open = ok));
  }

  /** Called by the held call as it starts. */
  started(): void {
    this.arrive();
  }

  release(): void {
    this.open();
  }
}

export class FakeWorld {
  readonly calls: Call[] = [];
  readonly contacts = new Map<string, Person>([INVITEE, PRIMARY, OTHER].map((p) => [p.contactId, p]));
  /** IT Glue users by lower-case email. */
  readonly users = new Map<string, ItGlueUser>();
  primaryContactId = PRIMARY.contactId;
  rejectReason: string | null = null;
  /** Mismatch lists returned by successive verifyUser calls (then none). */
  mismatches: string[][] = [];
  /** What each verification finds wrong in the IT Glue account (for managers), in turn. */
  accountMismatches: string[][] = [];
  /** IT Glue's activity figures of the watched user, returned by userActivity for the days asked. */
  activity: UserActivityRow[] = [];
  /** Groups each IT Glue user is in (by user ID), which an offboarding's removeAccess empties. */
  readonly groupsOf = new Map<string, string[]>();
  /** Contacts in the Site Summary's authorization field. */
  readonly authorized = new Set<string>();
  /** The users an access review finds at the organization (gatherReview). */
  reviewed: ReviewedUser[] = [];
  /** Errors thrown by successive calls of an activity, by name. */
  failures = new Map<string, Error[]>();
  private readonly holds: Array<{ name: string; call: number; hold: Hold }> = [];

  /**
   * Holds the `call`-th call (from 1) of activity `name` once it has started and been recorded,
   * until the test releases it: the workflow is then busy in that activity.
   */
  hold(name: string, call = 1): Hold {
    const hold = new Hold();
    this.holds.push({ name, call, hold });
    return hold;
  }

  /** Lets every held call go on (at the end of a test, so that workers can stop). */
  releaseHolds(): void {
    for (const { hold } of this.holds) hold.release();
  }

  callsOf(name: string): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  activities(): FakeActivities {
    const record =
      <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
      async (...args: A): Promise<Awaited<R>> => {
        this.calls.push({ name, args: structuredClone(args) });
        const n = this.calls.filter((c) => c.name === name).length;
        const held = this.holds.find((h) => h.name === name && h.call === n);
        if (held) {
          held.hold.started();
          await held.hold.released;
        }
        const failure = this.failures.get(name)?.shift();
        if (failure) throw failure;
        return await fn(...args);
      };
    return {
      validateRequest: record('validateRequest', (request, policy): Validation => {
        if (this.rejectReason) return { ok: false, reason: this.rejectReason };
        const invitee = this.contacts.get(request.contactId);
        if (!invitee) return { ok: false, reason: `Contact ${request.contactId} not found.` };
        const approverId = request.approverContactId ?? this.primaryContactId;
        const approver = approverId === invitee.contactId ? null : (this.contacts.get(approverId) ?? null);
        const existing = this.users.get(invitee.email.toLowerCase()) ?? null;
        return {
          ok: true,
          org: ORG,
          invitee,
          approver,
          groupNames: [request.passwordAccess ? policy.groups.passwordAccess : policy.groups.noPasswordAccess],
          existingUser: existing,
        };
      }),
      findContact: record('findContact', (_orgId: string, contactId: string) => this.contacts.get(contactId) ?? null),
      findUser: record('findUser', (email: string) => this.users.get(email.toLowerCase()) ?? null),
      verifyUser: record('verifyUser', () => ({ mismatches: this.mismatches.shift() ?? [], accountMismatches: this.accountMismatches.shift() ?? [] })),
      recordAuthorization: record('recordAuthorization', () => undefined),
      addGroupMembers: record('addGroupMembers', (_groupId: string, userIds: string[]) => userIds),
      recordAuthorizedContacts: record('recordAuthorizedContacts', ({ contactIds }: { contactIds: string[] }) => ({ contactIds, added: contactIds })),
      createCustomerGroup: record('createCustomerGroup', ({ orgId }: { name: string; orgId: string }) => ({ id: `group-${orgId}`, created: true })),
      changeGroupMembers: record('changeGroupMembers', (_groupId: string, change: { add: string[]; remove: string[] }) => change.add),
      sweepUsers: record('sweepUsers', () => ({ users: 0, waiting: 0, signalled: 0, itglueRequests: 0 })),
      userActivity: record(
        'userActivity',
        ({ from, to }: UserActivityInput): UserActivity => ({
          rows: this.activity.filter((r) => r.date >= from && r.date <= to),
          complete: true,
          organizationNames: {},
        }),
      ),
      validateOffboarding: record('validateOffboarding', (request: OffboardingRequest): OffboardingValidation => {
        if (this.rejectReason) return { ok: false, reason: this.rejectReason };
        const contact = this.contacts.get(request.contactId);
        const user = [...this.users.values()].find((u) => u.id === request.userId);
        if (!contact || !user) return { ok: false, reason: `IT Glue has no user with id ${request.userId}.` };
        const primaryId = request.approverContactId ?? this.primaryContactId;
        const primaryContact = this.contacts.get(primaryId) ?? null;
        return {
          ok: true,
          org: ORG,
          contact,
          user,
          primaryContact,
          ...(primaryContact ? {} : { primaryContactProblem: 'No primary contact of Acme Dental was found by the rule: choose the approver.' }),
        };
      }),
      removeAccess: record('removeAccess', ({ userId, contactId, policy }: { userId: string; contactId: string; policy: { authorization: { record: boolean } } }) => {
        const groupsLeft = this.groupsOf.get(userId) ?? [];
        this.groupsOf.set(userId, []);
        const authorizationRemoved = policy.authorization.record && this.authorized.delete(contactId);
        return { groupsLeft, authorizationRemoved };
      }),
      userById: record('userById', (userId: string) => [...this.users.values()].find((u) => u.id === userId) ?? null),
      gatherReview: record('gatherReview', ({ approverContactId }: { approverContactId?: string }): ReviewGathering => {
        if (this.rejectReason) return { ok: false, reason: this.rejectReason };
        const primaryContact = this.contacts.get(approverContactId ?? this.primaryContactId);
        if (!primaryContact) return { ok: false, reason: 'No primary contact of Acme Dental was found by the rule: name the contact who answers.' };
        return { ok: true, org: ORG, primaryContact, users: structuredClone(this.reviewed) };
      }),
      dueReviews: record('dueReviews', () => ({ organizations: 0, due: [], started: [] })),
      sendRemovalReceipt: record('sendRemovalReceipt', () => undefined),
      sendApprovalRequest: record('sendApprovalRequest', () => undefined),
      sendBatchApprovalRequest: record('sendBatchApprovalRequest', () => undefined),
      sendDecisionReceipt: record('sendDecisionReceipt', () => undefined),
      sendInstructions: record('sendInstructions', () => undefined),
      sendInviteExpired: record('sendInviteExpired', () => undefined),
      sendTwoFactorReminder: record('sendTwoFactorReminder', () => undefined),
      updateThread: record('updateThread', () => ({ channel: 'C0ONBOARD', ts: '1700000000.000100' })),
      postToThread: record('postToThread', () => undefined),
    };
  }
}

/** An onboarding's status waiting for Paula's approval of Ines; `over` changes any field. */
export function statusFixture(over: Partial<OnboardingStatus> = {}): OnboardingStatus {
  return {
    workflowId: `onboarding:${ORG.id}:${INVITEE.contactId}`,
    request: { orgId: ORG.id, contactId: INVITEE.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1' },
    stage: 'AWAITING_APPROVAL',
    subState: null,
    waitingOn: 'approver',
    deadline: new Date(Date.now() + 86_400_000).toISOString(),
    startedAt: new Date().toISOString(),
    org: ORG,
    invitee: INVITEE,
    approver: PRIMARY,
    approvalRound: 1,
    evidence: null,
    user: null,
    groupNames: ['Customer - No Password Access'],
    mismatches: [],
    resends: 0,
    stalledFrom: null,
    reason: null,
    events: [],
    stages: [],
    thread: null,
    ...over,
  };
}
