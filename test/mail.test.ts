/**
 * The mail activities over real SMTP: every message goes through nodemailer to a local SMTP server
 * and is parsed back (mailparser) to check its headers, both parts, links and escaping. Also: the
 * outbox without SMTP_URL, sending once, refusals, and credentials kept out of errors and logs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalMail, MailContext } from '../activities/contracts';
import { MAIL_REFUSED, type TechAddressLookup } from '../activities/mail';
import { slackTechAddress } from '../activities/slack';
import { loadConfig } from '../src/config';
import { configuredMail } from '../src/mail/configured';
import { requiresStartTls } from '../src/mail/mailer';
import { serviceActivities } from '../src/service-activities';
import { INSTRUCTIONS_SUBJECT } from '../src/mail/messages';
import { verifyApprovalToken } from '../src/web/approval-token';
import type { OnboardingRequest, Person } from '../workflows/types';
import { FakeSmtpServer, linksIn, type ReceivedMail } from './fakes/smtp';
import { startFakeSlack, type FakeSlack } from './fakes/slack-api';

const SECRET = 'mail test approval secret, at least 32 bytes';
const dir = mkdtempSync(join(tmpdir(), 'invite-lite-mail-'));
let smtp: FakeSmtpServer;
let logged: Array<{ event: string; fields: Record<string, unknown> }> = [];
const log = (event: string, fields: Record<string, unknown>) => void logged.push({ event, fields });

beforeAll(async () => {
  smtp = await FakeSmtpServer.start({ refuse: /^nobody@/ });
});
afterAll(async () => {
  await smtp.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  smtp.received.length = 0;
  logged = [];
});

function mail(env: Record<string, string | undefined> = {}, techAddress?: TechAddressLookup) {
  const config = loadConfig({
    SMTP_URL: smtp.url(),
    MAIL_FROM: 'Acme IT <it@acme-it.example>',
    MAIL_COPY_TO: 'Acme Helpdesk <helpdesk@acme-it.example>',
    PUBLIC_BASE_URL: 'https://approve.acme-it.example',
    APPROVAL_SECRET: SECRET,
    DATA_DIR: dir,
    ...env,
  });
  return configuredMail(config, log, { techAddress });
}

let counter = 0;
const ORG = { id: '100', name: 'Müller & Söhne <Dental>' };
const INVITEE: Person = { contactId: '201', name: '<script>alert(1)</script>', firstName: '<script>alert(1)</script>', email: 'ines@acme.test' };
const APPROVER: Person = { contactId: '202', name: 'Zoé Émile', firstName: 'Zoé', email: 'zoe@acme.test' };
const BRANDING = { mspName: 'Acme IT', supportContact: 'help@acme-it.example', loginHost: 'app.itglue.com', myGlueLoginHost: 'app.myglue.com', ssoSubdomain: 'acme' };

/** A context with its own workflow and run IDs, so that Message-IDs differ between tests. */
function context(over: Partial<MailContext> = {}): MailContext {
  counter += 1;
  const request: OnboardingRequest = {
    orgId: `100${counter}`,
    contactId: '201',
    kind: 'itglue',
    passwordAccess: false,
    requestedBy: 'UTECH1',
    ticket: 'T-1001 "urgent"',
  };
  return { workflowId: `onboarding:${request.orgId}:201`, runId: randomUUID(), request, org: ORG, invitee: INVITEE, branding: BRANDING, ...over };
}

/** The Message-ID of an onboarding's mail, as it should read. */
const idOf = (input: MailContext, step: string, round: number, domain = 'acme-it.example') =>
  `<${step}.r${round}.onboarding%3A${input.request.orgId}%3A201.${input.runId}@${domain}>`;

function approvalMail(over: Partial<ApprovalMail> = {}): ApprovalMail {
  return { ...context(), approver: APPROVER, round: 1, reminder: 0, expiresAt: '2031-05-06T07:08:00.000Z', ...over };
}

const html = (m: ReceivedMail) => (typeof m.parsed.html === 'string' ? m.parsed.html : '');
const text = (m: ReceivedMail) => m.parsed.text ?? '';
const address = (m: ReceivedMail, field: 'from' | 'to' | 'cc') => {
  const value = m.parsed[field];
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) => v.value).map(({ name, address }) => ({ name, address }));
};

