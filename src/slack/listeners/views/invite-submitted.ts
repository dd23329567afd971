/**
 * /invite-lite modal submitted: checked against IT Glue and Temporal as they are now; problems
 * come back on their field, else the onboarding starts (requested by the person who submitted)
 * and the modal closes. The workflow ID is the business key: a double submission or two techs
 * at once start one onboarding.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { startOnboarding } from '../../../onboardings';
import type { SlackDeps } from '../../deps';
import { checkInvite, type InviteCheck } from '../../invite-form';
import { errorsOnBlocks, withinAckTime } from '../../view-submission';
import { inviteMetadata } from '../../views/invite-values';

export function inviteSubmitted(deps: SlackDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const key = `view:${view.id}`;
    if (!deps.recent.first(key, 60_000)) return ack();
    const metadata = inviteMetadata(view.private_metadata);
    let check: InviteCheck | null;
    try {
      check = await withinAckTime(checkInvite(deps, view as never, metadata.orgId, body.user.id));
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
    const started = await startOnboarding(deps.temporal, deps.taskQueue, check.request, deps.policy);
    await ack();
    deps.log('slack.onboardingStarted', { workflowId: started.workflowId, created: started.created, by: body.user.id });
  };
}
