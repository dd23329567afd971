/**
 * The offboarding's IT Glue activities (docs/design.md §15) against the fake IT Glue server, on the
 * test Temporal server: validateOffboarding's refusals and its primary contact, removeAccess through
 * the groups' and the authorization record's single writers, userById, and the sweep telling an
 * offboarding waiting for the deletion that its user is gone, at the cost of the one user listing.
 */
import { randomInt } from 'node:crypto';
import { ApplicationFailure, WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { loggingItGlueActivities } from '../../activities/logging';
import { ItGlueClient } from '../../src/itglue/client';
import { startOffboarding } from '../../src/onboardings';
import { addGroupMember, groupMembership, groupMembershipWorkflowId } from '../../workflows/group-membership';
import type { Policy } from '../../workflows/policy';
import type { OffboardingRequest, OnboardingRequest } from '../../workflows/types';
import {
  defaultSeed,
  makeContact,
  makeFlexibleAsset,
  makeOrganization,
  makeUser,
  manyUsers,
  SEED,
  startFakeItGlue,
  type FakeContact,
  type FakeItGlue,
  type FakeUser,
  type RecordedRequest,
} from '../fakes/itglue-server';
import { FakeWorld } from '../support/fake-activities';
import { connectTemporal, endAuthorizationWriters, endGroupWriters, testPolicy, waitForStage, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
let fake: FakeItGlue;
let itglue: ReturnType<typeof createItGlueActivities>;
let stopWorkers: () => Promise<void>;
let started: WorkflowHandle[] = [];

/**
 * Records get ids from this base. Each group and each organization's authorization record has one
 * writer workflow for the whole namespace: ids of this run's own keep this file's writes on this
 * file's workers and fake.
 */
let nextId = randomInt(10_000, 90_000) * 100_000;
const newId = () => String((nextId += 1));

/** This file's copies of the two shared customer groups (§3.1), holding users of several customers. */
const SHARED = { noPasswordAccess: newId(), passwordAccess: newId() };
const groupIds: string[] = [SHARED.noPasswordAccess, SHARED.passwordAccess];
const orgIds: string[] = [];

const POLICY: Policy = testPolicy();
const RECORDING: Policy = testPolicy({ authorization: { record: true } });
const FIELD = RECORDING.authorization.fieldNameKey;

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeItGlue()]);
  const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
  itglue = createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
  // Mail and Slack are recorded by the fakes; every IT Glue activity is the real one.
  stopWorkers = await temporal.startWorkers({ ...new FakeWorld().activities(), ...itglue });
});
afterAll(async () => {
  await endGroupWriters(temporal.client, groupIds);
  await endAuthorizationWriters(temporal.client, orgIds);
  await stopWorkers();
  await Promise.all([temporal.close(), fake.close()]);
});
beforeEach(() => {
  const seed = defaultSeed();
  // The seed's shared customer groups, under this file's ids, with their members of three customers.
  for (const group of seed.groups) {
    if (group.id === SEED.group.noPasswordAccess) group.id = SHARED.noPasswordAccess;
    if (group.id === SEED.group.hasPasswordAccess) group.id = SHARED.passwordAccess;
  }
  fake.load(seed);
  fake.reset();
});
afterEach(async () => {
  await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
  started = [];
});

// ---- helpers ---------------------------------------------------------------------------------

interface Customer {
  orgId: string;
  name: string;
  assetId: string;
  primaryId: string;
  /** Another authorized contact, who stays. */
  otherId: string;
}

/** A customer with a primary contact (the rule's contact type), another contact, and a Site Summary naming both. */
function newCustomer({ asset = true } = {}): Customer {
  const orgId = newId();
  orgIds.push(orgId);
  const name = `Customer ${orgId}`;
  fake.data.organizations.push(makeOrganization({ id: orgId, name }));
  const customer: Customer = {
    orgId,
    name,
    assetId: newId(),
    primaryId: newContact(orgId, 'Pam', { 'contact-type-id': SEED.contactType.primary }).id,
    otherId: newContact(orgId, 'Oscar').id,
  };
  if (asset) addSiteSummary(customer, [customer.primaryId, customer.otherId]);
  return customer;
}

