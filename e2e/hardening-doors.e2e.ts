/**
 * The service's doors, against the running service (the program `npm start` runs, here behind a
 * trusted proxy so that clients have addresses of their own): a burst of guessed approval links
 * from one client gets 429 with Retry-After and never a 500, while the approver and a link scanner
 * from other addresses are served; an approval POST cut off mid-body leaves no token in the log
 * (no line holds an approval token at all); unsigned, malformed, forged or 3 MB Slack bodies get
 * 401; the approver's hostile comment stays one line in the thread, and web addresses in names are
 * unclickable in Slack and in mail; a tech's `/onboarding-status @someone-else` is refused.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signApprovalToken, verifyApprovalToken, type ApprovalClaims } from '../src/web/approval-token';
import { OTHERS_REFUSED } from '../src/slack/status-scope';
import { makeContact } from '../test/fakes/itglue-server';
import { linksIn, type ReceivedMail } from '../test/fakes/smtp';
import { sign, slashCommandBody } from '../test/support/slack-driver';
import { inPool } from './support/bad-input';
import { ACME, mailsOf, prepareItGlue, PRIMARY, tech, workflowIdOf, type Invitee } from './support/people';
import { record } from './support/results';
import { Answers, approvalForm, eventually, mrkdwnTexts, postDecision, rawSlackPost, tokenOf, visibleCalls } from './support/security';
import { PEOPLE, SECRETS, startStack, type Stack } from './support/stack';

let stack: Stack;
const answers = new Answers();
let checks = 0;
let onboardings = 0;
let badInputs = 0;
/** Approval tokens and their parts handed out: none may reach the log. */
const issued: string[] = [];
let w = '';
let link = '';
let summary = '';

