/**
 * An offboarding's approval page over HTTP (docs/design.md §6, §15): the real `offboarding` workflow
 * on the test Temporal server, approved by the primary contact through the link in the mail the local
 * SMTP server received. GET and HEAD show the removal and change nothing; only the form's POST with its
 * CSRF value decides, through the same `decide` Update as an onboarding's. Approve removes the access
 * (and, once the user is deleted, the primary contact gets the receipt); Deny ends the offboarding.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyApprovalToken } from '../src/web/approval-token';
import { formatTime } from '../src/wording';
import { status as statusQuery, userGone } from '../workflows/messages';
import type { OnboardingStatus } from '../workflows/types';
import { APPROVAL_SECRET, startApprovalHarness, type ApprovalHarness } from './support/approval-harness';
import { INVITEE, PRIMARY } from './support/fake-activities';
import { addLeaver, endOffboardings, LEAVER_USER, mailOf, startOffboardingAndReceive } from './support/offboarding-approval';
import { waitForStage } from './support/temporal';

let h: ApprovalHarness;

beforeAll(async () => {
  h = await startApprovalHarness();
});
beforeEach(() => addLeaver(h));
afterAll(async () => {
  await endOffboardings();
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

/** A page with the approval pages' headers, and no script. */
function expectPage(answer: Answer, status: number, heading: RegExp) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
  expect(answer.headers.get('x-frame-options')).toBe('DENY');
  expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(answer.body).toMatch(heading);
  expect(answer.body).not.toMatch(/<script|\son\w+=|javascript:/i);
}

