/**
 * The access review's IT Glue side (docs/design.md §15.2) against the fake IT Glue server, with the
 * test Temporal server holding invite-lite's records: gatherReview's customer users (IT Glue Lite
 * and MyGlue users with a contact's email, on the shared customer groups; not another customer's
 * users, not an MSP staff account) with their password access, sign-in, dormancy and the approval
 * of a real completed onboarding; who answers (named, by the rule, nobody); the IT Glue requests a
 * review costs. Then the periodic reviews: the planner starts one review per onboarded organization
 * not reviewed within `review.every`, once, and the daily schedule that runs it.
 */
import { randomInt } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { EMAILS_PER_REQUEST, isDormant } from '../../activities/itglue-review';
import { loggingItGlueActivities } from '../../activities/logging';
import { approvedByWords } from '../../activities/review-records';
import { ItGlueClient } from '../../src/itglue/client';
import { startOnboarding, startReview, WORKFLOW_TYPES } from '../../src/onboardings';
import { ensureReviewSchedule } from '../../src/temporal/review-schedule';
import { visibilityQuery } from '../../src/temporal/visibility-query';
import { confirmSettings, decide, ONBOARDING_ORG_ID, ONBOARDING_REQUESTED_BY, userObserved } from '../../workflows/messages';
import type { Policy } from '../../workflows/policy';
import { REVIEW_SCHEDULE_ID, reviewPlanner } from '../../workflows/review-planner';
import { reviewIdFor, type ItGlueUser, type OnboardingStatus } from '../../workflows/types';
import {
  defaultSeed,
  makeContact,
  makeGroup,
  makeOrganization,
  makeUser,
  SEED,
  startFakeItGlue,
  type FakeContact,
  type FakeItGlue,
  type FakeUser,
} from '../fakes/itglue-server';
import { FakeWorld, INVITEE, PRIMARY } from '../support/fake-activities';
import { connectTemporal, testPolicy, waitForApprovalRequest, waitForStage, waitForStatus, type TestTemporal } from '../support/temporal';

const DAY = 86_400_000;
let temporal: TestTemporal;
let fake: FakeItGlue;
let itglue: ReturnType<typeof createItGlueActivities>;
let stopWorkers: () => Promise<void>;
let started: WorkflowHandle[] = [];

let nextId = randomInt(10_000, 90_000) * 100_000;
const newId = () => String((nextId += 1));
const POLICY: Policy = testPolicy();
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeItGlue()]);
  const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
  itglue = createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
  // Onboardings and the reviews the planner starts run on recording activities; the planner's own is the real one.
  stopWorkers = await temporal.startWorkers({ ...new FakeWorld().activities(), dueReviews: itglue.dueReviews });
});
afterAll(async () => {
  await stopWorkers();
  await Promise.all([temporal.close(), fake.close()]);
});
beforeEach(() => {
  fake.load(defaultSeed());
  fake.reset();
});
afterEach(async () => {
  await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
  started = [];
});

// ---- helpers ---------------------------------------------------------------------------------

function newOrg(name: string, over: { myGlueAccountId?: string } = {}): { orgId: string; name: string } {
  const orgId = newId();
  fake.data.organizations.push(makeOrganization({ id: orgId, name: `${name} ${orgId}`, 'my-glue-account-id': over.myGlueAccountId ?? null }));
  return { orgId, name: `${name} ${orgId}` };
}

function newContact(orgId: string, first: string, last: string, over: Partial<FakeContact> & { email?: string | null } = {}): FakeContact {
  const id = newId();
  const { email, ...rest } = over;
  const contact = makeContact({
    id,
    'organization-id': orgId,
    'first-name': first,
    'last-name': last,
    ...(email === null ? {} : { email: email ?? `${first.toLowerCase()}.${id}@customer.test` }),
    ...rest,
  });
  fake.data.contacts.push(contact);
  return contact;
}

const emailOf = (contact: FakeContact) => contact['contact-emails'].find((e) => e.primary)!.value;

function newUser(email: string, over: Partial<FakeUser> = {}): FakeUser {
  const user = makeUser({ id: newId(), email, 'invitation-sent-at': ago(400 * DAY), 'invitation-accepted-at': ago(399 * DAY), ...over });
  fake.data.users.push(user);
  return user;
}

const sharedGroup = (id: string) => fake.data.groups.find((g) => g.id === id)!;

