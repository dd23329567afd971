/**
 * An offboarding approved by the primary contact through the emailed link, for the approval tests:
 * the real `offboarding` workflow on the harness's Temporal server and worker (test/support/approval-harness.ts),
 * its approval request received over SMTP.
 */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { messageIdFor, type MailStep } from '../../src/mail/message-id';
import type { offboarding } from '../../workflows';
import type { Policy } from '../../workflows/policy';
import { offboardingIdFor, type OffboardingRequest } from '../../workflows/types';
import type { ReceivedMail } from '../fakes/smtp';
import { linksIn } from '../fakes/smtp';
import type { ApprovalHarness } from './approval-harness';
import { BRANDING } from './approval-harness';
import { INVITEE, userFor } from './fake-activities';
import { testPolicy, waitForStatus } from './temporal';

export type OffboardingHandle = WorkflowHandleWithFirstExecutionRunId<typeof offboarding>;

/** The IT Glue user of the invitee, which the fake IT Glue knows while the test wants it there. */
export const LEAVER_USER = userFor(INVITEE, { invitationAcceptedAt: new Date().toISOString() });

/** A policy whose offboardings the primary contact approves through the link. */
export const removalPolicy = (): Policy => testPolicy({ branding: BRANDING, offboarding: { approval: 'primary-contact' } });

let counter = 0;
const started: OffboardingHandle[] = [];

/** Puts the leaver's user (in `groups`) into the fake IT Glue, so that an offboarding finds it. */
export function addLeaver(h: ApprovalHarness, groups: string[] = ['Customer - No Password Access']): void {
  h.world.users.set(LEAVER_USER.email, LEAVER_USER);
  h.world.groupsOf.set(LEAVER_USER.id, [...groups]);
}

/** Starts an offboarding of the leaver in a fresh organization ID. */
export async function startOffboarding(h: ApprovalHarness, overrides: Partial<OffboardingRequest> = {}, policy = removalPolicy()): Promise<OffboardingHandle> {
  counter += 1;
  const request: OffboardingRequest = {
    orgId: `${Date.now()}${counter}`,
    contactId: INVITEE.contactId,
    userId: LEAVER_USER.id,
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: 'UTECH1',
    ...overrides,
  };
  const handle = await h.temporal.client.workflow.start<typeof offboarding>('offboarding', {
    taskQueue: h.temporal.taskQueue,
    workflowId: offboardingIdFor(request.orgId, request.userId),
    args: [{ request, policy }],
  });
  started.push(handle);
  return handle;
}

/** Ends the offboardings this file started that still run (before the harness closes). */
export async function endOffboardings(): Promise<void> {
  await Promise.all(started.splice(0).map((handle) => handle.terminate('test over').catch(() => undefined)));
}

/** The mail with this step and round of this offboarding, as received. */
export function mailOf(h: ApprovalHarness, handle: OffboardingHandle, step: MailStep, round: number): Promise<ReceivedMail> {
  const messageId = messageIdFor({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, step, round, 'acme-it.example');
  return h.smtp.waitFor((m) => m.parsed.messageId === messageId);
}

/** Starts an offboarding and waits for its approval request (round 1); returns it with its link. */
export async function startOffboardingAndReceive(
  h: ApprovalHarness,
  overrides: Partial<OffboardingRequest> = {},
): Promise<{ handle: OffboardingHandle; mail: ReceivedMail; link: string }> {
  const handle = await startOffboarding(h, overrides);
  const mail = await mailOf(h, handle, 'approval-request', 1);
  await waitForStatus(handle, (s) => s.stage === 'AWAITING_APPROVAL' && s.waitingOn === 'approver' && s.events.some((e) => e.type === 'approval-requested'));
  const links = linksIn(mail);
  if (links.length !== 1) throw new Error(`expected one link in the approval request, got ${links.join(', ')}`);
  return { handle, mail, link: links[0]! };
}