function post(link: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return call(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Opens the page as a browser would: keeps its cookie and the form's CSRF value. */
async function openForm(link: string): Promise<{ cookie: string; csrf: string; answer: Answer }> {
  const answer = await call(link);
  expectPage(answer, 200, /<h1>Acme IT asks for your approval to remove access<\/h1>/);
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0]!;
  expect(cookie).toMatch(/^approval_csrf=/);
  const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
  expect(csrf).toBeTruthy();
  return { cookie, csrf: csrf!, answer };
}

/** What must not change while the link is merely looked at or refused. */
async function snapshot(handle: WorkflowHandle) {
  const s: OnboardingStatus = await handle.query(statusQuery);
  return { stage: s.stage, evidence: s.evidence, round: s.approvalRound, events: s.events.length, mails: h.smtp.received.length };
}

const expiresAtOf = (link: string) => {
  const check = verifyApprovalToken(APPROVAL_SECRET, link.split('/').pop()!, 0);
  if (!check.ok) throw new Error('not a valid link');
  return check.claims.expiresAt;
};

describe('the approval page of an offboarding', () => {
  it('GET and HEAD show the removal (who, organization, product, user, reason, MSP, expiry) and change nothing', async () => {
    const reason = 'Left the company <b>today</b> & "for good"';
    const { handle, mail, link } = await startOffboardingAndReceive(h, { reason, ticket: 'T-77' });
    expect(mail.parsed.subject).toBe(`Approve removing IT Glue access: ${INVITEE.name} (Acme Dental)`);
    expect(mail.envelope.to).toEqual([PRIMARY.email]);
    const before = await snapshot(handle);
    expect(before).toMatchObject({ stage: 'AWAITING_APPROVAL', evidence: null, round: 1 });

    const head = await call(link, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('cache-control')).toBe('no-store');
    expect(head.body).toBe('');
    for (let i = 0; i < 3; i += 1) {
      const page = await call(link, { headers: { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks scanner)' } });
      expectPage(page, 200, /<h1>Acme IT asks for your approval to remove access<\/h1>/);
      expect(page.body).toContain('<title>Approve removing IT Glue access?');
      expect(page.body).toContain(`Acme IT would like to remove ${INVITEE.name}'s access to the IT documentation of Acme Dental in IT Glue.`);
      expect(page.body).toContain('If you approve, <strong>the access is removed</strong>');
      expect(page.body).toContain(`<dt>Person</dt><dd>${INVITEE.name} &lt;${INVITEE.email}&gt;</dd>`);
      expect(page.body).toContain('<dt>Organization</dt><dd>Acme Dental</dd>');
      expect(page.body).toContain('<dt>Product</dt><dd>IT Glue</dd>');
      expect(page.body).toContain(`<dt>User</dt><dd>${LEAVER_USER.email}</dd>`);
      expect(page.body).toContain('<dt>Reason</dt><dd>Left the company &lt;b&gt;today&lt;/b&gt; &amp; &quot;for good&quot;</dd>');
      expect(page.body).toContain('<dt>Requested by</dt><dd>Acme IT</dd>');
      expect(page.body).toContain('<dt>Reference</dt><dd>T-77</dd>');
      expect(page.body).toContain(`<dt>Answer by</dt><dd>${formatTime(expiresAtOf(link))}</dd>`);
      expect(page.body).toMatch(/<button type="submit" name="decision" value="approve"[^>]*>Approve removal<\/button>/);
      expect(page.body).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Deny<\/button>/);
      // Nothing of an onboarding's request.
      expect(page.body).not.toContain('<dt>Passwords</dt>');
      expect(page.body).not.toContain('<dt>Access</dt>');
    }
    // The result page of an undecided request leads back to the request.
    const result = await call(`${link}/result`);
    expect(result.status).toBe(303);
    await new Promise((r) => setTimeout(r, 500));
    expect(await snapshot(handle)).toEqual(before);
  });

  it('Approve removal by POST with the CSRF value: the workflow leaves AWAITING_APPROVAL, removes the access, and the receipt follows the deletion', async () => {
    addLeaver(h, ['Customer - No Password Access', 'Acme Dental - Customer']);
    const { handle, link } = await startOffboardingAndReceive(h, { reason: 'Left the company' });
    const before = await snapshot(handle);
    const form = await openForm(link);

    // Without the form's CSRF value nothing is decided.
    expectPage(await post(link, { decision: 'approve' }, { cookie: form.cookie }), 403, /<h1>Please try again<\/h1>/);
    expectPage(await post(link, { decision: 'approve', csrf: form.csrf }), 403, /<h1>Please try again<\/h1>/);
    expect(await snapshot(handle)).toEqual(before);

    const decided = await post(link, { decision: 'approve', csrf: form.csrf, comment: 'Yes, <remove> it' }, { cookie: form.cookie });
    expect(decided.status).toBe(303);
    expect(decided.headers.get('location')).toBe(`${link.split('/').pop()}/result`);

    const s = await waitForStage(handle, 'AWAITING_DELETION');
    expect(s.stages.map((v) => v.stage)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS', 'AWAITING_DELETION']);
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', round: 1, approver: PRIMARY, comment: 'Yes, <remove> it' });
    expect(s.removal).toMatchObject({ groupsLeft: ['Customer - No Password Access', 'Acme Dental - Customer'], deletedAt: null });
    expect(h.world.callsOf('removeAccess').some(([input]) => (input as { orgId: string }).orgId === s.request.orgId)).toBe(true);

    const result = await call(`${link}/result`);
    expectPage(result, 200, /<h1>Thank you<\/h1>/);
    expect(result.body).toContain('<title>Thank you: removal approved');
    expect(result.body).toContain('You approved the removal of the access.');
    expect(result.body).toContain('Acme IT will now remove the access.');
    expect(result.body).toContain('Your comment: “Yes, &lt;remove&gt; it”');

    const again = await call(link);
    expectPage(again, 409, /<h1>This request has already been answered<\/h1>/);
    expect(again.body).toContain('The removal was approved.');

    const receipt = await mailOf(h, handle, 'decision-receipt', 1);
    expect(receipt.parsed.subject).toBe(`You approved removing IT Glue access for ${INVITEE.name} (Acme Dental)`);
    expect(receipt.envelope.to).toEqual([PRIMARY.email]);

    // The tech deletes the user; the sweep tells the offboarding, which confirms it and sends the receipt.
    h.world.users.delete(LEAVER_USER.email);
    await handle.signal(userGone, { userId: LEAVER_USER.id });
    const done = await waitForStage(handle, 'COMPLETED');
    const removed = await mailOf(h, handle, 'removal-receipt', 1);
    expect(removed.parsed.subject).toBe(`IT Glue access removed: ${INVITEE.name} (Acme Dental)`);
    expect(removed.envelope.to).toEqual([PRIMARY.email]);
    const text = removed.parsed.text ?? '';
    expect(text).toMatch(/^ {2}Groups left: +Customer - No Password Access, Acme Dental - Customer$/m);
    expect(text).toMatch(/^ {2}Reason: +Left the company$/m);
    expect(text).toContain(`approved by ${PRIMARY.name} on ${formatTime(s.evidence!.at)}`);
    expect(text).toContain(`Deleted:`);
    expect(text).toContain(formatTime(done.removal!.deletedAt!));
    expect(text).toContain('contact help@acme-it.example');
  });

  it('Deny: the offboarding ends DENIED, nothing is removed, and the pages word it', async () => {
    const { handle, link } = await startOffboardingAndReceive(h);
    const form = await openForm(link);
    const decided = await post(link, { decision: 'deny', csrf: form.csrf }, { cookie: form.cookie });
    expect(decided.status).toBe(303);

    const s = await handle.result();
    expect(s.stage).toBe('DENIED');
    expect(s.process).toBe('offboarding');
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'deny', round: 1 });
    expect(h.world.callsOf('removeAccess').some(([input]) => (input as { orgId: string }).orgId === s.request.orgId)).toBe(false);

    const result = await call(`${link}/result`);
    expectPage(result, 200, /<h1>Thank you<\/h1>/);
    expect(result.body).toContain('You denied the removal of the access.');
    expect(result.body).toContain('The access stays as it is, and Acme IT has been told.');
    const receipt = await mailOf(h, handle, 'decision-receipt', 1);
    expect(receipt.parsed.subject).toBe(`You denied removing IT Glue access for ${INVITEE.name} (Acme Dental)`);
    expect(receipt.parsed.text).toContain(`${INVITEE.name} keeps the access, and Acme IT has been told.`);
  });
});