/** A real onboarding of the organization's user, run to COMPLETED on recording activities (Paula approves by the link). */
async function completeOnboarding(orgId: string, user: FakeUser): Promise<OnboardingStatus> {
  // The recording activities' invitee is Ines; her IT Glue user is the organization's user (the record keeps its id).
  const seen: ItGlueUser = {
    id: user.id,
    email: INVITEE.email.toLowerCase(),
    roleName: 'Lite',
    myGlue: false,
    invitationSentAt: user['invitation-sent-at'],
    invitationAcceptedAt: null,
    currentSignInAt: null,
  };
  const request = { orgId, contactId: INVITEE.contactId, kind: 'itglue' as const, passwordAccess: true, requestedBy: 'UTECH1' };
  const { workflowId } = await startOnboarding(temporal.client, temporal.taskQueue, request, POLICY);
  const h = temporal.client.workflow.getHandle(workflowId);
  started.push(h);
  const s = await waitForApprovalRequest(h);
  await h.executeUpdate(decide, { args: [{ decision: 'approve', round: s.approvalRound, approverContactId: s.approver!.contactId, ip: '203.0.113.9' }] });
  await waitForStage(h, 'AWAITING_INVITE');
  await h.signal(userObserved, seen);
  await waitForStatus(h, (x) => x.subState === 'CONFIRM_SETTINGS');
  await h.executeUpdate(confirmSettings, { args: [{ by: 'UTECH1' }] });
  await waitForStage(h, 'AWAITING_ACCEPTANCE');
  const acceptedAt = new Date().toISOString();
  await h.signal(userObserved, { ...seen, invitationAcceptedAt: acceptedAt });
  await waitForStage(h, 'AWAITING_2FA');
  await h.signal(userObserved, { ...seen, invitationAcceptedAt: acceptedAt, currentSignInAt: new Date().toISOString() });
  const done = await waitForStage(h, 'COMPLETED');
  if (done.scopeWatch) started.push(temporal.client.workflow.getHandle(done.scopeWatch.workflowId));
  return done;
}

