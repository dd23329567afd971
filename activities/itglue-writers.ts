/**
 * The IT Glue activities' way to the single writers (docs/design.md §14): one workflow per group,
 * per organization's Site Summary and per organization's group creation, each reached by an Update
 * that starts it when it is not running.
 */
import { ApplicationFailure, WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client, type UpdateDefinition } from '@temporalio/client';
import type { ItGlueClient } from '../src/itglue/client';
import { heartbeatWhile } from '../src/temporal/heartbeat';
import {
  authorizationRecord,
  authorizationRecordWorkflowId,
  recordAuthorizedContact,
  removeAuthorizedContact,
  type AuthorizedContact,
} from '../workflows/authorization-record';
import { ensureCustomerGroup, groupCreation, groupCreationWorkflowId } from '../workflows/group-creation';
import { addGroupMember, groupMembership, groupMembershipWorkflowId, removeGroupMember } from '../workflows/group-membership';

export interface ItGlueActivityDeps {
  client: ItGlueClient;
  temporal: Client;
  /** The main task queue, where the group-membership and authorization-record workflows run. */
  taskQueue: string;
}

/**
 * A writer's failure as the writer's IT Glue activity ended (retried there or not), named by
 * `context` where given: retrying the caller cannot mend what the writer gave up on. Any other
 * error (Temporal out of reach) as it is.
 */
export function writerFailure(error: unknown, context?: string): unknown {
  const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return error;
  const message = context ? `${context}: ${cause.message}` : cause.message;
  return ApplicationFailure.create({ message, type: cause.type ?? undefined, nonRetryable: cause.nonRetryable === true });
}

export function singleWriters({ temporal, taskQueue }: Pick<ItGlueActivityDeps, 'temporal' | 'taskQueue'>) {
  /**
   * An Update to one of the single writers (one workflow per group, per organization's Site Summary,
   * per organization's group creation), started with it when it is not running; heartbeats meanwhile.
   */
  function toWriter<R, A extends [unknown]>(
    update: UpdateDefinition<R, A>,
    args: A,
    workflow: (key: string) => Promise<void>,
    workflowId: string,
    key: string,
  ): Promise<R> {
    return heartbeatWhile(
      temporal.workflow.executeUpdateWithStart(update, {
        args,
        startWorkflowOperation: new WithStartWorkflowOperation(workflow, { workflowId, taskQueue, args: [key], workflowIdConflictPolicy: 'USE_EXISTING' }),
      }),
    );
  }

  /** Through the organization's single group creator (workflows/group-creation.ts). */
  function createCustomerGroup(orgId: string, name: string): Promise<{ id: string; created: boolean }> {
    return toWriter(ensureCustomerGroup, [name], groupCreation, groupCreationWorkflowId(orgId), orgId);
  }

  /** Through the group's single writer (workflows/group-membership.ts). */
  function changeGroup(change: 'add' | 'remove', groupId: string, userId: string): Promise<string[]> {
    return toWriter(change === 'add' ? addGroupMember : removeGroupMember, [userId], groupMembership, groupMembershipWorkflowId(groupId), groupId);
  }

  /**
   * Through the single writer of the org's authorization record (workflows/authorization-record.ts).
   * Its failure reaches the onboarding as it came from IT Glue: a missing or doubled asset or a
   * refused write is not retried (the onboarding stalls with the reason), an outage is.
   */
  async function addToAuthorizationRecord(orgId: string, contact: AuthorizedContact): Promise<string[]> {
    try {
      return await toWriter(recordAuthorizedContact, [contact], authorizationRecord, authorizationRecordWorkflowId(orgId), orgId);
    } catch (error) {
      throw writerFailure(error);
    }
  }

  /** The same writer takes the contact out; whether it was there. A missing asset has nothing to take out. */
  async function removeFromAuthorizationRecord(orgId: string, contact: AuthorizedContact): Promise<boolean> {
    try {
      return (await toWriter(removeAuthorizedContact, [contact], authorizationRecord, authorizationRecordWorkflowId(orgId), orgId)).removed;
    } catch (error) {
      throw writerFailure(error);
    }
  }

  return { createCustomerGroup, changeGroup, addToAuthorizationRecord, removeFromAuthorizationRecord };
}
