/**
 * End to end in a real headless Chromium at phone size: the onboarding workflow runs on the test
 * Temporal server with the real mail activities; the approver's mail arrives at the local SMTP
 * server; the browser opens its link, presses Approve (or Deny), sees the confirmation, and the
 * workflow moves on. The approval page's screenshot is left in test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/headless-chromium';
import { messageIdFor } from '../src/mail/message-id';
import { startFakeItGlue } from './fakes/itglue-server';
import { BRANDING, startApprovalHarness, type ApprovalHarness } from './support/approval-harness';
import { INVITEE, PRIMARY } from './support/fake-activities';
import { addMyGlueCustomer } from './support/myglue-customer';
import { addLeaver, endOffboardings, startOffboardingAndReceive } from './support/offboarding-approval';
import { addReviewedUsers, endReviews, KEPT, REMOVED, startReviewAndReceive, track } from './support/review-approval';
import { testPolicy, waitForStage } from './support/temporal';
import { offboardingIdFor } from '../workflows/types';

const RESULTS = fileURLToPath(new URL('../test-results/', import.meta.url));
const PHONE = { width: 390, height: 844 };
const SCRIPT_NAME = '<script>alert(1)</script>';

let h: ApprovalHarness;

beforeAll(async () => {
  h = await startApprovalHarness();
  // An invitee whose name is markup, and an approver with accents.
  h.world.contacts.set(INVITEE.contactId, { ...INVITEE, name: SCRIPT_NAME, firstName: SCRIPT_NAME });
  h.world.contacts.set(PRIMARY.contactId, { ...PRIMARY, name: 'Zoé Émile', firstName: 'Zoé' });
  mkdirSync(RESULTS, { recursive: true });
});
afterAll(async () => {
  await h?.close();
});

/** A fresh headless Chromium profile at phone size; closed and removed afterwards. */
async function withBrowser<T>(javaScriptEnabled: boolean, run: (context: BrowserContext) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'invite-lite-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    javaScriptEnabled,
  });
  try {
    return await run(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Console errors (a CSP violation would be one) and dialogs (a script that ran) are collected. */
function watch(page: Page) {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

/** The request as the approver sees it on a phone: readable, no sideways scrolling, big buttons. */
async function checkPhonePage(page: Page) {
  await expect.poll(() => page.locator('h1').textContent()).toBe('Acme IT asks for your approval');
  const person = page.locator('dt:has-text("Person") + dd');
  expect(await person.textContent()).toBe(`${SCRIPT_NAME} <${INVITEE.email}>`);
  expect(await page.locator('dt:has-text("Organization") + dd').textContent()).toBe('Acme Dental');
  expect(await page.locator('dt:has-text("Access") + dd').textContent()).toBe('IT Glue Lite user (read-only)');
  expect(await page.locator('dt:has-text("Passwords") + dd').textContent()).toBe('Not included: stored passwords stay hidden');
  expect(await page.locator('dt:has-text("Requested by") + dd').textContent()).toBe('Acme IT');
  expect(await page.locator('dt:has-text("Answer by") + dd').textContent()).toMatch(/^\w+day \d{1,2} \w+ \d{4} at \d\d:\d\d UTC$/);
  expect(await page.locator('script').count()).toBe(0);

  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
  for (const name of ['Approve', 'Deny']) {
    const box = await page.getByRole('button', { name }).boundingBox();
    expect(box, name).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    expect(box!.height).toBeGreaterThanOrEqual(44);
  }
  const comment = await page.getByLabel('Comment').boundingBox();
  expect(comment!.width).toBeGreaterThan(PHONE.width * 0.7);
}

it('approves from the link in the mail: the page at phone width, Approve, the confirmation, and the workflow moves on', async () => {
  const { handle, mail, link } = await h.startAndReceive(testPolicy({ branding: BRANDING }));
  expect(mail.parsed.text).toContain('Hello Zoé,');
  expect(mail.parsed.to && !Array.isArray(mail.parsed.to) && mail.parsed.to.value[0]).toEqual({ name: 'Zoé Émile', address: PRIMARY.email });

  await withBrowser(true, async (context) => {
    const page = await context.newPage();
    const problems = watch(page);
    const response = await page.goto(link);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toContain("default-src 'none'");
    await checkPhonePage(page);
    const screenshot = join(RESULTS, 'approval-page-phone.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);

    await page.getByLabel('Comment').fill('Approved — merci, Zoé');
    await Promise.all([page.waitForURL(/\/result$/), page.getByRole('button', { name: 'Approve' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Thank you');
    expect(await page.locator('.outcome').textContent()).toBe('You approved the request.');
    await expect.poll(() => page.getByText('Your comment: “Approved — merci, Zoé”').count()).toBe(1);
    await page.screenshot({ path: join(RESULTS, 'approval-result-phone.png'), fullPage: true });
    expect(problems).toEqual([]);

    // Back to the link: the request is answered now.
    const again = await page.goto(link);
    expect(again!.status()).toBe(409);
    expect(await page.locator('h1').textContent()).toBe('This request has already been answered');
  });

  const s = await waitForStage(handle, 'AWAITING_INVITE');
  expect(s.evidence).toMatchObject({
    via: 'link',
    decision: 'approve',
    round: 1,
    ip: '127.0.0.1',
    comment: 'Approved — merci, Zoé',
  });
  expect(s.evidence?.via === 'link' && s.evidence.userAgent).toMatch(/Chrome\//);
  const receipt = await h.mailOf(handle, 'decision-receipt', 1);
  expect(receipt.parsed.subject).toBe(`You approved IT Glue access for ${SCRIPT_NAME} (Acme Dental)`);
  const instructions = await h.mailOf(handle, 'instructions', 1);
  expect(instructions.parsed.subject).toBe('IT Documentation Access via IT Glue');
  expect(instructions.envelope.to.sort()).toEqual(['helpdesk@acme-it.example', INVITEE.email].sort());
});

it('denies from the link in the mail, without JavaScript: the confirmation, and the workflow ends DENIED', async () => {
  const { handle, link } = await h.startAndReceive(testPolicy({ branding: BRANDING }));

  await withBrowser(false, async (context) => {
    const page = await context.newPage();
    const problems = watch(page);
    expect((await page.goto(link))!.status()).toBe(200);
    await checkPhonePage(page);
    await Promise.all([page.waitForURL(/\/result$/), page.getByRole('button', { name: 'Deny' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Thank you');
    expect(await page.locator('.outcome').textContent()).toBe('You denied the request.');
    expect(problems).toEqual([]);
  });

  const s = await handle.result();
  expect(s.stage).toBe('DENIED');
  expect(s.evidence).toMatchObject({ via: 'link', decision: 'deny', comment: null, ip: '127.0.0.1' });
  const receipt = await h.mailOf(handle, 'decision-receipt', 1);
  expect(receipt.parsed.subject).toMatch(/^You denied IT Glue access/);
  expect(h.smtp.byMessageId(messageIdFor({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, 'instructions', 1, 'acme-it.example'))).toHaveLength(0);
});

it('MyGlue: the page states the password access the chosen groups leave, "hidden" when any of them denies passwords', async () => {
  // The real IT Glue activities against the fake IT Glue, so that validation reads the groups.
  const itglue = await startFakeItGlue();
  const customer = addMyGlueCustomer(itglue);
  const mg = await startApprovalHarness({ itglue });
  try {
    const { allows, denies } = customer.groups;
    const cases = [
      { groups: [denies.id], word: 'hidden' },
      { groups: [allows.id], word: 'visible' },
      { groups: [allows.id, denies.id], word: 'hidden' },
    ];
    const links: string[] = [];
    for (const [i, c] of cases.entries()) {
      const { mail, link } = await mg.startAndReceive(testPolicy({ branding: BRANDING }), {
        orgId: customer.orgId,
        contactId: customer.invitees[i]!.contactId,
        approverContactId: customer.approver.contactId,
        kind: 'myglue',
        myGlueRole: 'Creator',
        myGlueGroupIds: c.groups,
        passwordAccess: c.word === 'hidden',
      });
      expect(mail.parsed.text).toMatch(new RegExp(`^  Passwords: +${c.word}$`, 'm'));
      links.push(link);
    }
    await withBrowser(true, async (context) => {
      const page = await context.newPage();
      const problems = watch(page);
      for (const [i, c] of cases.entries()) {
        expect((await page.goto(links[i]!))!.status()).toBe(200);
        await expect.poll(() => page.locator('h1').textContent()).toBe('Acme IT asks for your approval');
        expect(await page.locator('dt:has-text("Person") + dd').textContent()).toBe(`${customer.invitees[i]!.name} <${customer.invitees[i]!.email}>`);
        expect(await page.locator('dt:has-text("Access") + dd').textContent()).toBe('MyGlue Creator user (can view, create and edit, not delete)');
        expect(await page.locator('dt:has-text("Passwords") + dd').textContent(), c.groups.join(', ')).toBe(c.word);
      }
      await page.screenshot({ path: join(RESULTS, 'approval-page-myglue-phone.png'), fullPage: true });
      expect(problems).toEqual([]);
    });
  } finally {
    await mg.close();
    await itglue.close();
  }
});

it('offboarding: the page asks to approve removing the access, Approve removal, the confirmation, and the access is removed', async () => {
  addLeaver(h);
  const { handle, link } = await startOffboardingAndReceive(h, { reason: 'Left the company' });
  try {
    await withBrowser(false, async (context) => {
      const page = await context.newPage();
      const problems = watch(page);
      expect((await page.goto(link))!.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('Acme IT asks for your approval to remove access');
      expect(await page.locator('dt:has-text("Person") + dd').textContent()).toBe(`${SCRIPT_NAME} <${INVITEE.email}>`);
      expect(await page.locator('dt:has-text("Product") + dd').textContent()).toBe('IT Glue');
      expect(await page.locator('dt:has-text("Reason") + dd').textContent()).toBe('Left the company');
      expect(await page.locator('dt:has-text("Passwords")').count()).toBe(0);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      const approve = await page.getByRole('button', { name: 'Approve removal' }).boundingBox();
      expect(approve!.x + approve!.width).toBeLessThanOrEqual(PHONE.width);
      expect(approve!.height).toBeGreaterThanOrEqual(44);
      await page.screenshot({ path: join(RESULTS, 'approval-page-offboarding-phone.png'), fullPage: true });

      await Promise.all([page.waitForURL(/\/result$/), page.getByRole('button', { name: 'Approve removal' }).click()]);
      expect(await page.locator('h1').textContent()).toBe('Thank you');
      expect(await page.locator('.outcome').textContent()).toBe('You approved the removal of the access.');
      expect(problems).toEqual([]);
    });
    const s = await waitForStage(handle, 'AWAITING_DELETION');
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', round: 1, ip: '127.0.0.1' });
  } finally {
    await endOffboardings();
  }
});

it('access review: every user at phone width, Keep for one and Remove for the other, the answer, and the removal starts', async () => {
  addReviewedUsers(h);
  const { handle, orgId, link } = await startReviewAndReceive(h);
  try {
    await withBrowser(false, async (context) => {
      const page = await context.newPage();
      const problems = watch(page);
      expect((await page.goto(link))!.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe("Acme IT asks you to review who can see Acme Dental's IT documentation");
      expect(await page.locator('script').count()).toBe(0);
      const ines = page.getByRole('group', { name: KEPT.name });
      const otto = page.getByRole('group', { name: /^Otto Other/ });
      expect(await ines.locator('dt:has-text("Passwords") + dd').textContent()).toBe('visible');
      expect(await otto.locator('dt:has-text("Approved") + dd').textContent()).toBe('matched by email — not onboarded by Acme IT');
      expect(await page.getByRole('radio', { checked: true }).count()).toBe(0);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await ines.getByLabel('Keep').check();
      await otto.getByLabel('Remove').check();
      const send = await page.getByRole('button', { name: 'Send my answer' }).boundingBox();
      expect(send!.x + send!.width).toBeLessThanOrEqual(PHONE.width);
      expect(send!.height).toBeGreaterThanOrEqual(44);
      await page.screenshot({ path: join(RESULTS, 'review-page-phone.png'), fullPage: true });

      await Promise.all([page.waitForURL(/\/result$/), page.getByRole('button', { name: 'Send my answer' }).click()]);
      expect(await page.locator('h1').textContent()).toBe('Thank you');
      expect(await page.locator('h2 + ul').allTextContents()).toEqual([`${KEPT.name} <${KEPT.email}>`, `${REMOVED.name} <${REMOVED.email}>`]);
      expect(problems).toEqual([]);
    });
    const s = await waitForStage(handle, 'COMPLETED');
    expect(s.review!.answers).toEqual({ [KEPT.userId]: 'keep', [REMOVED.userId]: 'remove' });
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', round: 1, ip: '127.0.0.1' });
    expect(s.review!.offboardings.map((o) => o.workflowId)).toEqual([offboardingIdFor(orgId, REMOVED.userId)]);
    track(h.temporal.client.workflow.getHandle(offboardingIdFor(orgId, REMOVED.userId)));
  } finally {
    await endReviews();
  }
});
