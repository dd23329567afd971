/**
 * What the views show of the onboardings: the items and the manager's dashboard that the queries
 * (`../overview`) build and the views (`./home`, `./status-list`, `./format`) render. Depends on
 * neither, so that queries and views both import it and nothing imports back.
 */
import { isFinal, STAGES, type Stage, type WaitingOn } from '../../../workflows/stages';
import type { Process } from '../../../workflows/types';

/** Stages an open onboarding can be in, in the order of the process. */
export const OPEN_STAGES: readonly Stage[] = STAGES.filter((s) => !isFinal(s));

export interface Item {
  workflowId: string;
  /** An offboarding's row (docs/design.md §15); absent: an onboarding's. */
  process?: Process;
  stage: Stage;
  orgId: string | null;
  orgName: string;
  invitee: string;
  requestedBy: string | null;
  startedAt: string;
  deadline: string | null;
  waitingOn: WaitingOn | null;
  subState: string | null;
  /** The deadline has passed, or the stage has been escalated / a reminder was needed. */
  overdue: boolean;
  link: string | null;
  /** The onboarding's page in the Temporal UI (TEMPORAL_UI_URL), when one is configured. */
  details?: string | null;
  reason: string | null;
}

export interface Completed {
  workflowId: string;
  /** An offboarding's row (docs/design.md §15); absent: an onboarding's. */
  process?: Process;
  /** A completed onboarding whose IT Glue user is known: its access can be removed from here. */
  removable?: boolean;
  orgName: string;
  invitee: string;
  requestedBy: string;
  startedAt: string;
  completedAt: string;
  link: string | null;
}

export interface StageMedian {
  stage: Stage;
  medianMs: number;
  samples: number;
}

/** An open access review (docs/design.md §15.2) as the managers' views list it, from its overview memo. */
export interface ReviewItem {
  workflowId: string;
  stage: Stage;
  orgName: string;
  /** The contact who answers; null until the users are gathered. */
  answerer: string | null;
  startedAt: string;
  deadline: string | null;
  /** The deadline has passed, or the contact was reminded or escalated past. */
  overdue: boolean;
  link: string | null;
}

/** A review closed in the recent window: what became of its users. */
export interface ReviewOutcome {
  workflowId: string;
  stage: Stage;
  orgName: string;
  closedAt: string;
  /** Null when the review ended without an answer (unanswered, cancelled, rejected). */
  kept: number | null;
  removed: number | null;
  /** Nobody answered in time (APPROVAL_EXPIRED, or every user removed by the policy). */
  unanswered: boolean;
  link: string | null;
}

/** The managers' view of the access reviews: the open ones, overdue first, and the recent outcomes. */
export interface ReviewsOverview {
  open: ReviewItem[];
  /** Every open review (a count query); `open` may show fewer. */
  total: number;
  recent: ReviewOutcome[];
  recentDays: number;
}

export interface Dashboard {
  counts: Array<{ stage: Stage; count: number }>;
  open: Item[];
  stalled: Item[];
  overdue: Item[];
  recent: Completed[];
  medians: StageMedian[];
  /** The window the completions and medians are taken from. */
  recentDays: number;
  /** The access reviews (absent: not read). */
  reviews?: ReviewsOverview;
}
