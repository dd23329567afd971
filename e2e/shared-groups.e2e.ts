/**
 * Shared customer groups through the real service. The two IT Glue customer groups ("Customer - No
 * Password Access" / "Customer - Has Password Access") are shared by every customer and reach no
 * organization; each user gets their own organization on the user, which the tech confirms.
 *
 * - Customers of two organizations are onboarded one after the other into the same shared group:
 *   both complete, the group keeps every member it had, and the bot never writes a group's
 *   organizations nor advises anyone to widen a shared group or take other customers out of it.
 * - A user the tech also put in the other customer group is taken out of it before completion, and
 *   the thread says so.
 * - A shared group that reaches organizations holds verification with a mismatch for the managers
 *   (mentioned in the thread) until it is fixed in IT Glue and someone presses Fixed.
 *
 * It also counts the tech's actions on the happy path (at most three: the modal, the user in
 * IT Glue, one confirmation) whether the tech's "Invitation sent" or the IT Glue sweep finds the user.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ACTIONS } from '../src/slack/action-ids';
import type { OnboardingStatus } from '../workflows/types';
import { SEED } from '../test/fakes/itglue-server';
import { checkThread } from './support/outages';
import {
  ACME,
  BLUEBIRD,
  BLUEBIRD_APPROVER,
  contact,
  invitee,
  newInvitee,
  PRIMARY,
  runOnboarding,
  startStackWithBrowser,
  tech,
  type Journey,
  type Org,
} from './support/people';
import { record } from './support/results';
import { duplicates } from './support/side-effects';
import { PEOPLE, type Stack } from './support/stack';
import { techActions } from './support/toil';

const NO_PASSWORDS = SEED.group.noPasswordAccess;
const PASSWORDS = SEED.group.hasPasswordAccess;
const NAME = { [NO_PASSWORDS]: 'Customer - No Password Access', [PASSWORDS]: 'Customer - Has Password Access' };
const lite = { kind: 'itglue', passwordAccess: false } as const;

let stack: Stack;
let browser: Browser;

/** The members of each shared group once the stack is prepared: users of other customers. */
const seedMembers: Record<string, string[]> = {};

const group = (id: string) => stack.itglue.data.groups.find((g) => g.id === id)!;

beforeAll(async () => {
  ({ stack, browser } = await startStackWithBrowser());
  for (const id of [NO_PASSWORDS, PASSWORDS]) seedMembers[id] = [...group(id)['user-ids']];
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});
const sorted = (ids: string[]) => [...ids].sort();
const approverAt = (org: Org) => (org.id === BLUEBIRD.id ? BLUEBIRD_APPROVER.contactId : PRIMARY.contactId);

/** The managers' mention as the service renders it from its configuration: the user group's handle, else each listed manager. */
function managersMention(): string {
  const usergroup = stack.env.SLACK_MANAGER_USERGROUP_ID;
  if (usergroup) return `<!subteam^${usergroup}>`;
  return (stack.env.SLACK_MANAGER_USER_IDS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
    .map((id) => `<@${id}>`)
    .join(' ');
}

/** The thread's replies for events of this type (the reply's metadata names the event). */
const repliesOf = (workflowId: string, type: string) => stack.driver.replies(workflowId).filter((m) => m.metadata?.event_payload.type === type);

/** The confirmation dialogs of a thread button, as the onboarding's root showed it (posted or updated). */
function confirmDialogs(workflowId: string, actionId: string): string[] {
  type Element = { action_id?: string; confirm?: { text?: { text?: string } } };
  return stack.slack.calls
    .filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.ok && !c.args.thread_ts)
    .filter((c) => (c.args.metadata as { event_payload?: { workflowId?: string } } | undefined)?.event_payload?.workflowId === workflowId)
    .flatMap((c) => {
      const blocks = (typeof c.args.blocks === 'string' ? JSON.parse(c.args.blocks) : c.args.blocks) as Array<{ elements?: Element[] }> | undefined;
      return (blocks ?? [])
        .flatMap((b) => b.elements ?? [])
        .filter((e) => e.action_id === actionId)
        .map((e) => e.confirm?.text?.text ?? '');
    });
}

