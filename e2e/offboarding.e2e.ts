/**
 * Offboarding through the real service, on the shared customer groups: two customers of different
 * organizations are onboarded into the same shared group; the tech presses Remove access on one's
 * completed thread, a manager approves, the service is killed while the user is being taken out of
 * the group and again while it waits for the deletion; the tech deletes the user in IT Glue, the
 * sweep finds it gone and the primary contact gets the receipt. Nothing is lost or done twice, the
 * other customer's and the seed's memberships are intact, and the operator CLI's audit export lists
 * every decision of the run with its evidence.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { messageIdStem } from '../src/mail/message-id';
import { ACTIONS } from '../src/slack/action-ids';
import { SEED } from '../test/fakes/itglue-server';
import { runCli } from '../test/support/service-process';
import { offboardingIdFor } from '../workflows/types';
import { ACME, BLUEBIRD, BLUEBIRD_APPROVER, newInvitee, PRIMARY, runOnboarding, startStackWithBrowser, tech } from './support/people';
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

it('removes one customer’s user from the shared group, survives two crashes, finds the deletion and mails the receipt; the export lists every decision', async () => {
  const periodStart = new Date(Date.now() - 1_000).toISOString();
  const seedMembers = [...group()['user-ids']];
  const leaving = newInvitee(stack, 'leaving');
  const staying = newInvitee(stack, 'staying', BLUEBIRD);
  const [gone, kept] = await Promise.all([
    runOnboarding(stack, browser, { invitee: leaving, approverContactId: PRIMARY.contactId, kind: lite, userId: '8801' }),
    runOnboarding(stack, browser, { org: BLUEBIRD, invitee: staying, approverContactId: BLUEBIRD_APPROVER.contactId, kind: lite, userId: '8802' }),
  ]);
  expect(group()['user-ids']).toEqual(expect.arrayContaining(['8801', '8802', ...seedMembers]));

  // The tech presses Remove access on the completed onboarding's thread, once its workflow has closed.
  const offboardingId = offboardingIdFor(ACME.id, '8801');
  await (await stack.temporal()).workflow.getHandle(gone.workflowId).result();
  await tech.press(stack, gone.workflowId, ACTIONS.removeAccess, () => true, 'Remove access pressed');
  let s = await stack.waitFor(offboardingId, (x) => x.stage === 'AWAITING_APPROVAL' && x.waitingOn === 'manager', 'the offboarding to wait for a manager', 120_000);
  expect(s.request).toMatchObject({ orgId: ACME.id, contactId: leaving.contactId, userId: '8801', requestedBy: PEOPLE.tech });

  // A manager approves; the group write is slow, and the service is killed while it is under way.
  stack.itglue.delayNext({ ms: 4_000, times: 1, method: 'PATCH', path: `/groups/${SHARED}` });
  await tech.press(stack, offboardingId, ACTIONS.approveRemoval, (x) => x.evidence !== null, 'removal approved', PEOPLE.manager);
  await stack.waitFor(offboardingId, (x) => x.stage === 'REMOVING_ACCESS', 'REMOVING_ACCESS', 60_000);
  await stack.kill();
  await stack.start();
  s = await stack.waitFor(offboardingId, (x) => x.events.some((e) => e.type === 'delete-user'), 'the deletion guide', 120_000);
  expect(s.stage).toBe('AWAITING_DELETION');
  expect(s.removal!.groupsLeft).toEqual(['Customer - No Password Access']);
  // Only the leaving user left the shared group: the other customer and the seed's members are there.
  expect(group()['user-ids']).not.toContain('8801');
  expect(group()['user-ids']).toEqual(expect.arrayContaining(['8802', ...seedMembers]));

  // Killed again while it waits; then the tech deletes the user in IT Glue and the sweep finds it gone.
  await stack.kill();
  await stack.start();
  const users = stack.itglue.data.users;
  users.splice(
    users.findIndex((u) => u.id === '8801'),
    1,
  );
  s = await stack.waitFor(offboardingId, (x) => x.stage === 'COMPLETED', 'COMPLETED after the sweep', 120_000);
  expect(s.removal!.deletedAt).not.toBeNull();
  const receipts = stack.smtp.byMessageIdStem(messageIdStem(offboardingId, 'removal-receipt', 1));
  expect(receipts).toHaveLength(1);
  expect(receipts[0]!.envelope.to).toEqual([PRIMARY.email]);

  // The other customer's onboarding is untouched; nothing reached anyone twice.
  expect((await stack.status(kept.workflowId)).stage).toBe('COMPLETED');
  const twice = duplicates(stack);
  expect(twice.details).toEqual([]);

  // The audit export (the operator CLI, as a process) lists the three records with their evidence.
  const cli = await runCli(
    ['export', '--from', periodStart, '--to', new Date(Date.now() + 60_000).toISOString(), '--format', 'json'],
    { ...stack.env, TEMPORAL_ADDRESS: stack.service().ready.temporal },
    60_000,
  );
  expect(cli.code, cli.stderr).toBe(0);
  const exported = JSON.parse(cli.stdout) as Array<Record<string, unknown>>;
  const byId = new Map(exported.map((r) => [r.workflowId, r]));
  expect(byId.get(gone.workflowId)).toMatchObject({ process: 'onboarding', decision: 'approve', decisionVia: 'link', channel: 'approval link', stage: 'COMPLETED' });
  expect(byId.get(kept.workflowId)).toMatchObject({ process: 'onboarding', decision: 'approve', decisionVia: 'link', stage: 'COMPLETED' });
  for (const id of [gone.workflowId, kept.workflowId]) {
    const r = byId.get(id)!;
    expect(r.ip).toBe('127.0.0.1');
    expect(r.userAgent).toMatch(/HeadlessChrome|Chrome/);
    expect(r.settingsConfirmedBy ?? r.decidedAt).toBeTruthy();
  }
  expect(byId.get(offboardingId)).toMatchObject({
    process: 'offboarding',
    decision: 'approve',
    decisionVia: 'manager',
    decidedBy: PEOPLE.manager,
    channel: 'slack',
    stage: 'COMPLETED',
    groupsLeft: 'Customer - No Password Access',
  });
  record('offboarding on shared groups', { onboardings: 2, offboardings: 1, crashes: 2, lost: 0, duplicateSideEffects: twice.mails + twice.slackPosts });
}, 900_000);
