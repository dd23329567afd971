/**
 * Creates a customer's own IT Glue group where the policy asks for it (per-customer groups with
 * `groups.create`): one workflow per organization (ID `itglue-group-create:<orgId>`, started with
 * the first Update) takes the requests one at a time, so that two onboardings of one customer
 * never create the group twice. It ends after a quiet minute.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/workflow';
import { writerActivities } from './single-writer';

/** The group of this name, created with access to the organization only where it was missing. */
export const ensureCustomerGroup = wf.defineUpdate<{ id: string; created: boolean }, [string]>('ensureCustomerGroup');

export const groupCreationWorkflowId = (orgId: string) => `itglue-group-create:${orgId}`;

export async function groupCreation(orgId: string): Promise<void> {
  const { createCustomerGroup } = writerActivities();
  /** Requests in order of arrival: only the first one runs, the others wait their turn. */
  const queue: object[] = [];
  /** Requests taken so far, to tell a quiet minute. */
  let taken = 0;

  wf.setHandler(ensureCustomerGroup, async (name) => {
    taken += 1;
    const turn = {};
    queue.push(turn);
    await wf.condition(() => queue[0] === turn);
    try {
      return await createCustomerGroup({ name, orgId });
    } catch (error) {
      const message = error instanceof wf.ActivityFailure && error.cause ? error.cause.message : String(error);
      throw ApplicationFailure.nonRetryable(message, 'GroupCreationFailed');
    } finally {
      queue.shift();
    }
  });

  // Ends once a minute has passed without a new request, after the last one is answered.
  for (;;) {
    const seen = taken;
    const more = await wf.condition(() => taken !== seen, '1 minute');
    if (!more) {
      await wf.condition(wf.allHandlersFinished);
      if (taken === seen) return;
    }
  }
}
