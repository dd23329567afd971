/**
 * Bulk onboarding through the real service: a tech invites three contacts of Acme Dental in one
 * /invite-lite modal; the primary contact receives one mail for the three and, on its one page in
 * Chromium, approves two and denies one in one POST (a scanner's GET and HEAD first change nothing).
 * Each onboarding goes on by itself; the audit export (the operator CLI) lists each decision with
 * its evidence: the approver, the time, the address and browser, the comment.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { linksIn } from '../test/fakes/smtp';
import { runCli } from '../test/support/service-process';
import { ACME, newInvitee, PRIMARY, startStackWithBrowser, tech } from './support/people';
import { record } from './support/results';
import { duplicates } from './support/side-effects';
import type { Stack } from './support/stack';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startStackWithBrowser());
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

it('three contacts in one modal: one approval mail and page, two approved and one denied in one POST; the export lists each decision', async () => {
  const periodStart = new Date(Date.now() - 1_000).toISOString();
  const people = ['bulk-a', 'bulk-b', 'bulk-c'].map((label) => newInvitee(stack, label));
  const ids = await tech.inviteSeveral(stack, { invitees: people, approverContactId: PRIMARY.contactId, kind: { kind: 'itglue', passwordAccess: false } });
  for (const id of ids) await stack.waitFor(id, (s) => s.stage === 'AWAITING_APPROVAL' && s.approvalRound === 1, `${id} waiting for the approval`, 120_000);

  // One mail to the primary contact for the three; none of their own.
  const batchMails = await waitFor(() => {
    const found = stack.smtp.received.filter((m) => m.parsed.messageId?.startsWith('<approval-request.r1.approval-batch'));
    return found.length > 0 ? found : null;
  }, 'the batch approval mail');
  expect(batchMails).toHaveLength(1);
  expect(batchMails[0]!.envelope.to).toEqual([PRIMARY.email]);
  for (const id of ids) expect(stack.smtp.received.filter((m) => m.parsed.messageId?.includes(encodeURIComponent(id)))).toEqual([]);
  const text = batchMails[0]!.parsed.text ?? '';
  for (const person of people) expect(text).toContain(person.email);

  const link = linksIn(batchMails[0]!).find((l) => l.includes('/approvals/'))!;
  for (const method of ['GET', 'HEAD']) expect((await fetch(link, { method })).status).toBe(200);
  for (const id of ids) expect((await stack.status(id)).evidence).toBeNull();

  const page = await browser.newPage();
  try {
    expect((await page.goto(link))?.status()).toBe(200);
    await page.check(`input[name="decision:${ids[0]}"][value="approve"]`);
    await page.check(`input[name="decision:${ids[1]}"][value="approve"]`);
    await page.check(`input[name="decision:${ids[2]}"][value="deny"]`);
    await page.fill('textarea[name="comment"]', 'Two of three, per our ticket');
    await page.getByRole('button', { name: 'Send my decisions' }).click();
    await page.waitForLoadState();
  } finally {
    await page.close();
  }

  const [a, b] = await Promise.all(ids.slice(0, 2).map((id) => stack.waitFor(id, (s) => s.stage === 'AWAITING_INVITE', `${id} approved`, 120_000)));
  const c = await stack.waitFor(ids[2]!, (s) => s.stage === 'DENIED', `${ids[2]} denied`, 120_000);
  for (const s of [a!, b!, c]) {
    expect(s.evidence).toMatchObject({ via: 'link', approver: { contactId: PRIMARY.contactId }, ip: '127.0.0.1', comment: 'Two of three, per our ticket' });
    expect((s.evidence as { userAgent: string }).userAgent).toMatch(/Chrome/);
  }
  expect(c.evidence).toMatchObject({ decision: 'deny' });

  const cli = await runCli(
    ['export', '--from', periodStart, '--to', new Date(Date.now() + 60_000).toISOString(), '--format', 'json'],
    { ...stack.env, TEMPORAL_ADDRESS: stack.service().ready.temporal },
    60_000,
  );
  expect(cli.code, cli.stderr).toBe(0);
  const exported = new Map((JSON.parse(cli.stdout) as Array<Record<string, unknown>>).map((r) => [r.workflowId, r]));
  const decided = ids.map((id) => exported.get(id)!);
  expect(decided.map((r) => r.decision)).toEqual(['approve', 'approve', 'deny']);
  for (const r of decided) {
    expect(r).toMatchObject({ decisionVia: 'link', channel: 'approval link', ip: '127.0.0.1', comment: 'Two of three, per our ticket', organization: ACME.name });
    expect(r.decidedBy).toContain(PRIMARY.email);
    expect(r.decidedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  }

  const twice = duplicates(stack);
  expect(twice.details).toEqual([]);
  record('bulk onboarding', { onboardings: 3, crashes: 0, lost: 0, duplicateSideEffects: twice.mails + twice.slackPosts });
}, 900_000);

async function waitFor<T>(read: () => T | null, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
