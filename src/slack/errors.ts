/**
 * The app's error handler: every error a listener or middleware throws is logged with a short
 * correlation id, and the person who sent the request is told, with that id, that it failed.
 */
import { randomBytes } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Log } from '../log';
import { kindOf, userOf } from './payload';
import { ackStateOf } from './receiver';
import { tellUser } from './reply';

export function correlationId(): string {
  return randomBytes(4).toString('hex');
}

export function errorText(id: string): string {
  return `Something went wrong on our side, and this request may not have been carried out. Please try again in a moment; if it keeps failing, give your admin this reference: ${id}.`;
}

export function errorHandler(client: WebClient, log: Log) {
  return async ({ error, body, context }: { error: Error; body?: unknown; context?: Record<string, unknown> }): Promise<void> => {
    const id = correlationId();
    const cause = (error as { original?: unknown }).original ?? error;
    log('slack.error', {
      correlationId: id,
      kind: kindOf(body),
      user: userOf(body),
      error: cause instanceof Error ? cause.message : String(cause),
      code: (error as { code?: string }).code,
      stack: cause instanceof Error ? cause.stack?.split('\n').slice(0, 6).join('\n') : undefined,
    });
    await tellUser({ client, body, text: errorText(id), ack: ackStateOf(context), log });
  };
}
