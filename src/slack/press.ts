/**
 * A thread button's action sent to its onboarding as an Update, on behalf of the person who
 * pressed it. The workflow alone judges whether it may happen now; a refusal is shown to the
 * presser only, and nothing changes.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { ACTION_REFUSED, type PersonAction, personActionsNow } from '../../workflows/person-actions';
import { isFinal, type Stage } from '../../workflows/stages';
import type { OnboardingStatus } from '../../workflows/types';
import { ActionRefusedError, type PersonActionName, sendMessage } from '../onboarding-messages';
import type { SlackDeps } from './deps';
import type { BlocksOf } from './payload';
import { errorsOnBlocks, withinAckTime } from './view-submission';
import type { ButtonModalMetadata } from './views/approval-modals';

type ViewAnswer = ReturnType<typeof errorsOnBlocks>;
import { type ButtonArgs, pressOf, tellPresser } from './middleware/thread-press';
import { STAGE_LABEL } from './views/thread-parts';

/** What the presser is told when the onboarding refused the action. */
export function refusalText(error: ActionRefusedError): string {
  const stage = error.stage ? STAGE_LABEL[error.stage as Stage] : null;
  switch (error.reason) {
    case ACTION_REFUSED.ended:
      return stage ? `This onboarding has already ended (${stage}). Nothing was changed.` : 'This onboarding has already ended. Nothing was changed.';
    case ACTION_REFUSED.stale:
      return 'Someone acted on this onboarding since this button was drawn: see the thread for what is next. Nothing was changed.';
    case ACTION_REFUSED.notNow:
      return stage ? `This button no longer applies: the onboarding is now at “${stage}”. Nothing was changed.` : 'This button no longer applies. Nothing was changed.';
    default:
      return error.message;
  }
}

/** Sends the press's action (with its update ID) to the onboarding; says why, when it is refused. */
export async function actOnPress(deps: SlackDeps, args: ButtonArgs, action: PersonActionName, fields: Record<string, unknown> = {}): Promise<void> {
  const press = pressOf(args);
  try {
    const input = { by: press.user, ...(press.seen === undefined ? {} : { seen: press.seen }), ...fields };
    await sendMessage(deps.temporal, press.workflowId, action, input, { updateId: press.updateId });
    deps.log('slack.acted', { workflowId: press.workflowId, action, by: press.user, updateId: press.updateId });
  } catch (error) {
    if (error instanceof ActionRefusedError) {
      deps.log('slack.refusedByOnboarding', { workflowId: press.workflowId, action, by: press.user, reason: error.reason });
      await tellPresser(deps, args, refusalText(error));
      return;
    }
    if (error instanceof WorkflowNotFoundError) {
      await tellPresser(deps, args, 'This onboarding cannot be found. Nothing was changed.');
      return;
    }
    throw error;
  }
}

/**
 * For buttons that open a modal before the action is sent: what to tell the presser when the
 * onboarding would refuse the action now (its own rule), or null when it would take it.
 */
export function whyNotNow(status: OnboardingStatus, action: PersonAction): string | null {
  if (personActionsNow(status).includes(action)) return null;
  const reason = isFinal(status.stage) ? ACTION_REFUSED.ended : ACTION_REFUSED.notNow;
  return refusalText(new ActionRefusedError(reason, '', status.stage));
}

/**
 * A modal's action sent to its onboarding, answered within Slack's 3 seconds: a refusal is shown
 * on the modal's `block` and keeps it open; if the onboarding takes longer to answer, the modal
 * closes and a late refusal is told to the person in the thread.
 */
export async function actOnSubmission(
  deps: SlackDeps,
  submission: { metadata: ButtonModalMetadata; user: string; viewId: string; ack: (answer?: ViewAnswer) => Promise<void>; view: BlocksOf; block: string },
  action: PersonActionName,
  fields: Record<string, unknown>,
): Promise<void> {
  const { metadata, user, viewId, ack, view, block } = submission;
  const input = { by: user, ...(metadata.seen === undefined ? {} : { seen: metadata.seen }), ...fields };
  const sent = sendMessage(deps.temporal, metadata.workflowId, action, input, { updateId: `slack:view:${viewId}` }).then(
    () => ({ refused: null }),
    (error: unknown) => {
      if (error instanceof ActionRefusedError) return { refused: refusalText(error) };
      if (error instanceof WorkflowNotFoundError) return { refused: 'This onboarding cannot be found any more.' };
      throw error;
    },
  );
  const answer = await withinAckTime(sent);
  if (answer?.refused) return ack(errorsOnBlocks(view, { [block]: answer.refused }));
  await ack();
  deps.log('slack.acted', { workflowId: metadata.workflowId, action, by: user });
  if (answer) return;
  const late = await sent;
  if (late.refused && metadata.channel) {
    await deps.client.chat.postEphemeral({ channel: metadata.channel, user, text: late.refused, ...(metadata.threadTs ? { thread_ts: metadata.threadTs } : {}) });
  }
}