function newContact(orgId: string, first: string, over: Partial<FakeContact> & { email?: string } = {}): FakeContact {
  const id = newId();
  const contact = makeContact({ id, 'organization-id': orgId, 'first-name': first, 'last-name': id, email: `${first.toLowerCase()}.${id}@customer.test`, ...over });
  fake.data.contacts.push(contact);
  return contact;
}

function addSiteSummary(customer: Customer, authorized: string[], assetId = customer.assetId) {
  fake.data.flexibleAssets.push(
    makeFlexibleAsset({
      id: assetId,
      'organization-id': customer.orgId,
      'flexible-asset-type-id': SEED.flexibleAssetType.siteSummary,
      traits: {
        'site-name': `${customer.name} - Main Office`,
        [FIELD]: authorized,
        'internet-provider': 'Comcast Business',
        'after-hours-access': true,
        notes: 'Alarm code is with the office manager.',
      },
    }),
  );
}

const emailOf = (contact: FakeContact) => contact['contact-emails'].find((e) => e.primary)!.value;

/** The contact's IT Glue user: an IT Glue Lite user who accepted (unless `over` says otherwise). */
function newUser(contact: FakeContact, over: Partial<FakeUser> = {}): FakeUser {
  const user = makeUser({
    id: newId(),
    email: emailOf(contact),
    'first-name': contact['first-name'],
    'last-name': contact['last-name'],
    'invitation-accepted-at': '2024-01-05T10:30:00.000Z',
    ...over,
  });
  fake.data.users.push(user);
  return user;
}

/** A customer contact who is an IT Glue Lite user. */
function newCustomerUser(customer: Customer, first = 'Lee', over: Partial<FakeUser> = {}) {
  const contact = newContact(customer.orgId, first);
  return { contact, user: newUser(contact, over) };
}

const group = (id: string) => fake.data.groups.find((g) => g.id === id)!;
const traitsOf = (customer: Customer) => fake.data.flexibleAssets.find((a) => a.id === customer.assetId)!.traits;
const assetPatches = () => fake.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/flexible_assets'));
const groupPatches = () => fake.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/groups'));

