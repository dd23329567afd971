/**
 * The client side of onboardings and offboardings: start one, read its status, list them, record
 * the approver's decision (the messages people send are in src/onboarding-messages.ts). Used by the
 * operator CLI, the Slack listeners and the approval pages.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { decide, ONBOARDING_DEADLINE, ONBOARDING_KIND, ONBOARDING_ORG_ID, ONBOARDING_REQUESTED_BY, ONBOARDING_STAGE, status } from '../workflows/messages';
import type { Policy } from '../workflows/policy';
import { scopeWatchStatus } from '../workflows/scope-watch';
import { isFinal, isStage, STAGES, type Stage } from '../workflows/stages';
import {
  offboardingIdFor,
  reviewIdFor,
  workflowIdFor,
  type OffboardingRequest,
  type Process,
  type DecisionInput,
  type DecisionResult,
  type OnboardingRequest,
  type OnboardingStatus,
} from '../workflows/types';
import { OVERVIEW_MEMO, type OnboardingOverview } from '../workflows/memo';
import { plainValue, UnsafeQueryValueError, visibilityQuery } from './temporal/visibility-query';

export const WORKFLOW_TYPE = 'onboarding';
export const OFFBOARDING_WORKFLOW_TYPE = 'offboarding';
export const REVIEW_WORKFLOW_TYPE = 'accessReview';
/** The workflow type of each process. */
export const WORKFLOW_TYPES: Record<Process, string> = { onboarding: WORKFLOW_TYPE, offboarding: OFFBOARDING_WORKFLOW_TYPE, review: REVIEW_WORKFLOW_TYPE };

/** Input that cannot be sent to an onboarding; the message says what is expected. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** An ID as IT Glue and Temporal give them. */
export const id = z.string().regex(/^\S+$/, 'expected an ID without spaces');
/** Whoever acts: a Slack user ID, or `cli` for the operator command line. */
export const actorId = z.string().regex(/^(?:[UW][A-Z0-9]{2,}|cli)$/, 'expected a Slack user ID such as U0123ABCD (or cli)');

const requestSchema = z
  .object({
    orgId: id,
    contactId: id,
    kind: z.enum(['itglue', 'myglue'], { error: 'expected itglue or myglue' }),
    myGlueRole: z.enum(['Lite', 'Creator', 'Editor'], { error: 'expected Lite, Creator or Editor' }).optional(),
    myGlueGroupIds: z.array(id).optional(),
    passwordAccess: z.boolean(),
    approverContactId: id.optional(),
    ticket: z.string().optional(),
    note: z.string().optional(),
    requestedBy: actorId,
    batchId: id.optional(),
  })
  .superRefine((request, ctx) => {
    if (request.kind === 'itglue' && (request.myGlueRole || request.myGlueGroupIds?.length)) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'a MyGlue role or groups need kind myglue' });
    }
    if (request.kind === 'myglue' && !request.myGlueGroupIds?.length) {
      ctx.addIssue({ code: 'custom', path: ['myGlueGroupIds'], message: 'a MyGlue user must be in at least one MyGlue group' });
    }
  });

/** The first problem of a failed parse, with where it is. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** Checks a request before it reaches the workflow; throws InvalidInputError. */
export function validateRequest(request: OnboardingRequest): OnboardingRequest {
  const result = requestSchema.safeParse(request);
  if (!result.success) throw new InvalidInputError(firstIssue(result.error));
  return result.data;
}

const offboardingSchema = z.object({
  orgId: id,
  contactId: id,
  userId: id,
  kind: z.enum(['itglue', 'myglue'], { error: 'expected itglue or myglue' }),
  passwordAccess: z.boolean(),
  reason: z.string().optional(),
  ticket: z.string().optional(),
  requestedBy: actorId,
});

/** Checks an offboarding's request before it reaches the workflow; throws InvalidInputError. */
export function validateOffboardingRequest(request: OffboardingRequest): OffboardingRequest {
  const { approval, ...rest } = request;
  const result = offboardingSchema.safeParse(rest);
  if (!result.success) throw new InvalidInputError(firstIssue(result.error));
  return approval ? { ...result.data, approval } : result.data;
}

export interface Started {
  workflowId: string;
  /** False: an onboarding for this organization and contact was already open; this is it. */
  created: boolean;
}

