/**
 * An access review's mail over real SMTP (docs/design.md §11, §15.2): the request and reminders that
 * ask the primary contact to keep or remove each of the organization's users, and the receipt of the
 * answer. Each message goes through nodemailer to a local SMTP server and is parsed back to check its
 * headers, both parts, link, escaping, Message-ID and the branding's time zone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalMail, DecisionReceipt, MailContext } from '../activities/contracts';
import { loggingMailActivities } from '../activities/logging';
import { loadConfig } from '../src/config';
import { configuredMail } from '../src/mail/configured';
import { verifyApprovalToken } from '../src/web/approval-token';
import { type Person, reviewIdFor } from '../workflows/types';
import type { AccessReview, ReviewedUser } from '../workflows/review/record';
import { FakeSmtpServer, linksIn, type ReceivedMail } from './fakes/smtp';

const SECRET = 'review mail test secret, at least 32 bytes long';
const dir = mkdtempSync(join(tmpdir(), 'invite-lite-mail-review-'));
let smtp: FakeSmtpServer;
let logged: Array<{ event: string; fields: Record<string, unknown> }> = [];
const log = (event: string, fields: Record<string, unknown>) => void logged.push({ event, fields });

beforeAll(async () => {
  smtp = await FakeSmtpServer.start();
});
afterAll(async () => {
  await smtp.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  smtp.received.length = 0;
  logged = [];
});

function mail() {
  const config = loadConfig({
    SMTP_URL: smtp.url(),
    MAIL_FROM: 'Acme IT <it@acme-it.example>',
    MAIL_COPY_TO: 'Acme Helpdesk <helpdesk@acme-it.example>',
    PUBLIC_BASE_URL: 'https://approve.acme-it.example',
    APPROVAL_SECRET: SECRET,
    DATA_DIR: dir,
  });
  return configuredMail(config, log);
}

const ORG = { id: '100', name: 'Müller & Söhne <Dental>' };
const PRIMARY: Person = { contactId: '202', name: 'Zoé Émile', firstName: 'Zoé', email: 'zoe@acme.test' };
/** Berlin: summer time is UTC+2, so 12:05 UTC reads 14:05; 23:30 UTC is the next day there. */
const BRANDING = {
  mspName: 'Acme IT',
  supportContact: 'help@acme-it.example',
  loginHost: 'app.itglue.com',
  myGlueLoginHost: 'app.myglue.com',
  ssoSubdomain: 'acme',
  timeZone: 'Europe/Berlin',
};

const HOSTILE: ReviewedUser = {
  userId: '9001',
  contactId: '301',
  name: '<script>alert(1)</script> see evil.example/login',
  email: 'ines@acme.test',
  roleName: 'Lite',
  myGlue: false,
  passwordAccess: false,
  invitedAt: '2031-01-05T10:00:00.000Z',
  approvedBy: 'Paula <b>Primary</b>',
  approvedAt: '2031-01-04T23:30:00.000Z',
  onboardingId: 'onboarding:100:301',
  lastSignInAt: '2031-06-30T23:30:00.000Z',
  dormant: false,
};
const MATCHED: ReviewedUser = {
  ...HOSTILE,
  userId: '9002',
  contactId: '302',
  name: 'Otto Other',
  email: 'otto@acme.test',
  roleName: 'Creator',
  myGlue: true,
  passwordAccess: null,
  approvedBy: null,
  approvedAt: null,
  onboardingId: null,
  lastSignInAt: null,
  dormant: true,
};

let counter = 0;

/** A review's context with its own organization and run IDs, so that Message-IDs differ between tests. */
function context(over: Partial<MailContext> = {}): MailContext {
  counter += 1;
  const orgId = `800${counter}`;
  return {
    workflowId: reviewIdFor(orgId),
    runId: randomUUID(),
    request: { orgId, contactId: '', kind: 'itglue', passwordAccess: false, requestedBy: 'schedule' },
    org: ORG,
    invitee: PRIMARY,
    branding: BRANDING,
    process: 'review',
    ...over,
  };
}

