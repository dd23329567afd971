/**
 * 1. Slash-command ack: signed `/invite-lite` requests, 50 at a time, against the service's HTTP
 * server with the Slack app (fake Slack Web API, fake IT Glue) and against a bare Bolt app that
 * acknowledges and opens a static modal of the same size (Bolt's defaults; bench/bare-bolt.ts),
 * each in its own process on this machine, from a load generator in another (bench/load.ts).
 * Blocks rotate the order of the targets so that all see the same background load. The ack time is
 * from sending a request to having read its whole answer; every answer must be 200. Each command
 * carries a fresh trigger_id from the fake Slack; the time to the modal is from sending the command
 * to the fake Slack receiving its `views.open`. The bare apps' modal is the largest view the
 * service opened during its warm-up, copied.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from '../load';
import { row, type PartResult } from '../report';
import type { Child } from '../support/children';
import { SIGNING_SECRET, startBareBolt, TECH, type Base } from '../support/stack';
import { percentile, round, sleep } from '../support/stats';

export const CONCURRENCY = 50;

type Target = 'app' | 'bare' | 'bareAuth';

/**
 * `bareAuth` is a diagnostic: the bare app set up as the service's is (tokenVerificationEnabled:
 * false), with which Bolt calls auth.test for every request before the listener runs.
 */
