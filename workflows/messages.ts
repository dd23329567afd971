/** The onboarding workflow's messages and search attributes, shared by workflow and clients. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
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

export const invitationSent = defineSignal<[Actor]>('invitationSent');
export const invitationResent = defineSignal<[Actor]>('invitationResent');
export const fixed = defineSignal<[Actor]>('fixed');
/** The tech checked in IT Glue the settings the API cannot read (the user's own organization access). */
export const settingsConfirmed = defineSignal<[Actor]>('settingsConfirmed');
export const twoFactorConfirmed = defineSignal<[Actor]>('twoFactorConfirmed');
export const offlineApproval = defineSignal<[Actor & { channel: OfflineChannel; note: string }]>('offlineApproval');
export const changeApprover = defineSignal<[Actor & { approverContactId: string }]>('changeApprover');
export const cancel = defineSignal<[Actor & { reason?: string }]>('cancel');
export const resume = defineSignal<[Actor]>('resume');
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

export const SEARCH_ATTRIBUTES = [
  ONBOARDING_STAGE,
  ONBOARDING_ORG_ID,
  ONBOARDING_REQUESTED_BY,
  ONBOARDING_KIND,
  ONBOARDING_DEADLINE,
] as const;

/**
 * How long an activity may go without a heartbeat before Temporal retries it elsewhere: mail
 * activities heartbeat while they run, IT Glue activities with each answer from IT Glue
 * (src/temporal/heartbeat.ts), so this is how soon work in flight when a worker died, or an IT
 * Glue request that gets no answer, is taken up again, rather than after its start-to-close timeout.
 */
export const ACTIVITY_HEARTBEAT_TIMEOUT = '20 seconds';