/** Advice that would widen a shared group, or take the other customers out of it. */
const WIDEN_OR_STRIP = [
  /add (the|this) organization to the group/i,
  /add [^.]*organization[^.]* to the group/i,
  /remove the other/i,
  /remove [^.]*other (customers|users)/i,
];

/** Every text the service gave people: Slack calls (roots, replies, updates, ephemeral answers, views) and mails. */
function everythingSaid(): string[] {
  const slack = stack.slack.calls.map((c) => JSON.stringify(c.args));
  const mail = stack.smtp.received.flatMap((m) => [m.parsed.subject ?? '', m.parsed.text ?? '', typeof m.parsed.html === 'string' ? m.parsed.html : '']);
  return [...slack, ...mail];
}

/**
 * What holds for the whole run so far: the bot's only IT Glue writes are member lists of groups
 * (PATCH /groups/:id with `accounts_user_ids` alone: never a group's organizations, never a new
 * group), and nothing it said advises widening a shared group or stripping it of other customers.
 */
function checkNoGroupAccessChanged() {
  const writes = stack.itglue.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  expect(writes.length).toBeGreaterThan(0);
  for (const w of writes) {
    expect(`${w.method} ${w.path}`).toMatch(/^PATCH \/groups\/\d+$/);
    const data = (w.body as { data?: { attributes?: Record<string, unknown>; relationships?: unknown } } | null)?.data;
    expect(Object.keys(data?.attributes ?? {}), `${w.method} ${w.path}`).toEqual(['accounts_user_ids']);
    expect(data?.relationships, `${w.method} ${w.path}`).toBeUndefined();
  }
  const said = everythingSaid();
  expect(said.length).toBeGreaterThan(0);
  for (const pattern of WIDEN_OR_STRIP)
    expect(
      said.filter((text) => pattern.test(text)),
      String(pattern),
    ).toEqual([]);
}

/**
 * The threads of these onboardings once their last replies are in (an event is recorded before its
 * reply is posted): what reached people twice (a reply for one event, a second root, a mail with one
 * Message-ID), and what never did (an event without its reply, a reply for no event).
 */
async function threadsOf(finals: OnboardingStatus[]): Promise<{ repeated: string[]; gaps: string[] }> {
  const look = () => {
    const repeated = duplicates(stack).details.filter((d) => d.startsWith('mail'));
    const gaps: string[] = [];
    for (const s of finals) {
      const check = checkThread(stack, s);
      if (!check.root) repeated.push(`${s.workflowId}: not one thread root`);
      repeated.push(...check.twice.map((t) => `${s.workflowId}: replied twice: ${t}`));
      gaps.push(...check.missing.map((t) => `${s.workflowId}: no reply for ${t}`));
      gaps.push(...check.unexpected.map((t) => `${s.workflowId}: a reply for no event: ${t}`));
    }
    return { repeated, gaps };
  };
  const deadline = Date.now() + 30_000;
  let seen = look();
  while (seen.gaps.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    seen = look();
  }
  return seen;
}

const journeys: Record<string, Journey> = {};