function request(orgId: string, contactId: string, userId: string, over: Partial<OffboardingRequest> = {}): OffboardingRequest {
  return { orgId, contactId, userId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1', ...over };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => new Error('it succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

// ---- validateOffboarding -----------------------------------------------------------------------

describe('validateOffboarding', () => {
  it("accepts the contact's IT Glue Lite user, with the primary contact by the policy's rule", async () => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer);
    const v = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id), POLICY);
    expect(v).toEqual({
      ok: true,
      org: { id: customer.orgId, name: customer.name },
      contact: { contactId: contact.id, name: contact.name, firstName: 'Lee', email: emailOf(contact) },
      user: expect.objectContaining({ id: user.id, email: user.email, roleName: 'Lite', myGlue: false }),
      primaryContact: expect.objectContaining({ contactId: customer.primaryId }),
    });
  });

  it.each(['Lite', 'Creator', 'Editor'])('accepts a MyGlue user with role %s as a customer user', async (role) => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer, 'Max', { 'my-glue': true, 'role-name': role, 'my-glue-account-id': SEED.myGlueAccount.acme });
    const v = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id, { kind: 'myglue' }), POLICY);
    expect(v).toMatchObject({ ok: true, contact: { contactId: contact.id }, user: { id: user.id, myGlue: true, roleName: role } });
  });

  it('compares the emails case-insensitively', async () => {
    const customer = newCustomer();
    const contact = newContact(customer.orgId, 'Robin');
    const user = newUser(contact, { email: emailOf(contact).toUpperCase() });
    const v = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id), POLICY);
    expect(v).toMatchObject({ ok: true, user: { id: user.id } });
  });

  it('accepts the primary contact themselves, who is then also the primary contact', async () => {
    const customer = newCustomer();
    const primary = fake.data.contacts.find((c) => c.id === customer.primaryId)!;
    const user = newUser(primary);
    const v = await itglue.validateOffboarding(request(customer.orgId, primary.id, user.id), POLICY);
    expect(v).toMatchObject({ ok: true, contact: { contactId: primary.id }, primaryContact: { contactId: primary.id } });
  });

  it('takes the approver the request names over the rule', async () => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer);
    const v = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id, { approverContactId: customer.otherId }), POLICY);
    expect(v).toMatchObject({ ok: true, primaryContact: { contactId: customer.otherId } });
  });

  it.each([
    ['none', SEED.org.bluebird, SEED.contact.blakeBird],
    ['several', SEED.org.smithJones, SEED.contact.caseyClerk],
  ])("finds %s by the rule: no primary contact, and the onboarding validation's sentence why", async (_what, orgId, otherContact) => {
    const org = fake.data.organizations.find((o) => o.id === orgId)!;
    const contact = newContact(orgId, 'Una');
    const user = newUser(contact);
    const v = await itglue.validateOffboarding(request(orgId, contact.id, user.id), POLICY);
    // The onboarding of another contact there is refused for the same reason, in the same words.
    const onboarding: OnboardingRequest = { orgId, contactId: otherContact, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1' };
    const refused = await itglue.validateRequest(onboarding, POLICY);
    expect(refused.ok).toBe(false);
    expect(v).toMatchObject({ ok: true, org: { id: orgId, name: org.name }, primaryContact: null, primaryContactProblem: !refused.ok && refused.reason });
    expect(!refused.ok && refused.reason).toMatch(/primary-contact rule|No primary contact/);
  });

  describe('refuses', () => {
    it('an organization IT Glue does not have', async () => {
      const customer = newCustomer();
      const { contact, user } = newCustomerUser(customer);
      const v = await itglue.validateOffboarding(request('999999', contact.id, user.id), POLICY);
      expect(v).toEqual({ ok: false, reason: 'Organization 999999 was not found in IT Glue.' });
    });

    it("the MSP's own organization", async () => {
      const v = await itglue.validateOffboarding(request(SEED.org.msp, SEED.contact.miaManager, SEED.user.admin), POLICY);
      expect(v).toEqual({ ok: false, reason: "Northwind IT Services is your own organization, not a customer's." });
    });

    it('a contact of another organization, and one IT Glue does not have', async () => {
      const customer = newCustomer();
      const { contact, user } = newCustomerUser(newCustomer());
      const other = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id), POLICY);
      expect(other).toEqual({ ok: false, reason: `Contact ${contact.id} is not a contact of ${customer.name} in IT Glue.` });
      const unknown = await itglue.validateOffboarding(request(customer.orgId, '999998', user.id), POLICY);
      expect(unknown).toEqual({ ok: false, reason: `Contact 999998 is not a contact of ${customer.name} in IT Glue.` });
    });

    it('a user IT Glue does not have', async () => {
      const customer = newCustomer();
      const contact = newContact(customer.orgId, 'Lee');
      const v = await itglue.validateOffboarding(request(customer.orgId, contact.id, '999997'), POLICY);
      expect(v).toEqual({ ok: false, reason: 'IT Glue has no user with id 999997.' });
      expect(fake.requests.some((r) => r.path === '/users/999997' && r.status === 404)).toBe(true);
    });

    it.each(['Administrator', 'Manager', 'Editor', 'Creator', 'Read-only'])('an IT Glue user with role %s: MSP staff, named so', async (role) => {
      const customer = newCustomer();
      const { contact, user } = newCustomerUser(customer, 'Stef', { 'role-name': role });
      const v = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id), POLICY);
      expect(v).toEqual({
        ok: false,
        reason: `The IT Glue user ${user.email} has role ${role}: an MSP staff account, not a customer's Lite user. Only customer users are offboarded here.`,
      });
    });

    it("a user whose email is not the contact's", async () => {
      const customer = newCustomer();
      const contact = newContact(customer.orgId, 'Lee');
      const { user } = newCustomerUser(customer, 'Kim');
      const v = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id), POLICY);
      expect(v).toEqual({
        ok: false,
        reason: `The IT Glue user ${user.email} is not ${contact.name}'s: ${contact.name}'s email in IT Glue is ${emailOf(contact)}.`,
      });
    });

    it('a contact without an email, whose user it cannot be', async () => {
      const customer = newCustomer();
      const contact = newContact(customer.orgId, 'Nia', { 'contact-emails': [] });
      const { user } = newCustomerUser(customer, 'Kim');
      const v = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id), POLICY);
      expect(v).toEqual({ ok: false, reason: `The IT Glue user ${user.email} is not ${contact.name}'s: ${contact.name} has no email address in IT Glue.` });
    });

    it('an approver the request names who cannot approve', async () => {
      const customer = newCustomer();
      const { contact, user } = newCustomerUser(customer);
      const elsewhere = newContact(newCustomer().orgId, 'Eli');
      const foreign = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id, { approverContactId: elsewhere.id }), POLICY);
      expect(foreign).toEqual({ ok: false, reason: `Contact ${elsewhere.id} is not a contact of ${customer.name} in IT Glue.` });
      const mute = newContact(customer.orgId, 'Mo', { 'contact-emails': [] });
      const noEmail = await itglue.validateOffboarding(request(customer.orgId, contact.id, user.id, { approverContactId: mute.id }), POLICY);
      expect(noEmail).toMatchObject({ ok: false, reason: expect.stringMatching(new RegExp(`^${mute.name} has no email address in IT Glue`)) });
    });
  });
});

