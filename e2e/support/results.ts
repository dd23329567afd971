/**
 * Figures of the end-to-end suite: each file adds its counts, and the suite prints them as one
 * table at the end (e2e/summary.ts). Files run one after another, each in its own process; the
 * counts go through a file in the directory the summary gives (E2E_RESULTS_DIR).
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Figures {
  /** Onboardings run through the service (started by a scripted tech). */
  onboardings: number;
  /** Offboardings run through the service. */
  offboardings: number;
  /** SIGKILLs of the service and restarts of the Temporal server. */
  crashes: number;
  /** Onboardings that did not finish as they should have (must be 0). */
  lost: number;
  /** Mails and Slack posts sent more than once. */
  duplicateSideEffects: number;
  /** Generated bad inputs sent to the service. */
  badInputs: number;
  /** HTTP 500 answers (must be 0). */
  serverErrors: number;
}

export const FIGURES: (keyof Figures)[] = ['onboardings', 'offboardings', 'crashes', 'lost', 'duplicateSideEffects', 'badInputs', 'serverErrors'];

/** Adds this file's counts (and a note) to the suite's summary. */
export function record(part: string, figures: Partial<Figures>, note = ''): void {
  const dir = process.env.E2E_RESULTS_DIR;
  if (!dir) return;
  appendFileSync(join(dir, 'figures.jsonl'), `${JSON.stringify({ part, figures, note })}\n`);
}
