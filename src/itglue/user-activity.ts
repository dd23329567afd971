/**
 * What a user does in IT Glue, for the scope watch (workflows/scope-watch.ts): IT Glue's daily
 * activity figures, `GET /user_metrics` (type `user-metrics`; attributes `user-id`,
 * `organization-id`, `resource-type`, `date`, `created`, `viewed`, `edited`, `deleted`), for one
 * user and at most a week of days, in ONE request: 1000 rows a page, earliest day first, which a
 * user who reaches a handful of organizations never fills.
 *
 * The figures name organizations by id only. Reading the names from IT Glue would cost more
 * requests, so the names of other organizations come from invite-lite's own onboardings of them
 * (the organization name in their memo, found by the OnboardingOrgId search attribute); an
 * organization with none is named by its IT Glue id.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { UserActivity, UserActivityInput, UserActivityRow } from '../../activities/contracts';
import { ONBOARDING_ORG_ID } from '../../workflows/messages';
import { OVERVIEW_MEMO } from '../../workflows/memo';
import { visibilityQuery } from '../temporal/visibility-query';
import { filterValue, PAGE_SIZE, type ItGlueClient } from './client';
import { ItGlueError } from './errors';
import { listDocumentSchema } from './schemas';

const DAY = 86_400_000;
/** The most days read at once: IT Glue may refuse date ranges longer than a week. */
export const MAX_ACTIVITY_DAYS = 7;
/** Onboardings read at most when looking for organization names. */
const MAX_ONBOARDINGS_FOR_NAMES = 200;

const id = z.union([z.string(), z.number()]).transform(String);
const count = z
  .number()
  .int()
  .nonnegative()
  .nullish()
  .transform((v) => v ?? 0);

const userMetricResource = z
  .object({
    id,
    type: z.string(),
    attributes: z.looseObject({
      'organization-id': id,
      'resource-type': z
        .string()
        .nullish()
        .transform((v) => v ?? ''),
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'expected a date (YYYY-MM-DD)'),
      created: count,
      viewed: count,
      edited: count,
      deleted: count,
    }),
  })
  .transform(
    ({ attributes: a }): UserActivityRow => ({
      organizationId: a['organization-id'],
      resourceType: a['resource-type'],
      date: a.date.slice(0, 10),
      created: a.created,
      viewed: a.viewed,
      edited: a.edited,
      deleted: a.deleted,
    }),
  );

const DAY_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

/** Days from `from` to `to`, both included; NaN when either is not a day. */
function daysIn(from: string, to: string): number {
  if (!DAY_FORMAT.test(from) || !DAY_FORMAT.test(to)) return NaN;
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY + 1;
}

export async function readUserActivity(client: ItGlueClient, temporal: Client, input: UserActivityInput): Promise<UserActivity> {
  const { userId, from, to } = input;
  const days = daysIn(from, to);
  if (!(days >= 1 && days <= MAX_ACTIVITY_DAYS)) {
    throw new ItGlueError('invalid', `The activity of IT Glue user ${userId} is read for 1 to ${MAX_ACTIVITY_DAYS} days (asked: ${from} to ${to})`, null);
  }
  const path = '/user_metrics';
  const body = await client.request('GET', path, {
    'filter[user_id]': filterValue(userId),
    'filter[date]': `${from},${to}`,
    sort: 'date',
    'page[size]': PAGE_SIZE,
  });
  const doc = listDocumentSchema.safeParse(body);
  if (!doc.success) throw unreadable(path, 'the body', doc.error);
  const rows = doc.data.data.map((item, i) => {
    const row = userMetricResource.safeParse(item);
    if (!row.success) throw unreadable(path, `data.${i}`, row.error);
    return row.data;
  });
  rows.sort((a, b) => a.date.localeCompare(b.date));
  const expected = new Set(input.expected ?? []);
  const others = [...new Set(rows.map((r) => r.organizationId).filter((org) => !expected.has(org)))];
  return { rows, complete: !doc.data.links?.next, organizationNames: await knownNames(temporal, others) };
}

function unreadable(path: string, where: string, error: z.ZodError): ItGlueError {
  const issue = error.issues[0];
  const at = [where, ...(issue?.path ?? []).map(String)].join('.');
  return new ItGlueError('invalid-response', `IT Glue's answer to GET ${path} was not understood: ${at}: ${issue?.message}`, null);
}

/**
 * Names of organizations as invite-lite's own onboardings of them show them (no IT Glue request).
 * Best effort: what cannot be found is left out, and the caller names it by id.
 */
async function knownNames(temporal: Client, orgIds: string[]): Promise<Record<string, string>> {
  const wanted = orgIds.filter((org) => /^\d+$/.test(org));
  const names: Record<string, string> = {};
  if (wanted.length === 0) return names;
  const query = visibilityQuery().where('WorkflowType', '=', 'onboarding').whereIn(ONBOARDING_ORG_ID, wanted).toString();
  try {
    let read = 0;
    for await (const execution of temporal.workflow.list({ query, pageSize: 100 })) {
      const orgId = execution.typedSearchAttributes.get(ONBOARDING_ORG_ID);
      const overview = execution.memo?.[OVERVIEW_MEMO] as { orgName?: unknown } | undefined;
      if (orgId && !names[orgId] && typeof overview?.orgName === 'string' && overview.orgName) names[orgId] = overview.orgName;
      read += 1;
      if (read >= MAX_ONBOARDINGS_FOR_NAMES || wanted.every((org) => names[org])) break;
    }
  } catch {
    // Visibility unavailable: the organizations are named by id.
  }
  return names;
}
