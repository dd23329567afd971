/**
 * Where an approval link stands, read from the onboarding's status (the `status` query) the way
 * the workflow's `decide` validator judges a decision: decided, expired, no longer waiting,
 * replaced by a newer round, or open.
 */
import { DECISION_REFUSED } from '../../workflows/messages';
import type { Evidence, OnboardingStatus } from '../../workflows/types';
import type { ApprovalClaims } from './approval-token';

export type ApprovalState =
  | { kind: 'open'; status: OnboardingStatus }
  /** `byThisLink`: the decision came through this very link (round and approver). */
  | { kind: 'decided'; evidence: Exclude<Evidence, { via: 'not-needed' }>; byThisLink: boolean }
  | { kind: 'expired'; at: number }
  | { kind: 'superseded' }
  | { kind: 'not-waiting' };

/**
 * `status` null: the onboarding does not exist (any more). The status is the newest run's of the
 * link's workflow ID: a later onboarding of the same contact, a later access review of the same
 * organization (each a new run of `access-review:<orgId>`) replace the links of the earlier ones.
 */
export function approvalState(status: OnboardingStatus | null, claims: ApprovalClaims, now: number): ApprovalState {
  if (!status) return { kind: 'not-waiting' };
  if (ofAnotherRequest(status, claims)) return now >= claims.expiresAt ? { kind: 'expired', at: claims.expiresAt } : { kind: 'superseded' };
  const evidence = status.evidence;
  if (evidence && evidence.via !== 'not-needed') {
    const byThisLink = evidence.via === 'link' && evidence.round === claims.round && evidence.approver.contactId === claims.approverContactId;
    return { kind: 'decided', evidence, byThisLink };
  }
  if (now >= claims.expiresAt || status.stage === 'APPROVAL_EXPIRED') return { kind: 'expired', at: claims.expiresAt };
  if (status.stage !== 'AWAITING_APPROVAL') return { kind: 'not-waiting' };
  if (claims.round !== status.approvalRound || claims.approverContactId !== status.approver?.contactId) return { kind: 'superseded' };
  return { kind: 'open', status };
}

/**
 * Whether the link belongs to another approval request than the status's: its expiry differs from
 * the current request's, or the run has not asked for one yet (a newer run still validating).
 */
function ofAnotherRequest(status: OnboardingStatus, claims: ApprovalClaims): boolean {
  if (status.approvalExpiresAt) return Date.parse(status.approvalExpiresAt) !== claims.expiresAt;
  return status.stage === 'VALIDATING' || (status.stage === 'STALLED' && status.stalledFrom === 'VALIDATING');
}

/** The state a refusal of the `decide` update stands for, by its failure type; null for an invalid decision. */
export function refusedState(type: string | undefined, claims: ApprovalClaims): ApprovalState | null {
  switch (type) {
    case DECISION_REFUSED.superseded:
      return { kind: 'superseded' };
    case DECISION_REFUSED.expired:
      return { kind: 'expired', at: claims.expiresAt };
    case DECISION_REFUSED.invalid:
      return null;
    default:
      return { kind: 'not-waiting' };
  }
}

/** HTTP status of a state's page. */
export function statusCodeOf(state: ApprovalState): number {
  switch (state.kind) {
    case 'open':
      return 200;
    case 'decided':
      return 409;
    case 'expired':
    case 'superseded':
    case 'not-waiting':
      return 410;
  }
}
