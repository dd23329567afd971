/**
 * Batches of onboardings that share one approval mail and page (docs/design.md §15.3), as the
 * Slack modal starts them and the approval page reads them.
 */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type ApprovalBatchInput, type ApprovalBatchStatus, approvalBatchIdFor, batchStatus } from '../workflows/approval-batch';

export const APPROVAL_BATCH_WORKFLOW_TYPE = 'approvalBatch';

/** Starts the batch workflow (before its members, which tell it when they wait); a second start finds the first. */
export async function startApprovalBatch(client: Client, taskQueue: string, input: ApprovalBatchInput): Promise<string> {
  const workflowId = approvalBatchIdFor(input.orgId, input.batchId);
  try {
    await client.workflow.start(APPROVAL_BATCH_WORKFLOW_TYPE, { workflowId, taskQueue, args: [input], workflowIdConflictPolicy: 'FAIL' });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return workflowId;
}

export function getBatchStatus(client: Client, workflowId: string): Promise<ApprovalBatchStatus> {
  return client.workflow.getHandle(workflowId).query(batchStatus);
}