it('onboards customers of two organizations one after the other into the same shared group, which keeps every member and reaches nothing', async () => {
  // Acme: the tech presses "Invitation sent" once the user is created.
  const acme = newInvitee(stack, 'Sharedacme', ACME);
  journeys.acme = await runOnboarding(stack, browser, { org: ACME, invitee: acme, approverContactId: approverAt(ACME), kind: lite, userId: '8601' });
  // Bluebird: the IT Glue sweep finds the user before the tech presses anything; the thread then
  // asks the tech to confirm the settings instead.
  const bluebird = newInvitee(stack, 'Sharedbird', BLUEBIRD);
  journeys.bluebird = await runOnboarding(stack, browser, {
    org: BLUEBIRD,
    invitee: bluebird,
    approverContactId: approverAt(BLUEBIRD),
    kind: lite,
    userId: '8602',
    user: { foundBy: 'sweep' },
  });
  const finals = [journeys.acme.final, journeys.bluebird.final];
  const threads = await threadsOf(finals);
  const toil = {
    acme: await techActions(stack, journeys.acme.workflowId),
    bluebird: await techActions(stack, journeys.bluebird.workflowId),
  };
  const perOnboarding = Math.max(toil.acme.length, toil.bluebird.length);
  const note = `tech actions per onboarding (happy path): ${perOnboarding} — found by the button: ${toil.acme.join(', ')}; found by the sweep: ${toil.bluebird.join(', ')}`;
  console.log(note);
  record(
    'shared groups, two customers',
    { onboardings: 2, crashes: 0, lost: finals.filter((s) => s.stage !== 'COMPLETED').length, duplicateSideEffects: threads.repeated.length },
    note,
  );

  for (const [name, org, s] of [
    ['Acme', ACME, journeys.acme.final],
    ['Bluebird', BLUEBIRD, journeys.bluebird.final],
  ] as const) {
    expect(s.stage, name).toBe('COMPLETED');
    expect(s.request.orgId, name).toBe(org.id);
    expect(s.evidence?.via, name).toBe('link');
    // The tech confirmed the user's own organization access, which the API cannot read.
    expect(s.confirmation?.by, name).toBe(PEOPLE.tech);
    expect(s.confirmation?.items, name).toContain(`organization access: ${org.name} and ONLY ${org.name}`);
    expect(s.accountMismatches, name).toEqual([]);
    expect(s.groupNames, name).toEqual([NAME[NO_PASSWORDS]]);
  }
  // The one press confirms the settings its dialog lists, the user's own organization above all.
  for (const dialog of confirmDialogs(journeys.acme.workflowId, ACTIONS.invitationSent)) {
    expect(dialog).toContain(`organization access: ${ACME.name} and ONLY ${ACME.name}`);
  }
  expect(confirmDialogs(journeys.acme.workflowId, ACTIONS.invitationSent).length).toBeGreaterThan(0);
  const birdDialogs = confirmDialogs(journeys.bluebird.workflowId, ACTIONS.settingsConfirmed);
  expect(birdDialogs.length).toBeGreaterThan(0);
  for (const dialog of birdDialogs) expect(dialog).toContain(`organization access: ${BLUEBIRD.name} and ONLY ${BLUEBIRD.name}`);
  // Found by the sweep: no "Invitation sent", and one request to confirm, mentioning the tech.
  const bird = journeys.bluebird.final;
  expect(bird.events.some((e) => e.type === 'invitation-sent')).toBe(false);
  const asked = repliesOf(bird.workflowId, 'confirm-settings');
  expect(asked).toHaveLength(1);
  expect(asked[0]!.text.startsWith(`<@${PEOPLE.tech}> `)).toBe(true);
  const askedAt = Date.parse(bird.events.find((e) => e.type === 'confirm-settings')!.at);
  expect(Date.parse(bird.confirmation!.at)).toBeGreaterThanOrEqual(askedAt);

  // The shared group holds both new users besides the other customers' users it had; the other
  // group is as it was; neither reaches any organization.
  const users = finals.map((s) => s.user!.id);
  expect(users).toEqual(['8601', '8602']);
  expect(sorted(group(NO_PASSWORDS)['user-ids'])).toEqual(sorted([...seedMembers[NO_PASSWORDS]!, ...users]));
  expect(seedMembers[NO_PASSWORDS]!.length).toBeGreaterThan(0);
  expect(sorted(group(PASSWORDS)['user-ids'])).toEqual(sorted(seedMembers[PASSWORDS]!));
  expect(group(NO_PASSWORDS)['organization-ids']).toEqual([]);
  expect(group(PASSWORDS)['organization-ids']).toEqual([]);

  checkNoGroupAccessChanged();
  expect(threads.repeated).toEqual([]);
  expect(threads.gaps).toEqual([]);

  // Toil: the modal, the user in IT Glue, one press, whichever way the user was found.
  expect(toil.bluebird).toEqual(['submitted the modal', 'created the user in IT Glue', 'pressed Settings confirmed']);
  expect(toil.acme.slice(0, 2)).toEqual(['submitted the modal', 'created the user in IT Glue']);
  expect(toil.acme.slice(2)).toHaveLength(1);
  expect(['pressed Invitation sent', 'pressed Settings confirmed']).toContain(toil.acme[2]);
  expect(perOnboarding).toBeLessThanOrEqual(3);
});

