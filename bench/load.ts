/**
 * The slash-command benchmark's load generator, in a process of its own so that the fake Slack
 * (in the benchmark's process) does not delay its clock. Started with an IPC channel by
 * bench/parts/ack.ts: it takes `run` jobs (signed `/invite-lite` requests, `concurrency` at a
 * time), asks the benchmark for each command's trigger_id and response_url just before sending it,
 * and answers with the times from sending each request to having read its whole answer, and the
 * moment (epoch ms) each trigger_id was sent, for the time to the modal's `views.open`.
 */
import { commandBody, postSigned } from './support/slack';
import { pool } from './support/stats';

export interface LoadJob {
  type: 'run';
  url: string;
  secret: string;
  user: string;
  count: number;
  concurrency: number;
}

export interface LoadResult {
  type: 'done';
  ms: number[];
  codes: Record<string, number>;
  errors: string[];
  /** trigger_id → when its command was sent (epoch ms, as the fake Slack's call times). */
  sentAt: Record<string, number>;
}

type FromParent = LoadJob | { type: 'ids'; seq: number; triggerId: string; responseUrl: string };

const send = (message: unknown) => process.send!(message);
const pending = new Map<number, (ids: { triggerId: string; responseUrl: string }) => void>();
let seq = 0;

function ids(): Promise<{ triggerId: string; responseUrl: string }> {
  const n = ++seq;
  return new Promise((ok) => {
    pending.set(n, ok);
    send({ type: 'ids', seq: n });
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const ms: number[] = [];
  const codes: Record<string, number> = {};
  const errors: string[] = [];
  const sentAt: Record<string, number> = {};
  await pool(job.count, job.concurrency, async () => {
    const { triggerId, responseUrl } = await ids();
    const body = commandBody({ command: '/invite-lite', user: job.user, triggerId, responseUrl });
    const at = performance.now();
    sentAt[triggerId] = performance.timeOrigin + at;
    let status = 0;
    try {
      status = await postSigned(job.url, job.secret, body);
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
    ms.push(performance.now() - at);
    codes[status] = (codes[status] ?? 0) + 1;
  });
  return { type: 'done', ms, codes, errors: errors.slice(0, 5), sentAt };
}

process.on('message', (message: FromParent) => {
  if (message.type === 'ids') {
    pending.get(message.seq)?.({ triggerId: message.triggerId, responseUrl: message.responseUrl });
    pending.delete(message.seq);
  } else if (message.type === 'run') {
    void run(message).then(send);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
