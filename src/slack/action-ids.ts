/**
 * The `action_id`s of the onboarding (and offboarding) thread's buttons. Each button's `value` is its
 * workflow ID and the count of actions it had taken when the button was drawn (pressValue); the
 * listeners check the clicker's rights and send the workflow the action, which judges it.
 */
export const ACTIONS = {
  /** Tech or manager, any open stage. */
  cancel: 'onboarding_cancel',
  /** AWAITING_APPROVAL: choose another contact of the organization as approver. */
  askAnotherContact: 'onboarding_ask_another_contact',
  /** AWAITING_APPROVAL: record an approval received by fax, postal mail or email (modal: channel, note). */
  recordOfflineApproval: 'onboarding_record_offline_approval',
  /** AWAITING_INVITE: the tech created the user in IT Glue; the onboarding checks at once. */
  invitationSent: 'onboarding_invitation_sent',
  /** VERIFYING with sub-state MISMATCH: the tech (or, for the account's groups, a manager) fixed it; verify again. */
  fixed: 'onboarding_fixed',
  /** VERIFYING with sub-state CONFIRM_SETTINGS: the tech checked the settings the API cannot read. */
  settingsConfirmed: 'onboarding_settings_confirmed',
  /** AWAITING_ACCEPTANCE with sub-state INVITE_EXPIRED: the tech reset the invitation. */
  resent: 'onboarding_resent',
  /** AWAITING_2FA: the tech confirms the invitee has set up 2FA. */
  twoFactorConfirmed: 'onboarding_2fa_confirmed',
  /** STALLED: a manager resumes the onboarding where it stalled. */
  resume: 'onboarding_resume',
  /** An offboarding's AWAITING_APPROVAL, where the policy asks a manager: the manager approves the removal. */
  approveRemoval: 'offboarding_approve_removal',
  /** An offboarding's AWAITING_DELETION: the tech deleted the user in IT Glue; the offboarding checks at once. */
  userDeleted: 'offboarding_user_deleted',
  /**
   * A COMPLETED onboarding (its thread root, the App Home's recent completions): a tech starts its
   * offboarding (docs/design.md §15). The value is the onboarding's workflow ID alone.
   */
  removeAccess: 'onboarding_remove_access',
} as const;

export type ActionName = keyof typeof ACTIONS;
export type ActionId = (typeof ACTIONS)[ActionName];

export const ACTION_IDS: readonly ActionId[] = Object.values(ACTIONS);

/** The `block_id` of the thread root's buttons. */
export const THREAD_ACTIONS_BLOCK_ID = 'onboarding_actions';
/** The `block_id` of a completed onboarding's Remove access (a section beside its button). */
export const REMOVE_ACCESS_BLOCK_ID = 'onboarding_remove_access';

/** A thread button's value: the onboarding's workflow ID and its count of actions taken when drawn. */
export function pressValue(workflowId: string, actionsTaken: number): string {
  return `${workflowId}#${actionsTaken}`;
}

/**
 * The onboarding (offboarding, access review) and drawing a button's value names; null when it names none. A value
 * without a count (drawn before counts were kept) names the onboarding only.
 */
export function parsePressValue(value: string | undefined): { workflowId: string; seen: number | undefined } | null {
  // An onboarding's or offboarding's ID names an organization and a person; an access review's the organization only.
  const match = /^((?:on|off)boarding:[^:#\s]+:[^:#\s]+|access-review:[^:#\s]+)(?:#(\d{1,9}))?$/.exec(value ?? '');
  if (!match) return null;
  return { workflowId: match[1]!, seen: match[2] === undefined ? undefined : Number(match[2]) };
}
