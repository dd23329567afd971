/**
 * Gauges of the open onboardings (docs/operations.md, Metrics), counted at scrape time with
 * Temporal visibility count queries, the ones App Home counts with (src/slack/overview.ts): by
 * stage, past their deadline, stalled. The counts are kept for `cacheMs` (default 15 s), and
 * scrapes that come while they are read share the reading, so that scraping cannot load Temporal.
 */
import type { Client } from '@temporalio/client';
import { Gauge, Registry } from 'prom-client';
import { onboardingQuery } from '../onboardings';
import { openQuery, ours, pastDeadline } from '../slack/overview';
import { visibilityQuery } from '../temporal/visibility-query';
import { ONBOARDING_STAGE } from '../../workflows/messages';
import { OPEN_STAGES_OF, type Stage } from '../../workflows/stages';
import { METRIC_PREFIX } from './counters';

export interface OnboardingCounts {
  byStage: Array<{ stage: Stage; count: number }>;
  /** Open, not stalled, and past their deadline. */
  overdue: number;
}

/** The stages an open onboarding can be in, as the gauges label them. */
const ONBOARDING_OPEN_STAGES: readonly Stage[] = OPEN_STAGES_OF.onboarding;

/**
 * Counts this deployment's open onboardings (those on its task queue) at `now`. Offboardings are
 * not counted: the gauges keep meaning onboardings.
 */
export async function countOpenOnboardings(client: Client, taskQueue: string, now: number): Promise<OnboardingCounts> {
  const deps = { taskQueue };
  const count = async (query: string) => (await client.workflow.count(query)).count;
  const notStalled = visibilityQuery(openQuery(deps, { process: 'onboarding' }))
    .where(ONBOARDING_STAGE, '!=', 'STALLED')
    .toString();
  const [byStage, overdue] = await Promise.all([
    Promise.all(ONBOARDING_OPEN_STAGES.map(async (stage) => ({ stage, count: await count(ours(deps, onboardingQuery({ open: true, stage, process: 'onboarding' }))) }))),
    count(pastDeadline(notStalled, now)),
  ]);
  return { byStage, overdue };
}

export interface OnboardingGaugeOptions {
  client: Client;
  taskQueue: string;
  cacheMs?: number;
  now?: () => number;
}

/** A registry whose gauges read the counts when scraped; a failed reading leaves them out and sets `…_up` to 0. */
export function onboardingGauges(options: OnboardingGaugeOptions): Registry {
  const cacheMs = options.cacheMs ?? 15_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; counts: Promise<OnboardingCounts | null> } | null = null;
  const counts = (): Promise<OnboardingCounts | null> => {
    const at = now();
    if (!cached || at - cached.at >= cacheMs) {
      cached = { at, counts: countOpenOnboardings(options.client, options.taskQueue, at).catch(() => null) };
    }
    return cached.counts;
  };

  const registry = new Registry();
  new Gauge({
    name: `${METRIC_PREFIX}onboardings_open`,
    help: 'Open onboardings by stage (STALLED included), from Temporal visibility',
    labelNames: ['stage'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { stage, count } of (await counts())?.byStage ?? []) this.set({ stage }, count);
    },
  });
  /** A gauge of one value read from the counts; left out when they could not be read. */
  const single = (name: string, help: string, value: (c: OnboardingCounts) => number | undefined) =>
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      registers: [registry],
      async collect() {
        this.reset();
        const c = await counts();
        const v = c ? value(c) : undefined;
        if (v !== undefined) this.set(v);
      },
    });
  single('onboardings_overdue', 'Open onboardings past their deadline (stalled ones are counted as stalled)', (c) => c.overdue);
  single('onboardings_stalled', 'Onboardings waiting for a manager (stage STALLED)', (c) => c.byStage.find((s) => s.stage === 'STALLED')?.count);
  new Gauge({
    name: `${METRIC_PREFIX}onboardings_visibility_up`,
    help: '1 when the onboarding gauges could be counted from Temporal at the last reading, else 0',
    registers: [registry],
    async collect() {
      this.set((await counts()) ? 1 : 0);
    },
  });
  return registry;
}
