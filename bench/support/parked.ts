/**
 * Onboardings started where a real one waits (as after a continue-as-new: `carried` status and
 * `progress`), so that thousands can be parked quickly: waiting for the approver, for the
 * invitation to be accepted, or for the tech to send the invitation. The carried status already
 * shows what the stage waits for, so the first workflow task runs no activity: it only publishes
 * the search attributes and memo and starts the stage's timer.
 */
import type { Client } from '@temporalio/client';
import type { onboarding } from '../../workflows/onboarding';
import type { Policy } from '../../workflows/policy';
import type { OnboardingInput, OnboardingStatus, Progress, ThreadRef } from '../../workflows/types';
import { workflowIdFor } from '../../workflows/types';
import { invitee, requestFor, userFor } from './seed';

export type ParkedStage = 'AWAITING_APPROVAL' | 'AWAITING_ACCEPTANCE' | 'AWAITING_INVITE';

const iso = (ms: number) => new Date(ms).toISOString();

export function parkedInput(
  n: number,
  stage: ParkedStage,
  policy: Policy,
  requestedBy: string,
  thread: ThreadRef,
  now = Date.now(),
): OnboardingInput & { workflowId: string } {
  const i = invitee(n);
  const request = requestFor(n, requestedBy);
  const workflowId = workflowIdFor(request.orgId, request.contactId);
  const started = now - 60_000;
  const events: OnboardingStatus['events'] = [
    { at: iso(started), type: 'stage', text: 'VALIDATING' },
    { at: iso(started + 1_000), type: 'validated', text: `${i.person.name} of ${i.orgName} can be onboarded.` },
    { at: iso(started + 1_000), type: 'stage', text: 'AWAITING_APPROVAL' },
    { at: iso(started + 2_000), type: 'approval-requested', text: `Approval requested from ${i.approver.name} by email.` },
  ];
  const visits: OnboardingStatus['stages'] = [
    { stage: 'VALIDATING', enteredAt: iso(started), leftAt: iso(started + 1_000) },
    { stage: 'AWAITING_APPROVAL', enteredAt: iso(started + 1_000), leftAt: null },
  ];
  const progress: Progress = { approval: { startedAt: now, remindersSent: 0, escalated: false }, invite: null, linkSentAt: null, twoFactor: null };
  const status: OnboardingStatus = {
    workflowId,
    request,
    stage: 'AWAITING_APPROVAL',
    subState: null,
    waitingOn: 'approver',
    deadline: iso(now + policy.approval.timeout),
    startedAt: iso(started),
    org: { id: i.orgId, name: i.orgName },
    invitee: i.person,
    approver: i.approver,
    approvalRound: 1,
    evidence: null,
    user: null,
    groupNames: [policy.groups.noPasswordAccess],
    mismatches: [],
    resends: 0,
    stalledFrom: null,
    reason: null,
    events,
    stages: visits,
    thread,
  };
  if (stage === 'AWAITING_APPROVAL') return { workflowId, request, policy, carried: status, progress };

  // Approved, instructions sent; then either waiting for the invitation or for its acceptance.
  const approvedAt = started + 3_000;
  visits[1]!.leftAt = iso(approvedAt);
  visits.push(
    { stage: 'SENDING_INSTRUCTIONS', enteredAt: iso(approvedAt), leftAt: iso(approvedAt + 1_000) },
    { stage: 'AWAITING_INVITE', enteredAt: iso(approvedAt + 1_000), leftAt: null },
  );
  events.push(
    { at: iso(approvedAt), type: 'approved', text: `Approved by ${i.approver.name} at ${iso(approvedAt)} from 203.0.113.7` },
    { at: iso(approvedAt), type: 'stage', text: 'SENDING_INSTRUCTIONS' },
    { at: iso(approvedAt + 1_000), type: 'instructions-sent', text: `Access instructions emailed to ${i.person.name}.` },
    { at: iso(approvedAt + 1_000), type: 'stage', text: 'AWAITING_INVITE' },
  );
  status.evidence = { via: 'link', decision: 'approve', at: iso(approvedAt), round: 1, approver: i.approver, ip: '203.0.113.7', userAgent: 'Mozilla/5.0', comment: null };
  // The tech pressed Invitation sent, confirming the settings the API cannot read: the sweep's find is verified at once.
  const items = [
    'role Lite',
    `the group "${policy.groups.noPasswordAccess}" and no other group`,
    `organization access: ${i.orgName} and ONLY ${i.orgName}`,
    'no sub-organizations',
  ];
  status.settingsToConfirm = items;
  status.confirmation = { by: requestedBy, at: iso(approvedAt + 1_500), items };
  events.push({
    at: iso(approvedAt + 1_500),
    type: 'invitation-sent',
    text: `<@${requestedBy}> says the invitation was sent and confirms the settings: ${items.join('; ')}.`,
    by: requestedBy,
  });
  if (stage === 'AWAITING_INVITE') {
    // Already reminded as often as the policy allows: it waits for the invitation without a timer.
    progress.invite = { since: now, techReminders: policy.invite.maxTechReminders };
    Object.assign(status, { stage, waitingOn: 'tech', deadline: null });
    return { workflowId, request, policy, carried: status, progress };
  }

  const sentAt = iso(now);
  const user = userFor(n, false, sentAt);
  visits[visits.length - 1]!.leftAt = iso(approvedAt + 2_000);
  visits.push(
    { stage: 'VERIFYING', enteredAt: iso(approvedAt + 2_000), leftAt: iso(approvedAt + 3_000) },
    { stage: 'AWAITING_ACCEPTANCE', enteredAt: iso(approvedAt + 3_000), leftAt: null },
  );
  events.push(
    { at: iso(approvedAt + 2_000), type: 'user-found', text: `IT Glue user ${i.person.email} found.` },
    { at: iso(approvedAt + 2_000), type: 'stage', text: 'VERIFYING' },
    { at: iso(approvedAt + 3_000), type: 'verified', text: 'IT Glue user verified: role, group and organization access match the request.' },
    { at: iso(approvedAt + 3_000), type: 'stage', text: 'AWAITING_ACCEPTANCE' },
  );
  progress.invite = { since: approvedAt + 1_000, techReminders: 0 };
  progress.linkSentAt = Date.parse(sentAt);
  Object.assign(status, {
    stage,
    waitingOn: 'invitee',
    deadline: iso(Date.parse(sentAt) + policy.invite.linkValidity),
    user: {
      id: user.id,
      email: user.email,
      roleName: user['role-name'],
      myGlue: false,
      invitationSentAt: sentAt,
      invitationAcceptedAt: null,
      currentSignInAt: null,
    },
  });
  return { workflowId, request, policy, carried: status, progress };
}

/** Starts the onboarding (no search attributes at start: they appear once its first task has run); returns its run ID. */
export async function startParked(client: Client, taskQueue: string, input: OnboardingInput & { workflowId: string }): Promise<string> {
  const { workflowId, ...args } = input;
  const handle = await client.workflow.start<typeof onboarding>('onboarding', { taskQueue, workflowId, args: [args] });
  return handle.firstExecutionRunId;
}
