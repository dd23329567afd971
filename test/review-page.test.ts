/**
 * An access review's page over HTTP (docs/design.md §6, §15.2): the real `accessReview` workflow on
 * the test Temporal server, answered by the primary contact through the link in the mail the local
 * SMTP server received. GET and HEAD show the users and change nothing; only the form's POST with its
 * CSRF value answers, with Keep or Remove for every user, in one `decide` Update. A removed user gets
 * an offboarding started with the review's evidence; a later review of the organization replaces the
 * earlier one's link.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalState } from '../src/web/approval-state';
import { verifyApprovalToken } from '../src/web/approval-token';
import { formatTime } from '../src/wording';
import { status as statusQuery } from '../workflows/messages';
import { offboardingIdFor, type OnboardingStatus, reviewIdFor } from '../workflows/types';
import { APPROVAL_SECRET, startApprovalHarness, type ApprovalHarness } from './support/approval-harness';
import { PRIMARY, statusFixture } from './support/fake-activities';
import { addReviewedUsers, endReviews, KEPT, REMOVED, reviewMailOf, startReviewAndReceive, track } from './support/review-approval';
import { waitForStage, waitForStatus } from './support/temporal';

let h: ApprovalHarness;

beforeAll(async () => {
  h = await startApprovalHarness();
  addReviewedUsers(h);
});
afterAll(async () => {
  await endReviews();
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

const REVIEW_HEADING = /<h1>Acme IT asks you to review who can see Acme Dental's IT documentation<\/h1>/;

function post(link: string, fields: Array<[string, string]>, headers: Record<string, string> = {}): Promise<Answer> {
  return call(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Opens the page as a browser would: keeps its cookie and the form's CSRF value. */
async function openForm(link: string): Promise<{ cookie: string; csrf: string }> {
  const answer = await call(link);
  expectPage(answer, 200, REVIEW_HEADING);
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0]!;
  expect(cookie).toMatch(/^approval_csrf=/);
  const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
  expect(csrf).toBeTruthy();
  return { cookie, csrf: csrf! };
}

/** What must not change while the link is merely looked at or refused. */
async function snapshot(handle: WorkflowHandle) {
  const s: OnboardingStatus = await handle.query(statusQuery);
  return { stage: s.stage, evidence: s.evidence, answers: s.review?.answers, round: s.approvalRound, events: s.events.length, mails: h.smtp.received.length };
}

const expiresAtOf = (link: string) => {
  const check = verifyApprovalToken(APPROVAL_SECRET, link.split('/').pop()!, 0);
  if (!check.ok) throw new Error('not a valid link');
  return check.claims.expiresAt;
};

const radio = (userId: string, value: string, checked = false) => `<input type="radio" name="answer:${userId}" value="${value}" required${checked ? ' checked' : ''}>`;

