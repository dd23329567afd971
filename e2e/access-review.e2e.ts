/**
 * An access review through the real service, on the shared customer groups: two contacts of Acme
 * Dental and one of Bluebird Logistics are onboarded into the same shared group; a manager starts
 * Acme's review in Slack; the primary contact opens the review page in Chromium (a scanner's GET
 * and HEAD first change nothing) and removes one of the two, keeping everyone else, in one POST.
 * The removal becomes an offboarding that needs no further approval: the user leaves the shared
 * group (the kept user's, the other customer's and the seed's memberships intact), the tech deletes
 * it in IT Glue, the sweep finds it gone, and the primary contact gets the receipts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { messageIdStem } from '../src/mail/message-id';
import { SEED } from '../test/fakes/itglue-server';
import { offboardingIdFor, reviewIdFor } from '../workflows/types';
import { linksIn } from '../test/fakes/smtp';
import { ACME, BLUEBIRD, BLUEBIRD_APPROVER, mailsOf, newInvitee, PRIMARY, runOnboarding, startStackWithBrowser } from './support/people';
import { record } from './support/results';
import { duplicates } from './support/side-effects';
import { PEOPLE, type Stack } from './support/stack';

const SHARED = SEED.group.noPasswordAccess;
const lite = { kind: 'itglue', passwordAccess: false } as const;

let stack: Stack;
let browser: Browser;
const group = () => stack.itglue.data.groups.find((g) => g.id === SHARED)!;

beforeAll(async () => {
  ({ stack, browser } = await startStackWithBrowser());
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

it('a review removes one of two users of an organization on the shared groups; everyone else keeps access', async () => {
  const seedMembers = [...group()['user-ids']];
  const kept = newInvitee(stack, 'kept');
  const leaving = newInvitee(stack, 'leaving');
  const other = newInvitee(stack, 'other', BLUEBIRD);
  await Promise.all([
    runOnboarding(stack, browser, { invitee: kept, approverContactId: PRIMARY.contactId, kind: lite, userId: '8901' }),
    runOnboarding(stack, browser, { invitee: leaving, approverContactId: PRIMARY.contactId, kind: lite, userId: '8902' }),
    runOnboarding(stack, browser, { org: BLUEBIRD, invitee: other, approverContactId: BLUEBIRD_APPROVER.contactId, kind: lite, userId: '8903' }),
  ]);
  expect(group()['user-ids']).toEqual(expect.arrayContaining(['8901', '8902', '8903', ...seedMembers]));

  // A manager starts Acme's review in Slack.
  const { response } = await stack.driver.command('/onboarding-status', PEOPLE.manager, `review ${ACME.id}`);
  expect(response.status).toBe(200);
  const reviewId = reviewIdFor(ACME.id);
  const review = await stack.waitFor(reviewId, (s) => s.stage === 'AWAITING_APPROVAL' && s.approvalRound === 1, 'the review to wait for its answer', 120_000);
  const listed = review.review!.users;
  expect(listed.map((u) => u.userId)).toEqual(expect.arrayContaining(['8901', '8902']));
  // Only Acme's users: not the other customer's, not staff.
  expect(listed.map((u) => u.userId)).not.toContain('8903');
  expect(listed.find((u) => u.userId === '8902')).toMatchObject({ onboardingId: `onboarding:${ACME.id}:${leaving.contactId}`, approvedBy: PRIMARY.name });

  // The mail's link: a scanner opens it first, then the primary contact answers in Chromium.
  const mail = await waitForMail(reviewId);
  const link = linksIn(mail).find((l) => l.includes('/approvals/'))!;
  for (const method of ['GET', 'HEAD', 'GET']) expect((await fetch(link, { method })).status).toBe(200);
  expect((await stack.status(reviewId)).evidence).toBeNull();
  const page = await browser.newPage();
  try {
    expect((await page.goto(link))?.status()).toBe(200);
    for (const user of listed) await page.check(`input[name="answer:${user.userId}"][value="${user.userId === '8902' ? 'remove' : 'keep'}"]`);
    await page.fill('textarea[name="comment"]', 'The leaving one left in November');
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await page.waitForLoadState();
  } finally {
    await page.close();
  }
  const answered = await stack.waitFor(reviewId, (s) => s.stage === 'COMPLETED', 'the review to complete', 120_000);
  expect(answered.review!.answers!['8902']).toBe('remove');
  expect(Object.entries(answered.review!.answers!).filter(([, a]) => a === 'remove')).toEqual([['8902', 'remove']]);
  expect(answered.evidence).toMatchObject({ via: 'link', approver: { contactId: PRIMARY.contactId }, comment: 'The leaving one left in November' });

  // The removal: an offboarding on the review's approval, straight to the removal.
  const offboardingId = offboardingIdFor(ACME.id, '8902');
  let s = await stack.waitFor(offboardingId, (x) => x.events.some((e) => e.type === 'delete-user'), 'the offboarding to remove the access', 120_000);
  expect(s.stages.map((v) => v.stage)).not.toContain('AWAITING_APPROVAL');
  expect(s.evidence).toEqual(answered.evidence);
  expect(group()['user-ids']).not.toContain('8902');
  expect(group()['user-ids']).toEqual(expect.arrayContaining(['8901', '8903', ...seedMembers]));

  // The tech deletes the user in IT Glue; the sweep finds it gone.
  const users = stack.itglue.data.users;
  users.splice(
    users.findIndex((u) => u.id === '8902'),
    1,
  );
  s = await stack.waitFor(offboardingId, (x) => x.stage === 'COMPLETED', 'the offboarding to complete', 120_000);
  expect(stack.smtp.byMessageIdStem(messageIdStem(offboardingId, 'removal-receipt', 1))).toHaveLength(1);
  expect(mailsOf(stack, reviewId, 'decision-receipt', 1)).toHaveLength(1);
  // Nobody else was offboarded.
  for (const id of ['8901', '8903']) await expect((await stack.temporal()).workflow.getHandle(offboardingIdFor(ACME.id, id)).describe()).rejects.toThrow();

  const twice = duplicates(stack);
  expect(twice.details).toEqual([]);
  record('access review on shared groups', { onboardings: 3, offboardings: 1, crashes: 0, lost: 0, duplicateSideEffects: twice.mails + twice.slackPosts });
}, 900_000);

async function waitForMail(workflowId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const mail = mailsOf(stack, workflowId, 'approval-request', 1)[0];
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no review mail for ${workflowId}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
