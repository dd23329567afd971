/**
 * An offboarding's mail over real SMTP (docs/design.md §11, §15): the approval request and reminder
 * that ask to approve removing a contact's access, the decision receipt, and the removal receipt to
 * the primary contact. Each message goes through nodemailer to a local SMTP server and is parsed back
 * to check its headers, both parts, link, escaping, Message-ID and the branding's time zone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalMail, MailContext, RemovalReceipt } from '../activities/contracts';
import { loggingMailActivities } from '../activities/logging';
import { loadConfig } from '../src/config';
import { configuredMail } from '../src/mail/configured';
import { verifyApprovalToken } from '../src/web/approval-token';
import { offboardingIdFor, type OffboardingRequest, type Person } from '../workflows/types';
import { FakeSmtpServer, linksIn, type ReceivedMail } from './fakes/smtp';

const SECRET = 'offboarding mail test secret, at least 32 bytes';
const dir = mkdtempSync(join(tmpdir(), 'invite-lite-mail-offboarding-'));
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
const LEAVER: Person = { contactId: '201', name: '<script>alert(1)</script>', firstName: '<script>alert(1)</script>', email: 'ines@acme.test' };
const PRIMARY: Person = { contactId: '202', name: 'Zoé Émile', firstName: 'Zoé', email: 'zoe@acme.test' };
/** Berlin: summer time is UTC+2, so 12:05 UTC reads 14:05. */
const BRANDING = {
  mspName: 'Acme IT',
  supportContact: 'help@acme-it.example',
  loginHost: 'app.itglue.com',
  myGlueLoginHost: 'app.myglue.com',
  ssoSubdomain: 'acme',
  timeZone: 'Europe/Berlin',
};
const HOSTILE_REASON = 'Left <b>the company</b> & "moved" to evil.example/login\r\nBcc: x@attacker.test';

let counter = 0;

/** An offboarding's context with its own workflow and run IDs, so that Message-IDs differ between tests. */
function context(over: Partial<MailContext> = {}): MailContext {
  counter += 1;
  const request: OffboardingRequest = {
    orgId: `700${counter}`,
    contactId: LEAVER.contactId,
    userId: 'u201',
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: 'UTECH1',
    reason: HOSTILE_REASON,
  };
  return {
    workflowId: offboardingIdFor(request.orgId, request.userId),
    runId: randomUUID(),
    request,
    org: ORG,
    invitee: LEAVER,
    branding: BRANDING,
    process: 'offboarding',
    reason: HOSTILE_REASON,
    ...over,
  };
}

/** The Message-ID of an offboarding's mail, as it should read. */
const idOf = (input: MailContext, step: string, round: number) => `<${step}.r${round}.offboarding%3A${input.request.orgId}%3Au201.${input.runId}@acme-it.example>`;

function approvalMail(over: Partial<ApprovalMail> = {}): ApprovalMail {
  return { ...context(), approver: PRIMARY, round: 1, reminder: 0, expiresAt: '2031-07-06T12:05:00.000Z', ...over };
}

function receipt(over: Partial<RemovalReceipt> = {}): RemovalReceipt {
  return {
    ...context(),
    to: PRIMARY,
    userEmail: 'ines@acme.test',
    groupsLeft: ['Customer - No Password Access', '<i>Dental</i> & Co'],
    authorizationRemoved: true,
    deletedAt: '2031-07-08T09:30:00.000Z',
    approval: 'approved by Zoé Émile',
    approvedAt: '2031-07-06T12:05:00.000Z',
    ...over,
  };
}

const html = (m: ReceivedMail) => (typeof m.parsed.html === 'string' ? m.parsed.html : '');
const text = (m: ReceivedMail) => m.parsed.text ?? '';
const address = (m: ReceivedMail, field: 'to' | 'cc') => {
  const value = m.parsed[field];
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) => v.value).map(({ name, address }) => ({ name, address }));
};
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

