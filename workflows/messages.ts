/** The onboarding workflow's messages and search attributes, shared by workflow and clients. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PersonAction } from './person-actions';
import type { DecisionInput, DecisionResult, ItGlueUser, OfflineChannel, OnboardingEvent, OnboardingStatus } from './types';

/** Who did something: a Slack user ID. */
export interface Actor {
  by: string;
}

/** The approver's decision through the approval page. Refused for a past round, after expiry, or after a decision. */
export const decide = defineUpdate<DecisionResult, [DecisionInput]>('decide');

/** Failure types of a refused decision, so that the approval page can say which. */
export const DECISION_REFUSED = {
  alreadyDecided: 'AlreadyDecided',
  notAwaiting: 'NotAwaitingApproval',
  superseded: 'SupersededRound',
  expired: 'ApprovalExpired',
  invalid: 'InvalidDecision',
} as const;

/**
 * Who acts (a Slack user ID, or `cli` for the operator command line), and the count of actions
 * the thread showed when the button was drawn (OnboardingStatus.actionsTaken): a press from an
 * older drawing is refused. Absent where no drawing is involved (the command line).
 */
export interface PersonInput extends Actor {
  seen?: number;
}

// Person actions: Updates, each judged by the workflow's validator (refused with ACTION_REFUSED).
/** Button Invitation sent: the tech created the user in IT Glue (and, under shared groups, confirms its settings). */
export const confirmInvitationSent = defineUpdate<void, [PersonInput]>('confirmInvitationSent');
/** Button Resent: the tech reset the expired invitation in IT Glue. */
export const confirmInvitationResent = defineUpdate<void, [PersonInput]>('confirmInvitationResent');
/** Button Fixed: the user's settings (or a shared group's organizations) were corrected in IT Glue. */
export const confirmFixed = defineUpdate<void, [PersonInput]>('confirmFixed');
/** Button Settings confirmed: the tech checked in IT Glue the settings the API cannot read. */
export const confirmSettings = defineUpdate<void, [PersonInput]>('confirmSettings');
/** Button 2FA confirmed. */
export const confirmTwoFactor = defineUpdate<void, [PersonInput]>('confirmTwoFactor');
/** Modal Record offline approval: the approver answered by fax, post or plain email. */
export const recordOfflineApproval = defineUpdate<void, [PersonInput & { channel: OfflineChannel; note: string }]>('recordOfflineApproval');
/** Modal Ask another contact: a new approval request to another contact of the organization. */
export const askAnotherApprover = defineUpdate<void, [PersonInput & { approverContactId: string }]>('askAnotherApprover');
/** Button Cancel (tech or manager): stops the onboarding for good, at any stage. */
export const cancelOnboarding = defineUpdate<void, [PersonInput & { reason?: string }]>('cancelOnboarding');
/** Button Resume (managers): a stalled onboarding goes back to the stage that stalled. */
export const resumeOnboarding = defineUpdate<void, [PersonInput]>('resumeOnboarding');
/** Button Approve removal (managers, under `offboarding.approval: manager`): the offboarding goes on. */
export const approveRemoval = defineUpdate<void, [PersonInput]>('approveRemoval');
/** Button User deleted: the tech deleted the user in IT Glue; the offboarding checks at once. */
export const confirmUserDeleted = defineUpdate<void, [PersonInput]>('confirmUserDeleted');

// The same actions as signals, as onboardings started before the Updates received them: still taken.
export const invitationSent = defineSignal<[Actor]>('invitationSent');
export const invitationResent = defineSignal<[Actor]>('invitationResent');
export const fixed = defineSignal<[Actor]>('fixed');
export const settingsConfirmed = defineSignal<[Actor]>('settingsConfirmed');
export const twoFactorConfirmed = defineSignal<[Actor]>('twoFactorConfirmed');
export const offlineApproval = defineSignal<[Actor & { channel: OfflineChannel; note: string }]>('offlineApproval');
export const changeApprover = defineSignal<[Actor & { approverContactId: string }]>('changeApprover');
export const cancel = defineSignal<[Actor & { reason?: string }]>('cancel');
export const resume = defineSignal<[Actor]>('resume');
/** From the IT Glue sweep: the offboarded user is no longer listed by IT Glue. */
export const userGone = defineSignal<[{ userId: string }]>('userGone');
/** From the IT Glue sweep or an immediate check: the invitee's IT Glue user as it is now. */
export const userObserved = defineSignal<[ItGlueUser]>('userObserved');
/**
 * From the onboarding's scope watch (workflows/scope-watch.ts): an alert it raised, to be kept
 * with the onboarding's events. `watchRunId` is the watch's first run ID, so that only the
 * onboarding's own watch is heard.
 */
export const scopeAlert = defineSignal<[{ watchRunId: string; event: OnboardingEvent }]>('scopeAlert');

export const status = defineQuery<OnboardingStatus>('status');

export const ONBOARDING_STAGE = defineSearchAttributeKey('OnboardingStage', SearchAttributeType.KEYWORD);
export const ONBOARDING_ORG_ID = defineSearchAttributeKey('OnboardingOrgId', SearchAttributeType.KEYWORD);
export const ONBOARDING_REQUESTED_BY = defineSearchAttributeKey('OnboardingRequestedBy', SearchAttributeType.KEYWORD);
export const ONBOARDING_KIND = defineSearchAttributeKey('OnboardingKind', SearchAttributeType.KEYWORD);
export const ONBOARDING_DEADLINE = defineSearchAttributeKey('OnboardingDeadline', SearchAttributeType.DATETIME);

export const SEARCH_ATTRIBUTES = [ONBOARDING_STAGE, ONBOARDING_ORG_ID, ONBOARDING_REQUESTED_BY, ONBOARDING_KIND, ONBOARDING_DEADLINE] as const;

/** Each person action's Update, by the action's name (the names its signal had). */
export const PERSON_ACTION_UPDATES = {
  invitationSent: confirmInvitationSent,
  invitationResent: confirmInvitationResent,
  fixed: confirmFixed,
  settingsConfirmed: confirmSettings,
  twoFactorConfirmed: confirmTwoFactor,
  offlineApproval: recordOfflineApproval,
  changeApprover: askAnotherApprover,
  cancel: cancelOnboarding,
  resume: resumeOnboarding,
  approveRemoval,
  userDeleted: confirmUserDeleted,
} as const satisfies Record<PersonAction, { name: string }>;
