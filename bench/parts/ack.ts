/**
 * 1. Slash-command ack: signed `/invite-lite` requests, 50 at a time, against the service's HTTP
 * server with the Slack app (fake Slack Web API, fake IT Glue) and against a bare Bolt app whose
 * command only acknowledges (Bolt's defaults), each in its own process on this machine, from a load
 * generator in another (bench/load.ts). Blocks rotate the order of the targets so that all see the
 * same background load. The time is from sending a request to having read its whole answer; every
 * answer must be 200. Each command carries a fresh trigger_id from the fake Slack, so the app
 * opens its modal after acknowledging (counted, not timed).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from '../load';
import { row, type PartResult } from '../report';
import type { Child } from '../support/children';
import { SIGNING_SECRET, TECH, type Base } from '../support/stack';
import { percentile, round, sleep } from '../support/stats';

export const CONCURRENCY = 50;

type Target = 'app' | 'bare' | 'bareAuth';

/**
 * `bareAuth` is a diagnostic: the bare app set up as the service's is (tokenVerificationEnabled:
 * false), with which Bolt calls auth.test for every request before the listener runs.
 */
export async function ackPart(base: Base, service: Child, bare: Child, bareAuth: Child, total: number, deadline: number): Promise<PartResult> {
  const started = performance.now();
  const urlOf = (child: Child) => `http://127.0.0.1:${Number(child.ready.port)}/slack/events`;
  const urls: Record<Target, string> = { app: urlOf(service), bare: urlOf(bare), bareAuth: urlOf(bareAuth) };

  const load = fork(fileURLToPath(new URL('../load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let appTriggers: Set<string> | null = null;
  let finish: ((result: LoadResult) => void) | null = null;
  const ready = new Promise<void>((ok) => {
    load.on('message', (message: { type: string; seq?: number } | LoadResult) => {
      if (message.type === 'ready') ok();
      else if (message.type === 'ids') {
        const triggerId = base.slack.issueTriggerId();
        appTriggers?.add(triggerId);
        load.send({ type: 'ids', seq: (message as { seq: number }).seq, triggerId, responseUrl: base.slack.responseUrl() });
      } else if (message.type === 'done') finish?.(message as LoadResult);
    });
  });
  await ready;

  const empty = () => ({ ms: [] as number[], codes: {} as Record<string, number>, errors: [] as string[], authTests: 0 });
  const all: Record<Target, ReturnType<typeof empty>> = { app: empty(), bare: empty(), bareAuth: empty() };
  const measuredTriggers = new Set<string>();
  const block = async (which: Target, count: number, keep: boolean) => {
    if (Date.now() > deadline) throw new Error('time limit reached');
    appTriggers = which === 'app' && keep ? measuredTriggers : null;
    const done = new Promise<LoadResult>((ok) => (finish = ok));
    const job: LoadJob = { type: 'run', url: urls[which], secret: SIGNING_SECRET, user: TECH, count, concurrency: CONCURRENCY };
    const authTests = base.slack.callsOf('auth.test').length;
    load.send(job);
    const result = await done;
    if (!keep) return;
    all[which].authTests += base.slack.callsOf('auth.test').length - authTests;
    all[which].ms.push(...result.ms);
    for (const [code, n] of Object.entries(result.codes)) all[which].codes[code] = (all[which].codes[code] ?? 0) + n;
    all[which].errors.push(...result.errors);
  };

  try {
    // Warm-up (not counted): JIT, connection pools, Bolt's first auth.test.
    const warmCount = Math.min(200, Math.max(50, Math.round(total / 10)));
    for (const which of ['bare', 'bareAuth', 'app'] as const) await block(which, warmCount, false);
    await sleep(1_000);

    // Each target first, second and last in turn.
    const orders: Target[][] = [
      ['bare', 'app', 'bareAuth'],
      ['app', 'bareAuth', 'bare'],
      ['bareAuth', 'bare', 'app'],
      ['app', 'bare', 'bareAuth'],
    ];
    const per = Math.ceil(total / orders.length);
    for (const [b, order] of orders.entries()) {
      const count = Math.min(per, total - b * per);
      for (const which of order) await block(which, count, true);
    }

    // The modals the app opened for the measured commands (after their acks).
    await sleep(3_000);
    const opens = base.slack.callsOf('views.open').filter((c) => measuredTriggers.has(String(c.args.trigger_id)));
    const openErrors: Record<string, number> = {};
    for (const c of opens.filter((c) => !c.ok)) openErrors[c.error ?? '?'] = (openErrors[c.error ?? '?'] ?? 0) + 1;

    const app = all.app.ms;
    const bareMs = all.bare.ms;
    const non200 = (codes: Record<string, number>): number =>
      Object.entries(codes)
        .filter(([code]) => code !== '200')
        .reduce((n, [, c]) => n + c, 0);
    const p = (samples: number[], q: number) => round(percentile(samples, q), 2);
    const appP99 = percentile(app, 99);
    const ratio99 = appP99 / percentile(bareMs, 99);
    return {
      part: 1,
      name: 'Slash-command ack',
      seconds: (performance.now() - started) / 1000,
      rows: [
        row(1, `/invite-lite ack p50 (${CONCURRENCY} concurrent)`, 'ms', percentile(app, 50), percentile(bareMs, 50), 'bare Bolt'),
        row(1, `/invite-lite ack p99 (${CONCURRENCY} concurrent)`, 'ms', appP99, percentile(bareMs, 99), 'bare Bolt', {
          text: 'ratio ≤ 1.3 and < 300 ms',
          met: ratio99 <= 1.3 && appP99 < 300,
        }),
        row(1, '/invite-lite answers other than 200', '', non200(all.app.codes), non200(all.bare.codes), 'bare Bolt', { text: '0', met: non200(all.app.codes) === 0 }),
      ],
      details: {
        requests: {
          app: app.length,
          bare: bareMs.length,
          bareAuth: all.bareAuth.ms.length,
          warmUpEach: warmCount,
          concurrency: CONCURRENCY,
          blocks: orders.map((o) => o.join(',')).join(' | '),
        },
        appMs: { p50: p(app, 50), p90: p(app, 90), p99: p(app, 99), max: p(app, 100) },
        bareMs: { p50: p(bareMs, 50), p90: p(bareMs, 90), p99: p(bareMs, 99), max: p(bareMs, 100) },
        bareWithPerRequestAuthTestMs: { p50: p(all.bareAuth.ms, 50), p90: p(all.bareAuth.ms, 90), p99: p(all.bareAuth.ms, 99), max: p(all.bareAuth.ms, 100) },
        authTestCalls: { app: all.app.authTests, bare: all.bare.authTests, bareAuth: all.bareAuth.authTests },
        statusCodes: { app: all.app.codes, bare: all.bare.codes, bareAuth: all.bareAuth.codes },
        requestErrors: [...all.app.errors, ...all.bare.errors, ...all.bareAuth.errors].slice(0, 5),
        modals: { opened: opens.filter((c) => c.ok).length, failed: openErrors, notOpened: app.length - opens.length },
      },
    };
  } finally {
    load.disconnect();
  }
}
