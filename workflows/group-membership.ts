/**
 * One writer per IT Glue group. Adding or removing a member is a read-modify-write of the group's
 * whole member list, so two onboardings writing to the same group at once could drop each other's
 * change. Every add and removal goes through this workflow (ID `itglue-group:<groupId>`, started
 * with the first Update), which writes the waiting changes together, one write at a time, and ends
 * after a quiet minute.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import { workArrives, writerActivities } from './single-writer';

/** Adds the user to the group; returns the group's members after the write. */
export const addGroupMember = wf.defineUpdate<string[], [string]>('addGroupMember');
/** Takes the user out of the group; returns the group's members after the write. */
export const removeGroupMember = wf.defineUpdate<string[], [string]>('removeGroupMember');

export const groupMembershipWorkflowId = (groupId: string) => `itglue-group:${groupId}`;

interface Ticket {
  userId: string;
  change: 'add' | 'remove';
  state: 'waiting' | 'writing' | 'done';
  members?: string[];
  error?: string;
}

export async function groupMembership(groupId: string): Promise<void> {
  const { addGroupMembers, changeGroupMembers } = writerActivities();
  const tickets: Ticket[] = [];

  const queue = async (userId: string, change: Ticket['change']) => {
    const ticket: Ticket = { userId, change, state: 'waiting' };
    tickets.push(ticket);
    await wf.condition(() => ticket.state === 'done');
    if (ticket.error) throw ApplicationFailure.nonRetryable(ticket.error, 'GroupMembershipFailed');
    return ticket.members!;
  };
  wf.setHandler(addGroupMember, (userId) => queue(userId, 'add'));
  wf.setHandler(removeGroupMember, (userId) => queue(userId, 'remove'));

  /** One write for the batch; adds alone take the activity that histories recorded before removals did. */
  const write = (batch: Ticket[]) => {
    const ids = (change: Ticket['change']) => batch.filter((t) => t.change === change).map((t) => t.userId);
    const remove = ids('remove');
    return remove.length === 0 ? addGroupMembers(groupId, ids('add')) : changeGroupMembers(groupId, { add: ids('add'), remove });
  };

  while (await workArrives(() => tickets.some((t) => t.state === 'waiting'))) {
    const batch = tickets.filter((t) => t.state === 'waiting');
    for (const t of batch) t.state = 'writing';
    try {
      const members = await write(batch);
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
