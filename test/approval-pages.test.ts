/**
 * The approval pages over HTTP, against the onboarding workflow on the test Temporal server with the
 * real mail activities: the links come from the mails the local SMTP server received. Scanners that
 * open every link change nothing; only a POST with the form's CSRF value decides, once; forged,
 * tampered, expired and replaced links and finished onboardings get their own page and status.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../src/onboardings';
import { approvalRoutes } from '../src/web/approval-pages';
import { signApprovalToken, verifyApprovalToken, type ApprovalClaims } from '../src/web/approval-token';
import { clientIp, trustedProxies } from '../src/web/client-ip';
import { APPROVAL_RATE_LIMIT, clientKey, RateLimiter, type RateLimitOptions } from '../src/web/rate-limit';
import { csrfFormValue, newCsrfNonce } from '../src/web/csrf';
import { startHttpServer, type HttpServer } from '../src/web/server';
import { formatTime } from '../src/wording';
import { cancel, status as statusQuery } from '../workflows/messages';
import type { OnboardingStatus } from '../workflows/types';
import { startFakeItGlue, type FakeItGlue } from './fakes/itglue-server';
import { linksIn } from './fakes/smtp';
import { APPROVAL_SECRET, BRANDING, startApprovalHarness, type ApprovalHarness } from './support/approval-harness';
import { INVITEE, PRIMARY } from './support/fake-activities';
import { addMyGlueCustomer, type MyGlueCustomer } from './support/myglue-customer';
import { testPolicy, waitForStage, waitForStatus } from './support/temporal';

let h: ApprovalHarness;
let proxied: HttpServer;

beforeAll(async () => {
  h = await startApprovalHarness();
  // The same pages behind a trusted reverse proxy (TRUST_PROXY).
  proxied = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: () => undefined,
    routes: approvalRoutes({
      client: h.temporal.client,
      secret: APPROVAL_SECRET,
      branding: BRANDING,
      trustProxy: ['127.0.0.1', '10.0.0.0/8'],
      secureCookies: true,
      log: () => undefined,
    }),
  });
});
afterAll(async () => {
  await proxied?.close();
  await h?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

function expectPageHeaders(answer: Answer) {
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
  expect(answer.headers.get('x-frame-options')).toBe('DENY');
  const csp = answer.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("form-action 'self'");
  expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
}

/** An HTML page with the headers; no script anywhere, and its only style is the one the CSP names. */
function expectPage(answer: Answer, status: number, heading: RegExp) {
  expect(answer.status).toBe(status);
  expectPageHeaders(answer);
  expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(answer.body).toMatch(heading);
  expect(answer.body).not.toMatch(/<script|\son\w+=|javascript:/i);
  const styles = [...answer.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  expect(styles).toHaveLength(1);
  const hash = createHash('sha256').update(styles[0]!).digest('base64');
  expect(answer.headers.get('content-security-policy')).toContain(`'sha256-${hash}'`);
  expect(answer.body).not.toMatch(/style="/);
}

interface Form {
  cookie: string;
  csrf: string;
}

/** Opens the approval page as a browser would: keeps its cookie and the form's CSRF value. */
async function openForm(link: string, cookie?: string): Promise<Form & { answer: Answer }> {
  const answer = await call(link, cookie ? { headers: { cookie } } : {});
  expectPage(answer, 200, /asks for your approval/);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^approval_csrf=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict$/);
  const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
  expect(csrf).toBeTruthy();
  return { answer, cookie: setCookie.split(';')[0]!, csrf: csrf! };
}

function post(link: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return call(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const tokenOf = (link: string) => link.split('/').pop()!;
const claimsOf = (link: string): ApprovalClaims => {
  const check = verifyApprovalToken(APPROVAL_SECRET, tokenOf(link), 0);
  if (!check.ok) throw new Error('not a valid link');
  return check.claims;
};

/** What must not change while links are merely looked at or refused. */
async function snapshot(handle: WorkflowHandle) {
  const s: OnboardingStatus = await handle.query(statusQuery);
  return { stage: s.stage, evidence: s.evidence, round: s.approvalRound, events: s.events.length, mails: h.smtp.received.length };
}

describe('looking at a link', () => {
  it('shows the request on GET and answers HEAD, and changes nothing however often a scanner opens every link', async () => {
    const { handle, mail } = await h.startAndReceive(testPolicy({ branding: BRANDING }), { passwordAccess: true, ticket: 'T-42 <b>' });
    const before = await snapshot(handle);
    const links = linksIn(mail);
    expect(links).toHaveLength(1);

    for (const link of links) {
      const head = await call(link, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expectPageHeaders(head);
      expect(head.body).toBe('');
      for (let i = 0; i < 3; i += 1) {
        const page = await call(link, { headers: { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks scanner)' } });
        expectPage(page, 200, /<h1>Acme IT asks for your approval<\/h1>/);
        expect(page.body).toContain(INVITEE.name);
        expect(page.body).toContain(INVITEE.email);
        expect(page.body).toContain('Acme Dental');
        expect(page.body).toContain('IT Glue Lite user (read-only)');
        expect(page.body).toContain('Included: the user can see stored passwords');
        expect(page.body).toContain('<dt>Requested by</dt><dd>Acme IT</dd>');
        expect(page.body).toContain('T-42 &lt;b&gt;');
        expect(page.body).toContain(`<dt>Answer by</dt><dd>${formatTime(claimsOf(link).expiresAt)}</dd>`);
        expect(page.body).toMatch(/<button type="submit" name="decision" value="approve"[^>]*>Approve<\/button>/);
        expect(page.body).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Deny<\/button>/);
        expect(page.body).toContain('<textarea id="comment" name="comment"');
      }
      // The result page of an undecided request leads back to the request.
      const result = await call(`${link}/result`);
      expect(result.status).toBe(303);
      expect(result.headers.get('location')).toBe(`../${tokenOf(link)}`);
      expectPageHeaders(result);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await snapshot(handle)).toEqual(before);
    expect(before).toMatchObject({ stage: 'AWAITING_APPROVAL', evidence: null, round: 1 });
  });
});

describe('deciding', () => {
  it('records a decision only by POST with the form CSRF value, once, with its evidence, and shows the result', async () => {
    const { handle, link } = await h.startAndReceive();
    const before = await snapshot(handle);
    const form = await openForm(link);
    const other = await openForm(link);
    expect(other.cookie).not.toBe(form.cookie);
    const again = await openForm(link, form.cookie);
    expect(again.cookie).toBe(form.cookie);
    expect(again.csrf).toBe(form.csrf);

    const refused = [
      await post(link, { decision: 'approve' }),
      await post(link, { decision: 'approve' }, { cookie: form.cookie }),
      await post(link, { decision: 'approve', csrf: form.csrf }),
      await post(link, { decision: 'approve', csrf: `${form.csrf.slice(0, -2)}AA` }, { cookie: form.cookie }),
      await post(link, { decision: 'approve', csrf: other.csrf }, { cookie: form.cookie }),
      await post(link, { decision: 'approve', csrf: form.csrf }, { cookie: form.cookie, 'sec-fetch-site': 'cross-site' }),
    ];
    for (const answer of refused) expectPage(answer, 403, /<h1>Please try again<\/h1>/);
    expect((await post(link, { decision: 'maybe', csrf: form.csrf }, { cookie: form.cookie })).status).toBe(400);
    expect((await call(link, { method: 'POST', headers: { cookie: form.cookie, 'content-type': 'text/plain' }, body: 'decision=approve' })).status).toBe(400);
    expect((await post(link, { decision: 'approve', csrf: form.csrf, comment: 'x'.repeat(20_000) }, { cookie: form.cookie })).status).toBe(413);
    expect(await snapshot(handle)).toEqual(before);

    const comment = 'OK for <b>Ines</b> & "team" — merci';
    const postedAt = Date.now();
    const decided = await post(
      link,
      { decision: 'approve', csrf: form.csrf, comment },
      { cookie: form.cookie, 'user-agent': 'Mozilla/5.0 (test browser)', 'x-forwarded-for': '203.0.113.66' },
    );
    expect(decided.status).toBe(303);
    const answeredAt = Date.now();
    expectPageHeaders(decided);
    expect(decided.headers.get('location')).toBe(`${tokenOf(link)}/result`);
    const result = await call(new URL(decided.headers.get('location')!, link).href);
    expectPage(result, 200, /<h1>Thank you<\/h1>/);
    expect(result.body).toContain('You approved the request.');
    expect(result.body).toContain('OK for &lt;b&gt;Ines&lt;/b&gt; &amp; &quot;team&quot; — merci');

    const s = await waitForStage(handle, 'AWAITING_INVITE');
    expect(s.evidence).toMatchObject({
      via: 'link',
      decision: 'approve',
      round: 1,
      approver: PRIMARY,
      ip: '127.0.0.1', // X-Forwarded-For is not believed without TRUST_PROXY
      userAgent: 'Mozilla/5.0 (test browser)',
      comment,
    });
    // Recorded while the POST was answered.
    const decidedAt = Date.parse(s.evidence!.at);
    expect(decidedAt).toBeGreaterThanOrEqual(postedAt);
    expect(decidedAt).toBeLessThanOrEqual(answeredAt);
    await h.mailOf(handle, 'decision-receipt', 1);
    await h.mailOf(handle, 'instructions', 1);

    // A second POST, either way, is refused and changes nothing.
    const after = await snapshot(handle);
    for (const decision of ['approve', 'deny']) {
      const second = await post(link, { decision, csrf: form.csrf }, { cookie: form.cookie });
      expectPage(second, 409, /<h1>This request has already been answered<\/h1>/);
      expect(second.body).toContain('It was approved.');
    }
    expectPage(await call(link), 409, /already been answered/);
    expect((await call(link, { method: 'HEAD' })).status).toBe(409);
    expect(await snapshot(handle)).toEqual(after);
    expect(h.smtp.byMessageId(h.smtp.received.find((m) => m.parsed.subject?.startsWith('You approved'))!.parsed.messageId!)).toHaveLength(1);
  });

  it('believes X-Forwarded-For from a trusted proxy only', async () => {
    const { handle, link } = await h.startAndReceive();
    const proxiedLink = link.replace(h.base, `http://127.0.0.1:${proxied.port}`);
    const form = await call(proxiedLink);
    expect(form.headers.get('set-cookie')).toMatch(/; Secure$/);
    const cookie = form.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const answer = await post(proxiedLink, { decision: 'deny', csrf }, { cookie, 'x-forwarded-for': '198.51.100.23, 10.1.2.3' });
    expect(answer.status).toBe(303);
    const s = await handle.result();
    expect(s.stage).toBe('DENIED');
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'deny', ip: '198.51.100.23', comment: null });

    const peer = (remoteAddress: string, forwarded?: string) =>
      ({ socket: { remoteAddress }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as unknown as IncomingMessage;
    const trusted = trustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(clientIp(peer('::ffff:127.0.0.1', '198.51.100.1'), trusted)).toBe('198.51.100.1');
    expect(clientIp(peer('10.9.9.9', '198.51.100.1, 10.0.0.2'), trusted)).toBe('198.51.100.1');
    expect(clientIp(peer('fd00::1', '2001:db8::5'), trusted)).toBe('2001:db8::5');
    expect(clientIp(peer('203.0.113.5', '198.51.100.1'), trusted)).toBe('203.0.113.5');
    expect(clientIp(peer('127.0.0.1', 'not-an-ip'), trusted)).toBe('127.0.0.1');
    expect(clientIp(peer('127.0.0.1'), trusted)).toBe('127.0.0.1');
    expect(clientIp(peer('127.0.0.1', '198.51.100.1'), trustedProxies([]))).toBe('127.0.0.1');
  });
});

describe('MyGlue password access', () => {
  // The real IT Glue activities against the fake IT Glue: validation reads the chosen groups.
  let itglue: FakeItGlue;
  let mg: ApprovalHarness;
  let customer: MyGlueCustomer;

  beforeAll(async () => {
    itglue = await startFakeItGlue();
    customer = addMyGlueCustomer(itglue);
    mg = await startApprovalHarness({ itglue });
  });
  afterAll(async () => {
    await mg?.close();
    await itglue?.close();
  });

  it('the approval mail and page state what the groups allow, whatever the request said ("hidden" if any group denies passwords); the instructions name MyGlue’s host', async () => {
    const { allows, denies } = customer.groups;
    const cases = [
      { groups: [denies.id], asked: true, word: 'hidden' },
      { groups: [allows.id], asked: false, word: 'visible' },
      { groups: [allows.id, denies.id], asked: true, word: 'hidden' },
    ];
    for (const [i, c] of cases.entries()) {
      const { handle, mail, link } = await mg.startAndReceive(testPolicy({ branding: BRANDING }), {
        orgId: customer.orgId,
        contactId: customer.invitees[i]!.contactId,
        approverContactId: customer.approver.contactId,
        kind: 'myglue',
        myGlueRole: 'Creator',
        myGlueGroupIds: c.groups,
        passwordAccess: c.asked,
      });
      const s: OnboardingStatus = await handle.query(statusQuery);
      expect(s.request.passwordAccess, c.word).toBe(c.word === 'visible');
      expect(s.groupNames).toEqual(c.groups.map((id) => (id === allows.id ? allows.name : denies.name)));

      expect(mail.envelope.to).toEqual([customer.approver.email]);
      expect(mail.parsed.text).toMatch(new RegExp(`^  Passwords: +${c.word}$`, 'm'));
      expect(typeof mail.parsed.html === 'string' && mail.parsed.html).toMatch(new RegExp(`>Passwords</th><td[^>]*>${c.word}</td>`));
      expect(mail.parsed.text).toContain('MyGlue Creator user');

      const page = await call(link);
      expectPage(page, 200, /asks for your approval/);
      expect(page.body).toContain(`<dt>Passwords</dt><dd>${c.word}</dd>`);
      expect(page.body).toContain('<dt>Access</dt><dd>MyGlue Creator user (can view, create and edit, not delete)</dd>');
      expect(page.body).toContain(`of ${customer.orgName} in MyGlue.</p>`);

      if (i === 0) {
        // Approved: the invitee is told to sign in to MyGlue, never to IT Glue.
        const form = await openForm(link);
        expect((await post(link, { decision: 'approve', csrf: form.csrf }, { cookie: form.cookie })).status).toBe(303);
        const instructions = await mg.mailOf(handle, 'instructions', 1);
        expect(instructions.envelope.to).toContain(customer.invitees[0]!.email);
        expect(linksIn(instructions)).toEqual(['https://app.myglue.com/']);
        for (const part of [instructions.parsed.text ?? '', typeof instructions.parsed.html === 'string' ? instructions.parsed.html : '']) {
          expect(part).toContain('Always sign in to MyGlue at');
          expect(part).not.toContain('itglue.com');
          expect(part).not.toContain('subdomain');
        }
      }
    }
    // Each group was read with its denied asset types.
    const groupReads = itglue.requests.filter((r) => r.method === 'GET' && /^\/groups\/\d+$/.test(r.path));
    expect(groupReads.length).toBeGreaterThanOrEqual(4);
    for (const r of groupReads) expect(r.query.include?.split(',')).toContain('resource_type_restrictions');
  });
});

describe('links that cannot decide', () => {
  it('refuses forged, tampered, expired and old-round links with their own page and never changes the workflow', async () => {
    const { handle, link } = await h.startAndReceive(testPolicy({ branding: BRANDING, approval: { reminderEvery: 2_500, maxReminders: 1 } }));
    // A form opened before the reminder replaced the link, and sent after.
    const oldForm = await openForm(link);
    const reminder = await h.mailOf(handle, 'approval-reminder', 2);
    await waitForStatus(handle, (st) => st.events.some((e) => e.type === 'approval-reminder'));
    const current = linksIn(reminder)[0]!;
    expect(current).not.toBe(link);
    const before = await snapshot(handle);
    expect(before).toMatchObject({ stage: 'AWAITING_APPROVAL', round: 2, evidence: null });

    const claims = claimsOf(current);
    const token = tokenOf(current);
    const [payload, mac] = token.split('.') as [string, string];
    const swap = (text: string, i: number) => text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    const at = (t: string) => `${h.base}/approvals/${t}`;
    const invalid = {
      forged: at(signApprovalToken('a different secret of at least 32 bytes', claims)),
      'tampered payload': at(`${swap(payload, 5)}.${mac}`),
      'tampered signature': at(`${payload}.${swap(mac, 5)}`),
      'other claims, old signature': at(`${signApprovalToken(APPROVAL_SECRET, { ...claims, approverContactId: INVITEE.contactId }).split('.')[0]}.${mac}`),
      junk: at('not-a-token'),
    };
    for (const [what, url] of Object.entries(invalid)) {
      const nonce = newCsrfNonce();
      const csrf = csrfFormValue(APPROVAL_SECRET, nonce, tokenOf(url));
      for (const answer of [await call(url), await post(url, { decision: 'approve', csrf }, { cookie: `approval_csrf=${nonce}` })]) {
        expect(answer.status, what).toBe(404);
        expectPage(answer, 404, /<h1>This link is not valid<\/h1>/);
      }
      expect((await call(url, { method: 'HEAD' })).status, what).toBe(404);
    }

    // Expired: well signed, for the current round, but past its expiry.
    const expired = at(signApprovalToken(APPROVAL_SECRET, { ...claims, expiresAt: Date.now() - 1_000 }));
    expectPage(await call(expired), 410, /<h1>This link has expired<\/h1>/);
    const nonce = newCsrfNonce();
    const expiredPost = await post(expired, { decision: 'approve', csrf: csrfFormValue(APPROVAL_SECRET, nonce, tokenOf(expired)) }, { cookie: `approval_csrf=${nonce}` });
    expectPage(expiredPost, 410, /This link has expired/);

    // Old round: the page says it was replaced, and the form sent from it is refused by the workflow.
    expectPage(await call(link), 410, /<h1>This link has been replaced<\/h1>/);
    expect((await call(link, { method: 'HEAD' })).status).toBe(410);
    const oldPost = await post(link, { decision: 'approve', csrf: oldForm.csrf }, { cookie: oldForm.cookie });
    expectPage(oldPost, 410, /This link has been replaced/);
    expect(h.logged.some((l) => l.event === 'approval.refused' && l.fields.refusal === 'SupersededRound')).toBe(true);

    expect(await snapshot(handle)).toEqual(before);

    // The current link still works.
    const form = await openForm(current);
    expect((await post(current, { decision: 'approve', csrf: form.csrf }, { cookie: form.cookie })).status).toBe(303);
    await waitForStage(handle, 'AWAITING_INVITE');
  });

  it('tells a link of a request that timed out, was cancelled, or was denied and finished', async () => {
    // Timed out (never approved on time-out): the page and a form opened before both say expired.
    const timedOut = await h.startAndReceive(testPolicy({ branding: BRANDING, approval: { reminderEvery: 60_000, escalateAfter: 60_000, timeout: 2_500 } }));
    const form = await openForm(timedOut.link);
    expect((await timedOut.handle.result()).stage).toBe('APPROVAL_EXPIRED');
    expectPage(await call(timedOut.link), 410, /<h1>This link has expired<\/h1>/);
    expectPage(await post(timedOut.link, { decision: 'approve', csrf: form.csrf }, { cookie: form.cookie }), 410, /expired/);
    expect((await timedOut.handle.query(statusQuery)).evidence).toBeNull();

    // Cancelled by the tech: no longer waiting.
    const cancelled = await h.startAndReceive();
    const cancelledForm = await openForm(cancelled.link);
    await cancelled.handle.signal(cancel, { by: 'UTECH1', reason: 'duplicate' });
    await waitForStatus(cancelled.handle, (s) => s.stage === 'CANCELLED');
    expectPage(await call(cancelled.link), 410, /<h1>This request is no longer waiting for a decision<\/h1>/);
    expectPage(await post(cancelled.link, { decision: 'approve', csrf: cancelledForm.csrf }, { cookie: cancelledForm.cookie }), 410, /no longer waiting/);
    expect((await cancelled.handle.query(statusQuery)).evidence).toBeNull();

    // Denied: the workflow ends DENIED; the link shows the answer, the result page the decision.
    const denied = await h.startAndReceive();
    const deniedForm = await openForm(denied.link);
    expect((await post(denied.link, { decision: 'deny', csrf: deniedForm.csrf }, { cookie: deniedForm.cookie })).status).toBe(303);
    expect((await denied.handle.result()).stage).toBe('DENIED');
    const page = await call(denied.link);
    expectPage(page, 409, /already been answered/);
    expect(page.body).toContain('It was denied.');
    const result = await call(`${denied.link}/result`);
    expectPage(result, 200, /<h1>Thank you<\/h1>/);
    expect(result.body).toContain('You denied the request.');
    const late = await post(denied.link, { decision: 'approve', csrf: deniedForm.csrf }, { cookie: deniedForm.cookie });
    expectPage(late, 409, /already been answered/);
    expect((await denied.handle.query(statusQuery)).evidence).toMatchObject({ decision: 'deny' });
  });

  it('refuses the link of an earlier onboarding of the same contact, which shares the workflow ID', async () => {
    const earlier = await h.startAndReceive();
    const earlierForm = await openForm(earlier.link);
    await earlier.handle.signal(cancel, { by: 'UTECH1', reason: 'wrong ticket' });
    expect((await earlier.handle.result()).stage).toBe('CANCELLED');

    const orgId = earlier.handle.workflowId.split(':')[1]!;
    const again = await h.startAndReceive(undefined, { orgId });
    expect(again.handle.workflowId).toBe(earlier.handle.workflowId);
    expect(again.mail.parsed.messageId).not.toBe(earlier.mail.parsed.messageId);
    expect(claimsOf(again.link).round).toBe(claimsOf(earlier.link).round);

    const before = await snapshot(again.handle);
    expectPage(await call(earlier.link), 410, /<h1>This link has been replaced<\/h1>/);
    expectPage(await post(earlier.link, { decision: 'approve', csrf: earlierForm.csrf }, { cookie: earlierForm.cookie }), 410, /replaced/);
    expect(await snapshot(again.handle)).toEqual(before);
    await openForm(again.link);
  });
});

describe('Temporal out of reach', () => {
  it('answers 503 "try again later" without waiting long, for a look and for a decision', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:9' });
    const down = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      log: () => undefined,
      routes: approvalRoutes({
        client: new Client({ connection }),
        secret: APPROVAL_SECRET,
        branding: BRANDING,
        trustProxy: [],
        secureCookies: false,
        temporalTimeoutMs: 1_000,
        log: () => undefined,
      }),
    });
    try {
      const token = signApprovalToken(APPROVAL_SECRET, { workflowId: 'onboarding:1:2', round: 1, approverContactId: '3', expiresAt: Date.now() + 60_000 });
      const link = `http://127.0.0.1:${down.port}/approvals/${token}`;
      const started = Date.now();
      const look = await call(link);
      expectPage(look, 503, /<h1>Please try again in a few minutes<\/h1>/);
      expect(look.headers.get('retry-after')).toBe('60');
      const nonce = newCsrfNonce();
      const decision = await post(link, { decision: 'approve', csrf: csrfFormValue(APPROVAL_SECRET, nonce, token) }, { cookie: `approval_csrf=${nonce}` });
      expectPage(decision, 503, /Please try again/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await down.close();
      await connection.close();
    }
  });
});

describe('a rotation of APPROVAL_SECRET', () => {
  const NEW_SECRET = 'the next approval secret, 32 bytes or more';

  /** The pages as the service serves them with APPROVAL_SECRET (and APPROVAL_SECRET_PREVIOUS when given). */
  async function pages(secret: string, previousSecret: string | null) {
    return startHttpServer({
      port: 0,
      host: '127.0.0.1',
      log: () => undefined,
      routes: approvalRoutes({ client: h.temporal.client, secret, previousSecret, branding: BRANDING, trustProxy: [], secureCookies: false, log: () => undefined }),
    });
  }
  const at = (server: HttpServer, link: string) => `http://127.0.0.1:${server.port}/approvals/${tokenOf(link)}`;

  it('still takes the links signed with APPROVAL_SECRET_PREVIOUS, and refuses them once it is unset', async () => {
    // The mail went out before the rotation: signed with the harness's secret, now the previous one.
    const { handle, link } = await h.startAndReceive();
    const rotating = await pages(NEW_SECRET, APPROVAL_SECRET);
    const rotated = await pages(NEW_SECRET, null);
    try {
      const before = await snapshot(handle);
      expectPage(await call(at(rotated, link)), 404, /not valid/i);
      expect(await snapshot(handle)).toEqual(before);

      const form = await openForm(at(rotating, link));
      // The page's form is signed with the new secret.
      const nonce = /^approval_csrf=(.+)$/.exec(form.cookie)![1]!;
      expect(form.csrf).toBe(csrfFormValue(NEW_SECRET, nonce, tokenOf(link)));
      const decided = await post(at(rotating, link), { decision: 'approve', csrf: form.csrf }, { cookie: form.cookie });
      expect(decided.status).toBe(303);
      const s = await waitForStage(handle, 'AWAITING_INVITE');
      expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', round: 1, approver: PRIMARY });
    } finally {
      await rotating.close();
      await rotated.close();
    }
  });

  it('refuses a link signed with neither secret', async () => {
    const rotating = await pages(NEW_SECRET, APPROVAL_SECRET);
    try {
      const claims = { workflowId: 'onboarding:1:2', round: 1, approverContactId: '3', expiresAt: Date.now() + 60_000 };
      const other = signApprovalToken('some other secret of 32 bytes or more', claims);
      expectPage(await call(`http://127.0.0.1:${rotating.port}/approvals/${other}`), 404, /not valid/i);
    } finally {
      await rotating.close();
    }
  });
});

describe('limits on the door', () => {
  /** The pages on a server of their own (their own rate limit), behind a trusted proxy so that each test client has its own address. */
  async function pagesServer(rateLimit?: RateLimitOptions) {
    const logged: Array<{ event: string; fields: Record<string, unknown> }> = [];
    const log = (event: string, fields: Record<string, unknown>) => void logged.push({ event, fields });
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      log,
      routes: approvalRoutes({
        client: h.temporal.client,
        secret: APPROVAL_SECRET,
        branding: BRANDING,
        trustProxy: ['127.0.0.1'],
        secureCookies: false,
        log,
        ...(rateLimit ? { rateLimit } : {}),
      }),
    });
    return { server, logged, base: `http://127.0.0.1:${server.port}` };
  }

  it('answers a burst of guessed links from one client with 429 and Retry-After, never a 500; other clients and the approver are served', async () => {
    const { handle, link } = await h.startAndReceive();
    const before = await snapshot(handle);
    const { server, logged, base } = await pagesServer();
    try {
      const guesser = { 'x-forwarded-for': '198.51.100.7' };
      const claims = claimsOf(link);
      // Genuine-looking guesses: tokens signed with the right secret for every other expiry, and forged ones.
      const guesses = Array.from({ length: 300 }, (_, i) =>
        i % 2
          ? signApprovalToken(APPROVAL_SECRET, { ...claims, expiresAt: claims.expiresAt - (i + 1) * 1000 })
          : `${tokenOf(link).slice(0, -4)}${String(i).padStart(4, '0')}`,
      );
      const answers = await Promise.all(guesses.map((token) => call(`${base}/approvals/${token}`, { headers: guesser })));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      // A full bucket lets the first 120 through (refused as guesses), the rest get 429.
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(300 - APPROVAL_RATE_LIMIT.capacity - 5);
      expect(statuses.filter((s) => s !== 429).every((s) => s === 404 || s === 410)).toBe(true);
      const limited = answers.find((a) => a.status === 429)!;
      expectPage(limited, 429, /<h1>Please wait a moment<\/h1>/);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(Math.ceil(1 / APPROVAL_RATE_LIMIT.refillPerSecond));
      // One log line for the burst, naming the client, not one per request.
      expect(logged.filter((l) => l.event === 'approval.rateLimited')).toEqual([
        { event: 'approval.rateLimited', fields: { client: '198.51.100.7', retryAfterSeconds: expect.any(Number) } },
      ]);

      // The approver, from another address, opens the link, a scanner looks, and the approver decides.
      const approver = { 'x-forwarded-for': '203.0.113.20' };
      const scanner = { 'x-forwarded-for': '40.94.0.1', 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks scanner)' };
      const own = link.replace(h.base, base);
      expect((await call(own, { method: 'HEAD', headers: scanner })).status).toBe(200);
      expect((await call(own, { headers: scanner })).status).toBe(200);
      const page = await call(own, { headers: approver });
      expect(page.status).toBe(200);
      const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const decided = await post(own, { decision: 'approve', csrf }, { ...approver, cookie });
      expect(decided.status).toBe(303);
      expect((await call(new URL(decided.headers.get('location')!, own).href, { headers: approver })).status).toBe(200);
      const s = await waitForStage(handle, 'AWAITING_INVITE');
      expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', ip: '203.0.113.20' });
      expect(before.evidence).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('limits every method of every approval path, a valid link too, and a refused request changes nothing', async () => {
    const { handle, link } = await h.startAndReceive();
    const { server, base } = await pagesServer({ capacity: 2, refillPerSecond: 0.01, maxClients: 100 });
    try {
      const own = link.replace(h.base, base);
      const client = { 'x-forwarded-for': '198.51.100.8' };
      expect((await call(`${base}/approvals/guess`, { headers: client })).status).toBe(404);
      expect((await call(`${base}/approvals/guess/result`, { headers: client })).status).toBe(404);
      const refused = [
        await call(own, { headers: client }),
        await call(own, { method: 'HEAD', headers: client }),
        await call(`${own}/result`, { headers: client }),
        await post(own, { decision: 'approve' }, client),
      ];
      for (const answer of refused) {
        expect(answer.status).toBe(429);
        expectPageHeaders(answer);
        expect(answer.headers.get('retry-after')).toMatch(/^(99|100)$/);
      }
      expect(refused[1]!.body).toBe('');
      expect((await snapshot(handle)).evidence).toBeNull();
      // Another client is served.
      expect((await call(own, { headers: { 'x-forwarded-for': '198.51.100.9' } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('gives tokens back with time, and forgets the least recently seen clients beyond its room', async () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ capacity: 3, refillPerSecond: 0.5, maxClients: 2, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 2, first: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 2, first: false });
    now += 2_000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    // Room for two clients: a third makes the least recently seen (a) go, which then starts full again.
    limiter.take('b');
    limiter.take('c');
    expect(limiter.size).toBe(2);
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.size).toBe(2);
    expect(() => new RateLimiter({ capacity: 0, refillPerSecond: 1, maxClients: 1 })).toThrow(/capacity/);

    // IPv6 clients count by their /64 network; IPv4 ones by their address.
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::ffff:192.0.2.1')).toBe('0:0:0:0::/64');
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey(null)).toBe('unknown');
  });

  it('lets a POST cut off mid-body go quietly: no answer, no error, no token in the log', async () => {
    const { handle, link } = await h.startAndReceive();
    const { server, logged } = await pagesServer();
    try {
      const token = tokenOf(link);
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: server.port }, () => {
          socket.write(
            `POST /approvals/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\ndecision=approve&comm`,
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 150);
        });
        socket.on('error', reject);
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(logged.filter((l) => l.event === 'http.error')).toEqual([]);
      expect(JSON.stringify(logged)).not.toContain(token);
      expect(JSON.stringify(logged)).not.toContain(token.split('.')[1]!);
      expect((await snapshot(handle)).evidence).toBeNull();
      // The server goes on serving the link.
      expect((await call(link.replace(h.base, `http://127.0.0.1:${server.port}`))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('shows the approver a decision recorded with the CLI as recorded by the MSP, not as their own press of the link', async () => {
    const { handle, link } = await h.startAndReceive();
    const claims = claimsOf(link);
    await decideApproval(h.temporal.client, handle.workflowId, {
      decision: 'approve',
      round: claims.round,
      approverContactId: claims.approverContactId,
      recordedBy: 'U0OPER0001',
    });
    const s = await waitForStage(handle, 'AWAITING_INVITE');
    expect(s.evidence).toMatchObject({ via: 'cli', recordedBy: 'U0OPER0001' });
    const page = await call(link);
    expectPage(page, 409, /<h1>This request has already been answered<\/h1>/);
    expect(page.body).toContain(`The decision was recorded by Acme IT on ${formatTime(s.evidence!.at)}.`);
    // Not this link's decision: its result page does not thank the approver for it.
    expect((await call(`${link}/result`)).status).toBe(409);
  });

  it('keeps the approver’s comment on one line', async () => {
    const { handle, link } = await h.startAndReceive();
    const form = await openForm(link);
    const comment = 'Fine\r\nApproved by the CEO too\n• a line of my own\u2028and another';
    expect((await post(link, { decision: 'approve', csrf: form.csrf, comment }, { cookie: form.cookie })).status).toBe(303);
    const s = await waitForStage(handle, 'AWAITING_INVITE');
    expect(s.evidence).toMatchObject({ via: 'link', comment: 'Fine Approved by the CEO too • a line of my own and another' });
    const approved = s.events.find((e) => e.type === 'approved')!;
    expect(approved.text).toMatch(/^Approved by Paula Primary at \S+ from 127\.0\.0\.1: “Fine Approved by the CEO too • a line of my own and another”$/);
  });
});
