/**
 * /invite-lite modal submitted: checked against IT Glue and Temporal as they are now; problems
 * come back on their field, else the onboarding starts (requested by the person who submitted)
 * and the modal closes. The workflow ID is the business key: a double submission or two techs
 * at once start one onboarding. Several contacts (docs/design.md §15.3) start one onboarding each,
 * with one approval mail for those that need one; the modal then says what was started and what
 * was already open.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { startOnboarding } from '../../../onboardings';
import type { SlackDeps } from '../../deps';
import type { InviteCheck } from '../../invite-form';
import { type BulkCheck, bulkSummary, checkInvites, chosenNames, startBulk } from '../../invite-batch';
import { errorsOnBlocks, withinAckTime } from '../../view-submission';
import { noticeModal } from '../../views/invite-modal';
import { inviteMetadata } from '../../views/invite-values';

export function inviteSubmitted(deps: SlackDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const key = `view:${view.id}`;
    if (!deps.recent.first(key, 60_000)) return ack();
    const metadata = inviteMetadata(view.private_metadata);
    let check: InviteCheck | BulkCheck | null;
    try {
      check = await withinAckTime(checkInvites(deps, view as never, metadata.orgId, body.user.id));
    } catch (error) {
      deps.recent.forget(key);
      throw error;
    }
    if (!check) {
      deps.recent.forget(key);
      return ack(errorsOnBlocks(view, { org: 'IT Glue is slow to answer just now: press “Start onboarding” again in a moment.' }));
    }
    if (!check.ok) {
      deps.recent.forget(key);
      return ack(errorsOnBlocks(view, check.errors));
    }
    if ('bulk' in check) {
      const result = await startBulk(deps.temporal, deps.taskQueue, deps.policy, check.requests, view.id);
      const names = chosenNames(view.state.values as never, metadata.orgId);
      await ack({
        response_action: 'update',
        view: noticeModal(
          'Onboarding started',
          bulkSummary(check, result, (id) => names[id] ?? `Contact ${id}`),
        ),
      });
      for (const s of result.started) deps.log('slack.onboardingStarted', { workflowId: s.workflowId, created: s.created, by: body.user.id });
      if (result.batchWorkflowId) deps.log('slack.approvalBatchStarted', { workflowId: result.batchWorkflowId, members: result.started.length, by: body.user.id });
      return;
    }
    const started = await startOnboarding(deps.temporal, deps.taskQueue, check.request, deps.policy);
    await ack();
    deps.log('slack.onboardingStarted', { workflowId: started.workflowId, created: started.created, by: body.user.id });
  };
}