export async function ackPart(base: Base, service: Child, total: number, deadline: number): Promise<PartResult> {
  const started = performance.now();
  const urlOf = (child: Child) => `http://127.0.0.1:${Number(child.ready.port)}/slack/events`;
  const urls: Partial<Record<Target, string>> = { app: urlOf(service) };

  const load = fork(fileURLToPath(new URL('../load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let triggers: Set<string> | null = null;
  let finish: ((result: LoadResult) => void) | null = null;
  const ready = new Promise<void>((ok) => {
    load.on('message', (message: { type: string; seq?: number } | LoadResult) => {
      if (message.type === 'ready') ok();
      else if (message.type === 'ids') {
        const triggerId = base.slack.issueTriggerId();
        triggers?.add(triggerId);
        load.send({ type: 'ids', seq: (message as { seq: number }).seq, triggerId, responseUrl: base.slack.responseUrl() });
      } else if (message.type === 'done') finish?.(message as LoadResult);
    });
  });
  await ready;

  const empty = () => ({
    ms: [] as number[],
    codes: {} as Record<string, number>,
    errors: [] as string[],
    authTests: 0,
    sentAt: {} as Record<string, number>,
    blockP99: [] as number[],
  });
  const all: Record<Target, ReturnType<typeof empty>> = { app: empty(), bare: empty(), bareAuth: empty() };
  const block = async (which: Target, count: number, keep: boolean) => {
    if (Date.now() > deadline) throw new Error('time limit reached');
    triggers = new Set();
    const done = new Promise<LoadResult>((ok) => (finish = ok));
    const job: LoadJob = { type: 'run', url: urls[which]!, secret: SIGNING_SECRET, user: TECH, count, concurrency: CONCURRENCY };
    const authTests = base.slack.callsOf('auth.test').length;
    load.send(job);
    const result = await done;
    const sent = triggers;
    triggers = null;
    if (!keep) return sent;
    all[which].authTests += base.slack.callsOf('auth.test').length - authTests;
    all[which].ms.push(...result.ms);
    all[which].blockP99.push(round(percentile(result.ms, 99), 1));
    for (const [code, n] of Object.entries(result.codes)) all[which].codes[code] = (all[which].codes[code] ?? 0) + n;
    all[which].errors.push(...result.errors);
    Object.assign(all[which].sentAt, result.sentAt);
    return sent;
  };

  const bareApps: Child[] = [];
  try {
    // Warm-up (not counted): JIT, connection pools, Bolt's first auth.test; the service's first so
    // that its invite modal can be copied for the bare apps.
    const warmCount = Math.min(200, Math.max(50, Math.round(total / 10)));
    const warmTriggers = await block('app', warmCount, false);
    await sleep(1_000);
    const modal = largestView(base, warmTriggers);
    const modalFile = join(base.dir, 'bare-bolt-modal.json');
    writeFileSync(modalFile, modal.json);
    const [bare, bareAuth] = await Promise.all([startBareBolt(base, modalFile), startBareBolt(base, modalFile, false)]);
    bareApps.push(bare, bareAuth);
    urls.bare = urlOf(bare);
    urls.bareAuth = urlOf(bareAuth);
    // And every target again, right before the measured blocks (the service's warm-up was before the bare apps started).
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

    // The modals opened for the measured commands (after their acks).
    await sleep(3_000);
    const opens = Object.fromEntries((['app', 'bare', 'bareAuth'] as const).map((which) => [which, modalTimes(base, all[which].sentAt)])) as Record<Target, ModalTimes>;

    const app = all.app.ms;
    const bareMs = all.bare.ms;
    const non200 = (codes: Record<string, number>): number =>
      Object.entries(codes)
        .filter(([code]) => code !== '200')
        .reduce((n, [, c]) => n + c, 0);
    const p = (samples: number[], q: number) => round(percentile(samples, q), 2);
    const spread = (samples: number[]) => ({ p50: p(samples, 50), p90: p(samples, 90), p99: p(samples, 99), max: p(samples, 100) });
    const appP99 = percentile(app, 99);
    const ratio99 = appP99 / percentile(bareMs, 99);
    const openP99 = percentile(opens.app.ms, 99);
    const openRatio99 = openP99 / percentile(opens.bare.ms, 99);
    return {
      part: 1,
      name: 'Slash-command ack',
      seconds: (performance.now() - started) / 1000,
      rows: [
        row(1, `/invite-lite ack p50 (${CONCURRENCY} concurrent)`, 'ms', percentile(app, 50), percentile(bareMs, 50), 'bare Bolt + modal'),
        row(1, `/invite-lite ack p99 (${CONCURRENCY} concurrent)`, 'ms', appP99, percentile(bareMs, 99), 'bare Bolt + modal', {
          text: 'ratio ≤ 1.3 and < 300 ms',
          met: ratio99 <= 1.3 && appP99 < 300,
        }),
        row(1, '/invite-lite command → views.open p50', 'ms', percentile(opens.app.ms, 50), percentile(opens.bare.ms, 50), 'bare Bolt + modal'),
        row(1, '/invite-lite command → views.open p99', 'ms', openP99, percentile(opens.bare.ms, 99), 'bare Bolt + modal', {
          text: 'ratio ≤ 1.3',
          met: openRatio99 <= 1.3,
        }),
        row(1, '/invite-lite answers other than 200', '', non200(all.app.codes), non200(all.bare.codes), 'bare Bolt + modal', {
          text: '0',
          met: non200(all.app.codes) === 0,
        }),
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
        modal: { blocks: modal.blocks, bytes: Buffer.byteLength(modal.json) },
        ackP99ByBlock: { app: all.app.blockP99, bare: all.bare.blockP99, bareAuth: all.bareAuth.blockP99 },
        appMs: spread(app),
        bareMs: spread(bareMs),
        bareWithPerRequestAuthTestMs: spread(all.bareAuth.ms),
        commandToViewsOpenMs: { app: spread(opens.app.ms), bare: spread(opens.bare.ms), bareAuth: spread(opens.bareAuth.ms) },
        authTestCalls: { app: all.app.authTests, bare: all.bare.authTests, bareAuth: all.bareAuth.authTests },
        statusCodes: { app: all.app.codes, bare: all.bare.codes, bareAuth: all.bareAuth.codes },
        requestErrors: [...all.app.errors, ...all.bare.errors, ...all.bareAuth.errors].slice(0, 5),
        modals: {
          opened: { app: opens.app.opened, bare: opens.bare.opened, bareAuth: opens.bareAuth.opened },
          failed: { app: opens.app.failed, bare: opens.bare.failed, bareAuth: opens.bareAuth.failed },
          notOpened: { app: opens.app.notOpened, bare: opens.bare.notOpened, bareAuth: opens.bareAuth.notOpened },
        },
      },
    };
  } finally {
    load.disconnect();
    await Promise.all(bareApps.map((child) => child.stop()));
  }
}

/** The largest view the service opened for these trigger_ids (its invite modal, not a loading notice). */
function largestView(base: Base, triggerIds: Set<string>): { json: string; blocks: number } {
  let largest: { json: string; blocks: number } | null = null;
  for (const call of base.slack.callsOf('views.open')) {
    if (!call.ok || !triggerIds.has(String(call.args.trigger_id))) continue;
    const json = JSON.stringify(call.args.view);
    if (!largest || json.length > largest.json.length) largest = { json, blocks: (call.args.view as { blocks?: unknown[] }).blocks?.length ?? 0 };
  }
  if (!largest) throw new Error('the service opened no modal during the warm-up');
  return largest;
}

interface ModalTimes {
  ms: number[];
  opened: number;
  failed: Record<string, number>;
  notOpened: number;
}

/** From sending each command to the fake Slack receiving the first `views.open` with its trigger_id. */
function modalTimes(base: Base, sentAt: Record<string, number>): ModalTimes {
  const first = new Map<string, { time: number; ok: boolean; error?: string }>();
  for (const call of base.slack.callsOf('views.open')) {
    const trigger = String(call.args.trigger_id);
    if (trigger in sentAt && !first.has(trigger)) first.set(trigger, call);
  }
  const failed: Record<string, number> = {};
  const ms: number[] = [];
  for (const [trigger, call] of first) {
    ms.push(call.time - sentAt[trigger]!);
    if (!call.ok) failed[call.error ?? '?'] = (failed[call.error ?? '?'] ?? 0) + 1;
  }
  return { ms, opened: [...first.values()].filter((c) => c.ok).length, failed, notOpened: Object.keys(sentAt).length - first.size };
}
