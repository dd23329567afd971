/**
 * One approval request for several onboardings of one organization (docs/design.md §15.3). Each
 * onboarding stays its own workflow; those started together with the same approver wait in their
 * first approval round without mailing, and tell this workflow (`memberWaiting`). Once every member
 * has (or after GATHER_MS with those that did), it sends ONE mail with one link to the batch's page,
 * reminds while any member still waits, and ends when none waits or at the expiry. The page decides
 * each member through the member's own `decide` Update; a member whose approval stage ends, or that
 * asks another contact, says so (`memberDecided`).
 */
import * as wf from '@temporalio/workflow';
import type { MailActivities } from '../activities/contracts';
import { MAIL } from './activity-options';
import type { Policy } from './policy';
import type { OnboardingRequest, Organization, Person } from './types';

/** How long the batch waits for every member to reach its approval stage before it mails those that did. */
export const GATHER_MS = 2 * 60_000;

export interface ApprovalBatchInput {
  orgId: string;
  batchId: string;
  /** The members' workflow IDs (`onboarding:<orgId>:<contactId>`). */
  memberIds: string[];
  /** The contact who approves for all of them. */
  approverContactId: string;
  policy: Policy;
  /** Slack user ID of the tech who asked. */
  requestedBy: string;
}

/** What a member tells the batch when it waits in its first round, and what the page needs of it. */
export interface MemberWaiting {
  workflowId: string;
  round: number;
  /** The member's approval expiry (ISO). */
  expiresAt: string;
  approverContactId: string;
  approver: Person;
  invitee: Person;
  org: Organization;
  request: OnboardingRequest;
}

export interface BatchMember extends MemberWaiting {
  /** False once the member's approval stage ended or it left the batch. */
  waiting: boolean;
}

/** What the batch's `status` query returns. */
export interface ApprovalBatchStatus {
  workflowId: string;
  orgId: string;
  org: Organization | null;
  approverContactId: string;
  approver: Person | null;
  /** Every member's workflow ID, as started. */
  memberIds: string[];
  /** The members that joined (in the order they did). */
  members: BatchMember[];
  /** Mails sent so far (the page's links carry one of them). */
  round: number;
  remindersSent: number;
  /** The link's expiry (ISO): the latest member expiry; null before the first mail. */
  expiresAt: string | null;
  ended: boolean;
}

export const memberWaiting = wf.defineSignal<[MemberWaiting]>('memberWaiting');
export const memberDecided = wf.defineSignal<[{ workflowId: string }]>('memberDecided');
/** To each member still waiting when the batch's mail could not be sent: it mails its own request. */
export const batchFailed = wf.defineSignal<[{ reason: string }]>('batchFailed');
export const batchStatus = wf.defineQuery<ApprovalBatchStatus>('status');

export function approvalBatchIdFor(orgId: string, batchId: string): string {
  return `approval-batch:${orgId}:${batchId}`;
}

export function isApprovalBatchId(workflowId: string): boolean {
  return workflowId.startsWith('approval-batch:');
}

export async function approvalBatch(input: ApprovalBatchInput): Promise<ApprovalBatchStatus> {
  const mail = wf.proxyActivities<MailActivities>(MAIL);
  const info = wf.workflowInfo();
  const s: ApprovalBatchStatus = {
    workflowId: info.workflowId,
    orgId: input.orgId,
    org: null,
    approverContactId: input.approverContactId,
    approver: null,
    memberIds: [...input.memberIds],
    members: [],
    round: 0,
    remindersSent: 0,
    expiresAt: null,
    ended: false,
  };
  /** Members that joined after the last mail: the next mail names them. */
  let unmailed = 0;
  const decided = new Set<string>();

  wf.setHandler(batchStatus, () => s);
  wf.setHandler(memberWaiting, (m) => {
    // Only the members it was started with, once each, and for its approver.
    if (!s.memberIds.includes(m.workflowId) || s.members.some((x) => x.workflowId === m.workflowId)) return;
    if (m.approverContactId !== input.approverContactId || s.ended) return;
    s.members.push({ ...m, waiting: !decided.has(m.workflowId) });
    s.org ??= m.org;
    s.approver ??= m.approver;
    if (s.round > 0) unmailed += 1;
  });
  wf.setHandler(memberDecided, ({ workflowId }) => {
    decided.add(workflowId);
    const member = s.members.find((x) => x.workflowId === workflowId);
    if (member) member.waiting = false;
  });

  const waiting = () => s.members.filter((m) => m.waiting);
  const expiry = () => Math.max(...s.members.map((m) => Date.parse(m.expiresAt)));
  const send = async (reminder: number) => {
    s.expiresAt = new Date(expiry()).toISOString();
    await mail.sendBatchApprovalRequest({
      workflowId: s.workflowId,
      runId: info.firstExecutionRunId,
      org: s.org!,
      approver: s.approver!,
      branding: input.policy.branding,
      members: waiting().map((m) => ({ invitee: m.invitee, request: m.request })),
      round: s.round + 1,
      reminder,
      expiresAt: s.expiresAt,
    });
    s.round += 1;
  };

  /** A mail refused for good: the members still waiting mail their own requests, and the batch ends. */
  const sent = async (reminder: number): Promise<boolean> => {
    try {
      await send(reminder);
      return true;
    } catch (error) {
      if (!(error instanceof wf.ActivityFailure)) throw error;
      await tellFailed(waiting(), error);
      return false;
    }
  };

  await wf.condition(() => s.memberIds.every((id) => decided.has(id) || s.members.some((m) => m.workflowId === id)), GATHER_MS);
  if (waiting().length === 0) return end(s);
  if (!(await sent(0))) return end(s);
  const startedAt = Date.now();
  const { reminderEvery, maxReminders } = input.policy.approval;
  unmailed = 0;
  for (;;) {
    const expiresAt = expiry();
    const reminderAt = s.remindersSent < maxReminders ? startedAt + (s.remindersSent + 1) * reminderEvery : Infinity;
    const until = Math.min(expiresAt, reminderAt);
    await wf.condition(() => waiting().length === 0 || unmailed > 0, Math.max(until - Date.now(), 1));
    if (waiting().length === 0 || Date.now() >= expiry()) break;
    if (unmailed > 0) {
      // A member that joined late: the approver gets the mail again, naming it.
      unmailed = 0;
      if (!(await sent(s.remindersSent))) break;
    } else if (Date.now() >= reminderAt) {
      s.remindersSent += 1;
      if (!(await sent(s.remindersSent))) break;
    }
  }
  return end(s);
}

/** Tells each member still waiting that the batch's mail was refused: it mails its own request. */
async function tellFailed(members: Array<{ workflowId: string }>, error: wf.ActivityFailure): Promise<void> {
  const reason = error.cause instanceof Error ? error.cause.message : error.message;
  for (const m of members) {
    try {
      await wf.getExternalWorkflowHandle(m.workflowId).signal(batchFailed, { reason });
    } catch (e) {
      // A member that has ended meanwhile has nothing to mail.
      if (wf.isCancellation(e)) throw e;
    }
  }
}

function end(s: ApprovalBatchStatus): ApprovalBatchStatus {
  s.ended = true;
  return s;
}
