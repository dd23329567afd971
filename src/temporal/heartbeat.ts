/**
 * Every activity heartbeats while it runs, so that when the process running it dies (a crash, a
 * SIGKILL, a lost machine) Temporal retries it after the short heartbeat timeout the workflows
 * set (ACTIVITY_HEARTBEAT_TIMEOUT in workflows/messages.ts) instead of after its whole start-to-close timeout.
 */
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';

/** How often a running activity tells Temporal it is alive (well under the workflows' heartbeat timeout). */
export const HEARTBEAT_EVERY_MS = 3_000;

class HeartbeatInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly context: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const beat = () => this.context.heartbeat();
    beat();
    const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
    try {
      return await next(input);
    } finally {
      clearInterval(timer);
    }
  }
}

export const heartbeatInterceptor: ActivityInterceptorsFactory = (context) => ({ inbound: new HeartbeatInterceptor(context) });
