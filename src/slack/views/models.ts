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

export interface Dashboard {
  counts: Array<{ stage: Stage; count: number }>;
  open: Item[];
  stalled: Item[];
  overdue: Item[];
  recent: Completed[];
  medians: StageMedian[];
  /** The window the completions and medians are taken from. */
  recentDays: number;
}
