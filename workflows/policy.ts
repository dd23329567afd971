/**
 * Policy: every duration, limit and rule the workflow uses (docs/design.md §5, §12).
 * Durations are milliseconds. The production defaults are DEFAULT_POLICY; tests shrink them.
 * This module is deterministic so that the workflow can import it.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type PrimaryContactRule =
  | { kind: 'contact-type'; contactTypeName: string }
  | { kind: 'important' }
  | { kind: 'flexible-asset-tag'; assetTypeName: string; fieldNameKey: string };

export interface Policy {
  approval: {
    /** Time between reminders to the approver. */
    reminderEvery: number;
    maxReminders: number;
    /** When the tech is told that the approver has not answered. */
    escalateAfter: number;
    /** When an unanswered request ends as APPROVAL_EXPIRED. Never approved on timeout. */
    timeout: number;
  };
  invite: {
    /** When the tech is reminded to send the IT Glue invitation, and again at this interval. */
    remindTechAfter: number;
    maxTechReminders: number;
    /** Life of IT Glue's invitation link after `invitation-sent-at`. */
    linkValidity: number;
    maxResends: number;
    /**
     * When managers are told that an onboarding waits on the tech (create the user, confirm the
     * settings, fix a mismatch, resend an expired invitation); once per wait. Absent in policies
     * carried by onboardings started before it: read through techEscalationOf.
     */
    escalateAfter?: number;
  };
  twoFactor: {
    /** Reminders to the invitee, measured from acceptance of the invitation. */
    remindAt: number[];
    /** Whether MFA is enforced for the account, so that a first sign-in proves 2FA is set up. */
    enforcedForItGlue: boolean;
    enforcedForMyGlue: boolean;
  };
  authorization: {
    /** Add the approved contact to a tag field of the org's Site Summary flexible asset. */
    record: boolean;
    assetTypeName: string;
    fieldNameKey: string;
  };
  primaryContact: PrimaryContactRule;
  groups: {
    noPasswordAccess: string;
    passwordAccess: string;
    /**
     * Where a customer user's organization access comes from (see organizationAccessOf):
     * `per-user` — the customer groups are shared by every customer and reach no organization;
     * each user gets their own organization on the user (which the API cannot read: the tech
     * confirms it). `group` — per-customer groups that reach exactly the customer's organization.
     */
    organizationAccess: OrganizationAccess;
    /** Organizations every customer may see through the shared groups (IT Glue ids; `per-user`). */
    sharedOrganizations: string[];
    /** `group`: create a missing per-customer group by API, reaching this organization only. */
    create: boolean;
    /**
     * `group`: the name of a customer's own group: `{organization}` is the organization's name,
     * `{group}` the name above for the password-access choice (e.g. "Acme - Customer - No Password Access").
     */
    nameTemplate: string;
    /** @deprecated Policies of onboardings started before organizationAccess; read through organizationAccessOf. */
    onlyThisOrganization?: boolean;
  };
  limits: {
    /** Organizations a Lite user's group may reach (IT Glue's hard cap is 5). */
    maxOrganizations: number;
  };
  sweep: {
    /** How often the IT Glue sweep lists users. */
    every: number;
  };
  scopeWatch: {
    /** How long after completion the user's activity is watched (from the first sign-in). */
    days: number;
    /** How often the activity is read (once a day in production). */
    every: number;
  };
  branding: {
    mspName: string;
    supportContact: string;
    /** Where IT Glue users sign in, e.g. app.itglue.com (app.eu.itglue.com, app.au.itglue.com). */
    loginHost: string;
    /** Where MyGlue users sign in. */
    myGlueLoginHost: string;
    ssoSubdomain: string;
    /** The IANA time zone of the times in mails and on the approval page (policies carried by older onboardings lack it: UTC). */
    timeZone?: string;
  };
  offboarding?: {
    /**
     * Who approves taking a user's access away: nobody, a manager in Slack, or the organization's
     * primary contact through an emailed link (as an onboarding's approval).
     */
    approval: OffboardingApproval;
  };
  review?: {
    /** How often each organization with customer users is asked to review them. */
    every: number;
    /** A user with no sign-in for this long is shown as dormant. */
    dormantAfter: number;
    /** How long the primary contact has to answer (reminders and escalation as for approvals). */
    timeout: number;
    /** What happens without an answer: managers are told (`escalate`), or every user is removed. */
    onNoAnswer: 'escalate' | 'remove';
  };
  /** Continue-as-new once the history has this many events (the server also suggests it). */
  historyLimit: number;
}