it('takes a user the tech also put in the other customer group out of it before completing, and says so', async () => {
  const person = newInvitee(stack, 'Twogroups', BLUEBIRD);
  const userId = '8603';
  // The tech ticks both customer groups in IT Glue; the request is for no password access.
  const journey = await runOnboarding(stack, browser, {
    org: BLUEBIRD,
    invitee: person,
    approverContactId: approverAt(BLUEBIRD),
    kind: lite,
    userId,
    user: { groups: [NO_PASSWORDS, PASSWORDS] },
  });
  const s = journey.final;
  const threads = await threadsOf([s]);
  record('shared groups, other customer group', { onboardings: 1, crashes: 0, lost: s.stage === 'COMPLETED' ? 0 : 1, duplicateSideEffects: threads.repeated.length });

  expect(s.stage).toBe('COMPLETED');
  // Out of the other group, kept in the chosen one; both keep the other customers' users.
  expect(group(PASSWORDS)['user-ids']).not.toContain(userId);
  expect(sorted(group(PASSWORDS)['user-ids'])).toEqual(sorted(seedMembers[PASSWORDS]!));
  expect(group(NO_PASSWORDS)['user-ids']).toContain(userId);
  expect(group(NO_PASSWORDS)['user-ids']).toEqual(expect.arrayContaining([...seedMembers[NO_PASSWORDS]!, '8601', '8602']));

  // The thread says so: one reply naming the other group.
  const changed = repliesOf(s.workflowId, 'group-changed');
  expect(changed).toHaveLength(1);
  expect(changed[0]!.text).toContain(`"${NAME[PASSWORDS]}"`);
  expect(changed[0]!.text).toMatch(/taken out/);
  // Before completion: the write that took the user out, and the reply, came before verification passed.
  const at = (type: string) => Date.parse(s.events.find((e) => e.type === type)!.at);
  const completedAt = Date.parse(s.stages.find((x) => x.stage === 'COMPLETED')!.enteredAt);
  const members = (r: { body: unknown }) => ((r.body as { data: { attributes: { accounts_user_ids: unknown[] } } }).data.attributes.accounts_user_ids ?? []).map(String);
  const takenOut = stack.itglue.requests.find(
    (r) => r.method === 'PATCH' && r.path === `/groups/${PASSWORDS}` && r.status === 200 && r.time >= at('user-found') && !members(r).includes(userId),
  );
  expect(takenOut).toBeDefined();
  expect(takenOut!.time).toBeLessThan(completedAt);
  expect(at('group-changed')).toBeLessThanOrEqual(at('verified'));
  expect(at('verified')).toBeLessThan(completedAt);

  checkNoGroupAccessChanged();
  expect(threads.repeated).toEqual([]);
  expect(threads.gaps).toEqual([]);
});