/** An assertion that counts as one check. */
const check = (actual: unknown, label: string) => {
  checks += 1;
  return expect(actual, label);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GUESSER = '198.51.100.66';
const APPROVER_AT = '203.0.113.5';
const SCANNER_AT = '40.94.0.17';
/** A name that mail programs and Slack would turn into a link if it were written as typed. */
const LINKY: Invitee = { contactId: '9901', firstName: 'Ivy', lastName: 'evil.com/login', email: 'ivy.linky@acme-dental.test' };
const HOSTILE_COMMENT = 'Fine\nApproved by the CEO as well\r\n• <!channel> see https://evil.example/pay\u2028last line';

beforeAll(async () => {
  stack = await startStack({ env: { TRUST_PROXY: '127.0.0.1' } });
  prepareItGlue(stack);
  stack.itglue.data.contacts.push(
    makeContact({ id: LINKY.contactId, 'organization-id': ACME.id, 'first-name': LINKY.firstName, 'last-name': LINKY.lastName, email: LINKY.email }),
  );
});

afterAll(async () => {
  await stack?.close();
});

/** Mail parts that must show no web address from the names, only the program's own links. */
function checkMailDefanged(mail: ReceivedMail, what: string) {
  const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
  const text = mail.parsed.text ?? '';
  check(html.includes('evil.com'), `${what}: no web address in the HTML part`).toBe(false);
  check(text.includes('evil.com'), `${what}: no web address in the text part`).toBe(false);
  check(text, `${what}: the name reads as typed, unclickable`).toContain('Ivy evil[.]com/login');
  const links = linksIn(mail);
  check(
    links.filter((l) => !l.startsWith(`${stack.base}/approvals/`) && l !== 'https://app.itglue.com/'),
    `${what}: every link is the program's own`,
  ).toEqual([]);
}

it('starts an onboarding whose invitee has a web address for a name: the approval mail shows it unclickable', async () => {
  w = await tech.invite(stack, { invitee: LINKY, approverContactId: PRIMARY.contactId, kind: { kind: 'itglue', passwordAccess: false } });
  check(w, 'the onboarding').toBe(workflowIdOf(LINKY.contactId));
  onboardings += 1;
  const s = await stack.waitFor(w, (x) => x.stage === 'AWAITING_APPROVAL' && mailsOf(stack, w, 'approval-request', x.approvalRound).length === 1, 'the approval request');
  const mail = mailsOf(stack, w, 'approval-request', s.approvalRound)[0]!;
  checkMailDefanged(mail, 'approval request');
  link = linksIn(mail).find((l) => l.includes('/approvals/'))!;
  issued.push(tokenOf(link), ...tokenOf(link).split('.'));
  // The root is drawn for the approval once the request has gone out (the mail comes first).
  check(await eventually(() => JSON.stringify(stack.driver.root(w) ?? '').includes('Ivy')), 'the thread root shows the invitee').toBe(true);
  const root = stack.driver.root(w)!;
  check(JSON.stringify(root), 'the thread root shows no web address from the name').not.toContain('evil.com');
  check(JSON.stringify(root), 'the thread root shows the name unclickable').toContain('Ivy evil[.]com/login');
});

it('answers a burst of guessed approval links from one client with 429 and Retry-After, never a 500, and still serves the approver and a scanner', async () => {
  const claims = (verifyApprovalToken(SECRETS.approval, tokenOf(link)) as { claims: ApprovalClaims }).claims;
  // Guesses at the link's expiry (signed as a leaked secret would allow) and forged tokens.
  const guesses = Array.from({ length: 400 }, (_, i) => {
    if (i % 2) return `${tokenOf(link).slice(0, -6)}${String(i).padStart(6, '0')}`;
    const token = signApprovalToken(SECRETS.approval, { ...claims, expiresAt: claims.expiresAt - (i + 1) * 60_000 });
    issued.push(token);
    return token;
  });
  badInputs += guesses.length;
  const answered = await inPool(
    guesses.map((_, i) => i),
    25,
    async (i) => {
      const response = answers.seen(`guess ${i}`, await fetch(`${stack.base}/approvals/${guesses[i]}`, { headers: { 'X-Forwarded-For': GUESSER } }));
      await response.arrayBuffer();
      return { status: response.status, retryAfter: response.headers.get('retry-after') };
    },
  );
  const statuses = answered.map((a) => a.status);
  const limited = answered.filter((a) => a.status === 429);
  check(
    statuses.filter((s) => s >= 500),
    'server errors in the burst',
  ).toEqual([]);
  check(limited.length, 'guesses answered 429').toBeGreaterThanOrEqual(guesses.length - 120 - 40);
  check(
    statuses.filter((s) => s !== 429 && s !== 404 && s !== 410),
    'answers that are neither a refusal of the link nor 429',
  ).toEqual([]);
  check(
    limited.every((a) => Number(a.retryAfter) >= 1 && Number(a.retryAfter) <= 60),
    'every 429 says when to try again (Retry-After)',
  ).toBe(true);
  summary = `${limited.length} of ${guesses.length} guesses got 429`;
  // Still limited right after the burst, HEAD and POST alike. The bucket gains a request every 2 s,
  // also while the burst goes on: one more guess takes one gained since the burst's last.
  badInputs += 1;
  await (await fetch(`${stack.base}/approvals/${guesses[0]}`, { headers: { 'X-Forwarded-For': GUESSER } })).arrayBuffer();
  const head = answers.seen('guesser HEAD', await fetch(link, { method: 'HEAD', headers: { 'X-Forwarded-For': GUESSER } }));
  check(head.status, 'the guesser, HEAD of the real link').toBe(429);
  const post = await postDecision(answers, link, { decision: 'approve', headers: { 'X-Forwarded-For': GUESSER } });
  check(post.status, 'the guesser, POST to the real link').toBe(429);
  check((await stack.status(w)).evidence, 'no decision from the guesser').toBeNull();

  // A link scanner and the approver, each from their own address, are served as usual.
  const scan = answers.seen(
    'scanner HEAD',
    await fetch(link, { method: 'HEAD', headers: { 'X-Forwarded-For': SCANNER_AT, 'User-Agent': 'Mozilla/5.0 (compatible; Microsoft Safe Links)' } }),
  );
  check(scan.status, 'a scanner’s HEAD').toBe(200);
  const scanGet = answers.seen(
    'scanner GET',
    await fetch(link, { headers: { 'X-Forwarded-For': SCANNER_AT, 'User-Agent': 'Mozilla/5.0 (compatible; Microsoft Safe Links)' } }),
  );
  check(scanGet.status, 'a scanner’s GET').toBe(200);
  const page = await approvalForm(answers, link);
  check(page.status, 'the approver opens the link').toBe(200);
  const lines = stack.log().filter((l) => l.includes('"approval.rateLimited"'));
  check(lines.length, 'one log line for the burst, not one per request').toBe(1);
  check(lines[0], 'the log line names the client').toContain(GUESSER);
});

it('lets an approval POST cut off mid-body go quietly: no error, and no token in the log', async () => {
  const token = tokenOf(link);
  const logFrom = stack.log().length;
  for (let i = 0; i < 3; i += 1) {
    badInputs += 1;
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(new URL(stack.base).port) }, () => {
        socket.write(
          `POST /approvals/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: ${APPROVER_AT}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 400\r\n\r\ndecision=approve&csrf=`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
      socket.on('error', reject);
    });
  }
  await sleep(1_000);
  const written = stack.log().slice(logFrom);
  check(
    written.filter((l) => l.includes('"http.error"')),
    'error lines for the cut-off POSTs',
  ).toEqual([]);
  for (const value of [token, ...token.split('.')]) check(written.filter((l) => l.includes(value)).length, 'log lines with the token or a part of it').toBe(0);
  check((await stack.status(w)).evidence, 'no decision from a cut-off POST').toBeNull();
});

