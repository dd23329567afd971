/**
 * A thread button's action sent to its onboarding as an Update, on behalf of the person who
 * pressed it. The workflow alone judges whether it may happen now; a refusal is shown to the
 * presser only, and nothing changes.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { ActionRefusedError, type PersonActionName, sendMessage } from '../onboarding-messages';
import type { SlackDeps } from './deps';
import type { BlocksOf } from './payload';
import { errorsOnBlocks, withinAckTime } from './view-submission';
import type { ButtonModalMetadata } from './views/approval-modals';
import { type ButtonArgs, pressOf, tellPresser } from './middleware/thread-press';
import { refusalText } from './refusals';

type ViewAnswer = ReturnType<typeof errorsOnBlocks>;

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
    () => {
      deps.log('slack.acted', { workflowId: metadata.workflowId, action, by: user });
      return { refused: null };
    },
    (error: unknown) => {
      if (error instanceof ActionRefusedError) return { refused: refusalText(error) };
      if (error instanceof WorkflowNotFoundError) return { refused: 'This onboarding cannot be found any more.' };
      throw error;
    },
  );
  const answer = await withinAckTime(sent);
  if (answer?.refused) return ack(errorsOnBlocks(view, { [block]: answer.refused }));
  await ack();
  if (answer) return;
  // Answered after the modal closed: a refusal is told in the thread; a failure reaches the app's error handler.
  const late = await sent;
  if (late.refused && metadata.channel) {
    await deps.client.chat.postEphemeral({ channel: metadata.channel, user, text: late.refused, ...(metadata.threadTs ? { thread_ts: metadata.threadTs } : {}) });
  }
}
