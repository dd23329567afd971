/** IT Glue's variables (docs/design.md §12): its API, its key, and how fast the service may call it. */
import { z } from 'zod';
import { MAX_ACTIVITIES_PER_SECOND, MAX_REQUESTS_PER_ACTIVITY, QUEUE_BUDGET_PER_5_MINUTES, queueRequestsPer5Minutes } from '../itglue/budget';
import { text, tokenApiUrl, type Fail } from './env';

export interface ItglueConfig {
  apiUrl: string;
  /** Null: IT Glue is not configured. */
  apiKey: string | null;
  /** Server-side limit for the IT Glue task queue, shared by every worker (at most MAX_ACTIVITIES_PER_SECOND). */
  activitiesPerSecond: number;
  /** Requests per second from this process. */
  requestsPerSecond: number;
}

/** A rate for IT Glue, well within its 3000 requests per 5 minutes. */
const perSecond = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected a number from 0.1 to 10 (IT Glue allows 3000 requests per 5 minutes)')
  .transform(Number)
  .refine((n) => n >= 0.1 && n <= 10, 'expected a number from 0.1 to 10 (IT Glue allows 3000 requests per 5 minutes)');

/** ITGLUE_ACTIVITIES_PER_SECOND; its upper limit, from the request bound, is checked by checkItglueEnv. */
const activitiesPerSecond = z
  .string()
  .regex(/^\d+(\.\d+)?$/, `expected a number from 0.1 to ${MAX_ACTIVITIES_PER_SECOND}`)
  .transform(Number)
  .refine((n) => n >= 0.1, `expected a number from 0.1 to ${MAX_ACTIVITIES_PER_SECOND}`);

export const itglueEnv = {
  ITGLUE_API_KEY: text.regex(/^\S+$/, 'expected an IT Glue API key, without spaces').optional(),
  ITGLUE_API_URL: tokenApiUrl('https://api.itglue.com (or https://api.eu.itglue.com, https://api.au.itglue.com)').default('https://api.itglue.com'),
  ITGLUE_ACTIVITIES_PER_SECOND: activitiesPerSecond.default(0.5),
  ITGLUE_REQUESTS_PER_SECOND: perSecond.default(8),
};

type ItglueEnv = z.output<z.ZodObject<typeof itglueEnv>>;

export function checkItglueEnv(env: ItglueEnv, fail: Fail): void {
  const activities = env.ITGLUE_ACTIVITIES_PER_SECOND;
  if (activities > MAX_ACTIVITIES_PER_SECOND) {
    fail(
      'ITGLUE_ACTIVITIES_PER_SECOND',
      `expected at most ${MAX_ACTIVITIES_PER_SECOND}: at ${activities} a second, IT Glue activities could send ${Math.round(queueRequestsPer5Minutes(activities))} requests ` +
        `per 5 minutes (up to ${MAX_REQUESTS_PER_ACTIVITY} each), over ${QUEUE_BUDGET_PER_5_MINUTES} (80% of IT Glue's 3000)`,
    );
  }
}

export function itglueWarnings(env: ItglueEnv): string[] {
  if (env.ITGLUE_API_KEY) return [];
  return [
    'ITGLUE_API_KEY is unset: IT Glue is simulated (placeholder organizations and contacts, nothing is read from or done in IT Glue), for trying the service only; every onboarding says so',
  ];
}

export function itglueConfig(env: ItglueEnv): ItglueConfig {
  return {
    apiUrl: env.ITGLUE_API_URL.replace(/\/+$/, ''),
    apiKey: env.ITGLUE_API_KEY ?? null,
    activitiesPerSecond: env.ITGLUE_ACTIVITIES_PER_SECOND,
    requestsPerSecond: env.ITGLUE_REQUESTS_PER_SECOND,
  };
}
