/**
 * What every button of an onboarding thread does before it acts: find the onboarding from the
 * button's value (its workflow ID), check that it is still open and that the button still fits
 * its stage (a thread can show old buttons for a moment), and ignore a double click.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isFinal } from '../../workflows/stages';
import type { OnboardingStatus } from '../../workflows/types';
import { sendSignal, type SignalName } from '../onboardings';
import type { ActionId } from './action-ids';
import type { SlackDeps } from './deps';
import { statusOf } from './overview';
import { messageOf } from './payload';
import { ackStateOf } from './receiver';
import { tellUser } from './reply';
import { actionsFor, STAGE_LABEL } from './views/thread';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Presses of the same button on the same onboarding within this time count as one (by default). */
export const DOUBLE_CLICK_MS = 10_000;

export interface Press {
  workflowId: string;
  actionId: ActionId;
  user: string;
  message: { channel: string; ts: string; threadTs: string } | null;
}

export function pressOf(args: ButtonArgs): Press {
  const action = args.action as { action_id: string; value?: string };
  return {
    workflowId: action.value ?? '',
    actionId: action.action_id as ActionId,
    user: args.body.user.id,
    message: messageOf(args.body),
  };
}

export function tell(deps: SlackDeps, args: ButtonArgs, text: string): Promise<void> {
  return tellUser({ client: args.client, body: args.body, text, ack: ackStateOf(args.context), log: deps.log });
}

/** The onboarding, when the button still applies to it; otherwise says why not and returns null. */
export async function onboardingFor(deps: SlackDeps, args: ButtonArgs, press: Press): Promise<OnboardingStatus | null> {
  if (!/^onboarding:[^:]+:[^:]+$/.test(press.workflowId)) {
    await tell(deps, args, 'This button does not belong to an onboarding. Nothing was changed.');
    return null;
  }
  const status = await statusOf(deps, press.workflowId);
  if (!status) {
    const description = await deps.temporal.workflow
      .getHandle(press.workflowId)
      .describe()
      .catch(() => null);
    const text = description && description.status.name !== 'RUNNING'
      ? 'This onboarding has already ended. Nothing was changed.'
      : 'This onboarding cannot be reached just now. Nothing was changed: try again in a moment.';
    await tell(deps, args, text);
    return null;
  }
  if (isFinal(status.stage)) {
    await tell(deps, args, `This onboarding has already ended (${STAGE_LABEL[status.stage]}). Nothing was changed.`);
    return null;
  }
  const fits = actionsFor(status)?.elements.some((e) => 'action_id' in e && e.action_id === press.actionId) ?? false;
  if (!fits) {
    await tell(deps, args, `This button no longer applies: the onboarding is now at “${STAGE_LABEL[status.stage]}”. Nothing was changed.`);
    return null;
  }
  return status;
}

/**
 * Acknowledges the press, then sends the onboarding a signal on behalf of the person who pressed:
 * once per double click, only while the button fits the onboarding's stage.
 */
export async function signalFromButton(deps: SlackDeps, args: ButtonArgs, signal: SignalName, fields: Record<string, unknown> = {}): Promise<void> {
  await args.ack();
  const press = pressOf(args);
  const key = `press:${press.workflowId}:${press.actionId}`;
  if (!deps.recent.first(key, deps.doubleClickMs)) return;
  const status = await onboardingFor(deps, args, press);
  if (!status) return;
  try {
    await sendSignal(deps.temporal, press.workflowId, signal, { by: press.user, ...fields });
    deps.log('slack.signalled', { workflowId: press.workflowId, signal, by: press.user });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      await tell(deps, args, 'This onboarding has already ended. Nothing was changed.');
      return;
    }
    deps.recent.forget(key);
    throw error;
  }
}

/** For buttons that open a modal: acknowledges, ignores a double click, checks the onboarding. */
export async function onboardingForModal(deps: SlackDeps, args: ButtonArgs): Promise<{ press: Press; status: OnboardingStatus } | null> {
  await args.ack();
  const press = pressOf(args);
  if (!deps.recent.first(`modal:${press.workflowId}:${press.actionId}:${press.user}`, 3_000)) return null;
  const status = await onboardingFor(deps, args, press);
  return status ? { press, status } : null;
}
