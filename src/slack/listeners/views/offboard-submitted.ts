/**
 * /offboard-lite modal submitted (docs/design.md §15): checked against IT Glue and Temporal as they
 * are now; problems come back on their field, else the offboarding starts (requested by the person
 * who submitted) and the modal says where its thread is. The workflow ID is the business key: a
 * double submission or two techs at once start one offboarding.
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { startOffboarding } from '../../../onboardings';
import type { SlackDeps } from '../../deps';
import { bold, code } from '../../escape';
import { checkOffboard, type OffboardCheck } from '../../offboard-form';
import { errorsOnBlocks, withinAckTime } from '../../view-submission';
import { inviteMetadata } from '../../views/invite-values';
import { noticeModal } from '../../views/invite-modal';
import { OFFBOARD_STARTED_CALLBACK_ID, OFFBOARD_TITLE } from '../../views/offboard-modal';

/** What the modal says once the offboarding is started (or found open). */
function startedText(deps: SlackDeps, names: { contact: string; email: string; org: string }, created: boolean): string {
  const who = `${bold(names.contact)} (${code(names.email)}, ${bold(names.org)})`;
  const where = `<#${deps.config.channelId}>`;
  return created
    ? `:white_check_mark: The offboarding of ${who} has started. Its thread is in ${where}: follow it there.`
    : `An offboarding of ${who} was already open: its thread is in ${where}.`;
}

export function offboardSubmitted(deps: SlackDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const key = `view:${view.id}`;
    if (!deps.recent.first(key, 60_000)) return ack();
    const metadata = inviteMetadata(view.private_metadata);
    let check: OffboardCheck | null;
    try {
      check = await withinAckTime(checkOffboard(deps, view.state.values as never, metadata.orgId, body.user.id));
    } catch (error) {
      deps.recent.forget(key);
      throw error;
    }
    if (!check) {
      deps.recent.forget(key);
      return ack(errorsOnBlocks(view, { org: 'IT Glue is slow to answer just now: press “Remove access” again in a moment.' }));
    }
    if (!check.ok) {
      deps.recent.forget(key);
      return ack(errorsOnBlocks(view, check.errors));
    }
    let started;
    try {
      started = await startOffboarding(deps.temporal, deps.taskQueue, check.request, deps.policy);
    } catch (error) {
      deps.recent.forget(key);
      throw error;
    }
    await ack({
      response_action: 'update',
      view: noticeModal(OFFBOARD_TITLE, startedText(deps, check.names, started.created), OFFBOARD_STARTED_CALLBACK_ID),
    });
    deps.log('slack.offboardingStarted', { workflowId: started.workflowId, created: started.created, by: body.user.id });
  };
}