// ---- userById ---------------------------------------------------------------------------------

describe('userById', () => {
  it('reads the user as IT Glue has it now, and null once IT Glue answers 404', async () => {
    const customer = newCustomer();
    const { user } = newCustomerUser(customer);
    expect(await itglue.userById(user.id)).toMatchObject({ id: user.id, email: user.email, roleName: 'Lite', myGlue: false });
    fake.data.users = fake.data.users.filter((u) => u.id !== user.id);
    expect(await itglue.userById(user.id)).toBeNull();
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET /users/${user.id} 200`, `GET /users/${user.id} 404`]);
  });
});

// ---- removeAccess -----------------------------------------------------------------------------

describe('removeAccess', () => {
  it('takes the user out of both shared customer groups, and no other customer', async () => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer);
    group(SHARED.noPasswordAccess)['user-ids'].push(user.id);
    group(SHARED.passwordAccess)['user-ids'].push(user.id);
    const before = { no: [...group(SHARED.noPasswordAccess)['user-ids']], has: [...group(SHARED.passwordAccess)['user-ids']] };
    const others = fake.data.groups.filter((g) => !groupIds.includes(g.id)).map((g) => structuredClone(g));

    const removed = await itglue.removeAccess({ orgId: customer.orgId, userId: user.id, contactId: contact.id, policy: POLICY });

    expect(removed.groupsLeft.sort()).toEqual(['Customer - Has Password Access', 'Customer - No Password Access']);
    expect(removed.authorizationRemoved).toBe(false);
    // The other customers' members (Acme's, Bluebird's; Smith, Jones & Co's) stay, in their order.
    expect(group(SHARED.noPasswordAccess)['user-ids']).toEqual(before.no.filter((id) => id !== user.id));
    expect(group(SHARED.passwordAccess)['user-ids']).toEqual(before.has.filter((id) => id !== user.id));
    expect(group(SHARED.noPasswordAccess)['user-ids']).toEqual([SEED.user.paulaSignedIn, SEED.user.ottoAccepted, SEED.user.robinMixedCase]);
    expect(group(SHARED.passwordAccess)['user-ids']).toEqual([SEED.user.samPending, SEED.user.caseyExpired]);
    expect(fake.data.groups.filter((g) => !groupIds.includes(g.id))).toEqual(others);
    // One list of the groups with their members; one write per group; the record not touched.
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === '/groups').map((r) => r.query.include)).toEqual(['users']);
    expect(
      groupPatches()
        .map((r) => r.path)
        .sort(),
    ).toEqual([`/groups/${SHARED.noPasswordAccess}`, `/groups/${SHARED.passwordAccess}`].sort());
    expect(fake.requests.some((r) => r.path.startsWith('/flexible_assets'))).toBe(false);
  });

  it('takes the contact out of the authorization field, keeping every other trait and contact; nothing is written once it is out', async () => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer);
    const traits = traitsOf(customer);
    traits[FIELD] = [customer.primaryId, contact.id, customer.otherId];
    const before = structuredClone(traits);
    group(SHARED.noPasswordAccess)['user-ids'].push(user.id);

    const removed = await itglue.removeAccess({ orgId: customer.orgId, userId: user.id, contactId: contact.id, policy: RECORDING });
    expect(removed).toEqual({ groupsLeft: ['Customer - No Password Access'], authorizationRemoved: true });
    expect(traitsOf(customer)).toEqual({ ...before, [FIELD]: [customer.primaryId, customer.otherId] });
    expect(assetPatches()).toHaveLength(1);

    fake.reset();
    const again = await itglue.removeAccess({ orgId: customer.orgId, userId: user.id, contactId: contact.id, policy: RECORDING });
    expect(again).toEqual({ groupsLeft: [], authorizationRemoved: false });
    expect([...assetPatches(), ...groupPatches()]).toEqual([]);
    expect(traitsOf(customer)).toEqual({ ...before, [FIELD]: [customer.primaryId, customer.otherId] });
  });

  it("an add and a removal at one customer at once, through the record's writer, lose nothing", async () => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer);
    const newcomer = newContact(customer.orgId, 'Nell');
    traitsOf(customer)[FIELD] = [customer.primaryId, contact.id, customer.otherId];
    const before = structuredClone(traitsOf(customer));
    // The first write is slow, so that the other change arrives while it is under way.
    fake.delayNext({ ms: 300, times: 2, method: 'PATCH' });
    const [, removed] = await Promise.all([
      itglue.recordAuthorization({ orgId: customer.orgId, contactId: newcomer.id, policy: RECORDING }),
      itglue.removeAccess({ orgId: customer.orgId, userId: user.id, contactId: contact.id, policy: RECORDING }),
    ]);
    expect(removed.authorizationRemoved).toBe(true);
    const { [FIELD]: field, ...rest } = traitsOf(customer);
    expect((field as string[]).map(String).sort()).toEqual([customer.primaryId, customer.otherId, newcomer.id].sort());
    expect(rest).toEqual(Object.fromEntries(Object.entries(before).filter(([key]) => key !== FIELD)));
    // A write holds one kind of change: one add, one removal.
    expect(assetPatches()).toHaveLength(2);
  });

  it('removes nothing from an organization without a Site Summary, and says so', async () => {
    const customer = newCustomer({ asset: false });
    const { contact, user } = newCustomerUser(customer);
    const removed = await itglue.removeAccess({ orgId: customer.orgId, userId: user.id, contactId: contact.id, policy: RECORDING });
    expect(removed).toEqual({ groupsLeft: [], authorizationRemoved: false });
    expect(assetPatches()).toEqual([]);
  });

  it('fails for good, with the reason, where the organization has two Site Summaries', async () => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer);
    addSiteSummary(customer, [contact.id], newId());
    const failure = await failureOf(itglue.removeAccess({ orgId: customer.orgId, userId: user.id, contactId: contact.id, policy: RECORDING }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/has 2 "Site Summary" assets: keep one, then resume/);
    expect(assetPatches()).toEqual([]);
  });

  it('fails for good, naming the group, where IT Glue refuses the write', async () => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer);
    group(SHARED.passwordAccess)['user-ids'].push(user.id);
    // Another member is deleted in IT Glue as the write arrives: IT Glue refuses the list (422).
    const stop = fake.onRequest((r) => {
      if (r.method === 'PATCH' && r.path === `/groups/${SHARED.passwordAccess}`) fake.data.users = fake.data.users.filter((u) => u.id !== SEED.user.samPending);
    });
    const failure = await failureOf(itglue.removeAccess({ orgId: customer.orgId, userId: user.id, contactId: contact.id, policy: POLICY })).finally(stop);
    expect(groupPatches().map((r) => r.status)).toEqual([422]);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(new RegExp(`^IT Glue user ${user.id} could not be taken out of the group "Customer - Has Password Access"`));
    expect(group(SHARED.passwordAccess)['user-ids']).toContain(user.id);
  });

  it('two removals and an add to one group at once, through its writer, lose nothing', async () => {
    const customer = newCustomer();
    const [a, b, c] = ['Ana', 'Ben', 'Cy'].map((name) => newCustomerUser(customer, name)) as [
      ReturnType<typeof newCustomerUser>,
      ReturnType<typeof newCustomerUser>,
      ReturnType<typeof newCustomerUser>,
    ];
    group(SHARED.noPasswordAccess)['user-ids'].push(a.user.id, b.user.id);
    const before = [...group(SHARED.noPasswordAccess)['user-ids']];
    // Every write is slow, so that the three arrive while one is under way.
    fake.delayNext({ ms: 300, times: 3, method: 'PATCH' });
    const path = `/groups/${SHARED.noPasswordAccess}`;
    const overlaps: string[] = [];
    const stop = fake.onRequest((request) => {
      if (request.path !== path) return;
      const open = fake.requests.filter((r) => r !== request && r.path === path && r.status === 0 && !r.aborted);
      if (open.length > 0) overlaps.push(`${request.method} while ${open.map((r) => r.method).join(', ')} was unanswered`);
    });
    const add = temporal.client.workflow.executeUpdateWithStart(addGroupMember, {
      args: [c.user.id],
      startWorkflowOperation: new WithStartWorkflowOperation(groupMembership, {
        workflowId: groupMembershipWorkflowId(SHARED.noPasswordAccess),
        taskQueue: temporal.taskQueue,
        args: [SHARED.noPasswordAccess],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    const removals = [a, b].map(({ contact, user }) => itglue.removeAccess({ orgId: customer.orgId, userId: user.id, contactId: contact.id, policy: POLICY }));
    const [added, ...removed] = await Promise.all([add, ...removals]).finally(stop);

    const expected = [...before.filter((id) => id !== a.user.id && id !== b.user.id), c.user.id];
    expect(group(SHARED.noPasswordAccess)['user-ids'].sort()).toEqual(expected.sort());
    expect(removed.map((r) => r.groupsLeft)).toEqual([['Customer - No Password Access'], ['Customer - No Password Access']]);
    expect(added).toContain(c.user.id);
    // Read-modify-writes one at a time, the changes waiting meanwhile written together.
    expect(overlaps).toEqual([]);
    expect(groupPatches().length).toBeGreaterThanOrEqual(1);
    expect(groupPatches().length).toBeLessThanOrEqual(3);
  });
});

// ---- the sweep --------------------------------------------------------------------------------

describe('the sweep', () => {
  const isUserList = (r: RecordedRequest) => r.method === 'GET' && r.path === '/users';

  async function waitingForDeletion(count: number) {
    const query = `WorkflowType = "offboarding" AND ExecutionStatus = "Running" AND OnboardingStage = "AWAITING_DELETION" AND TaskQueue = "${temporal.taskQueue}"`;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if ((await temporal.client.workflow.count(query)).count >= count) return;
    }
    throw new Error(`fewer than ${count} offboardings listed in AWAITING_DELETION`);
  }

  const signalsOf = async (handle: WorkflowHandle) =>
    ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName] : [],
    );

  it('tells an offboarding waiting for the deletion that its user is gone, not one whose user IT Glue still lists, at the cost of one user listing', async () => {
    const customer = newCustomer();
    const gone = newCustomerUser(customer, 'Gus');
    const kept = newCustomerUser(customer, 'Kai');
    group(SHARED.noPasswordAccess)['user-ids'].push(gone.user.id, kept.user.id);
    // 2,500 other users besides: the listing takes three pages of 1,000.
    fake.data.users.push(...manyUsers(2_500 - fake.data.users.length, Number(newId()) * 10));

    const policy = testPolicy({ offboarding: { approval: 'none' } });
    const handles: WorkflowHandle[] = [];
    for (const { contact, user } of [gone, kept]) {
      const { workflowId } = await startOffboarding(temporal.client, temporal.taskQueue, request(customer.orgId, contact.id, user.id), policy);
      handles.push(temporal.client.workflow.getHandle(workflowId));
    }
    started.push(...handles);
    await Promise.all(handles.map((h) => waitForStage(h, 'AWAITING_DELETION', 30_000)));
    await waitingForDeletion(2);
    expect(group(SHARED.noPasswordAccess)['user-ids']).not.toContain(gone.user.id);

    // The tech deletes one of the two users in IT Glue.
    fake.data.users = fake.data.users.filter((u) => u.id !== gone.user.id);
    fake.reset();
    // A client of its own: its request count is the sweep's alone, not the offboardings' reads.
    const sweepClient = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
    const sweeper = createItGlueActivities({ client: sweepClient, temporal: temporal.client, taskQueue: temporal.taskQueue });
    const report = await sweeper.sweepUsers();

    expect(report).toMatchObject({ users: 2_499, awaitingDeletion: 2, gone: 1, itglueRequests: 3 });
    expect(fake.requests.filter(isUserList).map((r) => r.query['page[number]'] ?? '1')).toEqual(['1', '2', '3']);
    const done = await waitForStage(handles[0]!, 'COMPLETED', 30_000);
    expect(done.removal).toMatchObject({ groupsLeft: ['Customer - No Password Access'], deletedAt: expect.any(String) });
    expect(await signalsOf(handles[0]!)).toContain('userGone');

    // The other is still there: not told, and IT Glue never asked about it by id.
    expect(await signalsOf(handles[1]!)).not.toContain('userGone');
    expect((await waitForStage(handles[1]!, 'AWAITING_DELETION')).stage).toBe('AWAITING_DELETION');
    expect(fake.requests.filter((r) => r.path === `/users/${kept.user.id}`)).toEqual([]);
    // The offboarding confirmed the deletion with one read of its own, which IT Glue answered 404.
    expect(fake.requests.filter((r) => r.path === `/users/${gone.user.id}`).map((r) => r.status)).toEqual([404]);
  });
});

describe('requests per offboarding, measured', () => {
  it('one complete removal (validation, both writers, the deletion check) costs a fixed handful of IT Glue requests', async () => {
    const customer = newCustomer();
    const { contact, user } = newCustomerUser(customer);
    fake.data.flexibleAssets.find((a) => a.id === customer.assetId)!.traits[FIELD] = [customer.primaryId, contact.id];
    group(SHARED.noPasswordAccess)['user-ids'].push(user.id);
    fake.reset();

    const policy = testPolicy({ offboarding: { approval: 'none' }, authorization: { record: true } });
    const { workflowId } = await startOffboarding(temporal.client, temporal.taskQueue, request(customer.orgId, contact.id, user.id), policy);
    const handle = temporal.client.workflow.getHandle(workflowId);
    started.push(handle);
    await waitForStage(handle, 'AWAITING_DELETION', 30_000);
    const removal = fake.requests.length;

    // The tech deletes the user; the sweep's word (its listing is counted with the sweep, not here) is one signal.
    fake.data.users = fake.data.users.filter((u) => u.id !== user.id);
    await handle.signal('userGone', { userId: user.id });
    const done = await waitForStage(handle, 'COMPLETED', 30_000);
    expect(done.removal).toMatchObject({ groupsLeft: ['Customer - No Password Access'], authorizationRemoved: true });
    const total = fake.requests.length;
    const kinds = fake.requests.map((r) => `${r.method} ${r.path.replace(/\d+/g, ':id')}`);
    console.log(
      `IT Glue requests for one complete offboarding: ${total} (${removal} to validate and remove, ${total - removal} to confirm the deletion): ${kinds.join(', ')}`,
    );
    // Validation 4 (organization, contact, user, primary contacts), the group listing, one group read + write,
    // the Site Summary's type, asset and write, and one read of the deleted user.
    expect(total).toBeLessThanOrEqual(12);
    expect(total - removal).toBe(1);
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });
});

// ---- the stand-ins without ITGLUE_API_KEY ---------------------------------------------------

describe('the IT Glue stand-ins', () => {
  it('validate as simulated, remove from the groups the policy names, and find the user deleted once asked', async () => {
    const lines: Array<{ event: string; fields: Record<string, unknown> }> = [];
    const standIns = loggingItGlueActivities((event, fields) => void lines.push({ event, fields }));
    const v = await standIns.validateOffboarding(request('77', '78', '79'), POLICY);
    expect(v).toMatchObject({
      ok: true,
      simulated: true,
      org: { id: '77', name: 'Organization 77' },
      contact: { contactId: '78', email: 'contact-78@example.invalid' },
      user: { id: '79', email: 'contact-78@example.invalid', roleName: 'Lite', myGlue: false },
      primaryContact: { email: expect.stringMatching(/@example\.invalid$/) },
    });
    expect(await standIns.removeAccess({ orgId: '77', userId: '79', contactId: '78', policy: RECORDING })).toEqual({
      groupsLeft: ['Customer - No Password Access', 'Customer - Has Password Access'],
      authorizationRemoved: true,
    });
    expect(await standIns.userById('79')).toBeNull();
    expect(lines.map((l) => l.event)).toEqual(['itglue.validateOffboarding', 'itglue.removeAccess', 'itglue.userById']);
  });
});
