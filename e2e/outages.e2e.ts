/**
 * Onboardings through the real service while the services around it fail for a while: the SMTP
 * server is down (twice: when approval requests and instructions are due, and when decision
 * receipts are), IT Glue answers 429 with Retry-After (from an onboarding's validation on), then
 * 500 (from a verification's group read on), then 503 (from the first group write on), and Slack
 * answers `ratelimited` to every post (thread roots and replies) and, for longer, every update of a
 * root. Every onboarding completes, nothing stalls, and every mail, thread root and reply arrives
 * afterwards, once.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT_EVENT_TYPE } from '../activities/slack';
import { messageIdStem } from '../src/mail/message-id';
import type { OnboardingStatus } from '../workflows/types';
import { SEED } from '../test/fakes/itglue-server';
import {
  barrier,
  checkThread,
  expectedMails,
  itglueOutageWhen,
  journey,
  requestKind,
  slackOutage,
  smtpOutage,
  untilReceived,
  watchMail,
  within,
  type JourneyOptions,
  type Outage,
  type TriggeredOutage,
} from './support/outages';
import { newInvitee, PRIMARY, startStackWithBrowser, workflowIdOf, type Invitee, type Kind } from './support/people';
import { record } from './support/results';
import { duplicates } from './support/side-effects';
import type { Stack } from './support/stack';

/** Outage lengths. Mail is retried 5 s, 10 s, 20 s… apart, IT Glue 2 s, 4 s… (or after Retry-After), Slack after Retry-After. */
const SMTP_MS = 20_000;
const SLACK_POSTS_MS = 20_000;
const SLACK_UPDATES_MS = 30_000;
const SLACK_RETRY_AFTER_S = 5;
const ITGLUE_429_MS = 20_000;
const ITGLUE_RETRY_AFTER_S = 3;
const ITGLUE_500_MS = 15_000;
const ITGLUE_503_MS = 15_000;

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startStackWithBrowser());
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const lite: Kind = { kind: 'itglue', passwordAccess: false };
const seconds = (ms: number) => Math.round(ms / 100) / 10;