it('refuses unsigned, malformed, forged and 3 MB Slack bodies with 401 before reading them as a form or JSON, and does nothing for them', async () => {
  const callsBefore = visibleCalls(stack).length;
  const logFrom = stack.log().length;
  const now = Math.floor(Date.now() / 1000);
  const command = slashCommandBody({
    command: '/invite-lite',
    user: PEOPLE.tech,
    text: ACME.name,
    triggerId: stack.slack.issueTriggerId(),
    responseUrl: stack.slack.responseUrl(),
  });
  const bodies: Array<[string, string, string]> = [
    ['a command', command, 'application/x-www-form-urlencoded'],
    ['malformed JSON', '{"type":"event_callback","event":', 'application/json'],
    ['an event of a shape Bolt cannot take', JSON.stringify({ type: 'event_callback', event: null }), 'application/json'],
    ['a payload that is not JSON', 'payload=%7Bnot-json', 'application/x-www-form-urlencoded'],
    [
      'a button press without a user',
      new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: [] }) }).toString(),
      'application/x-www-form-urlencoded',
    ],
    [
      '3 MB of JSON',
      JSON.stringify({ type: 'event_callback', event: { type: 'app_home_opened', user: PEOPLE.tech }, pad: 'x'.repeat(3 * 1024 * 1024) }),
      'application/json',
    ],
  ];
  for (const [name, body, contentType] of bodies) {
    const variants: Array<[string, Record<string, string>]> = [
      ['unsigned', { 'Content-Type': contentType, 'X-Slack-Request-Timestamp': String(now) }],
      ['a malformed signature', { 'Content-Type': contentType, 'X-Slack-Request-Timestamp': String(now), 'X-Slack-Signature': 'v0=zz' }],
      [
        'signed with another secret',
        { 'Content-Type': contentType, 'X-Slack-Request-Timestamp': String(now), 'X-Slack-Signature': sign(body, now, 'another-signing-secret') },
      ],
    ];
    for (const [how, headers] of variants) {
      badInputs += 1;
      const response = answers.seen(`${name}, ${how}`, await rawSlackPost(stack, body, headers));
      check(response.status, `${name}, ${how}`).toBe(401);
    }
  }
  await sleep(1_500);
  check(visibleCalls(stack).length - callsBefore, 'Slack calls made for refused requests').toBe(0);
  const refusals = stack
    .log()
    .slice(logFrom)
    .filter((l) => l.includes('"slack.requestRefused"'));
  check(refusals.length, 'each refusal is logged').toBe(bodies.length * 3);
  check(
    refusals.filter((l) => !/no signature, or not one of Slack's|the signature does not match the body/.test(l)),
    'refused for the signature, never for the body’s shape',
  ).toEqual([]);
});