/**
 * Starts the process's workflow for the request, or finds the one open under the same ID: the ID
 * (organization and contact, user, or organization) makes a request sent twice start one.
 */
async function startOrFind(client: Client, taskQueue: string, process: Process, workflowId: string, request: OnboardingRequest, policy: Policy): Promise<Started> {
  try {
    await client.workflow.start(WORKFLOW_TYPES[process], {
      workflowId,
      taskQueue,
      args: [{ request, policy }],
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: [
        { key: ONBOARDING_STAGE, value: 'VALIDATING' },
        { key: ONBOARDING_ORG_ID, value: request.orgId },
        { key: ONBOARDING_REQUESTED_BY, value: request.requestedBy },
        { key: ONBOARDING_KIND, value: request.kind },
      ],
    });
    return { workflowId, created: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, created: false };
    throw error;
  }
}

export async function startOnboarding(client: Client, taskQueue: string, request: OnboardingRequest, policy: Policy): Promise<Started> {
  const valid = validateRequest(request);
  return startOrFind(client, taskQueue, 'onboarding', workflowIdFor(valid.orgId, valid.contactId), valid, policy);
}

/**
 * Starts the offboarding of the organization's IT Glue user (docs/design.md §15), or finds the one
 * already open for them.
 */
export async function startOffboarding(client: Client, taskQueue: string, request: OffboardingRequest, policy: Policy): Promise<Started> {
  const valid = validateOffboardingRequest(request);
  return startOrFind(client, taskQueue, 'offboarding', offboardingIdFor(valid.orgId, valid.userId), valid, policy);
}

const reviewSchema = z.object({
  orgId: id,
  requestedBy: z.string().regex(/^(?:[UW][A-Z0-9]{2,}|cli|schedule)$/, 'expected a Slack user ID such as U0123ABCD, cli or schedule'),
  approverContactId: id.optional(),
});

/**
 * Starts an access review of the organization (docs/design.md §15.2), or finds the one open for it.
 * `requestedBy` is the manager (Slack user ID), `cli`, or `schedule` for the periodic reviews.
 */
export async function startReview(
  client: Client,
  taskQueue: string,
  review: { orgId: string; requestedBy: string; approverContactId?: string },
  policy: Policy,
): Promise<Started> {
  const parsed = reviewSchema.safeParse(review);
  if (!parsed.success) throw new InvalidInputError(firstIssue(parsed.error));
  const { orgId, requestedBy, approverContactId } = parsed.data;
  const request: OnboardingRequest = { orgId, contactId: '', kind: 'itglue', passwordAccess: false, requestedBy, ...(approverContactId ? { approverContactId } : {}) };
  return startOrFind(client, taskQueue, 'review', reviewIdFor(orgId), request, policy);
}

/**
 * The onboarding's status. Alerts of its scope watch (workflows/scope-watch.ts) raised after the
 * onboarding ended are merged into its events; while it runs, the watch hands each one to it.
 */
export async function getStatus(client: Client, workflowId: string): Promise<OnboardingStatus> {
  const s = await client.workflow.getHandle(workflowId).query(status);
  const watched = s.scopeWatch;
  if (!watched?.firstRunId || !isFinal(s.stage)) return s;
  let watch;
  try {
    watch = await client.workflow.getHandle(watched.workflowId).query(scopeWatchStatus);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return s;
    throw error;
  }
  // The same workflow ID may belong to a later onboarding's watch.
  if (watch.firstRunId !== watched.firstRunId) return s;
  const known = new Set(s.events.map((e) => `${e.at}|${e.type}|${e.text}`));
  const later = watch.events.filter((e) => e.type === 'scope-alert' && !known.has(`${e.at}|${e.type}|${e.text}`));
  if (later.length === 0) return s;
  return { ...s, events: [...s.events, ...later].sort((a, b) => a.at.localeCompare(b.at)) };
}

export interface OnboardingSummary {
  workflowId: string;
  stage: Stage | null;
  orgId: string | null;
  kind: string | null;
  requestedBy: string | null;
  /** The next deadline (ISO time), or null. */
  deadline: string | null;
  startedAt: string;
  /** Temporal's execution status: RUNNING, COMPLETED, … */
  executionStatus: string;
  /** This run's ID: a workflow ID may have run several times (a new review each quarter, a contact onboarded again). */
  runId: string;
}

