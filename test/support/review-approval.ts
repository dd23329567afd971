/**
 * An access review answered by the primary contact through the emailed link, for the page tests: the
 * real `accessReview` workflow on the harness's Temporal server and worker
 * (test/support/approval-harness.ts), started as a manager would (`startReview`), its request
 * received over SMTP.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { messageIdFor, type MailStep } from '../../src/mail/message-id';
import { startReview } from '../../src/onboardings';
import type { ReviewedUser } from '../../workflows/review/record';
import type { ReceivedMail } from '../fakes/smtp';
import { linksIn } from '../fakes/smtp';
import type { ApprovalHarness } from './approval-harness';
import { BRANDING } from './approval-harness';
import { INVITEE, OTHER, PRIMARY, userFor } from './fake-activities';
import { testPolicy, waitForStatus } from './temporal';

/** Ines, onboarded and approved by Paula, who sees passwords; the name is markup. */
export const KEPT: ReviewedUser = {
  userId: userFor(INVITEE).id,
  contactId: INVITEE.contactId,
  name: 'Ines <b>Invitee</b>',
  email: INVITEE.email.toLowerCase(),
  roleName: 'Lite',
  myGlue: false,
  passwordAccess: true,
  invitedAt: '2026-01-05T10:00:00.000Z',
  approvedBy: PRIMARY.name,
  approvedAt: '2026-01-04T09:00:00.000Z',
  onboardingId: `onboarding:100:${INVITEE.contactId}`,
  lastSignInAt: '2026-11-30T08:00:00.000Z',
  dormant: false,
};

/** Otto, a MyGlue user matched by email (not onboarded by invite-lite), who never signed in. */
export const REMOVED: ReviewedUser = {
  userId: userFor(OTHER).id,
  contactId: OTHER.contactId,
  name: OTHER.name,
  email: OTHER.email,
  roleName: 'Creator',
  myGlue: true,
  passwordAccess: null,
  invitedAt: null,
  approvedBy: null,
  approvedAt: null,
  onboardingId: null,
  lastSignInAt: null,
  dormant: true,
};

/** The review's users in the fake IT Glue; Otto's IT Glue user too, so that his offboarding finds it. */
export function addReviewedUsers(h: ApprovalHarness): void {
  h.world.reviewed = [KEPT, REMOVED];
  h.world.users.set(OTHER.email, userFor(OTHER, { myGlue: true, roleName: 'Creator' }));
}

export interface StartedReview {
  handle: WorkflowHandle;
  orgId: string;
  /** The run's ID (each review of an organization is a new run of `access-review:<orgId>`). */
  runId: string;
  mail: ReceivedMail;
  link: string;
}

let counter = 0;
const started: WorkflowHandle[] = [];

/** A fresh organization ID. */
export const newOrgId = () => `${Date.now()}${++counter}`;

/** Starts a review of the organization and waits for its request (round 1); returns it with its link. */
export async function startReviewAndReceive(h: ApprovalHarness, orgId = newOrgId()): Promise<StartedReview> {
  const policy = testPolicy({ branding: BRANDING });
  const { workflowId, created } = await startReview(h.temporal.client, h.temporal.taskQueue, { orgId, requestedBy: 'U0MANAGER1' }, policy);
  if (!created) throw new Error(`a review of ${orgId} is open already`);
  const handle = h.temporal.client.workflow.getHandle(workflowId);
  started.push(handle);
  await waitForStatus(handle, (s) => s.stage === 'AWAITING_APPROVAL' && s.events.some((e) => e.type === 'approval-requested'));
  const { runId } = await handle.describe();
  const mail = await reviewMailOf(h, workflowId, runId, 'approval-request', 1);
  const links = linksIn(mail);
  if (links.length !== 1) throw new Error(`expected one link in the review request, got ${links.join(', ')}`);
  return { handle, orgId, runId, mail, link: links[0]! };
}

/** The mail with this step and round of this review run, as received. */
export function reviewMailOf(h: ApprovalHarness, workflowId: string, runId: string, step: MailStep, round: number): Promise<ReceivedMail> {
  const messageId = messageIdFor({ workflowId, runId }, step, round, 'acme-it.example');
  return h.smtp.waitFor((m) => m.parsed.messageId === messageId);
}

/** Keeps a workflow the test started (an offboarding of a removed user) to end with the others. */
export function track(handle: WorkflowHandle): WorkflowHandle {
  started.push(handle);
  return handle;
}

/** Ends the reviews and offboardings the tests started that still run (before the harness closes). */
export async function endReviews(): Promise<void> {
  await Promise.all(started.splice(0).map((handle) => handle.terminate('test over').catch(() => undefined)));
}