/** Until visibility lists `count` workflows for the query (it is eventually consistent). */
async function untilListed(query: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { count: listed } = await temporal.client.workflow.count(query);
    if (listed >= count) return;
    if (Date.now() > deadline) throw new Error(`visibility listed ${listed} of ${count} for ${query}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const completedOnboardings = (orgId: string) =>
  visibilityQuery()
    .where('WorkflowType', '=', WORKFLOW_TYPES.onboarding)
    .where(ONBOARDING_ORG_ID, '=', orgId)
    .where('ExecutionStatus', '=', 'Completed')
    .where('TaskQueue', '=', temporal.taskQueue)
    .toString();

const requestsMade = () => fake.requests.map((r) => `${r.method} ${r.path}`);

// ---- gatherReview ------------------------------------------------------------------------------

describe('gatherReview', () => {
  it("lists the organization's customer users with their access, approval and sign-in, in a fixed number of requests", async () => {
    const myGlueAccountId = newId();
    const { orgId, name } = newOrg('Harbour Dental', { myGlueAccountId });
    const pam = newContact(orgId, 'Pam', 'Primary', { 'contact-type-id': SEED.contactType.primary });
    // The contact's email with capitals; the user's in lower case.
    const ian = newContact(orgId, 'Ian', 'Onboarded', { email: `Ian.Onboarded.${orgId}@Harbour.test` });
    const mel = newContact(orgId, 'Mel', 'Matched');
    const dora = newContact(orgId, 'Dora', 'Dormant');
    const myra = newContact(orgId, 'Myra', 'MyGlue');
    const stan = newContact(orgId, 'Stan', 'Staff');
    newContact(orgId, 'Nora', 'NoEmail', { email: null });

    const ianUser = newUser(emailOf(ian).toLowerCase(), { 'current-sign-in-at': ago(2 * DAY), 'last-sign-in-at': ago(5 * DAY) });
    // Invited 100 days ago (more than review.dormantAfter, 90 days), never signed in.
    const melUser = newUser(emailOf(mel), { 'invitation-sent-at': ago(100 * DAY), 'invitation-accepted-at': null });
    // Last signed in 200 days ago; in no customer group.
    const doraUser = newUser(emailOf(dora), { 'current-sign-in-at': ago(200 * DAY), 'last-sign-in-at': ago(210 * DAY) });
    const myraUser = newUser(emailOf(myra), {
      'my-glue': true,
      'my-glue-account-id': myGlueAccountId,
      'role-name': 'Creator',
      'invitation-sent-at': ago(DAY),
      'invitation-accepted-at': null,
    });
    // An MSP technician whose account has the contact's email: not a customer user.
    const stanUser = newUser(emailOf(stan), { 'role-name': 'Manager', 'current-sign-in-at': ago(DAY) });
    // Another customer's user, in the same shared groups.
    const other = newOrg('Other Clinic');
    const olga = newContact(other.orgId, 'Olga', 'Other');
    const olgaUser = newUser(emailOf(olga), { 'current-sign-in-at': ago(DAY) });

    sharedGroup(SEED.group.hasPasswordAccess)['user-ids'].push(ianUser.id, olgaUser.id, stanUser.id);
    sharedGroup(SEED.group.noPasswordAccess)['user-ids'].push(melUser.id, olgaUser.id);
    const myGlueGroup = makeGroup({
      id: newId(),
      name: `Harbour ${orgId} - Office`,
      'my-glue': true,
      'my-glue-account-id': myGlueAccountId,
      'organization-ids': [orgId],
      'user-ids': [myraUser.id],
      // Other asset types are denied; passwords are not.
      'resource-type-restrictions': ['Configurations', 'Documents'],
    });
    fake.data.groups.push(myGlueGroup);

    // Ian was onboarded by invite-lite; the others were not.
    const onboarding = await completeOnboarding(orgId, ianUser);
    await untilListed(completedOnboardings(orgId), 1);

    fake.reset();
    const now = new Date().toISOString();
    const g = await itglue.gatherReview({ orgId, policy: POLICY, now });
    const requests = requestsMade();
    console.log(`access review of an organization with 4 customer users (1 MyGlue): ${requests.length} IT Glue requests: ${requests.join(', ')}`);
    expect(requests).toEqual([`GET /organizations/${orgId}`, 'GET /contacts', 'GET /users', 'GET /groups', `GET /groups/${myGlueGroup.id}`]);

    expect(g).toMatchObject({ ok: true, org: { id: orgId, name }, primaryContact: { contactId: pam.id, name: 'Pam Primary', email: emailOf(pam) } });
    if (!g.ok) throw new Error(g.reason);
    expect(g.simulated).toBeUndefined();
    // Sorted by name; Stan (staff), Olga (another customer), Pam and Nora (no user) are not listed.
    expect(g.users.map((u) => u.name)).toEqual(['Dora Dormant', 'Ian Onboarded', 'Mel Matched', 'Myra MyGlue']);
    const [doraSeen, ianSeen, melSeen, myraSeen] = g.users;
    expect(ianSeen).toEqual({
      userId: ianUser.id,
      contactId: ian.id,
      name: 'Ian Onboarded',
      email: ianUser.email,
      roleName: 'Lite',
      myGlue: false,
      passwordAccess: true,
      invitedAt: ianUser['invitation-sent-at'],
      approvedBy: PRIMARY.name,
      approvedAt: (onboarding.evidence as { at: string }).at,
      onboardingId: onboarding.workflowId,
      // The later of IT Glue's last and current sign-in.
      lastSignInAt: ianUser['current-sign-in-at'],
      dormant: false,
    });
    expect(melSeen).toMatchObject({
      userId: melUser.id,
      contactId: mel.id,
      passwordAccess: false,
      onboardingId: null,
      approvedBy: null,
      lastSignInAt: null,
      dormant: true,
    });
    expect(doraSeen).toMatchObject({ userId: doraUser.id, passwordAccess: null, onboardingId: null, lastSignInAt: doraUser['current-sign-in-at'], dormant: true });
    expect(myraSeen).toMatchObject({ userId: myraUser.id, myGlue: true, roleName: 'Creator', passwordAccess: true, dormant: false, onboardingId: null });

    // A MyGlue group that denies the Passwords asset type: no password access.
    myGlueGroup['resource-type-restrictions'] = ['Passwords'];
    const denied = await itglue.gatherReview({ orgId, policy: POLICY, now });
    expect(denied.ok && denied.users.find((u) => u.userId === myraUser.id)!.passwordAccess).toBe(false);
  });

  it('asks the users with many contacts in one request per 50 addresses, and reads no groups when none is a customer user', async () => {
    const { orgId } = newOrg('Big Practice');
    newContact(orgId, 'Pam', 'Primary', { 'contact-type-id': SEED.contactType.primary });
    for (let i = 0; i < 30; i += 1) newContact(orgId, `Staff${i}`, 'Member', { email: `Staff${i}.${orgId}@Big.test` });
    fake.reset();
    const g = await itglue.gatherReview({ orgId, policy: POLICY, now: new Date().toISOString() });
    expect(g).toMatchObject({ ok: true, users: [] });
    // 31 addresses, 61 spellings (as written and in lower case): two requests.
    const userRequests = fake.requests.filter((r) => r.path === '/users');
    expect(userRequests).toHaveLength(Math.ceil(61 / EMAILS_PER_REQUEST));
    expect(requestsMade()).toEqual([`GET /organizations/${orgId}`, 'GET /contacts', 'GET /users', 'GET /users']);
  });

  it('is answered by the contact named, else the primary contact by the rule; none or several is refused with what to do', async () => {
    const { orgId, name } = newOrg('Answer Co');
    const pam = newContact(orgId, 'Pam', 'Primary', { 'contact-type-id': SEED.contactType.primary });
    const alex = newContact(orgId, 'Alex', 'Approver');
    const nora = newContact(orgId, 'Nora', 'NoEmail', { email: null });
    const now = new Date().toISOString();
    const gather = (over: { orgId?: string; approverContactId?: string } = {}) => itglue.gatherReview({ orgId, policy: POLICY, now, ...over });

    expect(await gather()).toMatchObject({ ok: true, primaryContact: { contactId: pam.id } });
    expect(await gather({ approverContactId: alex.id })).toMatchObject({ ok: true, primaryContact: { contactId: alex.id, name: 'Alex Approver', email: emailOf(alex) } });
    // Named: checked as an approver is.
    expect(await gather({ approverContactId: SEED.contact.paulaPrimary })).toEqual({
      ok: false,
      reason: `Contact ${SEED.contact.paulaPrimary} is not a contact of ${name} in IT Glue.`,
    });
    expect(await gather({ approverContactId: nora.id })).toEqual({
      ok: false,
      reason: 'Nora NoEmail has no email address in IT Glue: add one to the contact, then start again.',
    });

    // By the rule: several, then none.
    const second = newContact(orgId, 'Sid', 'Second', { 'contact-type-id': SEED.contactType.primary });
    expect(await gather()).toEqual({
      ok: false,
      reason: `Several contacts of ${name} match the primary-contact rule (contact type "Primary": Pam Primary, Sid Second): name the contact who answers.`,
    });
    for (const c of [pam, second]) c['contact-type-id'] = null;
    expect(await gather()).toEqual({ ok: false, reason: `No primary contact of ${name} was found by the rule (contact type "Primary"): name the contact who answers.` });
    expect(await gather({ approverContactId: alex.id })).toMatchObject({ ok: true, primaryContact: { contactId: alex.id } });

    expect(await gather({ orgId: '99999999' })).toEqual({ ok: false, reason: 'Organization 99999999 was not found in IT Glue.' });
    expect(await gather({ orgId: SEED.org.msp })).toEqual({ ok: false, reason: "Northwind IT Services is your own organization, not a customer's." });
  });

  it('says who approved in words for the customer (never a Slack user ID), and when a user is dormant', () => {
    const approver = { contactId: '1', name: 'Paula Primary', firstName: 'Paula', email: 'p@x.test' };
    const at = '2026-01-01T00:00:00.000Z';
    expect(approvedByWords({ via: 'link', decision: 'approve', at, round: 1, approver, ip: null, userAgent: null, comment: null })).toBe('Paula Primary');
    expect(approvedByWords({ via: 'cli', decision: 'approve', at, round: 1, approver, comment: null, recordedBy: 'U0OPER1' })).toBe('Paula Primary');
    expect(approvedByWords({ via: 'offline', decision: 'approve', at, channel: 'postal-mail', note: 'n', recordedBy: 'U0TECH1' })).toBe('written approval (postal mail)');
    expect(approvedByWords({ via: 'manager', decision: 'approve', at, by: 'U0MGR1' })).not.toMatch(/U0MGR1|<@/);
    expect(approvedByWords({ via: 'not-needed', at, reason: 'primary contact' })).toBe('the primary contact themself (no approval needed)');

    const now = '2026-06-01T00:00:00.000Z';
    expect(isDormant('2026-05-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', now, 90 * DAY)).toBe(false);
    expect(isDormant('2026-02-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', now, 90 * DAY)).toBe(true);
    expect(isDormant(null, '2026-05-01T00:00:00.000Z', now, 90 * DAY)).toBe(false);
    expect(isDormant(null, '2026-01-01T00:00:00.000Z', now, 90 * DAY)).toBe(true);
    expect(isDormant(null, null, now, 90 * DAY)).toBe(false);
  });

  it('without IT Glue, the stand-in makes up a user and says so', async () => {
    const g = await loggingItGlueActivities(() => undefined).gatherReview({ orgId: '42', policy: POLICY, now: new Date().toISOString() });
    expect(g).toMatchObject({ ok: true, simulated: true, org: { id: '42' }, users: [{ onboardingId: null, dormant: false }] });
  });
});

// ---- the periodic reviews ----------------------------------------------------------------------

describe('reviewPlanner', () => {
  const plan = (n: string) =>
    temporal.client.workflow.execute(reviewPlanner, { taskQueue: temporal.taskQueue, workflowId: `review-planner-test-${n}-${newId()}`, args: [{ policy: POLICY }] });
  const reviewsOf = (orgId: string) =>
    visibilityQuery().where('WorkflowType', '=', WORKFLOW_TYPES.review).where(ONBOARDING_ORG_ID, '=', orgId).where('TaskQueue', '=', temporal.taskQueue).toString();

  it('starts one review per organization with a completed onboarding, none where one was started within review.every', async () => {
    const due = newOrg('Due Co');
    const recent = newOrg('Recent Co');
    const never = newOrg('Never Onboarded');
    await completeOnboarding(due.orgId, newUser(`due.${due.orgId}@due.test`));
    await completeOnboarding(recent.orgId, newUser(`recent.${recent.orgId}@recent.test`));
    // Never's onboarding was denied: nothing to review there.
    const denied = await startOnboarding(
      temporal.client,
      temporal.taskQueue,
      { orgId: never.orgId, contactId: INVITEE.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1' },
      POLICY,
    );
    const deniedHandle = temporal.client.workflow.getHandle(denied.workflowId);
    const s = await waitForApprovalRequest(deniedHandle);
    await deniedHandle.executeUpdate(decide, { args: [{ decision: 'deny', round: s.approvalRound, approverContactId: s.approver!.contactId }] });
    await waitForStage(deniedHandle, 'DENIED');
    const reviewed = await startReview(temporal.client, temporal.taskQueue, { orgId: recent.orgId, requestedBy: 'U0MGR001' }, POLICY);
    started.push(temporal.client.workflow.getHandle(reviewed.workflowId));
    await Promise.all([untilListed(completedOnboardings(due.orgId), 1), untilListed(completedOnboardings(recent.orgId), 1), untilListed(reviewsOf(recent.orgId), 1)]);
    await untilListed(completedOnboardings(never.orgId), 1);

    const first = await plan('first');
    expect(first.due).toContain(due.orgId);
    expect(first.due).not.toContain(recent.orgId);
    expect(first.due).not.toContain(never.orgId);
    expect(first.started).toContain(reviewIdFor(due.orgId));
    expect(first.started).not.toContain(reviewIdFor(recent.orgId));
    expect(first.organizations).toBeGreaterThanOrEqual(2);
    const review = temporal.client.workflow.getHandle(reviewIdFor(due.orgId));
    started.push(review);
    expect((await review.describe()).typedSearchAttributes.get(ONBOARDING_REQUESTED_BY)).toBe('schedule');

    // The day after: every review is recent, nothing new is started.
    for (const id of first.started) await untilListed(visibilityQuery().where('WorkflowId', '=', id).toString(), 1);
    const second = await plan('second');
    expect(second.due).not.toContain(due.orgId);
    expect(second.started).toEqual([]);
    const { count } = await temporal.client.workflow.count(reviewsOf(due.orgId));
    expect(count).toBe(1);
  });

  it('is planned daily by a schedule created at start-up, updated when it exists', async () => {
    await ensureReviewSchedule(temporal.client, temporal.taskQueue, POLICY);
    const changed = testPolicy({ review: { every: 30 * DAY } });
    await ensureReviewSchedule(temporal.client, temporal.taskQueue, changed); // exists: updated
    const handle = temporal.client.schedule.getHandle(REVIEW_SCHEDULE_ID);
    try {
      const described = await handle.describe();
      expect(described.spec.intervals).toMatchObject([{ every: DAY }]);
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reviewPlanner', taskQueue: temporal.taskQueue });
      expect((described.action as { args: Array<{ policy: Policy }> }).args[0]!.policy.review!.every).toBe(30 * DAY);
    } finally {
      await handle.delete();
    }
  });
});
