/**
 * Middleware in front of the onboarding thread's buttons: which onboarding a press is about and
 * from which drawing of the thread (kept in the context for the listener), the onboarding loaded
 * for buttons that open a modal, and a modal opened once per double click.
 */
import type { AllMiddlewareArgs, BlockAction, Middleware, SlackActionMiddlewareArgs } from '@slack/bolt';
import { ACTION_REFUSED } from '../../../workflows/person-actions';
import type { OnboardingStatus } from '../../../workflows/types';
import { ActionRefusedError } from '../../onboarding-messages';
import { parsePressValue, type ActionId } from '../action-ids';
import type { SlackDeps } from '../deps';
import { statusOf } from '../overview';
import { messageOf } from '../payload';
import { ackStateOf } from '../receiver';
import { tellUser } from '../reply';
import { refusalText } from '../refusals';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** A press of a thread button. */
export interface Press {
  workflowId: string;
  actionId: ActionId;
  user: string;
  /** The onboarding's count of actions when the button was drawn; undefined for buttons drawn before counts. */
  seen: number | undefined;
  /**
   * The Update's ID for this press: the same for every press of this button on this drawing (a
   * double click, a retried delivery, two people at once, on any replica), so that it acts once.
   */
  updateId: string;
  message: { channel: string; ts: string; threadTs: string } | null;
}

const PRESS = 'inviteLitePress';
const ONBOARDING = 'inviteLiteOnboarding';

export function pressOf(args: Pick<ButtonArgs, 'context'>): Press {
  return args.context[PRESS] as Press;
}

export function onboardingOf(args: Pick<ButtonArgs, 'context'>): OnboardingStatus {
  return args.context[ONBOARDING] as OnboardingStatus;
}

/** Says something to the person who pressed, in the thread, only to them. */
export function tellPresser(deps: SlackDeps, args: ButtonArgs, text: string): Promise<void> {
  return tellUser({ client: args.client, body: args.body, text, ack: ackStateOf(args.context), log: deps.log });
}

/** Acknowledges the press and reads which onboarding and drawing it is about; a button of none is answered here. */
export function threadPress(deps: SlackDeps): Middleware<SlackActionMiddlewareArgs<BlockAction>> {
  return async (args) => {
    await args.ack();
    const action = args.action as { action_id: string; value?: string; action_ts?: string };
    const named = parsePressValue(action.value);
    if (!named) {
      await tellPresser(deps, args as ButtonArgs, 'This button does not belong to an onboarding. Nothing was changed.');
      return;
    }
    // Buttons drawn before the count was kept name no drawing: one action per button until the thread is drawn again.
    const drawing = named.seen === undefined ? 'undrawn' : `seen:${named.seen}`;
    const press: Press = {
      ...named,
      actionId: action.action_id as ActionId,
      user: args.body.user.id,
      updateId: `slack:${action.action_id}:${named.workflowId}:${drawing}`,
      message: messageOf(args.body),
    };
    args.context[PRESS] = press;
    await args.next();
  };
}

/** For buttons that open a modal: once per double click (per process), with the onboarding loaded. */
export function modalPress(deps: SlackDeps): Middleware<SlackActionMiddlewareArgs<BlockAction>> {
  return async (args) => {
    const press = pressOf(args);
    if (!deps.recent.first(`modal:${press.workflowId}:${press.actionId}:${press.user}`, deps.doubleClickMs)) return;
    const status = await statusOf(deps, press.workflowId);
    if (!status) {
      await tellPresser(deps, args as ButtonArgs, 'This onboarding cannot be reached just now. Nothing was changed: try again in a moment.');
      return;
    }
    if (press.seen !== undefined && press.seen !== (status.actionsTaken ?? 0)) {
      await tellPresser(deps, args as ButtonArgs, refusalText(new ActionRefusedError(ACTION_REFUSED.stale, '', status.stage)));
      return;
    }
    args.context[ONBOARDING] = status;
    await args.next();
  };
}