export interface OnboardingFilter {
  stage?: string;
  orgId?: string;
  requestedBy?: string;
  /** Only onboardings whose workflow is still running (STALLED included). */
  open?: boolean;
  /** Only onboardings, or only offboardings; both when absent. */
  process?: Process;
}

/** A filter value given by a person, refused unless plain (see plainValue). */
function plain(field: string, value: string): string {
  try {
    return plainValue(value);
  } catch (error) {
    if (error instanceof UnsafeQueryValueError) throw new InvalidInputError(`${field}: ${error.message}`);
    throw error;
  }
}

/**
 * A visibility query for onboardings and offboardings (runs that continued as new are left out:
 * their successor is listed).
 */
export function onboardingQuery(filter: OnboardingFilter = {}): string {
  const query = visibilityQuery();
  if (filter.process) query.where('WorkflowType', '=', WORKFLOW_TYPES[filter.process]);
  else query.whereIn('WorkflowType', Object.values(WORKFLOW_TYPES));
  query.where('ExecutionStatus', '!=', 'ContinuedAsNew');
  if (filter.stage !== undefined) {
    if (!isStage(filter.stage)) throw new InvalidInputError(`stage: expected one of ${STAGES.join(', ')}, got ${JSON.stringify(filter.stage)}`);
    query.where(ONBOARDING_STAGE, '=', filter.stage);
  }
  if (filter.orgId !== undefined) query.where(ONBOARDING_ORG_ID, '=', plain('orgId', filter.orgId));
  if (filter.requestedBy !== undefined) query.where(ONBOARDING_REQUESTED_BY, '=', plain('requestedBy', filter.requestedBy));
  if (filter.open) query.where('ExecutionStatus', '=', 'Running');
  return query.toString();
}

/** An onboarding as a visibility list shows it, with what it published for the overviews. */
export interface OnboardingListed extends OnboardingSummary {
  /** Its memo's OnboardingOverview; null when it published none (it predates them, or has not waited yet). */
  overview: OnboardingOverview | null;
}

function overviewIn(memo: Record<string, unknown> | undefined): OnboardingOverview | null {
  const overview = memo?.[OVERVIEW_MEMO] as Partial<OnboardingOverview> | undefined;
  return overview && typeof overview === 'object' && typeof overview.stage === 'string' && isStage(overview.stage) && typeof overview.startedAt === 'string'
    ? (overview as OnboardingOverview)
    : null;
}

/**
 * Onboardings matching a visibility query with their overviews, newest first, at most `limit`
 * (only as many are read from the server). Eventually consistent.
 */
export async function listOnboardingOverviews(client: Client, query: string, limit = Infinity): Promise<OnboardingListed[]> {
  const found: OnboardingListed[] = [];
  if (limit <= 0) return found;
  const pageSize = Number.isFinite(limit) ? Math.min(limit, 1_000) : undefined;
  for await (const execution of client.workflow.list({ query, pageSize })) {
    const attributes = execution.typedSearchAttributes;
    const stage = attributes.get(ONBOARDING_STAGE);
    const deadline = attributes.get(ONBOARDING_DEADLINE);
    found.push({
      workflowId: execution.workflowId,
      stage: stage && isStage(stage) ? stage : null,
      orgId: attributes.get(ONBOARDING_ORG_ID) ?? null,
      kind: attributes.get(ONBOARDING_KIND) ?? null,
      requestedBy: attributes.get(ONBOARDING_REQUESTED_BY) ?? null,
      deadline: deadline ? deadline.toISOString() : null,
      startedAt: execution.startTime.toISOString(),
      executionStatus: execution.status.name,
      runId: execution.runId,
      overview: overviewIn(execution.memo),
    });
    if (found.length >= limit) break;
  }
  return found;
}

/** Onboardings matching a visibility query, newest first; see onboardingQuery. Eventually consistent. */
export async function listOnboardings(client: Client, query: string = onboardingQuery(), limit = Infinity): Promise<OnboardingSummary[]> {
  return (await listOnboardingOverviews(client, query, limit)).map(({ overview: _, ...summary }) => summary);
}

/** The approver's decision (the `decide` update); the workflow refuses a second or stale decision. */
export function decideApproval(client: Client, workflowId: string, input: DecisionInput): Promise<DecisionResult> {
  return client.workflow.getHandle(workflowId).executeUpdate(decide, { args: [input] });
}