/** The parts as sent: a multipart/alternative with a UTF-8 plain-text part and a UTF-8 HTML part. */
function expectTwoParts(m: ReceivedMail) {
  expect(m.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
  expect(m.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
  expect(m.raw).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
  expect(text(m).length).toBeGreaterThan(100);
  expect(html(m)).toMatch(/^<!doctype html>/);
}

/** Escaped in HTML, as written in plain text; never a live tag. */
function expectEscaped(m: ReceivedMail) {
  expect(html(m)).not.toContain('<script');
  expect(html(m)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html(m)).not.toMatch(/Müller & Söhne <Dental>/);
}

describe('approval request', () => {
  it('goes to the approver with both parts, a stable Message-ID, the request and a signed link', async () => {
    const input = approvalMail();
    await mail().activities.sendApprovalRequest(input);
    const [m] = smtp.received;
    expect(smtp.received).toHaveLength(1);

    expect(m!.envelope).toEqual({ from: 'it@acme-it.example', to: ['zoe@acme.test'] });
    expect(address(m!, 'from')).toEqual([{ name: 'Acme IT', address: 'it@acme-it.example' }]);
    expect(address(m!, 'to')).toEqual([{ name: 'Zoé Émile', address: 'zoe@acme.test' }]);
    expect(m!.parsed.cc).toBeUndefined();
    expect(m!.parsed.subject).toBe('Approval needed for IT Glue access: <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expect(m!.parsed.messageId).toBe(idOf(input, 'approval-request', 1));
    expect(m!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    // Non-ASCII headers travel encoded (RFC 2047), no raw 8-bit header bytes.
    const headerBlock = m!.raw.slice(0, m!.raw.indexOf('\r\n\r\n'));
    expect(headerBlock).not.toMatch(/[^\x00-\x7f]/);
    expectTwoParts(m!);
    expectEscaped(m!);

    for (const part of [text(m!), html(m!)]) {
      expect(part).toContain('Zoé');
      expect(part).toContain('ines@acme.test');
      expect(part).toContain('IT Glue Lite user (read-only)');
      expect(part).toContain('Not included: stored passwords stay hidden');
      expect(part).toContain('Acme IT');
      expect(part).toContain('Tuesday 6 May 2031 at 07:08 UTC');
      expect(part).toContain('help@acme-it.example');
    }
    expect(text(m!)).toContain('<script>alert(1)</script>');
    expect(text(m!)).toContain('Müller & Söhne <Dental>');
    expect(text(m!)).toContain('T-1001 "urgent"');
    expect(html(m!)).toContain('T-1001 &quot;urgent&quot;');
    expect(html(m!)).toContain('Müller &amp; Söhne &lt;Dental&gt;');

    // One web link, the same in both parts: the approval page, signed for this round and approver.
    const links = linksIn(m!);
    expect(links).toHaveLength(1);
    const [link] = links;
    expect(link).toMatch(/^https:\/\/approve\.acme-it\.example\/approvals\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(text(m!)).toContain(link);
    expect(html(m!)).toContain(`href="${link}"`);
    const check = verifyApprovalToken(SECRET, link!.split('/').pop()!, Date.parse('2031-01-01T00:00:00Z'));
    expect(check).toEqual({
      ok: true,
      expired: false,
      claims: { workflowId: input.workflowId, round: 1, approverContactId: '202', expiresAt: Date.parse(input.expiresAt) },
    });
  });

  it('says "reminder" in a reminder, whose link is for the new round', async () => {
    const input = approvalMail({ round: 3, reminder: 2 });
    await mail().activities.sendApprovalRequest(input);
    const [m] = smtp.received;
    expect(m!.parsed.subject).toMatch(/^Reminder: approval needed for IT Glue access: /);
    expect(m!.parsed.messageId).toBe(idOf(input, 'approval-reminder', 3));
    expect(text(m!)).toContain('The link in earlier emails no longer works');
    const token = linksIn(m!)[0]!.split('/').pop()!;
    expect(verifyApprovalToken(SECRET, token, 0)).toMatchObject({ ok: true, claims: { round: 3 } });
  });

  it('keeps line breaks in names out of the headers', async () => {
    const sneaky: Person = { ...APPROVER, name: 'Zoé\r\nBcc: evil@attacker.test', firstName: 'Zoé\nX' };
    await mail().activities.sendApprovalRequest(approvalMail({ approver: sneaky }));
    const [m] = smtp.received;
    expect(m!.envelope.to).toEqual(['zoe@acme.test']);
    expect(m!.parsed.headers.has('bcc')).toBe(false);
    expect(m!.raw).not.toMatch(/^Bcc:/im);
  });
});

describe('the other messages', () => {
  it('access instructions: the seed subject, to the invitee with a copy, 6-hour link, login host, no SSO, 2FA, who to ask', async () => {
    const input = { ...context(), linkValidityHours: 6 };
    await mail().activities.sendInstructions(input);
    const [m] = smtp.received;
    expect(m!.parsed.subject).toBe(INSTRUCTIONS_SUBJECT);
    expect(m!.parsed.subject).toBe('IT Documentation Access via IT Glue');
    expect(m!.parsed.messageId).toBe(idOf(input, 'instructions', 1));
    expect(m!.envelope.to.sort()).toEqual(['helpdesk@acme-it.example', 'ines@acme.test']);
    expect(address(m!, 'to')).toEqual([{ name: '<script>alert(1)</script>', address: 'ines@acme.test' }]);
    expect(address(m!, 'cc')).toEqual([{ name: 'Acme Helpdesk', address: 'helpdesk@acme-it.example' }]);
    expectTwoParts(m!);
    expectEscaped(m!);
    for (const part of [text(m!), html(m!)]) {
      expect(part).toContain('invitation email from IT Glue');
      expect(part).toContain('valid for 6 hours');
      expect(part).toContain('app.itglue.com');
      expect(part).toMatch(/leave the (<strong>)?subdomain(<\/strong>)? field blank/);
      expect(part).toContain('Never sign in through acme.itglue.com');
      expect(part).toContain('two-factor authentication (2FA)');
      expect(part).toContain('help@acme-it.example');
    }
    expect(text(m!)).toMatch(/^Hello <script>alert\(1\)<\/script>,$/m);
    expect(html(m!)).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(linksIn(m!)).toEqual(['https://app.itglue.com/']);
    expect(html(m!)).toContain('href="mailto:help@acme-it.example"');
  });

  it('without MAIL_COPY_TO and without Slack the copy goes to the sender; a regional host and no SSO subdomain are respected', async () => {
    const branding = { ...BRANDING, loginHost: 'app.eu.itglue.com', ssoSubdomain: '', supportContact: 'your account manager' };
    const invitee = { ...INVITEE, name: 'Inès Moreau', firstName: 'Inès' };
    await mail({ MAIL_COPY_TO: undefined }).activities.sendInstructions({ ...context({ branding, invitee }), linkValidityHours: 0.5 });
    const [m] = smtp.received;
    expect(text(m!)).toMatch(/^Hello Inès,$/m);
    expect(address(m!, 'cc')).toEqual([{ name: 'Acme IT', address: 'it@acme-it.example' }]);
    expect(text(m!)).toContain('valid for 30 minutes');
    expect(text(m!)).not.toContain('Never sign in through');
    expect(text(m!)).toContain('Questions? Contact your account manager.');
    expect(linksIn(m!)).toEqual(['https://app.eu.itglue.com/']);
  });

  it('decision receipt, invitation-expired heads-up and 2FA reminder', async () => {
    const activities = mail().activities;
    const base = context();
    await activities.sendDecisionReceipt({ ...base, approver: APPROVER, result: { decision: 'deny', round: 2, decidedAt: '2031-05-01T09:30:00.000Z' } });
    await activities.sendInviteExpired({ ...base, expiry: 2 });
    await activities.sendTwoFactorReminder({ ...base, reminder: 1 });
    const [receipt, expired, twoFactor] = smtp.received;

    expect(receipt!.parsed.subject).toBe('You denied IT Glue access for <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expect(receipt!.parsed.messageId).toBe(idOf(base, 'decision-receipt', 2));
    expect(receipt!.envelope.to).toEqual(['zoe@acme.test']);
    expect(text(receipt!)).toContain('Thursday 1 May 2031 at 09:30 UTC');

    expect(expired!.parsed.subject).toBe('Your IT Glue invitation has expired: a new one is on its way');
    expect(expired!.parsed.messageId).toBe(idOf(base, 'invite-expired', 2));
    expect(expired!.envelope.to).toEqual(['ines@acme.test']);
    expect(text(expired!)).toContain('as soon as it arrives');

    expect(twoFactor!.parsed.subject).toBe('Reminder: set up two-factor authentication in IT Glue');
    expect(twoFactor!.parsed.messageId).toBe(idOf(base, 'two-factor-reminder', 1));
    expect(text(twoFactor!)).toContain('two-factor authentication');
    expect(text(twoFactor!)).toContain('Open your profile');

    // Both greet the invitee, say how to sign in (the host, the blank subdomain, never the SSO address) and who to ask.
    for (const m of [expired!, twoFactor!]) {
      expect(text(m)).toMatch(/^Hello <script>alert\(1\)<\/script>,$/m);
      expect(html(m)).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
      for (const part of [text(m), html(m)]) {
        expect(part).toContain('Always sign in at');
        expect(part).toContain('app.itglue.com');
        expect(part).toMatch(/leave the (<strong>)?subdomain(<\/strong>)? field blank/);
        expect(part).toContain('Never sign in through acme.itglue.com');
        expect(part).toContain('help@acme-it.example');
      }
      expect(linksIn(m)).toEqual(['https://app.itglue.com/']);
    }
    expect(text(receipt!)).toContain('If you did not make this decision, contact help@acme-it.example at once.');

    for (const m of [receipt!, expired!, twoFactor!]) {
      expectTwoParts(m);
      expectEscaped(m);
      expect(m.parsed.cc).toBeUndefined();
    }
  });
});

describe("the instructions copy goes to the requesting tech's own address", () => {
  const TECH = 'U0TECH0001';
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack({
      users: [
        { id: TECH, name: 'tina', realName: 'Tina Tech', email: 'tina@acme-it.example' },
        { id: 'U0NOMAIL01', name: 'nomail', realName: 'No Mail' },
        { id: 'U0GONE0001', name: 'gone', realName: 'Gone Tech', email: 'gone@acme-it.example', deleted: true },
      ],
    });
  });
  afterAll(async () => {
    await slack.close();
  });
  afterEach(() => slack.reset());

  const fromSlack = (fake: FakeSlack = slack, botToken = fake.botToken) => slackTechAddress({ botToken, apiUrl: fake.url }, { log });
  const byTech = (requestedBy: string) => {
    const base = context();
    return { ...base, request: { ...base.request, requestedBy }, linkValidityHours: 6 };
  };
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const asAttempt = <R>(attempt: number, fn: () => Promise<R>) => new MockActivityEnvironment({ attempt }, { logger: quiet }).run(fn);
  const fallbacks = () => logged.filter((l) => l.event === 'mail.instructionsCopy.fallback').map((l) => l.fields);

  it('without MAIL_COPY_TO: Cc the tech at the email of their Slack profile, over SMTP', async () => {
    const input = byTech(TECH);
    await mail({ MAIL_COPY_TO: undefined }, fromSlack()).activities.sendInstructions(input);
    const [m] = smtp.received;
    expect(smtp.received).toHaveLength(1);
    expect(m!.envelope.to.sort()).toEqual(['ines@acme.test', 'tina@acme-it.example']);
    expect(address(m!, 'to')).toEqual([{ name: '<script>alert(1)</script>', address: 'ines@acme.test' }]);
    expect(address(m!, 'cc')).toEqual([{ name: 'Tina Tech', address: 'tina@acme-it.example' }]);
    expect(m!.parsed.subject).toBe(INSTRUCTIONS_SUBJECT);
    expect(slack.callsOf('users.info').map((c) => [c.args.user, c.ok])).toEqual([[TECH, true]]);
    expect(fallbacks()).toEqual([]);
    expect(JSON.stringify(logged)).not.toContain(slack.botToken);
  });

  it('the service looks the tech up with its Slack configuration', async () => {
    const config = loadConfig({
      SMTP_URL: smtp.url(),
      MAIL_FROM: 'Acme IT <it@acme-it.example>',
      APPROVAL_SECRET: SECRET,
      DATA_DIR: dir,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'signing-secret',
      SLACK_API_URL: slack.url,
      SLACK_CHANNEL_ID: 'C0ONBOARD',
      SLACK_TECH_USER_IDS: TECH,
      // Required with Slack; this test sends mail only.
      ITGLUE_API_KEY: 'ITG.mail-test-key',
    });
    const service = serviceActivities(config, log, { client: {} as Client, taskQueue: 'unused' });
    await service.mail.sendInstructions(byTech(TECH));
    expect(address(smtp.received[0]!, 'cc')).toEqual([{ name: 'Tina Tech', address: 'tina@acme-it.example' }]);
    expect(logged.find((l) => l.event === 'mail.destination')?.fields).toMatchObject({
      instructionsCopyTo: "the requesting tech's Slack profile email, else MAIL_FROM",
    });
  });

  it('MAIL_COPY_TO wins: Slack is not asked', async () => {
    await mail({ MAIL_COPY_TO: 'Acme Helpdesk <helpdesk@acme-it.example>' }, fromSlack()).activities.sendInstructions(byTech(TECH));
    const [m] = smtp.received;
    expect(address(m!, 'cc')).toEqual([{ name: 'Acme Helpdesk', address: 'helpdesk@acme-it.example' }]);
    expect(m!.envelope.to.sort()).toEqual(['helpdesk@acme-it.example', 'ines@acme.test']);
    expect(slack.calls).toEqual([]);
  });

  it('falls back to the sender, saying why, when the profile shows no email (or the app may not read it)', async () => {
    const sender = [{ name: 'Acme IT', address: 'it@acme-it.example' }];
    await mail({ MAIL_COPY_TO: undefined }, fromSlack()).activities.sendInstructions(byTech('U0NOMAIL01'));
    expect(address(smtp.received[0]!, 'cc')).toEqual(sender);
    expect(smtp.received[0]!.envelope.to.sort()).toEqual(['ines@acme.test', 'it@acme-it.example']);
    expect(fallbacks()).toEqual([
      expect.objectContaining({
        level: 'warn',
        requestedBy: 'U0NOMAIL01',
        reason: 'the Slack profile of U0NOMAIL01 shows no email address (the app needs the users:read.email scope)',
      }),
    ]);

    // An app installed without users:read.email: Slack leaves the email out of every profile.
    const noEmailScope = await startFakeSlack({
      scopes: ['chat:write', 'users:read'],
      users: [{ id: TECH, name: 'tina', realName: 'Tina Tech', email: 'tina@acme-it.example' }],
    });
    try {
      await mail({ MAIL_COPY_TO: undefined }, fromSlack(noEmailScope)).activities.sendInstructions(byTech(TECH));
      expect(address(smtp.received[1]!, 'cc')).toEqual(sender);
      expect(noEmailScope.callsOf('users.info').map((c) => c.ok)).toEqual([true]);
      expect(fallbacks()[1]).toMatchObject({ reason: `the Slack profile of ${TECH} shows no email address (the app needs the users:read.email scope)` });
    } finally {
      await noEmailScope.close();
    }
  });

  it('falls back to the sender when Slack is not configured, the tech is deactivated, or users.info fails for good; never logs the token', async () => {
    const sender = [{ name: 'Acme IT', address: 'it@acme-it.example' }];
    const secret = 'xoxb-000-secret-value';
    const cases: Array<[TechAddressLookup | undefined, string, RegExp]> = [
      [undefined, TECH, /^Slack is not configured \(SLACK_BOT_TOKEN is unset\)/],
      [fromSlack(), 'U0GONE0001', /^the Slack user U0GONE0001 is deactivated$/],
      [fromSlack(), 'U0NOBODY01', /^Slack's users\.info failed for U0NOBODY01: Slack answered user_not_found$/],
      [fromSlack(slack, secret), TECH, /^Slack's users\.info failed for U0TECH0001: Slack refused the bot token \(invalid_auth\)/],
      [fromSlack(), 'cli', /^the onboarding was not started by a Slack user \(requested by "cli"\)$/],
    ];
    for (const [lookup, requestedBy, reason] of cases) {
      smtp.received.length = 0;
      logged = [];
      await mail({ MAIL_COPY_TO: undefined }, lookup).activities.sendInstructions(byTech(requestedBy));
      expect(address(smtp.received[0]!, 'cc'), requestedBy).toEqual(sender);
      expect(fallbacks(), requestedBy).toEqual([expect.objectContaining({ requestedBy, reason: expect.stringMatching(reason) })]);
      expect(JSON.stringify(logged)).not.toContain(secret);
    }
    // The refused token was tried once, and never retried.
    expect(slack.callsOf('users.info').filter((c) => c.error === 'invalid_auth')).toHaveLength(1);
  });

  it('retries a Slack failure that may pass, then falls back to the sender on the last attempt', async () => {
    const activities = mail({ MAIL_COPY_TO: undefined }, fromSlack()).activities;
    slack.failNext({ method: 'users.info', error: 'internal_error', times: 1 });
    const input = byTech(TECH);
    const first = await asAttempt(1, () => activities.sendInstructions(input)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(first).toBeInstanceOf(ApplicationFailure);
    expect(first).toMatchObject({ type: 'Slack.internal_error', nonRetryable: false });
    expect(smtp.received).toHaveLength(0);
    // The next attempt finds the address.
    await asAttempt(2, () => activities.sendInstructions(input));
    expect(address(smtp.received[0]!, 'cc')).toEqual([{ name: 'Tina Tech', address: 'tina@acme-it.example' }]);

    slack.failNext({ method: 'users.info', rateLimited: { retryAfterSeconds: 7 }, times: 2 });
    const other = byTech(TECH);
    const limited = await asAttempt(2, () => activities.sendInstructions(other)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(limited).toMatchObject({ type: 'Slack.ratelimited', nonRetryable: false, nextRetryDelay: 7_000 });
    await asAttempt(3, () => activities.sendInstructions(other));
    expect(smtp.received).toHaveLength(2);
    expect(address(smtp.received[1]!, 'cc')).toEqual([{ name: 'Acme IT', address: 'it@acme-it.example' }]);
    expect(fallbacks()).toEqual([expect.objectContaining({ requestedBy: TECH, reason: "Slack's users.info failed for U0TECH0001 (attempt 3): rate limited by Slack" })]);
  });
});

describe('MyGlue users', () => {
  /** An onboarding of a MyGlue Creator user; `passwordAccess` is what the groups allow. */
  function myGlue(passwordAccess: boolean, branding: MailContext['branding'] = BRANDING): MailContext {
    const base = context({ branding });
    return { ...base, request: { ...base.request, kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: ['303'], passwordAccess } };
  }

  it('approval request: says MyGlue and states the password access the groups leave, "hidden" or "visible"', async () => {
    const activities = mail().activities;
    await activities.sendApprovalRequest({ ...approvalMail(), ...myGlue(false) });
    await activities.sendApprovalRequest({ ...approvalMail(), ...myGlue(true) });
    const [hidden, visible] = smtp.received;
    for (const [m, word] of [
      [hidden!, 'hidden'],
      [visible!, 'visible'],
    ] as const) {
      expect(text(m)).toMatch(new RegExp(`^  Passwords: +${word}$`, 'm'));
      expect(html(m)).toMatch(new RegExp(`>Passwords</th><td[^>]*>${word}</td>`));
      for (const part of [text(m), html(m)]) {
        expect(part).toContain('MyGlue Creator user (can view, create and edit, not delete)');
        expect(part).toContain('in MyGlue.');
        expect(part).not.toContain('stored passwords');
      }
      expectEscaped(m);
    }
  });

  it('access instructions: sign in to MyGlue at the MyGlue host, never app.itglue.com, no subdomain or SSO advice', async () => {
    const input = { ...myGlue(false), linkValidityHours: 6 };
    await mail().activities.sendInstructions(input);
    const [m] = smtp.received;
    expect(m!.parsed.subject).toBe(INSTRUCTIONS_SUBJECT);
    expectTwoParts(m!);
    expectEscaped(m!);
    for (const part of [text(m!), html(m!)]) {
      expect(part).toContain('IT documentation of Müller');
      expect(part).toContain('in MyGlue, as a MyGlue Creator user');
      expect(part).toContain('invitation email to MyGlue');
      expect(part).toContain('valid for 6 hours');
      expect(part).toContain('Always sign in to MyGlue at');
      expect(part).toContain('app.myglue.com');
      expect(part).toContain('two-factor authentication (2FA)');
      expect(part).not.toContain('itglue.com');
      expect(part).not.toContain('subdomain');
      expect(part).not.toContain('Never sign in through');
    }
    expect(linksIn(m!)).toEqual(['https://app.myglue.com/']);
  });

  it('invitation expired and 2FA reminder name MyGlue and its host; the policy may set another host', async () => {
    const activities = mail().activities;
    const regional = { ...BRANDING, myGlueLoginHost: 'eu.myglue.example' };
    await activities.sendInviteExpired({ ...myGlue(false), expiry: 1 });
    await activities.sendTwoFactorReminder({ ...myGlue(true, regional), reminder: 1 });
    const [expired, twoFactor] = smtp.received;
    expect(expired!.parsed.subject).toBe('Your MyGlue invitation has expired: a new one is on its way');
    expect(twoFactor!.parsed.subject).toBe('Reminder: set up two-factor authentication in MyGlue');
    expect(linksIn(expired!)).toEqual(['https://app.myglue.com/']);
    expect(linksIn(twoFactor!)).toEqual(['https://eu.myglue.example/']);
    for (const m of [expired!, twoFactor!]) {
      for (const part of [text(m), html(m)]) {
        expect(part).toContain('Always sign in to MyGlue at');
        expect(part).not.toContain('itglue.com');
        expect(part).not.toContain('subdomain');
        expect(part).not.toContain('IT Glue');
      }
    }
  });

  it('an onboarding carried from before the MyGlue host setting still sends MyGlue users to app.myglue.com', async () => {
    const { myGlueLoginHost: _absent, ...older } = BRANDING;
    await mail().activities.sendInstructions({ ...myGlue(false, older as MailContext['branding']), linkValidityHours: 6 });
    const [m] = smtp.received;
    expect(linksIn(m!)).toEqual(['https://app.myglue.com/']);
    expect(text(m!)).not.toContain('itglue.com');
  });
});

describe('web addresses in names', () => {
  const LINKY = { contactId: '301', name: 'evil.com/login Person', firstName: 'www.evil.example', email: 'ines.linky@acme.test' } satisfies Person;
  const LINKY_ORG = { id: '300', name: 'https://phish.example/pay Ltd' };

  it('are not links in either part of any message, while the product’s own links and the addresses stay as they are', async () => {
    const activities = mail().activities;
    const base = context({ invitee: LINKY, org: LINKY_ORG });
    base.request.ticket = 'see evil.example/ticket';
    const approver: Person = { ...APPROVER, name: 'Zoé at zoe.example', firstName: 'zoe.example' };
    await activities.sendApprovalRequest({ ...base, approver, round: 1, reminder: 0, expiresAt: '2031-05-06T07:08:00.000Z' });
    await activities.sendDecisionReceipt({ ...base, approver, result: { decision: 'approve', round: 1, decidedAt: '2031-05-01T09:30:00.000Z' } });
    await activities.sendInstructions({ ...base, linkValidityHours: 6 });
    await activities.sendInviteExpired({ ...base, expiry: 1 });
    await activities.sendTwoFactorReminder({ ...base, reminder: 1 });
    expect(smtp.received).toHaveLength(5);

    for (const m of smtp.received) {
      for (const part of [text(m), html(m), m.parsed.subject ?? '']) {
        for (const raw of ['evil.com', 'www.evil.example', 'phish.example', 'https://phish', 'evil.example/ticket', 'zoe.example']) expect(part).not.toContain(raw);
      }
      // Every link is one the program wrote: the approval page, the sign-in host, the support address.
      for (const link of linksIn(m)) expect(link).toMatch(/^https:\/\/(approve\.acme-it\.example\/approvals\/|app\.itglue\.com\/$)/);
      expect(
        [...html(m).matchAll(/href="([^"]+)"/g)]
          .map((h) => h[1]!)
          .filter((href) => !/^(https:\/\/(approve\.acme-it\.example|app\.itglue\.com)\/|mailto:help@acme-it\.example$)/.test(href)),
      ).toEqual([]);
      // The names still read as typed, in both parts.
      expect(text(m) + m.parsed.subject).toMatch(/evil\[\.\]com\/login Person|hxxps:\/\/phish\[\.\]example\/pay Ltd/);
    }
    const [request, receipt, instructions] = smtp.received;
    for (const part of [text(request!), html(request!)]) {
      expect(part).toContain('evil[.]com/login Person');
      expect(part).toContain('hxxps://phish[.]example/pay Ltd');
      expect(part).toContain('see evil[.]example/ticket');
      expect(part).toContain('Hello zoe[.]example,');
      // The invitee's address is shown as it is.
      expect(part).toContain('ines.linky@acme.test');
    }
    expect(linksIn(request!)).toHaveLength(1);
    expect(text(instructions!)).toMatch(/^Hello www\[\.\]evil\[\.\]example,$/m);
    expect(linksIn(instructions!)).toEqual(['https://app.itglue.com/']);
    // The headers name the people as they are: no mail program links a display name.
    expect(address(request!, 'to')).toEqual([{ name: 'Zoé at zoe.example', address: 'zoe@acme.test' }]);
    expect(address(instructions!, 'to')).toEqual([{ name: 'evil.com/login Person', address: 'ines.linky@acme.test' }]);
    expect(text(receipt!)).toContain(
      'Thank you. Your decision has been recorded: you approved IT Glue access for evil[.]com/login Person of hxxps://phish[.]example/pay Ltd on Thursday 1 May 2031 at 09:30 UTC.',
    );
  });
});

describe('a decision recorded with the CLI', () => {
  it('the receipt says the MSP recorded the approver’s decision, not that the approver used the link', async () => {
    const base = context();
    await mail().activities.sendDecisionReceipt({
      ...base,
      approver: APPROVER,
      result: { decision: 'approve', round: 1, decidedAt: '2031-05-01T09:30:00.000Z' },
      via: 'cli',
    });
    const [receipt] = smtp.received;
    expect(receipt!.parsed.subject).toBe('You approved IT Glue access for <script>alert(1)</script> (Müller & Söhne <Dental>)');
    expect(receipt!.parsed.messageId).toBe(idOf(base, 'decision-receipt', 1));
    const said = 'Acme IT has recorded your decision, as you gave it to them: you approved IT Glue access for';
    const how = "It was recorded by Acme IT's staff on Thursday 1 May 2031 at 09:30 UTC, not through the link in our email.";
    expect(text(receipt!)).toContain(said);
    expect(text(receipt!)).toContain(how);
    expect(html(receipt!).replace(/<\/?strong>/g, '')).toContain(said);
    expect(html(receipt!)).toContain(how.replace("'", '&#39;'));
    for (const part of [text(receipt!), html(receipt!)]) expect(part).not.toContain('Your decision has been recorded');
    expect(text(receipt!)).toContain('If you did not make this decision, contact help@acme-it.example at once.');
    expectTwoParts(receipt!);
    expectEscaped(receipt!);
  });
});

describe('sending once', () => {
  it('does not send again what the server accepted: a retry after success, and a retry while the first try is in flight', async () => {
    const activities = mail().activities;
    const input = approvalMail();
    await activities.sendApprovalRequest(input);
    await activities.sendApprovalRequest(input);
    expect(smtp.received).toHaveLength(1);
    expect(logged.map((l) => l.event)).toEqual(['mail.sent', 'mail.alreadySent']);

    const slow = await FakeSmtpServer.start({ answerDelayMs: 1_500 });
    try {
      const slowMail = mail({ SMTP_URL: slow.url() }).activities;
      const other = approvalMail();
      await Promise.all([slowMail.sendApprovalRequest(other), slowMail.sendApprovalRequest(other)]);
      expect(slow.received).toHaveLength(1);
      // A different message (another round) still goes out.
      await slowMail.sendApprovalRequest({ ...other, round: 2, reminder: 1 });
      expect(slow.received.map((m) => m.parsed.messageId)).toEqual([idOf(other, 'approval-request', 1), idOf(other, 'approval-reminder', 2)]);
    } finally {
      await slow.stop();
    }
  });

  it('sends the same step and round of another onboarding of the same contact: its run gives another Message-ID', async () => {
    const activities = mail().activities;
    const first = approvalMail();
    const second = { ...first, runId: randomUUID() };
    await activities.sendApprovalRequest(first);
    await activities.sendApprovalRequest(second);
    await activities.sendApprovalRequest(first);
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([idOf(first, 'approval-request', 1), idOf(second, 'approval-request', 1)]);
    expect(logged.map((l) => l.event)).toEqual(['mail.sent', 'mail.sent', 'mail.alreadySent']);
  });
});

describe('failures', () => {
  it('a recipient refused for good fails without retry; a refused copy does not stop the message', async () => {
    const activities = mail().activities;
    const refused = await activities.sendApprovalRequest(approvalMail({ approver: { ...APPROVER, email: 'nobody@acme.test' } })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).type).toBe(MAIL_REFUSED);
    expect((refused as ApplicationFailure).nonRetryable).toBe(true);
    expect((refused as ApplicationFailure).message).toContain('nobody@acme.test');

    await mail({ MAIL_COPY_TO: 'nobody@acme-it.example' }).activities.sendInstructions({ ...context(), linkValidityHours: 6 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.envelope.to).toEqual(['ines@acme.test']);
    expect(logged.at(-1)).toMatchObject({ event: 'mail.sent', fields: { rejected: ['nobody@acme-it.example'] } });
  });

  it('an invitee refused while the copy is taken fails without retry, naming the address and the message', async () => {
    const credentials = { user: 'mailer', pass: 'S3cret-Pa55word' };
    const guarded = await FakeSmtpServer.start({ refuse: /^nobody@/, auth: credentials });
    try {
      const input = { ...context({ invitee: { ...INVITEE, email: 'nobody@acme.test' } }), linkValidityHours: 6 };
      const activities = mail({ SMTP_URL: guarded.url(credentials) }).activities;
      const refused = (await activities.sendInstructions(input).then(
        () => null,
        (e: unknown) => e,
      )) as ApplicationFailure;
      expect(refused).toBeInstanceOf(ApplicationFailure);
      expect(refused.type).toBe(MAIL_REFUSED);
      expect(refused.nonRetryable).toBe(true);
      expect(refused.message).toContain('nobody@acme.test');
      expect(refused.message).toContain(INSTRUCTIONS_SUBJECT);
      expect(refused.message).toMatch(/550/);
      expect(`${refused.message}\n${refused.stack}\n${JSON.stringify(logged)}`).not.toContain(credentials.pass);
      // Only the copy went out; the refusal is not taken for a sent message.
      expect(guarded.received.map((m) => m.envelope.to)).toEqual([['helpdesk@acme-it.example']]);
      await expect(activities.sendInstructions(input)).rejects.toBeInstanceOf(ApplicationFailure);
      expect(guarded.received).toHaveLength(2);
    } finally {
      await guarded.stop();
    }
  });

  it('a server that cannot be reached, or refuses the login, fails retryably and never shows the password', async () => {
    const guarded = await FakeSmtpServer.start({ auth: { user: 'mailer', pass: 'right-password' } });
    const password = 'S3cret-Pa55word';
    try {
      const wrong = await mail({ SMTP_URL: guarded.url({ user: 'mailer', pass: password }) })
        .activities.sendApprovalRequest(approvalMail())
        .then(
          () => null,
          (e: unknown) => e as Error,
        );
      expect(wrong).toBeInstanceOf(Error);
      expect(wrong).not.toBeInstanceOf(ApplicationFailure);
      expect(wrong!.message).toMatch(/535|auth|login/i);

      const port = guarded.port;
      await guarded.stop();
      const down = await mail({ SMTP_URL: `smtp://mailer:${password}@127.0.0.1:${port}` })
        .activities.sendApprovalRequest(approvalMail())
        .then(
          () => null,
          (e: unknown) => e as Error,
        );
      expect(down).toBeInstanceOf(Error);
      expect(down).not.toBeInstanceOf(ApplicationFailure);

      for (const error of [wrong!, down!]) {
        expect(`${error.message}\n${error.stack}`).not.toContain(password);
      }
      expect(JSON.stringify(logged)).not.toContain(password);

      await guarded.listen();
      const { mailer, activities } = mail({ SMTP_URL: guarded.url({ user: 'mailer', pass: 'right-password' }) });
      expect(mailer.destination).toBe(`smtp://127.0.0.1:${guarded.port}`);
      await activities.sendApprovalRequest(approvalMail());
      expect(guarded.received).toHaveLength(1);
    } finally {
      await guarded.stop();
    }
  });
});

describe('TLS', () => {
  const credentials = { user: 'mailer', pass: 'tls-Pa55word' };

  it('sends over implicit TLS with smtps://, and over STARTTLS with smtp://…?requireTLS=true', async () => {
    for (const tls of ['implicit', 'starttls'] as const) {
      const server = await FakeSmtpServer.start({ tls, auth: credentials });
      try {
        const url =
          tls === 'implicit'
            ? `smtps://mailer:${credentials.pass}@127.0.0.1:${server.port}?tls.rejectUnauthorized=false`
            : `smtp://mailer:${credentials.pass}@127.0.0.1:${server.port}?requireTLS=true&tls.rejectUnauthorized=false`;
        const { mailer, activities } = mail({ SMTP_URL: url });
        expect(mailer.destination).toBe(`${tls === 'implicit' ? 'smtps' : 'smtp'}://127.0.0.1:${server.port}`);
        const input = approvalMail();
        await activities.sendApprovalRequest(input);
        const [m] = server.received;
        expect(server.received).toHaveLength(1);
        expect(m!.secure).toBe(true);
        expect(m!.envelope.to).toEqual(['zoe@acme.test']);
        expect(m!.parsed.messageId).toBe(idOf(input, 'approval-request', 1));
        expect(m!.parsed.subject).toMatch(/^Approval needed for IT Glue access: /);
        expectTwoParts(m!);
        mailer.close();
      } finally {
        await server.stop();
      }
    }
  });

  it('checks the server certificate unless SMTP_URL says not to', async () => {
    const server = await FakeSmtpServer.start({ tls: 'implicit', auth: credentials });
    try {
      const failure = await mail({ SMTP_URL: server.url(credentials) })
        .activities.sendApprovalRequest(approvalMail())
        .then(
          () => null,
          (e: unknown) => e as Error,
        );
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(ApplicationFailure);
      expect(failure!.message).toMatch(/certificate/i);
      expect(server.received).toHaveLength(0);
    } finally {
      await server.stop();
    }
  });
});

describe('TLS before anything else, unless the server is on this machine', () => {
  const credentials = { user: 'mailer', pass: 'strip-Pa55word' };
  // Tests reach only this machine's loopback: `requireTLS=true` asks there what a server across the
  // network gets without being told (the decision itself is checked for remote hosts below).
  const requireTls = (url: string) => `${url}?requireTLS=true`;

  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (e: unknown) => e as Error,
    );

  it('requires STARTTLS on smtp:// except on loopback or with requireTLS=false; smtps:// is TLS from the start', () => {
    expect(requiresStartTls('smtp://user:pw@mail.example.com:587')).toBe(true);
    expect(requiresStartTls('smtp://MAIL.EXAMPLE.COM')).toBe(true);
    expect(requiresStartTls('smtp://192.0.2.10:25')).toBe(true);
    expect(requiresStartTls('smtp://mail.example.com:587?requireTLS=true')).toBe(true);
    expect(requiresStartTls('smtp://mail.example.com:587?requireTLS=false')).toBe(false);
    for (const local of ['smtp://127.0.0.1:2525', 'smtp://localhost:25', 'smtp://[::1]:25', 'smtp://127.0.0.53']) expect(requiresStartTls(local)).toBe(false);
    expect(requiresStartTls('smtp://127.0.0.1:2525?requireTLS=true')).toBe(true);
    // Not plainly loopback: treated as remote.
    expect(requiresStartTls('smtp://127.1:25')).toBe(true);
    expect(requiresStartTls('smtp://127.0.0.1.example.com:25')).toBe(true);
    expect(requiresStartTls('smtps://user:pw@mail.example.com:465')).toBe(false);
  });

  it('fails the send when the server offers no STARTTLS (stripped) where TLS is required: no AUTH, no message in clear', async () => {
    const stripped = await FakeSmtpServer.start({ auth: credentials });
    try {
      const failure = await failureOf(mail({ SMTP_URL: requireTls(stripped.url(credentials)) }).activities.sendApprovalRequest(approvalMail()));
      expect(failure).toBeInstanceOf(Error);
      expect(failure!.message).toMatch(/STARTTLS/);
      expect(`${failure!.message}\n${failure!.stack}`).not.toContain(credentials.pass);
      // What the server received: a greeting and a request for TLS, never the password or a message.
      expect(stripped.commands).toEqual(['EHLO', 'STARTTLS']);
      expect(stripped.received).toEqual([]);
      expect(JSON.stringify(logged)).not.toContain(credentials.pass);
    } finally {
      await stripped.stop();
    }
  });

  it('switches to TLS before AUTH with a server that offers STARTTLS where TLS is required', async () => {
    const server = await FakeSmtpServer.start({ tls: 'starttls', auth: credentials });
    try {
      await mail({ SMTP_URL: `${requireTls(server.url(credentials))}&tls.rejectUnauthorized=false` }).activities.sendApprovalRequest(approvalMail());
      expect(server.received).toHaveLength(1);
      expect(server.received[0]!.secure).toBe(true);
      expect(server.commands.indexOf('STARTTLS')).toBeGreaterThan(-1);
      expect(server.commands.indexOf('STARTTLS')).toBeLessThan(server.commands.indexOf('AUTH'));
    } finally {
      await server.stop();
    }
  });

  it('logs in and sends in clear to a server on this machine (loopback), which offers no STARTTLS', async () => {
    const local = await FakeSmtpServer.start({ auth: credentials });
    try {
      await mail({ SMTP_URL: local.url(credentials) }).activities.sendApprovalRequest(approvalMail());
      expect(local.received).toHaveLength(1);
      expect(local.received[0]!.secure).toBe(false);
      expect(local.commands).toContain('AUTH');
      expect(local.commands).not.toContain('STARTTLS');
    } finally {
      await local.stop();
    }
  });
});

describe('outbox (no SMTP_URL)', () => {
  it('writes each message once as an .eml file under DATA_DIR/outbox and logs its links', async () => {
    const dataDir = mkdtempSync(join(dir, 'data-'));
    const { mailer, activities } = mail({ SMTP_URL: undefined, MAIL_FROM: undefined, MAIL_COPY_TO: undefined, DATA_DIR: dataDir });
    const outbox = join(dataDir, 'outbox');
    expect(mailer.destination).toBe(outbox);
    const input = approvalMail();
    await activities.sendApprovalRequest(input);
    await activities.sendApprovalRequest(input);
    await activities.sendInstructions({ ...context(), linkValidityHours: 6 });

    const files = readdirSync(outbox).sort();
    expect(files).toHaveLength(2);
    expect(smtp.received).toHaveLength(0);
    const approvalFile = files.find((f) => f.startsWith('approval-request.r1.'))!;
    expect(`<${approvalFile.replace(/\.eml$/, '')}>`).toBe(idOf(input, 'approval-request', 1, 'localhost'));
    const parsed = await simpleParser(readFileSync(join(outbox, approvalFile)));
    expect(parsed.messageId).toBe(idOf(input, 'approval-request', 1, 'localhost'));
    expect(parsed.subject).toContain('Approval needed');
    expect(parsed.text).toContain('https://approve.acme-it.example/approvals/');
    expect(typeof parsed.html === 'string' && parsed.html).toContain('&lt;script&gt;');

    const written = logged.filter((l) => l.event === 'mail.outbox');
    expect(written).toHaveLength(2);
    const links = written[0]!.fields.links as string[];
    expect(links).toHaveLength(1);
    expect(parsed.text).toContain(links[0]);
    expect(written[0]!.fields.file).toBe(join(outbox, approvalFile));
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });
});