const review = (answers: AccessReview['answers'] = null): AccessReview => ({ users: [HOSTILE, MATCHED], answers, offboardings: [] });

/** The Message-ID of a review's mail, as it should read. */
const idOf = (input: MailContext, step: string, round: number) => `<${step}.r${round}.access-review%3A${input.request.orgId}.${input.runId}@acme-it.example>`;

function approvalMail(over: Partial<ApprovalMail> = {}): ApprovalMail {
  return { ...context(), approver: PRIMARY, round: 1, reminder: 0, expiresAt: '2031-07-06T12:05:00.000Z', review: review(), ...over };
}

function receipt(over: Partial<DecisionReceipt> = {}): DecisionReceipt {
  return {
    ...context(),
    approver: PRIMARY,
    result: { decision: 'approve', round: 1, decidedAt: '2031-07-06T12:05:00.000Z' },
    review: review({ [HOSTILE.userId]: 'keep', [MATCHED.userId]: 'remove' }),
    ...over,
  };
}

const html = (m: ReceivedMail) => (typeof m.parsed.html === 'string' ? m.parsed.html : '');
const text = (m: ReceivedMail) => m.parsed.text ?? '';
/** The HTML part as text, to compare with the plain part: inline tags dropped, blocks spaced, entities read. */
const plainOfHtml = (m: ReceivedMail) =>
  html(m)
    .replace(/<\/?(strong|a)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** What both parts must say, each in its own form. */
function expectBothSay(m: ReceivedMail, phrases: string[]) {
  const fromHtml = plainOfHtml(m);
  const fromText = text(m).replace(/\s+/g, ' ');
  for (const phrase of phrases) {
    expect(fromText, phrase).toContain(phrase);
    expect(fromHtml, phrase).toContain(phrase);
  }
}

/** A multipart/alternative with a plain-text and an HTML part, to the primary contact only, no injected header. */
function expectWellFormed(m: ReceivedMail) {
  expect(m.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
  expect(m.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
  expect(m.raw).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
  expect(html(m)).toMatch(/^<!doctype html>/);
  expect(m.envelope).toEqual({ from: 'it@acme-it.example', to: ['zoe@acme.test'] });
  expect(m.parsed.cc).toBeUndefined();
  expect(m.raw).not.toMatch(/^Bcc:/im);
  expect(m.raw.slice(0, m.raw.indexOf('\r\n\r\n'))).not.toMatch(/[^\x00-\x7f]/);
}

/** Every outside value escaped in HTML and never a live tag; web addresses in names unclickable. */
function expectEscaped(m: ReceivedMail) {
  expect(html(m)).not.toContain('<script');
  expect(html(m)).not.toContain('<b>Primary');
  expect(html(m)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html(m)).toContain('Müller &amp; Söhne &lt;Dental&gt;');
  for (const part of [text(m), html(m)]) expect(part).not.toContain('evil.example');
  expectBothSay(m, ['evil[.]example/login', 'Sent by Acme IT about the access review of Müller & Söhne <Dental>.']);
}

describe('access review request', () => {
  it('lists the users with role, passwords, approval, last sign-in, dormant and matched by email; Remove explained; the link; the deadline in the zone', async () => {
    const input = approvalMail();
    await mail().activities.sendApprovalRequest(input);
    expect(smtp.received).toHaveLength(1);
    const [m] = smtp.received;

    expect(m!.parsed.subject).toBe("Please review who can see Müller & Söhne <Dental>'s IT documentation");
    expect(m!.parsed.messageId).toBe(idOf(input, 'approval-request', 1));
    expectWellFormed(m!);
    expectEscaped(m!);
    expectBothSay(m!, [
      'Hello Zoé,',
      'Acme IT asks you to confirm who may keep access to the IT documentation of Müller & Söhne <Dental> in IT Glue and MyGlue. 2 users can see it now:',
      // Days in Berlin: 23:30 UTC is already the next day there.
      '<script>alert(1)</script> see evil[.]example/login <ines@acme.test>: IT Glue Lite; passwords hidden; approved by Paula <b>Primary</b> on 5 January 2031; last sign-in 1 July 2031',
      'Otto Other <otto@acme.test>: MyGlue Creator; passwords unknown; matched by email: not onboarded by Acme IT; never signed in; dormant',
      'choose Keep or Remove for each user. Remove takes the access away: the user is taken out of every group and deleted in IT Glue',
      'Sunday 6 July 2031 at 14:05 Europe/Berlin',
      'you choose Keep or Remove for each user on the page, and you can add a comment.',
      'Questions? Contact help@acme-it.example.',
    ]);
    expect(text(m!)).toMatch(/^ {2}Users: +2 \(1 dormant\)$/m);
    expect(text(m!)).toMatch(/^ {2}Not onboarded by us: +1 \(matched by email\)$/m);
    expect(text(m!)).toMatch(/^ {2}Answer by: +Sunday 6 July 2031 at 14:05 Europe\/Berlin$/m);
    expect(html(m!)).toContain('<strong>dormant</strong>');
    // Nothing of an onboarding's request or an offboarding's.
    for (const part of [text(m!), html(m!)]) {
      expect(part).not.toContain('UTC');
      expect(part).not.toMatch(/If you approve|needed for IT Glue access|Access to remove/);
    }

    // One web link, the same in both parts: the review's page, signed for this round and contact.
    const links = linksIn(m!);
    expect(links).toHaveLength(1);
    const [link] = links;
    expect(link).toMatch(/^https:\/\/approve\.acme-it\.example\/approvals\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(text(m!)).toContain(link);
    expect(html(m!)).toContain(`href="${link}"`);
    expect(verifyApprovalToken(SECRET, link!.split('/').pop()!, Date.parse('2031-01-01T00:00:00Z'))).toEqual({
      ok: true,
      expired: false,
      claims: { workflowId: input.workflowId, round: 1, approverContactId: '202', expiresAt: Date.parse(input.expiresAt) },
    });
  });

  it('a reminder says so and carries the new round’s link; its Message-ID is the reminder’s', async () => {
    const input = approvalMail({ round: 3, reminder: 2 });
    await mail().activities.sendApprovalRequest(input);
    const [m] = smtp.received;
    expect(m!.parsed.subject).toBe("Reminder: please review who can see Müller & Söhne <Dental>'s IT documentation");
    expect(m!.parsed.messageId).toBe(idOf(input, 'approval-reminder', 3));
    expectWellFormed(m!);
    expectBothSay(m!, ['The link in earlier emails no longer works']);
    expect(verifyApprovalToken(SECRET, linksIn(m!)[0]!.split('/').pop()!, 0)).toMatchObject({ ok: true, claims: { round: 3, workflowId: input.workflowId } });
  });

  it('is told by the review it carries even without the process named; line breaks in names stay out of the headers', async () => {
    const { process: _process, ...input } = approvalMail({ approver: { ...PRIMARY, name: 'Zoé\r\nBcc: evil@attacker.test', firstName: 'Zoé\nX' } });
    await mail().activities.sendApprovalRequest(input);
    const [m] = smtp.received;
    expect(m!.parsed.subject).toMatch(/^Please review who can see/);
    expectWellFormed(m!);
  });

  it('has a stable Message-ID: sent again it is the same message; a later review of the organization (a new run) is another one', async () => {
    const activities = mail().activities;
    const first = approvalMail();
    const later = { ...first, runId: randomUUID() };
    await activities.sendApprovalRequest(first);
    await activities.sendApprovalRequest(first);
    await activities.sendApprovalRequest(later);
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([idOf(first, 'approval-request', 1), idOf(later, 'approval-request', 1)]);
    expect(logged.map((l) => l.event)).toEqual(['mail.sent', 'mail.alreadySent', 'mail.sent']);
  });
});

describe('access review receipt', () => {
  it('lists who is kept and who will be removed (by name and email), when (in the zone), and the comment', async () => {
    const input = receipt({ comment: 'Otto left <in May>, see evil.example/x' });
    await mail().activities.sendDecisionReceipt(input);
    const [m] = smtp.received;
    expect(m!.parsed.subject).toBe("You reviewed who can see Müller & Söhne <Dental>'s IT documentation");
    expect(m!.parsed.messageId).toBe(idOf(input, 'decision-receipt', 1));
    expectWellFormed(m!);
    expectEscaped(m!);
    expectBothSay(m!, [
      'Thank you. Your answer to the access review of Müller & Söhne <Dental> has been recorded on Sunday 6 July 2031 at 14:05 Europe/Berlin.',
      'Kept (1):',
      '<script>alert(1)</script> see evil[.]example/login <ines@acme.test>',
      'To be removed (1):',
      'Otto Other <otto@acme.test>',
      'Acme IT will now remove their access: each is taken out of every group and deleted in IT Glue',
      'Your comment: “Otto left <in May>, see evil[.]example/x”',
      'If you did not make this decision, contact help@acme-it.example at once.',
    ]);
    expect(text(m!)).toMatch(
      /^Kept \(1\):\n\n1\. <script>alert\(1\)<\/script> see evil\[\.\]example\/login <ines@acme\.test>\n\nTo be removed \(1\):\n\n1\. Otto Other <otto@acme\.test>$/m,
    );
    expect(linksIn(m!)).toEqual([]);
    for (const part of [text(m!), html(m!)]) expect(part).not.toMatch(/You approved|UTC/);
  });

  it('all kept: nothing changes; recorded with the command line: says so; no comment, no comment line', async () => {
    const activities = mail().activities;
    await activities.sendDecisionReceipt(receipt({ review: review({ [HOSTILE.userId]: 'keep', [MATCHED.userId]: 'keep' }) }));
    await activities.sendDecisionReceipt(receipt({ via: 'cli' }));
    const [kept, cli] = smtp.received;
    expectBothSay(kept!, ['Kept (2):', 'To be removed (0): nobody.', 'Everyone keeps their access: nothing changes.']);
    expect(text(kept!)).not.toContain('Your comment');
    expectBothSay(cli!, [
      'Acme IT has recorded your answer to the access review of Müller & Söhne <Dental>, as you gave it to them.',
      'not through the link in our email',
    ]);
  });

  it('onboarding and offboarding receipts are unchanged by the review’s', async () => {
    const activities = mail().activities;
    const base = { approver: PRIMARY, result: { decision: 'approve' as const, round: 1, decidedAt: '2031-07-06T12:05:00.000Z' } };
    const invitee: Person = { contactId: '201', name: 'Ines Invitee', firstName: 'Ines', email: 'ines@acme.test' };
    const onboarding = context({ process: undefined, invitee, workflowId: 'onboarding:100:201' });
    await activities.sendDecisionReceipt({ ...onboarding, ...base });
    await activities.sendDecisionReceipt({ ...context({ process: 'offboarding', invitee, workflowId: 'offboarding:100:u201' }), ...base });
    const [on, off] = smtp.received;
    expect(on!.parsed.subject).toBe('You approved IT Glue access for Ines Invitee (Müller & Söhne <Dental>)');
    expect(off!.parsed.subject).toBe('You approved removing IT Glue access for Ines Invitee (Müller & Söhne <Dental>)');
    expectBothSay(on!, ['Sent by Acme IT about IT Glue access for Ines Invitee (Müller & Söhne <Dental>).']);
  });

  it('without mail configured, the stand-in logs the review’s mails with counts, not the users', async () => {
    const lines: Array<{ event: string; fields: Record<string, unknown> }> = [];
    const stand = loggingMailActivities((event, fields) => void lines.push({ event, fields }));
    const request = approvalMail();
    const answered = receipt();
    await stand.sendApprovalRequest(request);
    await stand.sendDecisionReceipt(answered);
    expect(lines).toEqual([
      { event: 'mail.approvalRequest', fields: { workflowId: request.workflowId, to: '202', round: 1, reminder: 0, process: 'review', users: 2 } },
      { event: 'mail.decisionReceipt', fields: { workflowId: answered.workflowId, to: '202', decision: 'approve', process: 'review', kept: 1, removed: 1 } },
    ]);
  });
});