it('holds verification for the managers while a shared group reaches organizations, until it is fixed in IT Glue and Fixed is pressed', async () => {
  // Someone gave the shared group access to two customers' organizations: every user in it sees them.
  group(NO_PASSWORDS)['organization-ids'] = [ACME.id, BLUEBIRD.id];
  const membersBefore = [...group(NO_PASSWORDS)['user-ids']];
  const person = newInvitee(stack, 'Widegroup', ACME);
  const userId = '8604';
  const workflowId = await tech.invite(stack, { org: ACME, invitee: person, approverContactId: approverAt(ACME), kind: lite });
  await stack.waitFor(workflowId, (x) => x.stages.some((st) => st.stage === 'AWAITING_APPROVAL'), 'AWAITING_APPROVAL', 180_000);
  await contact.approve(stack, browser, workflowId);
  await stack.waitFor(workflowId, (x) => x.stages.some((st) => st.stage === 'AWAITING_INVITE'), 'AWAITING_INVITE', 180_000);
  expect(await tech.createUser(stack, workflowId, person, lite, userId)).toBe('mismatch');

  // A mismatch for the managers: the tech has nothing to fix.
  let s = await stack.status(workflowId);
  expect(s.stage).toBe('VERIFYING');
  expect(s.subState).toBe('MISMATCH');
  expect(s.waitingOn).toBe('manager');
  expect(s.mismatches).toEqual([]);
  expect(s.accountMismatches).toHaveLength(1);
  const mention = managersMention();
  expect(mention).not.toBe('');
  const told = repliesOf(workflowId, 'account-mismatch');
  expect(told).toHaveLength(1);
  const text = told[0]!.text;
  expect(text.startsWith(`${mention} `)).toBe(true);
  expect(text).toContain(`"${NAME[NO_PASSWORDS]}"`);
  expect(text).toContain(ACME.name);
  expect(text).toContain(BLUEBIRD.name);
  expect(text).toMatch(/Remove them from the group in IT Glue/);
  // The bot changed neither the group's organizations nor its members for it.
  expect(group(NO_PASSWORDS)['organization-ids']).toEqual([ACME.id, BLUEBIRD.id]);
  expect(group(NO_PASSWORDS)['user-ids']).toEqual(expect.arrayContaining(membersBefore));
  // The root shows the onboarding waiting for the managers, with the Fixed button (its update
  // follows the reply by a moment).
  const rootBlocks = () => JSON.stringify(stack.driver.root(workflowId)?.blocks);
  for (const deadline = Date.now() + 30_000; !rootBlocks().includes(ACTIONS.fixed) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
  expect(rootBlocks()).toContain(ACTIONS.fixed);

  // Pressed before anything changed in IT Glue: verified again, and held again.
  await tech.press(
    stack,
    workflowId,
    ACTIONS.fixed,
    (x) => x.events.filter((e) => e.type === 'account-mismatch').length === 2 && x.subState === 'MISMATCH',
    'verified again, still mismatched',
    PEOPLE.manager,
  );
  s = await stack.status(workflowId);
  expect(s.stage).toBe('VERIFYING');
  expect(s.waitingOn).toBe('manager');
  expect(s.stages.some((x) => x.stage === 'AWAITING_ACCEPTANCE')).toBe(false);
  expect(group(NO_PASSWORDS)['organization-ids']).toEqual([ACME.id, BLUEBIRD.id]);

  // A manager removes the organizations from the group in IT Glue, then presses Fixed.
  group(NO_PASSWORDS)['organization-ids'] = [];
  await tech.press(
    stack,
    workflowId,
    ACTIONS.fixed,
    (x) => x.stages.some((st) => st.stage === 'AWAITING_ACCEPTANCE') || x.subState === 'CONFIRM_SETTINGS',
    'verified once fixed',
    PEOPLE.manager,
  );
  expect(await tech.confirmIfAsked(stack, workflowId)).toBe('verified');
  await stack.waitFor(workflowId, (x) => x.stages.some((st) => st.stage === 'AWAITING_ACCEPTANCE'), 'AWAITING_ACCEPTANCE', 120_000);
  invitee.acceptAndSignIn(stack, userId);
  const final = await stack.waitFor(workflowId, (x) => x.stage === 'COMPLETED', 'COMPLETED', 180_000);
  const threads = await threadsOf([final]);
  record('shared groups, group reaching organizations', {
    onboardings: 1,
    crashes: 0,
    lost: final.stage === 'COMPLETED' ? 0 : 1,
    duplicateSideEffects: threads.repeated.length,
  });

  expect(final.stage).toBe('COMPLETED');
  expect(final.accountMismatches).toEqual([]);
  expect(final.confirmation?.by).toBe(PEOPLE.tech);
  expect(final.events.filter((e) => e.type === 'fixed').map((e) => e.by)).toEqual([PEOPLE.manager, PEOPLE.manager]);
  // Verified only after the group was fixed.
  const verifiedAt = Date.parse(final.events.find((e) => e.type === 'verified')!.at);
  const lastMismatchAt = Math.max(...final.events.filter((e) => e.type === 'account-mismatch').map((e) => Date.parse(e.at)));
  expect(verifiedAt).toBeGreaterThan(lastMismatchAt);
  expect(group(NO_PASSWORDS)['user-ids']).toEqual(expect.arrayContaining([...membersBefore, userId]));

  checkNoGroupAccessChanged();
  expect(threads.repeated).toEqual([]);
  expect(threads.gaps).toEqual([]);
});
