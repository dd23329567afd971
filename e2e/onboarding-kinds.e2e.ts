/**
 * Every kind of onboarding through the real service, by the scripted tech (Slack), primary contact
 * (Chromium, from the approval mail) and invitee (IT Glue, mailbox): IT Glue Lite with and without
 * approval, with password access, and MyGlue with a role and groups.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEED } from '../test/fakes/itglue-server';
import { mailsOf, newInvitee, PRIMARY, runOnboarding, startStackWithBrowser, type Invitee, type Kind } from './support/people';
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

/**
 * `reaches`: the organizations the user's group gives access to. The two IT Glue customer groups are
 * shared by every customer and reach none (each user gets Acme on the user); the MyGlue group is
 * Acme's own and reaches Acme only.
 */
const cases: Array<{ name: string; kind: Kind; approval: boolean; group: string; reaches: string[] }> = [
  {
    name: 'IT Glue Lite, approved by the primary contact',
    kind: { kind: 'itglue', passwordAccess: false },
    approval: true,
    group: SEED.group.noPasswordAccess,
    reaches: [],
  },
  {
    name: 'IT Glue Lite for the primary contact herself, without approval',
    kind: { kind: 'itglue', passwordAccess: false },
    approval: false,
    group: SEED.group.noPasswordAccess,
    reaches: [],
  },
  { name: 'IT Glue Lite with password access', kind: { kind: 'itglue', passwordAccess: true }, approval: true, group: SEED.group.hasPasswordAccess, reaches: [] },
  {
    name: 'MyGlue Editor in a MyGlue group',
    kind: { kind: 'myglue', role: 'Editor', groupIds: [SEED.group.acmeMyGlue] },
    approval: true,
    group: SEED.group.acmeMyGlue,
    reaches: [SEED.org.acme],
  },
];

it('completes an onboarding of every kind, each step once', async () => {
  const journeys = await Promise.all(
    cases.map(async (c, i) => {
      const person: Invitee = c.approval
        ? newInvitee(stack, `Kind${i}`)
        : { contactId: PRIMARY.contactId, firstName: 'Paula', lastName: 'Primary', email: PRIMARY.email };
      const journey = await runOnboarding(stack, browser, {
        invitee: person,
        approverContactId: c.approval ? PRIMARY.contactId : undefined,
        kind: c.kind,
        userId: String(8_000 + i),
      });
      return { ...c, person, ...journey };
    }),
  );

  for (const j of journeys) {
    const s = j.final;
    expect(s.stage, j.name).toBe('COMPLETED');
    expect(s.evidence?.via, j.name).toBe(j.approval ? 'link' : 'not-needed');
    expect(s.request.kind, j.name).toBe(j.kind.kind);
    // The user is in the right group, and the group reaches what it reached before: no
    // organization for a shared customer group, Acme only for Acme's MyGlue group.
    const group = stack.itglue.data.groups.find((g) => g.id === j.group)!;
    expect(group['user-ids'], j.name).toContain(s.user!.id);
    expect(group['organization-ids'], j.name).toEqual(j.reaches);
    // The IT Glue Lite user confirmed the settings the API cannot read (its own organization).
    if (j.kind.kind === 'itglue') expect(s.confirmation?.by, j.name).toBe(s.request.requestedBy);
    // Mail: the approval request (when needed) and the access instructions, once each.
    expect(mailsOf(stack, j.workflowId, 'approval-request', 1), j.name).toHaveLength(j.approval ? 1 : 0);
    const instructions = mailsOf(stack, j.workflowId, 'instructions', 0);
    expect(instructions.length + mailsOf(stack, j.workflowId, 'instructions', 1).length, j.name).toBe(1);
    // Slack: one thread, its root showing the end (the last update follows the status by a moment).
    const deadline = Date.now() + 30_000;
    while (!/complete/i.test(stack.driver.root(j.workflowId)?.text ?? '') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const root = stack.driver.root(j.workflowId);
    expect(root?.text, j.name).toMatch(/complete/i);
    expect(stack.driver.replies(j.workflowId).length, j.name).toBeGreaterThan(3);
  }
  // The shared customer groups keep the users of the other customers they had.
  const members = (id: string) => stack.itglue.data.groups.find((g) => g.id === id)!['user-ids'];
  expect(members(SEED.group.noPasswordAccess)).toEqual(expect.arrayContaining([SEED.user.ottoAccepted, SEED.user.robinMixedCase]));
  expect(members(SEED.group.hasPasswordAccess)).toEqual(expect.arrayContaining([SEED.user.samPending, SEED.user.caseyExpired]));
  const dup = duplicates(stack);
  expect(dup.details).toEqual([]);
  record('every kind', { onboardings: journeys.length, crashes: 0, lost: 0, duplicateSideEffects: dup.mails + dup.slackPosts });
});