export type OrganizationAccess = 'per-user' | 'group';

export type OffboardingApproval = 'none' | 'manager' | 'primary-contact';

/** The access reviews' settings (docs/design.md §15.2). */
export function reviewPolicyOf(policy: Policy): NonNullable<Policy['review']> {
  return policy.review ?? DEFAULT_POLICY.review!;
}

/** Who approves an offboarding (docs/design.md §15). */
export function offboardingApprovalOf(policy: Policy): OffboardingApproval {
  return policy.offboarding?.approval ?? DEFAULT_POLICY.offboarding!.approval;
}

export const LITE_MAX_ORGANIZATIONS = 5;

/**
 * The policy's organization-access model. Policies carried by onboardings started before the
 * setting existed had `onlyThisOrganization` (default true), which checked the group as `group` does.
 */
export function organizationAccessOf(policy: Policy): OrganizationAccess {
  return policy.groups.organizationAccess ?? (policy.groups.onlyThisOrganization === false ? 'per-user' : 'group');
}

/**
 * The names of the two customer groups of an IT Glue Lite user of this organization: shared by every
 * customer (`per-user`), or the organization's own (`group`, named by the template).
 */
export function customerGroupNames(policy: Policy, orgName: string): { noPasswordAccess: string; passwordAccess: string } {
  const own = organizationAccessOf(policy) === 'group' && policy.groups.nameTemplate !== undefined;
  const name = (group: string) => (own ? policy.groups.nameTemplate.replaceAll('{organization}', orgName).replaceAll('{group}', group) : group);
  return { noPasswordAccess: name(policy.groups.noPasswordAccess), passwordAccess: name(policy.groups.passwordAccess) };
}

/** The customer group an IT Glue Lite user goes into, by the password-access choice. */
export function customerGroupFor(policy: Policy, orgName: string, passwordAccess: boolean): string {
  const names = customerGroupNames(policy, orgName);
  return passwordAccess ? names.passwordAccess : names.noPasswordAccess;
}

/** How long a wait on the tech lasts before managers are told (docs/design.md §5). */
export function techEscalationOf(policy: Policy): number {
  return policy.invite.escalateAfter ?? DEFAULT_POLICY.invite.escalateAfter!;
}

/** The scope watch's settings; absent in policies carried by onboardings started before it. */
export function scopeWatchOf(policy: Policy): Policy['scopeWatch'] {
  return policy.scopeWatch ?? DEFAULT_POLICY.scopeWatch;
}

export const DEFAULT_POLICY: Policy = {
  approval: { reminderEvery: DAY, maxReminders: 3, escalateAfter: 3 * DAY, timeout: 5 * DAY },
  invite: { remindTechAfter: 2 * HOUR, maxTechReminders: 3, linkValidity: 6 * HOUR, maxResends: 3, escalateAfter: DAY },
  twoFactor: { remindAt: [DAY, 3 * DAY, 7 * DAY], enforcedForItGlue: true, enforcedForMyGlue: false },
  authorization: { record: false, assetTypeName: 'Site Summary', fieldNameKey: 'authorized-contacts' },
  primaryContact: { kind: 'contact-type', contactTypeName: 'Primary' },
  groups: {
    noPasswordAccess: 'Customer - No Password Access',
    passwordAccess: 'Customer - Has Password Access',
    organizationAccess: 'per-user',
    sharedOrganizations: [],
    create: false,
    nameTemplate: '{organization} - {group}',
  },
  limits: { maxOrganizations: 1 },
  sweep: { every: 5 * MINUTE },
  scopeWatch: { days: 30, every: DAY },
  branding: {
    mspName: 'Your IT provider',
    supportContact: 'your IT provider',
    loginHost: 'app.itglue.com',
    myGlueLoginHost: 'app.myglue.com',
    ssoSubdomain: '',
    timeZone: 'UTC',
  },
  offboarding: { approval: 'manager' },
  review: { every: 90 * DAY, dormantAfter: 90 * DAY, timeout: 14 * DAY, onNoAnswer: 'escalate' },
  historyLimit: 2_000,
};