describe('the page of an access review', () => {
  it('GET and HEAD show the organization, the MSP, the deadline and every user with Keep / Remove, none chosen, and change nothing', async () => {
    const { handle, mail, link } = await startReviewAndReceive(h);
    expect(mail.parsed.subject).toBe("Please review who can see Acme Dental's IT documentation");
    expect(mail.envelope.to).toEqual([PRIMARY.email]);
    const before = await snapshot(handle);
    expect(before).toMatchObject({ stage: 'AWAITING_APPROVAL', evidence: null, answers: null, round: 1 });

    for (let i = 0; i < 3; i += 1) {
      const head = await call(link, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      const page = await call(link, { headers: { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks scanner)' } });
      expectPage(page, 200, REVIEW_HEADING);
      const body = page.body;
      expect(body).toContain('<title>Review who can see Acme Dental&#39;s IT documentation');
      expect(body).toContain('<dt>Organization</dt><dd>Acme Dental</dd>');
      expect(body).toContain('<dt>Requested by</dt><dd>Acme IT</dd>');
      expect(body).toContain(`<dt>Answer by</dt><dd>${formatTime(expiresAtOf(link))}</dd>`);
      expect(body).toContain('<strong>Remove takes the access away</strong>: the user is taken out of every group and deleted in IT Glue.');
      // Ines: escaped, onboarded and approved, sees passwords.
      expect(body).toContain('<legend>Ines &lt;b&gt;Invitee&lt;/b&gt;</legend>');
      expect(body).toContain('<dt>Email</dt><dd>ines@acme.test</dd>\n<dt>Role</dt><dd>IT Glue Lite</dd>\n<dt>Passwords</dt><dd>visible</dd>');
      expect(body).toContain(
        '<dt>Invited</dt><dd>5 January 2026</dd>\n<dt>Approved</dt><dd>by Paula Primary on 4 January 2026</dd>\n<dt>Last sign-in</dt><dd>30 November 2026</dd>',
      );
      // Otto: MyGlue, matched by email, never signed in, dormant.
      expect(body).toContain('<legend>Otto Other — <strong>dormant</strong></legend>');
      expect(body).toContain('<dt>Role</dt><dd>MyGlue Creator</dd>\n<dt>Passwords</dt><dd>unknown</dd>\n<dt>Invited</dt><dd>unknown</dd>');
      expect(body).toContain('<dt>Approved</dt><dd>matched by email — not onboarded by Acme IT</dd>\n<dt>Last sign-in</dt><dd>never</dd>');
      // Keep / Remove for each, none chosen; one comment, one button.
      for (const user of [KEPT, REMOVED]) for (const value of ['keep', 'remove']) expect(body).toContain(radio(user.userId, value));
      expect(body).not.toContain('checked');
      expect(body.match(/<textarea /g)).toHaveLength(1);
      expect(body.match(/<button /g)).toHaveLength(1);
      expect(body).toContain('<button type="submit" class="approve">Send my answer</button>');
    }
    // The result page of an unanswered review leads back to it.
    expect((await call(`${link}/result`)).status).toBe(303);
    await new Promise((r) => setTimeout(r, 500));
    expect(await snapshot(handle)).toEqual(before);
  });

  it('a POST without the CSRF value, or with a user left out, decides nothing; the full answer keeps one and removes the other', async () => {
    const { handle, orgId, runId, link } = await startReviewAndReceive(h);
    const before = await snapshot(handle);
    const form = await openForm(link);
    const choices: Array<[string, string]> = [
      [`answer:${KEPT.userId}`, 'keep'],
      [`answer:${REMOVED.userId}`, 'remove'],
    ];

    // Without the form's CSRF value (or its cookie) nothing is decided.
    expectPage(await post(link, choices, { cookie: form.cookie }), 403, /<h1>Please try again<\/h1>/);
    expectPage(await post(link, [...choices, ['csrf', form.csrf]]), 403, /<h1>Please try again<\/h1>/);

    // Otto left without a choice: the page again, Ines's choice and the comment kept, Otto named.
    const partial = await post(link, [['csrf', form.csrf], choices[0]!, [`answer:${REMOVED.userId}`, 'maybe'], ['comment', 'Otto <left>']], { cookie: form.cookie });
    expectPage(partial, 400, REVIEW_HEADING);
    expect(partial.body).toContain('<p class="outcome outcome-deny" role="alert">Choose Keep or Remove for Otto Other (otto@acme.test). Nothing was recorded yet.</p>');
    expect(partial.body).toContain(radio(KEPT.userId, 'keep', true));
    expect(partial.body).toContain(radio(KEPT.userId, 'remove'));
    expect(partial.body).toContain(radio(REMOVED.userId, 'keep'));
    expect(partial.body).toContain(radio(REMOVED.userId, 'remove'));
    expect(partial.body).toContain('rows="3">Otto &lt;left&gt;</textarea>');
    await new Promise((r) => setTimeout(r, 300));
    expect(await snapshot(handle)).toEqual(before);

    // The form shown again answers; fields of users not in the review, and a decision, are not read.
    const again = /name="csrf" value="([^"]+)"/.exec(partial.body)![1]!;
    const extra: Array<[string, string]> = [
      ['answer:u999', 'remove'],
      ['decision', 'deny'],
    ];
    const decided = await post(link, [['csrf', again], ...choices, ...extra, ['comment', 'Otto left in May']], { cookie: form.cookie });
    expect(decided.status).toBe(303);
    expect(decided.headers.get('location')).toBe(`${link.split('/').pop()}/result`);

    const s = await waitForStage(handle, 'COMPLETED');
    expect(s.stages.map((v) => v.stage)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'REMOVING_ACCESS', 'COMPLETED']);
    expect(s.review!.answers).toEqual({ [KEPT.userId]: 'keep', [REMOVED.userId]: 'remove' });
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', round: 1, approver: PRIMARY, ip: '127.0.0.1', comment: 'Otto left in May' });
    expect(s.review!.offboardings).toEqual([{ userId: REMOVED.userId, workflowId: offboardingIdFor(orgId, REMOVED.userId), started: true }]);

    // Otto's offboarding went straight to the removal, on the review's evidence; nobody offboards Ines.
    const offboarding = track(h.temporal.client.workflow.getHandle(offboardingIdFor(orgId, REMOVED.userId)));
    const o = await waitForStatus(offboarding, (x) => x.stage === 'AWAITING_DELETION');
    expect(o.process).toBe('offboarding');
    expect(o.evidence).toEqual(s.evidence);
    expect(o.stages.map((v) => v.stage)).not.toContain('AWAITING_APPROVAL');
    await expect(h.temporal.client.workflow.getHandle(offboardingIdFor(orgId, KEPT.userId)).describe()).rejects.toThrow();

    const result = await call(`${link}/result`);
    expectPage(result, 200, /<h1>Thank you<\/h1>/);
    expect(result.body).toContain('<title>Thank you: review answered');
    expect(result.body).toContain('Your answer to the access review of Acme Dental has been recorded.');
    expect(result.body).toContain('<h2>Kept (1)</h2>\n<ul><li>Ines &lt;b&gt;Invitee&lt;/b&gt; &lt;ines@acme.test&gt;</li></ul>');
    expect(result.body).toContain('<h2>To be removed (1)</h2>\n<ul><li>Otto Other &lt;otto@acme.test&gt;</li></ul>');
    expect(result.body).toContain('Your comment: “Otto left in May”');
    expect(result.body).toContain('Acme IT will now remove the access of the users to be removed.');

    const answered = await call(link);
    expectPage(answered, 409, /<h1>This review has already been answered<\/h1>/);

    const receipt = await reviewMailOf(h, handle.workflowId, runId, 'decision-receipt', 1);
    expect(receipt.parsed.subject).toBe("You reviewed who can see Acme Dental's IT documentation");
    expect(receipt.envelope.to).toEqual([PRIMARY.email]);
    expect(receipt.parsed.text).toMatch(/^Kept \(1\):\n\n1\. Ines <b>Invitee<\/b> <ines@acme\.test>\n\nTo be removed \(1\):\n\n1\. Otto Other <otto@acme\.test>$/m);
  });

  it('a later review of the organization (a new run of access-review:<orgId>) replaces the earlier one’s link', async () => {
    const first = await startReviewAndReceive(h);
    const form = await openForm(first.link);
    const choices: Array<[string, string]> = [
      [`answer:${KEPT.userId}`, 'keep'],
      [`answer:${REMOVED.userId}`, 'keep'],
    ];
    expect((await post(first.link, [['csrf', form.csrf], ...choices], { cookie: form.cookie })).status).toBe(303);
    // The first review has ended (not only reached COMPLETED): a new run of its ID can start.
    expect(((await first.handle.result()) as OnboardingStatus).stage).toBe('COMPLETED');
    expectPage(await call(`${first.link}/result`), 200, /<h1>Thank you<\/h1>/);

    const second = await startReviewAndReceive(h, first.orgId);
    expect(second.handle.workflowId).toBe(reviewIdFor(first.orgId));
    expect(second.runId).not.toBe(first.runId);
    const before = await snapshot(second.handle);

    for (const answer of [
      await call(first.link),
      await call(`${first.link}/result`),
      await post(first.link, [['csrf', form.csrf], ...choices], { cookie: form.cookie }),
    ]) {
      expectPage(answer, 410, /<h1>This link has been replaced<\/h1>/);
      expect(answer.body).toContain('or a newer review of your organization');
    }
    expect(await snapshot(second.handle)).toEqual(before);
    // The new link is the one that answers.
    expectPage(await call(second.link), 200, REVIEW_HEADING);
  });

  it('reads a link of an earlier review as replaced while the newer one is still gathering its users, expired once past its time', () => {
    const claims = { workflowId: reviewIdFor('100'), round: 1, approverContactId: PRIMARY.contactId, expiresAt: Date.now() + 60_000 };
    const gathering = statusFixture({ process: 'review', stage: 'VALIDATING', approvalRound: 0, approvalExpiresAt: null, approver: null });
    expect(approvalState(gathering, claims, Date.now())).toEqual({ kind: 'superseded' });
    expect(approvalState(gathering, claims, claims.expiresAt)).toEqual({ kind: 'expired', at: claims.expiresAt });
    const asking = statusFixture({ process: 'review', approvalExpiresAt: new Date(claims.expiresAt + 1).toISOString() });
    expect(approvalState(asking, claims, Date.now())).toEqual({ kind: 'superseded' });
    // The link of the current request is open.
    const current = statusFixture({ process: 'review', approvalExpiresAt: new Date(claims.expiresAt).toISOString() });
    expect(approvalState(current, claims, Date.now())).toMatchObject({ kind: 'open' });
  });
});
