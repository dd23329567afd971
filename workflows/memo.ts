/**
 * What an onboarding publishes for others to read without asking it: its memo (docs/design.md §13),
 * which the IT Glue sweep matches users with and the Slack overviews draw their lists from.
 */
import type { Stage, SubState, WaitingOn } from './stages';
import type { ItGlueUser, OnboardingStatus, ThreadRef } from './types';

/** What the onboarding knows of its IT Glue user, as one comparable string (kept in the memo). */
export function userFingerprint(user: ItGlueUser | null): string | null {
  if (!user) return null;
  return [user.id, user.roleName, user.myGlue, user.invitationSentAt, user.invitationAcceptedAt, user.currentSignInAt].join('|');
}

/** The onboarding's memo: what the IT Glue sweep needs to match users to onboardings. */
export interface OnboardingMemo {
  inviteeEmail: string;
  userFingerprint: string | null;
}

/** Events after which an onboarding is late for a person even before its deadline. */
const LATE_EVENTS = new Set(['escalated', 'tech-reminder', 'invite-expired']);

/**
 * Late whatever its deadline: the invitation expired, or the person waited on had to be reminded
 * or was escalated past in the current stage (a new approver starts the approval clock again).
 */
export function isLate(status: Pick<OnboardingStatus, 'stages' | 'events' | 'subState'>): boolean {
  if (status.subState === 'INVITE_EXPIRED') return true;
  const enteredAt = status.stages[status.stages.length - 1]?.enteredAt ?? '';
  const since = status.events.reduce((latest, e) => (e.type === 'approver-changed' && e.at > latest ? e.at : latest), enteredAt);
  return status.events.some((e) => e.at >= since && LATE_EVENTS.has(e.type));
}

/** The memo key under which an onboarding publishes its OnboardingOverview. */
export const OVERVIEW_MEMO = 'overview';

/**
 * What the Slack overviews (/onboarding-status, App Home) show of an open onboarding, published
 * in its memo before each wait so that they can be drawn from a visibility list alone. Memos are
 * not searchable (names may be in them; search attributes hold none).
 */
export interface OnboardingOverview {
  stage: Stage;
  orgName: string | null;
  inviteeName: string | null;
  /** When the onboarding started (its first run, across continue-as-new). */
  startedAt: string;
  waitingOn: WaitingOn;
  subState: SubState | null;
  deadline: string | null;
  /** See isLate. */
  late: boolean;
  reason: string | null;
  thread: ThreadRef | null;
}

export function overviewOf(s: OnboardingStatus): OnboardingOverview {
  return {
    stage: s.stage,
    orgName: s.org?.name ?? null,
    inviteeName: s.invitee?.name ?? null,
    startedAt: s.startedAt,
    waitingOn: s.waitingOn,
    subState: s.subState,
    deadline: s.deadline,
    late: isLate(s),
    reason: s.reason,
    thread: s.thread,
  };
}