it('delivers every mail, IT Glue change and Slack post once after SMTP, IT Glue and Slack outages', async () => {
  const mail = watchMail(stack);
  const person = {
    mail1: newInvitee(stack, 'Mailone'),
    mail2: newInvitee(stack, 'Mailtwo'),
    slack1: newInvitee(stack, 'Slackone'),
    slack2: newInvitee(stack, 'Slacktwo'),
    itglue1: newInvitee(stack, 'Itglueone'),
    itglue2: newInvitee(stack, 'Itgluetwo'),
  };
  const paula: Invitee = { contactId: PRIMARY.contactId, firstName: 'Paula', lastName: 'Primary', email: PRIMARY.email };
  const approved = { approverContactId: PRIMARY.contactId };
  const runs: Array<{ name: string; workflowId: string; kind: Kind; run: Promise<OnboardingStatus> }> = [];
  const start = (name: string, o: JourneyOptions) => {
    runs.push({ name, workflowId: workflowIdOf(o.invitee.contactId), kind: o.kind, run: journey(stack, browser, o) });
  };

  // 1. SMTP down before the first mails are due: two approval requests and Paula's instructions.
  const smtp: Outage[] = [await smtpOutage(stack, SMTP_MS, 'SMTP down while approval requests and instructions are due')];
  // The approvers decide while SMTP is down again: their receipts wait. SMTP goes down once what
  // the first outage held is in (so that no send is cut off in the middle) and Slack is back (so
  // that the receipts are due at once, not after the replies before them).
  let slackBack!: () => void;
  const slackIsBack = new Promise<void>((back) => (slackBack = back));
  const approvalGate = barrier(
    2,
    async () => {
      await within(untilReceived(stack, messageIdStem(workflowIdOf(PRIMARY.contactId), 'instructions', 1)), 120_000, 'the primary contact’s instructions');
      await within(slackIsBack, 120_000, 'the end of the Slack outage');
      smtp.push(await smtpOutage(stack, SMTP_MS, 'SMTP down while decision receipts are due'));
    },
    180_000,
  );
  start('mail 1', { invitee: person.mail1, ...approved, kind: lite, userId: '8101', userFoundBy: 'button', beforeApprove: approvalGate });
  start('mail 2', {
    invitee: person.mail2,
    ...approved,
    kind: { kind: 'itglue', passwordAccess: true },
    userId: '8102',
    userFoundBy: 'button',
    beforeApprove: approvalGate,
  });
  start('primary contact', { invitee: paula, kind: lite, userId: '8103', userFoundBy: 'button' });
  await Promise.all([
    stack.waitFor(workflowIdOf(person.mail1.contactId), (s) => s.stages.some((x) => x.stage === 'AWAITING_APPROVAL'), 'approval request due'),
    stack.waitFor(workflowIdOf(person.mail2.contactId), (s) => s.stages.some((x) => x.stage === 'AWAITING_APPROVAL'), 'approval request due'),
    stack.waitFor(workflowIdOf(paula.contactId), (s) => s.stages.some((x) => x.stage === 'SENDING_INSTRUCTIONS'), 'instructions due'),
  ]);

  // 2. IT Glue: 429 from the validation of one onboarding on (its second look-up of the invitee:
  // the first is the modal's check), then 500 from a verification's group read on, then 503 from
  // the first group write on. The second IT Glue onboarding's user appears during the 500s, and
  // only the sweep tells it.
  let lookups = 0;
  const rateLimited = itglueOutageWhen(
    stack,
    `IT Glue 429 (Retry-After ${ITGLUE_RETRY_AFTER_S} s), from a validation on`,
    (r) => r.method === 'GET' && r.path === '/users' && r.query['filter[email]'] === person.itglue1.email && ++lookups === 2,
    { status: 429, retryAfterSeconds: ITGLUE_RETRY_AFTER_S },
    ITGLUE_429_MS,
  );
  const triggered: TriggeredOutage[] = [rateLimited];
  let armServerErrors!: () => void;
  const serverErrorsStarted = new Promise<void>((armed) => {
    armServerErrors = () => {
      const serverErrors = itglueOutageWhen(
        stack,
        'IT Glue 500, from a verification on',
        (r) => r.method === 'GET' && r.path.startsWith('/groups'),
        { status: 500 },
        ITGLUE_500_MS,
      );
      triggered.push(serverErrors);
      void serverErrors.trigger.then(
        () => armed(),
        () => undefined,
      );
      void serverErrors.outage.then(() => {
        triggered.push(
          itglueOutageWhen(stack, 'IT Glue 503, from a group write on', (r) => r.method === 'PATCH' && r.path.startsWith('/groups/'), { status: 503 }, ITGLUE_503_MS),
        );
      });
    };
  });
  start('itglue 1', { invitee: person.itglue1, ...approved, kind: lite, userId: '8301', userFoundBy: 'button', afterCreateUser: async () => armServerErrors() });
  start('itglue 2', {
    invitee: person.itglue2,
    ...approved,
    kind: { kind: 'myglue', role: 'Creator', groupIds: [SEED.group.acmeMyGlue] },
    userId: '8302',
    userFoundBy: 'sweep',
    beforeCreateUser: () => within(serverErrorsStarted, 150_000, 'the IT Glue 500s'),
  });

  // 3. Once SMTP and IT Glue are back, Slack answers ratelimited to posts, and for longer to
  // updates: the held mails go out and their replies wait, two onboardings start in it (no root
  // yet), and the roots' updates wait after the replies.
  await Promise.all([smtp[0]!.over, within(rateLimited.outage, 120_000, 'the IT Glue 429s')]);
  const slack = slackOutage(stack, 'chat.postMessage', SLACK_POSTS_MS, SLACK_RETRY_AFTER_S);
  const slackUpdates = slackOutage(stack, 'chat.update', SLACK_UPDATES_MS, SLACK_RETRY_AFTER_S);
  // Back, and the refused calls' retries (after Retry-After) made.
  void Promise.all([slack.over, slackUpdates.over]).then(() => setTimeout(slackBack, SLACK_RETRY_AFTER_S * 1000 + 1000));
  start('slack 1', { invitee: person.slack1, ...approved, kind: lite, userId: '8201', userFoundBy: 'button' });
  start('slack 2', {
    invitee: person.slack2,
    ...approved,
    kind: { kind: 'myglue', role: 'Editor', groupIds: [SEED.group.acmeMyGlue] },
    userId: '8202',
    userFoundBy: 'button',
  });

  const settled = await Promise.allSettled(runs.map((r) => r.run));
  await Promise.all([...smtp.map((o) => o.over), slack.over, slackUpdates.over]);
  const itglue: Outage[] = [];
  for (const t of triggered) {
    if (t.fired) itglue.push(await t.outage);
    else t.cancel();
  }
  mail.stop();

  // ---- what happened --------------------------------------------------------------------------
  const finals = await Promise.all(runs.map((r) => stack.status(r.workflowId).catch(() => null)));
  const problems: string[] = [];
  runs.forEach((r, i) => {
    const outcome = settled[i]!;
    const s = finals[i];
    if (outcome.status === 'rejected') problems.push(`${r.name}: ${String(outcome.reason)}`);
    if (!s) {
      problems.push(`${r.name}: no status`);
      return;
    }
    if (s.stage !== 'COMPLETED') problems.push(`${r.name}: ${s.stage}${s.reason ? ` (${s.reason})` : ''}`);
    if (s.stages.some((x) => x.stage === 'STALLED')) problems.push(`${r.name}: stalled on the way`);
  });

  // Mail: every message an onboarding sent arrived once; nothing else arrived.
  const mails = finals.flatMap((s, i) => (s ? expectedMails(s).map((m) => ({ ...m, name: runs[i]!.name })) : []));
  const mailProblems: string[] = [];
  for (const m of mails) {
    const n = stack.smtp.byMessageIdStem(m.stem).length;
    if (n !== 1) mailProblems.push(`${m.name}: ${m.label} received ${n} times`);
  }
  const strays = stack.smtp.received.filter((r) => !mails.some((m) => r.parsed.messageId?.startsWith(m.stem))).map((m) => `${m.parsed.messageId} ${m.parsed.subject}`);
  const heldBySmtp = smtp.map((o) => {
    const held = mails.filter((m) => m.dueAt >= o.start && m.dueAt < o.end!);
    const delays = held.map((m) => (mail.arrivedAt(m.stem) ?? NaN) - o.end!);
    const shown = held.map((m, i) => `${m.name} ${m.label} +${seconds(delays[i]!)} s`);
    return { outage: o, held, delays, shown };
  });

  // Slack: one root per onboarding showing the end, one reply per posted event.
  const threads = finals.map((s, i) => (s ? { name: runs[i]!.name, s, check: checkThread(stack, s) } : null)).filter((t) => t !== null);
  const threadProblems = threads.flatMap(({ name, s, check }) => [
    ...(check.root ? [] : [`${name}: no single thread root`]),
    ...(check.root && !/complete/i.test(stack.driver.root(s.workflowId)?.text ?? '') ? [`${name}: the root does not show the end`] : []),
    ...check.missing.map((k) => `${name}: no reply for ${k}`),
    ...check.unexpected.map((k) => `${name}: a reply for no event: ${k}`),
    ...check.twice.map((k) => `${name}: replied twice: ${k}`),
  ]);
  const refusedBySlack = stack.slack.calls.filter((c) => c.error === 'ratelimited');
  const rootPosts = (workflowId: string) =>
    stack.slack.callsOf('chat.postMessage').filter((c) => {
      const metadata = c.args.metadata as { event_type?: string; event_payload?: { workflowId?: string } } | undefined;
      return !c.args.thread_ts && metadata?.event_type === ROOT_EVENT_TYPE && metadata.event_payload?.workflowId === workflowId;
    });
  const slackRoots = runs
    .filter((r) => r.name.startsWith('slack'))
    .map((r) => ({
      name: r.name,
      refused: rootPosts(r.workflowId).filter((c) => c.error === 'ratelimited').length,
      lag: (rootPosts(r.workflowId).find((c) => c.ok)?.time ?? NaN) - slack.end!,
    }));
  const firstOkAfter = (o: Outage, method: string) => (stack.slack.callsOf(method).find((c) => c.ok && c.time >= o.end!)?.time ?? NaN) - o.end!;
  const refusedOf = (method: string) => refusedBySlack.filter((c) => c.method === method).length;

  // IT Glue: what each outage refused, and when each kind of request got through afterwards,
  // counted from the end of the outage then under way (the 503s follow the 500s closely).
  const requests = stack.itglue.requests;
  const afterItGlueOutage = (t: number) => t - Math.max(...itglue.filter((o) => o.start <= t).map((o) => o.end!));
  const itglueReport = itglue.map((o) => {
    const refused = requests.filter((r) => r.time >= o.start && r.time < o.end! && r.status >= 429);
    const byKind: Record<string, number> = {};
    for (const r of refused) byKind[requestKind(r)] = (byKind[requestKind(r)] ?? 0) + 1;
    const firstOkAfter = (kind: string) => requests.find((r) => r.time >= o.end! && r.status === 200 && requestKind(r) === kind && byKind[kind])?.time;
    const through = Object.fromEntries(Object.keys(byKind).map((k) => [k, seconds(afterItGlueOutage(firstOkAfter(k) ?? NaN))]));
    return { outage: o, byKind, through };
  });
  const eventAfter = (type: string, o: Outage | undefined) =>
    o
      ? afterItGlueOutage(Math.min(...finals.flatMap((s) => s?.events.filter((e) => e.type === type && Date.parse(e.at) >= o.start).map((e) => Date.parse(e.at)) ?? [])))
      : NaN;
  const validatedLag = eventAfter('validated', itglue[0]);
  const verifiedLag = eventAfter('verified', itglue[1]);
  const groupProblems: string[] = [];
  runs.forEach((r, i) => {
    const s = finals[i];
    if (!s?.user) return;
    const groupIds = r.kind.kind === 'myglue' ? r.kind.groupIds : [r.kind.passwordAccess ? SEED.group.hasPasswordAccess : SEED.group.noPasswordAccess];
    for (const id of groupIds) {
      if (!stack.itglue.data.groups.find((g) => g.id === id)?.['user-ids'].includes(s.user.id)) groupProblems.push(`${r.name}: user ${s.user.id} not in group ${id}`);
    }
  });
  const sweptOnly = finals[runs.findIndex((r) => r.name === 'itglue 2')];

  const dup = duplicates(stack);
  // An onboarding is lost when it did not complete, stalled, or something of it never arrived.
  const lost = runs.filter((r) => [...problems, ...mailProblems, ...threadProblems, ...groupProblems].some((p) => p.startsWith(`${r.name}:`))).length;

  const lines = [
    ...smtp.map((o, i) => `${o.what}: ${seconds(o.end! - o.start)} s; held ${heldBySmtp[i]!.held.length} mails, delivered after it: ${heldBySmtp[i]!.shown.join(', ')}`),
    `${slack.what}: ${seconds(slack.end! - slack.start)} s; ${refusedOf('chat.postMessage')} calls refused; first post ${seconds(firstOkAfter(slack, 'chat.postMessage'))} s after; ` +
      `roots refused and posted after it: ${slackRoots.map((r) => `${r.name} ×${r.refused} +${seconds(r.lag)} s`).join(', ')}`,
    `${slackUpdates.what}: ${seconds(slackUpdates.end! - slackUpdates.start)} s; ${refusedOf('chat.update')} calls refused; first update ${seconds(firstOkAfter(slackUpdates, 'chat.update'))} s after`,
    ...itglueReport.map(
      ({ outage, byKind, through }) =>
        `${outage.what}: ${seconds(outage.end! - outage.start)} s; refused ${JSON.stringify(byKind)}; through again after (s) ${JSON.stringify(through)}`,
    ),
    `first validation done ${seconds(validatedLag)} s after the 429s, first verification ${seconds(verifiedLag)} s after the 500s and 503s`,
    `onboardings ${runs.length}, lost ${lost}, duplicates ${dup.mails + dup.slackPosts}`,
  ];
  console.log(`outages:\n  ${lines.join('\n  ')}`);
  record('outages', { onboardings: runs.length, crashes: 0, lost, duplicateSideEffects: dup.mails + dup.slackPosts }, lines.join('; '));

  // ---- the checks -----------------------------------------------------------------------------
  expect(problems).toEqual([]);
  expect(mailProblems).toEqual([]);
  expect(strays).toEqual([]);
  expect(threadProblems).toEqual([]);
  expect(groupProblems).toEqual([]);
  expect(dup.details).toEqual([]);
  expect(lost).toBe(0);

  // Each outage really held something up.
  expect(smtp).toHaveLength(2);
  const heldMails = (i: number) => heldBySmtp[i]!.held.map((m) => `${m.name} ${m.label}`);
  expect(heldMails(0)).toEqual(expect.arrayContaining(['mail 1 approval request', 'mail 2 approval request', 'primary contact instructions']));
  expect(heldMails(1)).toEqual(expect.arrayContaining(['mail 1 decision receipt', 'mail 2 decision receipt']));
  for (const h of heldBySmtp) for (const d of h.delays) expect(d).toBeGreaterThanOrEqual(0);
  expect(refusedBySlack.some((c) => c.method === 'chat.postMessage' && c.args.thread_ts)).toBe(true); // replies
  expect(refusedBySlack.some((c) => c.method === 'chat.update')).toBe(true); // root updates
  for (const r of slackRoots) {
    expect(r.refused, r.name).toBeGreaterThan(0);
    expect(r.lag, r.name).toBeGreaterThanOrEqual(0);
  }
  expect(itglue).toHaveLength(3);
  const [limited, errors, writes] = itglueReport;
  expect(limited!.byKind).toMatchObject({ 'look-up': expect.any(Number), sweep: expect.any(Number) });
  expect(errors!.byKind).toMatchObject({ 'group read': expect.any(Number), sweep: expect.any(Number) });
  expect(writes!.byKind).toMatchObject({ 'group write': expect.any(Number) });
  expect(validatedLag).toBeGreaterThanOrEqual(0);
  expect(verifiedLag).toBeGreaterThanOrEqual(0);
  // The second IT Glue onboarding's user was found by the sweep alone, after the 500s.
  expect(sweptOnly?.events.some((e) => e.type === 'invitation-sent')).toBe(false);
  const foundAt = Date.parse(sweptOnly?.events.find((e) => e.type === 'user-found')?.at ?? '');
  expect(foundAt).toBeGreaterThan(itglue[1]!.end!);
});
