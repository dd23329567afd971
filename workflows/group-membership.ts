/**
 * One writer per IT Glue group. Adding a member is a read-modify-write of the group's whole member
 * list, so two onboardings adding to the same group at once could drop each other's member. Every
 * add goes through this workflow (ID `itglue-group:<groupId>`, started with the first Update), which
 * writes the waiting adds together, one write at a time, and ends after a quiet minute.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import type { ItGlueMaintenanceActivities } from '../activities/contracts';
import { ACTIVITY_HEARTBEAT_TIMEOUT } from './messages';

/** Adds the user to the group; returns the group's members after the write. */
export const addGroupMember = wf.defineUpdate<string[], [string]>('addGroupMember');

export const groupMembershipWorkflowId = (groupId: string) => `itglue-group:${groupId}`;

interface Ticket {
  userId: string;
  state: 'waiting' | 'writing' | 'done';
  members?: string[];
  error?: string;
}

export async function groupMembership(groupId: string): Promise<void> {
  const { addGroupMembers } = wf.proxyActivities<ItGlueMaintenanceActivities>({
    taskQueue: `${wf.workflowInfo().taskQueue}-itglue`,
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  const tickets: Ticket[] = [];

  wf.setHandler(addGroupMember, async (userId) => {
    const ticket: Ticket = { userId, state: 'waiting' };
    tickets.push(ticket);
    await wf.condition(() => ticket.state === 'done');
    if (ticket.error) throw ApplicationFailure.nonRetryable(ticket.error, 'GroupMembershipFailed');
    return ticket.members!;
  });

  for (;;) {
    const work = await wf.condition(() => tickets.some((t) => t.state === 'waiting'), '1 minute');
    if (!work) {
      await wf.condition(wf.allHandlersFinished);
      if (!tickets.some((t) => t.state === 'waiting')) return;
      continue;
    }
    const batch = tickets.filter((t) => t.state === 'waiting');
    for (const t of batch) t.state = 'writing';
    try {
      const members = await addGroupMembers(groupId, batch.map((t) => t.userId));
      for (const t of batch) Object.assign(t, { state: 'done', members });
    } catch (error) {
      const message = error instanceof wf.ActivityFailure && error.cause ? error.cause.message : String(error);
      for (const t of batch) Object.assign(t, { state: 'done', error: message });
    }
    tickets.splice(0, tickets.length, ...tickets.filter((t) => t.state !== 'done'));
    if (wf.workflowInfo().continueAsNewSuggested && tickets.length === 0) {
      await wf.condition(wf.allHandlersFinished);
      if (tickets.length === 0) await wf.continueAsNew<typeof groupMembership>(groupId);
    }
  }
}