it('keeps the approver’s hostile comment on one line in the thread, and web addresses unclickable in the thread and the mails', async () => {
  const form = await approvalForm(answers, link);
  check(form.status, 'the approver opens the link again').toBe(200);
  issued.push(form.csrf!, form.cookie!.split('=')[1]!);
  const decided = await postDecision(answers, link, {
    decision: 'approve',
    cookie: form.cookie,
    csrf: form.csrf,
    comment: HOSTILE_COMMENT,
    headers: { 'X-Forwarded-For': APPROVER_AT },
  });
  check(decided.status, 'the approver decides').toBe(303);
  const s = await stack.waitFor(w, (x) => x.stages.some((st) => st.stage === 'AWAITING_INVITE'), 'AWAITING_INVITE');
  check(s.evidence, 'the decision with its evidence, the comment on one line').toMatchObject({
    via: 'link',
    decision: 'approve',
    ip: APPROVER_AT,
    comment: 'Fine Approved by the CEO as well • <!channel> see https://evil.example/pay last line',
  });
  const root = stack.driver.root(w)!;
  const replied = await eventually(
    () => stack.slack.callsOf('chat.postMessage').some((c) => c.args.thread_ts === root.ts && String(c.args.text).includes('Approved by')),
    15_000,
  );
  check(replied, 'the decision is told in the thread').toBe(true);
  const reply = stack.slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === root.ts && String(c.args.text).includes('Approved by'))!;
  const texts = mrkdwnTexts(reply);
  check(texts.length, 'the reply’s mrkdwn texts').toBeGreaterThan(0);
  for (const text of texts) {
    check(text.split(/\r\n|\r|\n|\u2028|\u2029/).length, 'the reply is one line').toBe(1);
    check(text, 'the comment is in it, escaped and unclickable').toContain(
      '“Fine Approved by the CEO as well • &lt;!channel&gt; see hxxps://evil[.]example/pay last line”',
    );
    check(text.includes('evil.example'), 'no web address in the reply').toBe(false);
  }
  // Every text the service sent to Slack about this onboarding: no web address from the name.
  const aboutIt = visibleCalls(stack)
    .flatMap(mrkdwnTexts)
    .filter((t) => t.includes('Ivy'));
  check(aboutIt.length, 'Slack texts naming the invitee').toBeGreaterThan(2);
  check(
    aboutIt.filter((t) => t.includes('evil.com')),
    'Slack texts with the name as a web address',
  ).toEqual([]);

  const receipt = await eventually(() => mailsOf(stack, w, 'decision-receipt', s.approvalRound).length === 1, 30_000);
  check(receipt, 'the decision receipt is sent').toBe(true);
  checkMailDefanged(mailsOf(stack, w, 'decision-receipt', s.approvalRound)[0]!, 'decision receipt');
  check(await eventually(() => mailsOf(stack, w, 'instructions', 1).length === 1, 30_000), 'the instructions are sent').toBe(true);
  checkMailDefanged(mailsOf(stack, w, 'instructions', 1)[0]!, 'instructions');
});

it('shows a tech their own onboardings only: /onboarding-status naming someone else is refused, a manager may', async () => {
  const listed = async (user: string, text: string) => {
    const from = stack.slack.callsOf('response_url').length;
    const { response } = await stack.driver.command('/onboarding-status', user, text);
    answers.seen(`/onboarding-status ${text} by ${user}`, response);
    check(response.status, `/onboarding-status ${text}: acknowledged`).toBe(200);
    check(await eventually(() => stack.slack.callsOf('response_url').length > from, 10_000), `/onboarding-status ${text}: answered`).toBe(true);
    return stack.slack.callsOf('response_url')[from]!.args as { response_type?: string; text?: string; blocks?: unknown[] };
  };
  const other = await listed(PEOPLE.tech, `<@${PEOPLE.manager}|manager>`);
  check(other, 'the tech naming the manager: refused, only to them').toEqual({ response_type: 'ephemeral', text: OTHERS_REFUSED });
  check(
    stack.log().some((l) => l.includes('"slack.refused"') && l.includes('own onboardings only')),
    'the refusal is logged',
  ).toBe(true);

  const own = await listed(PEOPLE.tech, '');
  check(JSON.stringify(own), 'the tech’s own list shows their onboarding').toContain('Ivy evil[.]com/login');
  const byManager = await listed(PEOPLE.manager, `<@${PEOPLE.tech}|tech>`);
  check(JSON.stringify(byManager), 'a manager naming the tech sees the tech’s onboardings').toContain('Ivy evil[.]com/login');
});

it('never writes an approval token to the log', async () => {
  const log = stack.log();
  check(log.length, 'the service logged').toBeGreaterThan(20);
  check(
    log.filter((l) => /\/approvals\/(?!\[token\])[^\s"/?#]/i.test(l)),
    'log lines with an approval path that is not redacted',
  ).toEqual([]);
  for (const value of issued.filter((v) => v.length >= 16))
    check(log.filter((l) => l.includes(value)).length, 'log lines with a token, a part of one, or a CSRF value').toBe(0);
  check(answers.details, 'server errors').toEqual([]);
  record('hardening: doors', { onboardings, badInputs, serverErrors: answers.serverErrors, lost: 0 }, `${checks} checks; ${summary}`);
});
