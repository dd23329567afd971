/**
 * 2. Approval round trip: the approver's POST on the approval page (service HTTP server → the
 * `decide` update, validated and accepted by the onboarding on the service's worker → 303), vs. a
 * bare Update round trip from a client to a trivial workflow (bench/workflows.ts) on the same
 * Temporal server, one at a time, alternating. Before each POST the page is opened (GET: the form's
 * CSRF value and cookie), before each bare update the workflow is queried: both untimed, so that
 * both workflows are equally warm. After each POST the onboarding's follow-up (thread reply,
 * receipt and instructions mails) is let finish before the next measurement.
 */
import { approvalLink } from '../../src/web/approval-token';
import { messageIdFor } from '../../src/mail/message-id';
import { visibilityQuery } from '../../src/temporal/visibility-query';
import { ONBOARDING_STAGE } from '../../workflows/messages';
import { row, type PartResult } from '../report';
import type { Child } from '../support/children';
import { parkedInput, startParked } from '../support/parked';
import { postRoot } from '../support/slack';
import { APPROVAL_SECRET, CHANNEL, counted, FLOW_POLICY, MAIL_DOMAIN, TECH, type Base } from '../support/stack';
import { percentile, pool, round, sleep } from '../support/stats';
import { benchDecide, benchTrivial, benchWaiting } from '../workflows';

interface Prepared {
  workflowId: string;
  runId: string;
  link: string;
}

export async function approvalPart(
  base: Base,
  service: Child,
  appQueue: string,
  baselineQueue: string,
  count: number,
  firstInvitee: number,
  deadline: number,
): Promise<PartResult> {
  const started = performance.now();
  const { client } = base;
  const publicBase = `http://127.0.0.1:${Number(service.ready.port)}`;
  const warmUp = 10;
  const total = count + warmUp;
  const run = Date.now().toString(36);

  // Onboardings waiting for their approver (round 1), each with its thread root in the fake Slack.
  const prepared: Prepared[] = new Array(total);
  await pool(total, 20, async (i) => {
    const thread = await postRoot(base.slack, CHANNEL, `Onboarding ${i}`);
    const input = parkedInput(firstInvitee + i, 'AWAITING_APPROVAL', FLOW_POLICY, TECH, thread);
    const runId = await startParked(client, appQueue, input);
    const claims = {
      workflowId: input.workflowId,
      round: 1,
      approverContactId: input.carried!.approver!.contactId,
      expiresAt: input.progress!.approval!.startedAt + FLOW_POLICY.approval.timeout,
    };
    prepared[i] = { workflowId: input.workflowId, runId, link: approvalLink(publicBase, APPROVAL_SECRET, claims) };
  });
  const trivialIds = Array.from({ length: total }, (_, i) => `bench-trivial:${run}:${i}`);
  await pool(total, 20, async (i) => {
    await client.workflow.start(benchTrivial, { taskQueue: baselineQueue, workflowId: trivialIds[i]! });
  });
  const awaitingApproval = visibilityQuery().where('TaskQueue', '=', appQueue).where(ONBOARDING_STAGE, '=', 'AWAITING_APPROVAL').where('ExecutionStatus', '=', 'Running');
  await counted(client, awaitingApproval.toString(), total, 60_000);

  const pageMs: number[] = [];
  const bareMs: number[] = [];
  const statuses = new Map<number, number>();

  const page = async (i: number, keep: boolean) => {
    const { link, workflowId, runId } = prepared[i]!;
    // Each approver from an address of their own (TEST-NET-2, 198.51.100.0/24, and the next ranges).
    const approver = { 'x-forwarded-for': `198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}` };
    const opened = await fetch(link, { headers: approver });
    const html = await opened.text();
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const at = performance.now();
    const answer = await fetch(link, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'user-agent': 'invite-lite-bench', ...approver },
      body: new URLSearchParams({ csrf, decision: 'approve', comment: 'Approved for the benchmark' }).toString(),
    });
    await answer.arrayBuffer();
    const ms = performance.now() - at;
    if (keep) {
      pageMs.push(ms);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    // The onboarding's follow-up ends with the instructions mail (then one thread update).
    if (answer.status === 303) await base.sink.waitFor(messageIdFor({ workflowId, runId }, 'instructions', 1, MAIL_DOMAIN), 30_000);
    await sleep(50);
  };
  const bare = async (i: number, keep: boolean) => {
    const handle = client.workflow.getHandle(trivialIds[i]!);
    await handle.query(benchWaiting);
    const at = performance.now();
    await handle.executeUpdate(benchDecide, { args: [{ decision: 'approve', round: 1 }] });
    const ms = performance.now() - at;
    if (keep) bareMs.push(ms);
    await sleep(50);
  };

  for (let i = 0; i < total; i++) {
    if (Date.now() > deadline) throw new Error(`time limit reached after ${pageMs.length} approvals`);
    const keep = i >= warmUp;
    if (i % 2 === 0) {
      await page(i, keep);
      await bare(i, keep);
    } else {
      await bare(i, keep);
      await page(i, keep);
    }
  }

  const non303 = [...statuses].filter(([code]) => code !== 303).reduce((n, [, c]) => n + c, 0);
  const p = (samples: number[], q: number) => round(percentile(samples, q), 2);
  const ratio99 = percentile(pageMs, 99) / percentile(bareMs, 99);
  return {
    part: 2,
    name: 'Approval round trip',
    seconds: (performance.now() - started) / 1000,
    rows: [
      row(2, 'approval POST → update → answer p50', 'ms', percentile(pageMs, 50), percentile(bareMs, 50), 'bare update'),
      row(2, 'approval POST → update → answer p99', 'ms', percentile(pageMs, 99), percentile(bareMs, 99), 'bare update', {
        text: 'ratio ≤ 1.5',
        met: ratio99 <= 1.5,
      }),
      row(2, 'approval answers other than 303', '', non303, null, null, { text: '0', met: non303 === 0 }),
    ],
    details: {
      approvals: pageMs.length,
      warmUp,
      pageMs: { p50: p(pageMs, 50), p90: p(pageMs, 90), p99: p(pageMs, 99), max: p(pageMs, 100) },
      bareUpdateMs: { p50: p(bareMs, 50), p90: p(bareMs, 90), p99: p(bareMs, 99), max: p(bareMs, 100) },
      statusCodes: Object.fromEntries(statuses),
    },
  };
}
