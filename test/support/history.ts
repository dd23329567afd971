/** What a workflow history says people did: its person actions, as Updates accepted or (older runs) signals. */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { PERSON_ACTION_UPDATES } from '../../workflows/messages';
import type { PersonAction } from '../../workflows/person-actions';

const BY_UPDATE = new Map(Object.entries(PERSON_ACTION_UPDATES).map(([action, update]) => [update.name, action as PersonAction]));
const ACTIONS = new Set<string>(Object.keys(PERSON_ACTION_UPDATES));

export interface TakenAction {
  action: PersonAction;
  /** Who acted, as the action says. */
  by: unknown;
  via: 'update' | 'signal';
}

/** The person actions the workflow took, in order. */
export function actionsIn(history: temporal.api.history.v1.IHistory): TakenAction[] {
  const taken: TakenAction[] = [];
  for (const event of history.events ?? []) {
    const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    const signal = event.workflowExecutionSignaledEventAttributes;
    const [name, payloads, via] = update
      ? [update.name, update.args?.payloads, 'update' as const]
      : signal
        ? [signal.signalName, signal.input?.payloads, 'signal' as const]
        : [null, null, null];
    const action = name ? (BY_UPDATE.get(name) ?? (via === 'signal' && ACTIONS.has(name) ? (name as PersonAction) : undefined)) : undefined;
    if (!action || !via) continue;
    const [payload] = payloads ?? [];
    const arg = payload ? defaultPayloadConverter.fromPayload<{ by?: unknown }>(payload) : undefined;
    taken.push({ action, by: arg?.by, via });
  }
  return taken;
}

/** Every message the workflow heard from outside, in order: person actions by their action's name, other signals by theirs. */
export function messagesIn(history: temporal.api.history.v1.IHistory): string[] {
  const actions = actionsIn(history);
  const heard: string[] = [];
  for (const event of history.events ?? []) {
    const signal = event.workflowExecutionSignaledEventAttributes?.signalName;
    const update = event.workflowExecutionUpdateAcceptedEventAttributes;
    const updateName = update?.acceptedRequest?.input?.name;
    if ((updateName && BY_UPDATE.has(updateName)) || (signal && ACTIONS.has(signal))) heard.push(actions.shift()!.action);
    else if (updateName) heard.push(updateName);
    else if (signal) heard.push(signal);
  }
  return heard;
}
