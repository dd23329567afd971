/**
 * Wraps Bolt's receiver (HTTP or Socket Mode) so that every request's context says whether it
 * has been acknowledged, and carries the acknowledgement itself. The error handler
 * (errors.ts) uses it to answer a request that failed before its listener acknowledged it.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';

export interface AckState {
  acked: boolean;
  ack(response?: unknown): Promise<void>;
}

/** The context key under which an AckState is found. */
export const ACK_STATE = 'inviteLiteAck';

export function ackStateOf(context: Record<string, unknown> | undefined): AckState | null {
  const state = context?.[ACK_STATE] as AckState | undefined;
  return state && typeof state.ack === 'function' ? state : null;
}

function tracked(event: ReceiverEvent): ReceiverEvent {
  const state: AckState = {
    acked: false,
    async ack(response) {
      state.acked = true;
      await event.ack(response as never);
    },
  };
  return { ...event, ack: (response) => state.ack(response), customProperties: { ...event.customProperties, [ACK_STATE]: state } };
}

export function trackingAcks(inner: Receiver): Receiver {
  return {
    init(app: App) {
      const relay = { processEvent: (event: ReceiverEvent) => app.processEvent(tracked(event)) };
      inner.init(relay as unknown as App);
    },
    start: (...args: unknown[]) => inner.start(...args),
    stop: (...args: unknown[]) => inner.stop(...args),
  };
}