/** A multipart/alternative with a UTF-8 plain-text part and a UTF-8 HTML part, no copy, no injected header. */
function expectWellFormed(m: ReceivedMail) {
  expect(m.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
  expect(m.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
  expect(m.raw).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
  expect(html(m)).toMatch(/^<!doctype html>/);
  expect(m.parsed.cc).toBeUndefined();
  expect(m.parsed.headers.has('bcc')).toBe(false);
  expect(m.raw).not.toMatch(/^Bcc:/im);
  const headerBlock = m.raw.slice(0, m.raw.indexOf('\r\n\r\n'));
  expect(headerBlock).not.toMatch(/[^\x00-\x7f]/);
}

/** Every outside value escaped in HTML and never a live tag; the reason on one line with its address unclickable. */
function expectEscaped(m: ReceivedMail) {
  expect(html(m)).not.toContain('<script');
  expect(html(m)).not.toContain('<b>the company');
  expect(html(m)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html(m)).toContain('Müller &amp; Söhne &lt;Dental&gt;');
  for (const part of [text(m), html(m)]) expect(part).not.toContain('evil.example');
}

/** What both parts must say, each in its own form. */
function expectBothSay(m: ReceivedMail, phrases: string[]) {
  const fromHtml = plainOfHtml(m);
  const fromText = text(m).replace(/\s+/g, ' ');
  for (const phrase of phrases) {
    expect(fromText, phrase).toContain(phrase);
    expect(fromHtml, phrase).toContain(phrase);
  }
}

describe('approval request of a removal', () => {
  it('asks the approver to approve removing the access: subject, reason, link, expiry in the zone, both parts, escaped', async () => {
    const input = approvalMail();
    await mail().activities.sendApprovalRequest(input);
    expect(smtp.received).toHaveLength(1);
    const [m] = smtp.received;

    expect(m!.envelope).toEqual({ from: 'it@acme-it.example', to: ['zoe@acme.test'] });
    expect(address(m!, 'to')).toEqual([{ name: 'Zoé Émile', address: 'zoe@acme.test' }]);
    expect(m!.parsed.subject).toBe('Approve removing IT Glue access: <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expect(m!.parsed.messageId).toBe(idOf(input, 'approval-request', 1));
    expectWellFormed(m!);
    expectEscaped(m!);
    expectBothSay(m!, [
      'Hello Zoé,',
      "Acme IT has been asked to remove <script>alert(1)</script>'s access to the IT documentation of Müller & Söhne <Dental> in IT Glue.",
      'Your approval is needed before the access is removed.',
      'ines@acme.test',
      'If you approve, the access is removed',
      'and the IT Glue user is deleted. If you deny, nothing changes.',
      'Left <b>the company</b> & "moved" to evil[.]example/login Bcc: x@attacker.test',
      'Sunday 6 July 2031 at 14:05 Europe/Berlin',
      'you approve or deny the removal on the page',
      'help@acme-it.example',
    ]);
    expect(text(m!)).toMatch(/^ {2}Reason: +Left <b>the company<\/b> & "moved" to evil\[\.\]example\/login Bcc: x@attacker\.test$/m);
    expect(text(m!)).toMatch(/^ {2}Answer by: +Sunday 6 July 2031 at 14:05 Europe\/Berlin$/m);
    expect(text(m!)).toMatch(/^ {2}Access to remove: +IT Glue: the IT documentation of Müller & Söhne <Dental>$/m);
    expect(html(m!)).toContain('Left &lt;b&gt;the company&lt;/b&gt; &amp; &quot;moved&quot;');
    // Nothing of an onboarding's request: no access level to give, no passwords, no instructions.
    for (const part of [text(m!), html(m!), m!.parsed.subject ?? '']) {
      expect(part).not.toContain('Passwords');
      expect(part).not.toContain('Lite user');
      expect(part).not.toMatch(/needed for IT Glue access/);
      expect(part).not.toContain('UTC');
    }

    // One web link, the same in both parts: the approval page, signed for this round and approver.
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

  it('a reminder says so and carries the new round; MyGlue is named; no reason, no Reason line', async () => {
    const base = approvalMail({ round: 3, reminder: 2 });
    const input: ApprovalMail = { ...base, reason: undefined, request: { ...base.request, kind: 'myglue' } };
    await mail().activities.sendApprovalRequest(input);
    const [m] = smtp.received;
    expect(m!.parsed.subject).toBe('Reminder: approve removing MyGlue access: <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expect(m!.parsed.messageId).toBe(idOf(input, 'approval-reminder', 3));
    expectWellFormed(m!);
    expectBothSay(m!, ['The link in earlier emails no longer works', 'in MyGlue.', 'the MyGlue user is deleted']);
    expect(text(m!)).not.toContain('Reason');
    expect(html(m!)).not.toContain('Reason');
    const token = linksIn(m!)[0]!.split('/').pop()!;
    expect(verifyApprovalToken(SECRET, token, 0)).toMatchObject({ ok: true, claims: { round: 3 } });
  });

  it('keeps line breaks in names out of the headers', async () => {
    const sneaky: Person = { ...PRIMARY, name: 'Zoé\r\nBcc: evil@attacker.test', firstName: 'Zoé\nX' };
    await mail().activities.sendApprovalRequest(approvalMail({ approver: sneaky }));
    const [m] = smtp.received;
    expect(m!.envelope.to).toEqual(['zoe@acme.test']);
    expectWellFormed(m!);
  });
});

describe('decision receipt of a removal', () => {
  it('says the removal was approved or denied, when (in the zone), and what happens next', async () => {
    const activities = mail().activities;
    const approved = context();
    const denied = context();
    await activities.sendDecisionReceipt({ ...approved, approver: PRIMARY, result: { decision: 'approve', round: 1, decidedAt: '2031-07-06T12:05:00.000Z' } });
    await activities.sendDecisionReceipt({ ...denied, approver: PRIMARY, result: { decision: 'deny', round: 2, decidedAt: '2031-07-06T12:05:00.000Z' } });
    await activities.sendDecisionReceipt({
      ...context(),
      approver: PRIMARY,
      result: { decision: 'approve', round: 1, decidedAt: '2031-07-06T12:05:00.000Z' },
      via: 'cli',
    });
    const [yes, no, cli] = smtp.received;

    expect(yes!.parsed.subject).toBe('You approved removing IT Glue access for <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expect(yes!.parsed.messageId).toBe(idOf(approved, 'decision-receipt', 1));
    expectBothSay(yes!, [
      "Your decision has been recorded: you approved removing <script>alert(1)</script>'s IT Glue access to the documentation of Müller & Söhne <Dental> on Sunday 6 July 2031 at 14:05 Europe/Berlin.",
      'Acme IT will now remove the access, and you will get a receipt once it is done.',
    ]);

    expect(no!.parsed.subject).toBe('You denied removing IT Glue access for <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expect(no!.parsed.messageId).toBe(idOf(denied, 'decision-receipt', 2));
    expectBothSay(no!, ['you denied removing', '<script>alert(1)</script> keeps the access, and Acme IT has been told.']);

    expectBothSay(cli!, ['Acme IT has recorded your decision, as you gave it to them: you approved removing', 'not through the link in our email']);

    for (const m of [yes!, no!, cli!]) {
      expect(m.envelope.to).toEqual(['zoe@acme.test']);
      expectWellFormed(m);
      expectEscaped(m);
      expectBothSay(m, ['If you did not make this decision, contact help@acme-it.example at once.']);
      expect(text(m)).not.toMatch(/(approved|denied) IT Glue access/);
      expect(linksIn(m)).toEqual([]);
    }
  });
});

describe('removal receipt', () => {
  it('tells the primary contact the access is removed: groups left, authorization record, deletion time, approval, whom to ask', async () => {
    const input = receipt();
    await mail().activities.sendRemovalReceipt(input);
    expect(smtp.received).toHaveLength(1);
    const [m] = smtp.received;

    expect(m!.envelope).toEqual({ from: 'it@acme-it.example', to: ['zoe@acme.test'] });
    expect(address(m!, 'to')).toEqual([{ name: 'Zoé Émile', address: 'zoe@acme.test' }]);
    expect(m!.parsed.subject).toBe('IT Glue access removed: <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expect(m!.parsed.messageId).toBe(idOf(input, 'removal-receipt', 1));
    expect(m!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expectWellFormed(m!);
    expectEscaped(m!);
    expectBothSay(m!, [
      'Hello Zoé,',
      "<script>alert(1)</script>'s access to the IT documentation of Müller & Söhne <Dental> in IT Glue has been removed",
      'the user is out of every group and has been deleted',
      'ines@acme.test: deleted',
      'Customer - No Password Access, <i>Dental</i> & Co',
      '<script>alert(1)</script> taken out',
      'approved by Zoé Émile on Sunday 6 July 2031 at 14:05 Europe/Berlin',
      'Tuesday 8 July 2031 at 11:30 Europe/Berlin',
      'If you did not expect this, or have questions, contact help@acme-it.example.',
    ]);
    expect(text(m!)).toMatch(/^ {2}Groups left: +Customer - No Password Access, <i>Dental<\/i> & Co$/m);
    expect(text(m!)).toMatch(/^ {2}Deleted: +Tuesday 8 July 2031 at 11:30 Europe\/Berlin$/m);
    expect(html(m!)).toContain('&lt;i&gt;Dental&lt;/i&gt; &amp; Co');
    expect(html(m!)).not.toContain('<i>Dental');
    expect(html(m!)).toContain('href="mailto:help@acme-it.example"');
    expect(linksIn(m!)).toEqual([]);
    for (const part of [text(m!), html(m!)]) expect(part).not.toContain('UTC');
  });

  it('says so when the user was in no group and the contact was not in the authorization record; MyGlue is named', async () => {
    const base = receipt({ groupsLeft: [], authorizationRemoved: false, approval: 'no approval needed', approvedAt: null, reason: undefined });
    await mail().activities.sendRemovalReceipt({ ...base, request: { ...base.request, kind: 'myglue' } });
    const [m] = smtp.received;
    expect(m!.parsed.subject).toBe('MyGlue access removed: <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expectBothSay(m!, ['none (the user was in no group)', 'unchanged (<script>alert(1)</script> was not listed)', 'no approval needed', 'in MyGlue has been removed']);
    expect(text(m!)).toMatch(/^ {2}MyGlue user: +ines@acme\.test: deleted$/m);
    expect(text(m!)).not.toContain('Reason');
  });

  it('has a stable Message-ID: sent again it is the same message (not resent); another offboarding run is another one', async () => {
    const activities = mail().activities;
    const first = receipt();
    const second = { ...first, runId: randomUUID() };
    await activities.sendRemovalReceipt(first);
    await activities.sendRemovalReceipt(first);
    await activities.sendRemovalReceipt(second);
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([idOf(first, 'removal-receipt', 1), idOf(second, 'removal-receipt', 1)]);
    expect(logged.map((l) => l.event)).toEqual(['mail.sent', 'mail.alreadySent', 'mail.sent']);
  });

  it('keeps line breaks in the addressee’s name out of the headers', async () => {
    await mail().activities.sendRemovalReceipt(receipt({ to: { ...PRIMARY, name: 'Zoé\r\nBcc: evil@attacker.test' } }));
    const [m] = smtp.received;
    expect(m!.envelope.to).toEqual(['zoe@acme.test']);
    expectWellFormed(m!);
  });

  it('without mail configured, the stand-in logs the receipt without its content', async () => {
    const lines: Array<{ event: string; fields: Record<string, unknown> }> = [];
    const input = receipt();
    await loggingMailActivities((event, fields) => void lines.push({ event, fields })).sendRemovalReceipt(input);
    expect(lines).toEqual([{ event: 'mail.removalReceipt', fields: { workflowId: input.workflowId, to: '202', groupsLeft: 2, authorizationRemoved: true } }]);
  });
});
