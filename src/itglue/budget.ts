/**
 * How many IT Glue requests the IT Glue task queue can cause, from its server-side limit
 * (ITGLUE_ACTIVITIES_PER_SECOND, shared by every worker). test/itglue/rate-limit.test.ts measures
 * the numbers below against the fake IT Glue and fails when an activity makes more.
 *
 *   requests per 5 minutes ≤ 300 × ITGLUE_ACTIVITIES_PER_SECOND × K
 *                            + the sweep's pages (IT Glue users / 1000, once per `sweep.every`)
 *                            + the Slack modal's reads (at most ITGLUE_REQUESTS_PER_SECOND per process)
 *
 * Within the first term: the scope watch's checks, one request per watched user per `scopeWatch.every`.
 */

/** IT Glue's limit: requests per 5 minutes per account. */
export const ITGLUE_LIMIT_PER_5_MINUTES = 3000;

/** The share of that limit the IT Glue task queue may use: 80%, the rest for the sweep and the modal. */
export const QUEUE_BUDGET_PER_5_MINUTES = 2400;

/**
 * K: most requests one IT Glue activity sends (the sweep's paging aside): validateRequest of a
 * MyGlue request with one group, under the flexible-asset-tag rule, for an invitee whose email has
 * capitals. Each further MyGlue group adds one. The IT Glue client sends each request once; a
 * failed one fails the activity, and Temporal retries it through the queue (after IT Glue's
 * Retry-After), so the queue's limit counts every attempt and K needs no factor for retries.
 */
export const MAX_REQUESTS_PER_ACTIVITY = 8;

/** The most IT Glue activities start on the queue in 5 minutes at this limit, times `perActivity` requests. */
export function queueRequestsPer5Minutes(activitiesPerSecond: number, perActivity = MAX_REQUESTS_PER_ACTIVITY): number {
  return 300 * activitiesPerSecond * perActivity;
}

/** The highest ITGLUE_ACTIVITIES_PER_SECOND within the budget. */
export const MAX_ACTIVITIES_PER_SECOND = QUEUE_BUDGET_PER_5_MINUTES / queueRequestsPer5Minutes(1);

/**
 * The scope watch's cost (workflows/scope-watch.ts): requests per check of one watched user, made
 * once every `scopeWatch.every` (default a day) from the first sign-in until `scopeWatch.days` after
 * completion. Its checks are activities of the IT Glue task queue, inside the queue's bound above:
 * 500 watched users cost 500 requests a day.
 */
export const SCOPE_WATCH_REQUESTS_PER_CHECK = 1;
