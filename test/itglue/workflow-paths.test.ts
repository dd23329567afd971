/**
 * The paths of the onboarding workflow once more, with the real IT Glue
 * activities against the fake IT Glue server and recording mail / Slack: each test checks the
 * stage path, the events, the IT Glue requests the fake received, and the mail / Slack calls.
 * Approval given with a mismatch fixed, a single expiry resent by the button, and 2FA confirmed by
 * the tech (MyGlue) are in onboarding-itglue.test.ts.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { startOnboarding } from '../../src/onboardings';
import { ItGlueClient } from '../../src/itglue/client';
import {
  cancel,
  changeApprover,
  decide,
  DECISION_REFUSED,
  invitationResent,
  invitationSent,
  offlineApproval,
  resume,
  status as statusQuery,
} from '../../workflows/messages';
import type { onboarding } from '../../workflows/onboarding';
import type { Policy } from '../../workflows/policy';
import { workflowIdFor, type DecisionInput, type OnboardingEvent, type OnboardingRequest, type OnboardingStatus } from '../../workflows/types';
import {
  defaultSeed,
  makeContact,
  makeFlexibleAsset,
  makeGroup,
  makeOrganization,
  makeUser,
  SEED,
  startFakeItGlue,
  type FakeItGlue,
  type FakeUser,
  type RecordedRequest,
} from '../fakes/itglue-server';
import { FakeWorld } from '../support/fake-activities';
import {
  connectTemporal,
  startOnboardingWorkflow,
  updateRefusal,
  endAuthorizationWriters,
  endGroupWriters,
  testPolicy,
  waitForApprovalRequest,
  waitForStage,
  waitForStatus,
  type TestTemporal,
} from '../support/temporal';

let temporal: TestTemporal;
let fake: FakeItGlue;
let itglue: ReturnType<typeof createItGlueActivities>;
let world: FakeWorld;
let stopWorkers: () => Promise<void>;
let started: WorkflowHandle[] = [];

/**
 * The customer group of this file's onboardings. Group writes go through one workflow per group
 * id for the whole namespace, so a group of its own keeps them on this file's workers and fake.
 */
const GROUP = { id: '3907', name: 'Customer - Lite (workflow paths)' };
/** The other customer group of the default policy (password access). */
const OTHER_GROUP = { id: SEED.group.hasPasswordAccess, name: 'Customer - Has Password Access' };
/** Contacts created here get ids from this base: their onboardings' ids and emails are this run's own. */
const CONTACT_BASE = randomInt(10_000, 90_000) * 100_000;
/**
 * The organization of this file's authorization records, a copy of Acme Dental with its primary
 * contact and Site Summary. Each organization's record has one writer workflow
 * (`itglue-authorization:<orgId>`) for the whole namespace, so an organization of its own keeps
 * this file's writes on this file's workers and fake.
 */
const SITE = { orgId: String(randomInt(100_000, 900_000)), assetId: String(randomInt(100_000, 900_000)), primaryId: String(CONTACT_BASE) };
let contacts = 0;
let users = 0;

beforeAll(async () => {
  [temporal, fake] = await Promise.all([connectTemporal(), startFakeItGlue()]);
  const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });
  itglue = createItGlueActivities({ client, temporal: temporal.client, taskQueue: temporal.taskQueue });
  world = new FakeWorld();
  // Mail and Slack are recorded; every IT Glue activity is the real one.
  stopWorkers = await temporal.startWorkers({ ...world.activities(), ...itglue });
});
afterAll(async () => {
  await endGroupWriters(temporal.client, [GROUP.id]);
  await endAuthorizationWriters(temporal.client, [SITE.orgId]);
  await stopWorkers();
  await Promise.all([temporal.close(), fake.close()]);
});
beforeEach(() => {
  fake.load(defaultSeed());
  fake.reset();
  // The sweep lists every waiting onboarding of the namespace: without the seed's pending
  // invitations, this file's sweeps cannot reach another file's onboardings of those invitees.
  fake.data.users = fake.data.users.filter((u) => u.id !== SEED.user.samPending && u.id !== SEED.user.caseyExpired);
  fake.data.groups.push(makeGroup({ id: GROUP.id, name: GROUP.name, 'organization-ids': [SEED.org.acme] }));
  const acmeSite = fake.data.flexibleAssets.find((a) => a.id === SEED.flexibleAsset.acmeSite)!;
  fake.data.organizations.push(makeOrganization({ id: SITE.orgId, name: 'Acme Dental (workflow paths)' }));
  fake.data.contacts.push(
    makeContact({
      id: SITE.primaryId,
      'organization-id': SITE.orgId,
      'first-name': 'Pia',
      'last-name': 'Paths',
      'contact-type-id': SEED.contactType.primary,
      email: `pia.${SITE.primaryId}@acme-dental.test`,
    }),
  );
  fake.data.flexibleAssets.push(makeFlexibleAsset({ ...structuredClone(acmeSite), id: SITE.assetId, 'organization-id': SITE.orgId }));
});
afterEach(async (context) => {
  await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
  started = [];
  console.log(`${context.task.name}: ${fake.requests.length} IT Glue requests`);
});

// ---- helpers ---------------------------------------------------------------------------------

interface Invitee {
  contactId: string;
  name: string;
  email: string;
}

/** A new contact of Acme Dental (whose primary contact by the rule is Paula), not yet an IT Glue user. */
function newInvitee(firstName: string, orgId: string = SEED.org.acme): Invitee {
  contacts += 1;
  const contactId = String(CONTACT_BASE + contacts);
  const email = `${firstName.toLowerCase()}.${contactId}@acme-dental.test`;
  fake.data.contacts.push(makeContact({ id: contactId, 'organization-id': orgId, 'first-name': firstName, 'last-name': 'Paths', email }));
  return { contactId, name: `${firstName} Paths`, email };
}

/** The invitee's IT Glue user as the tech creates it: a Lite user invited now. */
function createUser(email: string): FakeUser {
  users += 1;
  const user = makeUser({ id: String(77_000 + users), email, 'role-name': 'Lite', 'invitation-sent-at': new Date().toISOString() });
  fake.data.users.push(user);
  return user;
}

const group = () => fake.data.groups.find((g) => g.id === GROUP.id)!;
const PAULA = { contactId: SEED.contact.paulaPrimary, name: 'Paula Primary', email: 'paula.primary@acme-dental.test' };

/** Per-customer groups (the `group` model): the group must reach the onboarded organization. */
function policy(over: Parameters<typeof testPolicy>[0] = {}): Policy {
  return testPolicy({ ...over, groups: { noPasswordAccess: GROUP.name, organizationAccess: 'group', nameTemplate: '{group}', ...over.groups } });
}

function request(invitee: Invitee, over: Partial<OnboardingRequest> = {}): OnboardingRequest {
  return { orgId: SEED.org.acme, contactId: invitee.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1', ...over };
}

async function start(req: OnboardingRequest, p: Policy = policy()): Promise<WorkflowHandle<typeof onboarding>> {
  const handle = await startOnboardingWorkflow(temporal, req, p, `${workflowIdFor(req.orgId, req.contactId)}:${randomUUID().slice(0, 8)}`);
  started.push(handle);
  return handle;
}

const decision = (s: OnboardingStatus, over: Partial<DecisionInput> = {}): DecisionInput => ({
  decision: 'approve',
  round: s.approvalRound,
  approverContactId: s.approver!.contactId,
  ip: '198.51.100.7',
  ...over,
});

const stagePath = (s: OnboardingStatus) => s.stages.map((v) => v.stage);
const eventTypes = (s: OnboardingStatus) => s.events.filter((e) => e.type !== 'stage').map((e) => e.type);

/** A request as `METHOD /path?query` (paging parameters left out), to compare whole lists. */
function shown(r: RecordedRequest): string {
  const query = Object.entries(r.query)
    .filter(([key]) => !key.startsWith('page['))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return `${r.method} ${r.path}${query ? `?${query}` : ''}`;
}
const isSweep = (r: RecordedRequest) => r.method === 'GET' && r.path === '/users' && r.query['filter[email]'] === undefined;
/** IT Glue requests from the `from`-th on, sweeps left out. */
const requests = (from = 0) =>
  fake.requests
    .slice(from)
    .filter((r) => !isSweep(r))
    .map(shown);
const sweeps = () => fake.requests.filter(isSweep).length;

/** What validating a request for a contact of Acme Dental (or of another organization) asks IT Glue. */
const validation = (invitee: Invitee, orgId: string = SEED.org.acme) => [
  `GET /organizations/${orgId}`,
  `GET /contacts/${invitee.contactId}`,
  `GET /users?filter[email]=${invitee.email}`,
  `GET /contacts?filter[organization_id]=${orgId}`,
];
/**
 * What verifying a user who is not yet in the group asks IT Glue: the user, both customer groups
 * (the user must be in exactly one), and the add through the group's writer.
 */
const GROUP_INCLUDE = 'include=users,organizations,resource_type_restrictions';
const verification = (email: string) => [
  `GET /users?filter[email]=${email}`,
  `GET /groups?filter[name]=${GROUP.name},${OTHER_GROUP.name}`,
  `GET /groups/${GROUP.id}?${GROUP_INCLUDE}`,
  `GET /groups/${OTHER_GROUP.id}?${GROUP_INCLUDE}`,
  `GET /groups/${GROUP.id}?${GROUP_INCLUDE}`,
  `PATCH /groups/${GROUP.id}`,
];

const SLACK_CALLS = new Set(['updateThread', 'postToThread']);
const forWorkflow = (args: unknown[], workflowId: string) => (args[0] as { workflowId?: string } | undefined)?.workflowId === workflowId;
/** Mail calls (names, in order) made for the onboarding. */
const mails = (workflowId: string) => world.calls.filter((c) => !SLACK_CALLS.has(c.name) && forWorkflow(c.args, workflowId)).map((c) => c.name);
const mailsOf = (name: string, workflowId: string) =>
  world
    .callsOf(name)
    .filter((a) => forWorkflow(a, workflowId))
    .map((a) => a[0] as Record<string, unknown>);
/** Events posted to the onboarding's Slack thread, in order. */
const posts = (workflowId: string) =>
  world
    .callsOf('postToThread')
    .filter((a) => forWorkflow(a, workflowId))
    .map((a) => (a[0] as { event: OnboardingEvent }).event);
/** The status as the thread's root message was last drawn. */
const threadShows = (workflowId: string) =>
  world
    .callsOf('updateThread')
    .filter((a) => forWorkflow(a, workflowId))
    .at(-1)![0] as OnboardingStatus;

/** The failure type of a refused decision. */
const refusal = async (promise: Promise<unknown>) => (await updateRefusal(promise)).type ?? '';

/** Runs the sweep until the status fits (visibility is eventually consistent). */
async function sweepUntil(handle: WorkflowHandle, until: (s: OnboardingStatus) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await itglue.sweepUsers();
    try {
      return await waitForStatus(handle, until, 1_500);
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts an onboarding of a new Acme contact and approves it through the link; returns once `until` holds. */
async function approved(invitee: Invitee, p: Policy = policy(), until: (s: OnboardingStatus) => boolean = (x) => x.stage === 'AWAITING_INVITE') {
  const handle = await start(request(invitee), p);
  const waiting = await waitForApprovalRequest(handle);
  await handle.executeUpdate(decide, { args: [decision(waiting)] });
  await waitForStatus(handle, until);
  return handle;
}
const inStage = (stage: string) => (s: OnboardingStatus) => s.stage === stage;

// ---- approval ---------------------------------------------------------------------------------

describe('approval', () => {
  it('needs none when the invitee is the primary contact by the rule, and onboards them to the first sign-in', async () => {
    // Pat is the only contact of Smith of the contact type Primary.
    const pat = { contactId: SEED.contact.patSmith, name: 'Pat Smith', email: 'pat@smith-vendor.test' };
    group()['organization-ids'] = [SEED.org.smith];
    const handle = await start({ orgId: SEED.org.smith, contactId: pat.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1' });
    const invite = await waitForStage(handle, 'AWAITING_INVITE');
    expect(invite).toMatchObject({ approver: null, approvalRound: 0, evidence: { via: 'not-needed' }, waitingOn: 'tech' });
    expect(requests()).toEqual([
      `GET /organizations/${SEED.org.smith}`,
      `GET /contacts/${pat.contactId}`,
      `GET /users?filter[email]=${pat.email}`,
      `GET /contacts?filter[organization_id]=${SEED.org.smith}`,
    ]);

    const user = createUser(pat.email);
    await handle.signal(invitationSent, { by: 'UTECH1' });
    await waitForStage(handle, 'AWAITING_ACCEPTANCE');
    expect(requests(4)).toEqual([`GET /users?filter[email]=${pat.email}`, ...verification(pat.email)]);
    expect(group()['user-ids']).toEqual([user.id]);

    const now = new Date().toISOString();
    Object.assign(user, { 'invitation-accepted-at': now, 'current-sign-in-at': now });
    const before = fake.requests.length;
    await sweepUntil(handle, (s) => s.stage === 'COMPLETED');
    const s = await handle.result();
    expect(stagePath(s)).toEqual(['VALIDATING', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE', 'VERIFYING', 'AWAITING_ACCEPTANCE', 'AWAITING_2FA', 'COMPLETED']);
    expect(eventTypes(s)).toEqual([
      'validated',
      'approval-not-needed',
      'instructions-sent',
      'invitation-sent',
      'user-found',
      'group-changed',
      'verified',
      'accepted',
      'signed-in',
      'completed',
    ]);
    // Acceptance and sign-in cost only the sweeps.
    expect(requests(before)).toEqual([]);
    expect(sweeps()).toBeGreaterThanOrEqual(1);
    expect(mails(s.workflowId)).toEqual(['sendInstructions']);
    expect(mailsOf('sendInstructions', s.workflowId)[0]).toMatchObject({
      invitee: { contactId: pat.contactId, email: pat.email },
      org: { id: SEED.org.smith, name: 'Smith' },
    });
    expect(posts(s.workflowId).map((e) => e.type)).toEqual([
      'approval-not-needed',
      'instructions-sent',
      'invitation-sent',
      'user-found',
      'group-changed',
      'verified',
      'accepted',
      'signed-in',
      'completed',
    ]);
  });

  it('ends DENIED on a denial: a receipt to the approver, nothing recorded or changed in IT Glue', async () => {
    const invitee = newInvitee('Dana');
    const asset = () => fake.data.flexibleAssets.find((a) => a.id === SEED.flexibleAsset.acmeSite)!;
    const traits = structuredClone(asset().traits);
    const handle = await start(request(invitee), policy({ authorization: { record: true } }));
    const waiting = await waitForApprovalRequest(handle);
    expect(waiting.approver).toMatchObject(PAULA);
    await handle.executeUpdate(decide, { args: [decision(waiting, { decision: 'deny', comment: 'Not this one' })] });
    const s = await handle.result();

    expect(stagePath(s)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'DENIED']);
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'denied']);
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'deny', round: 1, comment: 'Not this one', approver: PAULA });
    expect(requests()).toEqual(validation(invitee));
    expect(asset().traits).toEqual(traits);
    expect(mails(s.workflowId)).toEqual(['sendApprovalRequest', 'sendDecisionReceipt']);
    expect(mailsOf('sendApprovalRequest', s.workflowId)[0]).toMatchObject({
      approver: PAULA,
      invitee: { contactId: invitee.contactId, email: invitee.email },
      round: 1,
      reminder: 0,
    });
    expect(mailsOf('sendDecisionReceipt', s.workflowId)[0]).toMatchObject({ approver: PAULA, result: { decision: 'deny', round: 1 } });
    expect(posts(s.workflowId).map((e) => e.type)).toEqual(['approval-requested', 'denied']);
    expect(threadShows(s.workflowId)).toMatchObject({ stage: 'DENIED', waitingOn: 'nobody' });
  });

  it('reminds exactly maxReminders times, escalates once, and expires without approving', async () => {
    const invitee = newInvitee('Eli');
    const p = policy({ approval: { reminderEvery: 1_000, maxReminders: 3, escalateAfter: 2_500, timeout: 5_000 } });
    const handle = await start(request(invitee), p);
    const first = await waitForApprovalRequest(handle);
    const s = await handle.result();

    expect(stagePath(s)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'APPROVAL_EXPIRED']);
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'approval-reminder', 'approval-reminder', 'escalated', 'approval-reminder', 'approval-expired']);
    expect(s.evidence).toBeNull();
    expect(Date.parse(s.stages[2]!.enteredAt) - Date.parse(s.stages[1]!.enteredAt)).toBeGreaterThanOrEqual(5_000);
    const rounds = mailsOf('sendApprovalRequest', s.workflowId).map((m) => [m.round, m.reminder, (m.approver as { email: string }).email]);
    expect(rounds).toEqual([
      [1, 0, PAULA.email],
      [2, 1, PAULA.email],
      [3, 2, PAULA.email],
      [4, 3, PAULA.email],
    ]);
    // Never approved on time-out: no receipt, no instructions, and IT Glue is only read to validate.
    expect(mails(s.workflowId)).toEqual(Array(4).fill('sendApprovalRequest'));
    expect(requests()).toEqual(validation(invitee));
    const escalated = posts(s.workflowId).filter((e) => e.type === 'escalated');
    expect(escalated.map((e) => e.text)).toEqual(['Paula Primary has not answered: ask another contact or record an approval received offline.']);
    expect(threadShows(s.workflowId)).toMatchObject({ stage: 'APPROVAL_EXPIRED', waitingOn: 'nobody' });
    // The workflow has closed: it takes no decision at all.
    await expect(handle.executeUpdate(decide, { args: [decision(first, { round: 4 })] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('asks another contact on change of approver, refusing the old round and a contact of another organization', async () => {
    const invitee = newInvitee('Finn');
    const handle = await start(request(invitee));
    const old = await waitForApprovalRequest(handle);
    expect(old.approvalRound).toBe(1);

    // Sam is a contact of another organization: not found as an approver for Acme Dental.
    await handle.signal(changeApprover, { by: 'UTECH1', approverContactId: SEED.contact.samSmith });
    const notFound = await waitForStatus(handle, (x) => eventTypes(x).includes('approver-not-found'));
    expect(notFound).toMatchObject({ approvalRound: 1, approver: PAULA });

    await handle.signal(changeApprover, { by: 'UTECH1', approverContactId: SEED.contact.alexApprover });
    const alex = { contactId: SEED.contact.alexApprover, name: 'Alex Approver', email: 'alex.approver@acme-dental.test' };
    const s2 = await waitForStatus(handle, (x) => x.approver?.contactId === alex.contactId && x.approvalRound === 2);
    expect(requests()).toEqual([...validation(invitee), `GET /contacts/${SEED.contact.samSmith}`, `GET /contacts/${alex.contactId}`]);
    expect(mailsOf('sendApprovalRequest', s2.workflowId).map((m) => [m.round, m.reminder, (m.approver as { email: string }).email])).toEqual([
      [1, 0, PAULA.email],
      [2, 0, alex.email],
    ]);

    expect(await refusal(handle.executeUpdate(decide, { args: [decision(old)] }))).toBe(DECISION_REFUSED.superseded);
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(s2, { approverContactId: PAULA.contactId })] }))).toBe(DECISION_REFUSED.superseded);
    await handle.executeUpdate(decide, { args: [decision(s2)] });
    const s = await waitForStage(handle, 'AWAITING_INVITE');

    expect(stagePath(s)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE']);
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'approver-not-found', 'approver-changed', 'approval-requested', 'approved', 'instructions-sent']);
    expect(s.events.find((e) => e.type === 'approver-not-found')!.text).toBe(
      `Contact ${SEED.contact.samSmith} cannot approve: choose another contact of Acme Dental with an email address, other than the invitee.`,
    );
    expect(s.evidence).toMatchObject({ via: 'link', decision: 'approve', round: 2, approver: alex });
    expect(mails(s.workflowId)).toEqual(['sendApprovalRequest', 'sendApprovalRequest', 'sendDecisionReceipt', 'sendInstructions']);
    expect(mailsOf('sendDecisionReceipt', s.workflowId)[0]).toMatchObject({ approver: alex, result: { decision: 'approve', round: 2 } });
    // The decision and the instructions ask IT Glue nothing more.
    expect(requests()).toEqual([...validation(invitee), `GET /contacts/${SEED.contact.samSmith}`, `GET /contacts/${alex.contactId}`]);
  });

  it('takes an approval received offline, and records the authorization in the Site Summary', async () => {
    const invitee = newInvitee('Gus', SITE.orgId);
    const asset = () => fake.data.flexibleAssets.find((a) => a.id === SITE.assetId)!;
    const { 'authorized-contacts': authorized, ...otherTraits } = structuredClone(asset().traits);
    const handle = await start(request(invitee, { orgId: SITE.orgId }), policy({ authorization: { record: true } }));
    const waiting = await waitForApprovalRequest(handle);
    await handle.signal(offlineApproval, { by: 'UTECH2', channel: 'fax', note: 'Signed form received' });
    const s = await waitForStage(handle, 'AWAITING_INVITE');

    expect(stagePath(s)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'RECORDING_AUTHORIZATION', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE']);
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested', 'approved-offline', 'authorization-recorded', 'instructions-sent']);
    expect(s.evidence).toMatchObject({ via: 'offline', channel: 'fax', note: 'Signed form received', recordedBy: 'UTECH2' });
    expect(requests()).toEqual([
      ...validation(invitee, SITE.orgId),
      'GET /flexible_asset_types?filter[name]=Site Summary',
      `GET /flexible_assets?filter[flexible_asset_type_id]=${SEED.flexibleAssetType.siteSummary}&filter[organization_id]=${SITE.orgId}`,
      `PATCH /flexible_assets/${SITE.assetId}`,
    ]);
    expect(asset().traits).toEqual({ ...otherTraits, 'authorized-contacts': [...(authorized as string[]), invitee.contactId] });
    // No receipt: the approver did not use the link.
    expect(mails(s.workflowId)).toEqual(['sendApprovalRequest', 'sendInstructions']);
    expect(posts(s.workflowId).map((e) => e.type)).toEqual(['approval-requested', 'approved-offline', 'authorization-recorded', 'instructions-sent']);
    expect(await refusal(handle.executeUpdate(decide, { args: [decision(waiting)] }))).toBe(DECISION_REFUSED.alreadyDecided);
  });

  it('returns the open onboarding on a second start for the same organization and contact', async () => {
    const invitee = newInvitee('Hana');
    const first = await startOnboarding(temporal.client, temporal.taskQueue, request(invitee, { ticket: 'T-1' }), policy());
    const handle = temporal.client.workflow.getHandle<typeof onboarding>(first.workflowId);
    started.push(handle);
    expect(first).toEqual({ workflowId: workflowIdFor(SEED.org.acme, invitee.contactId), created: true });
    await waitForApprovalRequest(handle);
    const again = await startOnboarding(temporal.client, temporal.taskQueue, request(invitee, { ticket: 'T-2', passwordAccess: true }), policy());
    expect(again).toEqual({ workflowId: first.workflowId, created: false });

    const s = await handle.query(statusQuery);
    expect(s.request).toMatchObject({ ticket: 'T-1', passwordAccess: false });
    expect(stagePath(s)).toEqual(['VALIDATING', 'AWAITING_APPROVAL']);
    expect(eventTypes(s)).toEqual(['validated', 'approval-requested']);
    // One onboarding: validated once, one approval mail.
    expect(requests()).toEqual(validation(invitee));
    expect(mails(first.workflowId)).toEqual(['sendApprovalRequest']);

    // Once it has ended, a start opens a new one.
    await handle.signal(cancel, { by: 'UTECH1' });
    expect((await handle.result()).stage).toBe('CANCELLED');
    const firstRun = (await handle.describe()).runId;
    const third = await startOnboarding(temporal.client, temporal.taskQueue, request(invitee), policy());
    expect(third).toEqual({ workflowId: first.workflowId, created: true });
    const next = temporal.client.workflow.getHandle<typeof onboarding>(first.workflowId);
    started.push(next);
    await waitForApprovalRequest(next);
    expect((await next.describe()).runId).not.toBe(firstRun);
    expect(requests()).toEqual([...validation(invitee), ...validation(invitee)]);
  });
});

// ---- invitation ---------------------------------------------------------------------------------

describe('invitation', () => {
  it('reminds the tech exactly maxTechReminders times, then finds the user by the sweep', async () => {
    const invitee = newInvitee('Ivo');
    const handle = await approved(invitee, policy({ invite: { remindTechAfter: 700, maxTechReminders: 2 } }));
    const afterApproval = fake.requests.length;
    const reminded = await waitForStatus(handle, (x) => eventTypes(x).filter((t) => t === 'tech-reminder').length === 2);
    await sleep(1_200);
    const later = await handle.query(statusQuery);
    expect(eventTypes(later)).toEqual(eventTypes(reminded));
    expect(later).toMatchObject({ stage: 'AWAITING_INVITE', waitingOn: 'tech', deadline: null });
    const reminders = posts(handle.workflowId).filter((e) => e.type === 'tech-reminder');
    expect(reminders.map((e) => e.text)).toEqual(Array(2).fill(`The IT Glue invitation for ${invitee.email} has not been seen yet: please send it.`));
    expect(Date.parse(reminders[1]!.at) - Date.parse(reminders[0]!.at)).toBeGreaterThanOrEqual(700);
    // Reminding costs no IT Glue request.
    expect(fake.requests.length).toBe(afterApproval);

    // "Invitation sent" before IT Glue shows the user: checked at once, not found.
    await handle.signal(invitationSent, { by: 'UTECH1' });
    await waitForStatus(handle, (x) => eventTypes(x).includes('user-not-found'));
    expect(requests(afterApproval)).toEqual([`GET /users?filter[email]=${invitee.email}`]);

    const user = createUser(invitee.email);
    const s = await sweepUntil(handle, (x) => x.stage === 'AWAITING_ACCEPTANCE');
    expect(s.user).toMatchObject({ id: user.id, email: invitee.email });
    expect(group()['user-ids']).toEqual([user.id]);
    expect(stagePath(s)).toEqual(['VALIDATING', 'AWAITING_APPROVAL', 'SENDING_INSTRUCTIONS', 'AWAITING_INVITE', 'VERIFYING', 'AWAITING_ACCEPTANCE']);
    expect(eventTypes(s)).toEqual([
      'validated',
      'approval-requested',
      'approved',
      'instructions-sent',
      'tech-reminder',
      'tech-reminder',
      'invitation-sent',
      'user-not-found',
      'user-found',
      'group-changed',
      'verified',
    ]);
    expect(requests()).toEqual([...validation(invitee), `GET /users?filter[email]=${invitee.email}`, ...verification(invitee.email)]);
    expect(sweeps()).toBeGreaterThanOrEqual(1);
    expect(mails(s.workflowId)).toEqual(['sendApprovalRequest', 'sendDecisionReceipt', 'sendInstructions']);
  });

  it('follows expiries and resends (the button, then a newer invitation seen by the sweep) up to the max, stalls, resumes and completes', async () => {
    const invitee = newInvitee('Jul');
    const user = createUser(invitee.email);
    const p = policy({ invite: { linkValidity: 1_500, maxResends: 2 } });
    const handle = await approved(invitee, p, inStage('AWAITING_ACCEPTANCE'));
    const afterVerification = fake.requests.length;
    const expiredOnce = await waitForStatus(handle, (x) => x.subState === 'INVITE_EXPIRED');
    expect(expiredOnce.waitingOn).toBe('tech');

    // The tech resets the invitation in IT Glue and presses Resent: IT Glue is checked at once.
    user['invitation-sent-at'] = new Date().toISOString();
    await handle.signal(invitationResent, { by: 'UTECH1' });
    const resent = await waitForStatus(handle, (x) => x.resends === 1 && x.subState === null);
    expect(resent.waitingOn).toBe('invitee');
    expect(requests(afterVerification)).toEqual([`GET /users?filter[email]=${invitee.email}`]);
    await waitForStatus(handle, (x) => x.subState === 'INVITE_EXPIRED');

    // Reset in IT Glue without the button: the sweep sees the newer invitation-sent-at.
    user['invitation-sent-at'] = new Date().toISOString();
    await sweepUntil(handle, (x) => x.resends === 2);
    const stalled = await waitForStage(handle, 'STALLED');
    expect(stalled).toMatchObject({ stalledFrom: 'AWAITING_ACCEPTANCE', waitingOn: 'manager', reason: 'the invitation expired 3 times without being accepted.' });
    expect(mailsOf('sendInviteExpired', stalled.workflowId).map((m) => m.expiry)).toEqual([1, 2]);

    await handle.signal(resume, { by: 'UMANAGER' });
    const resumed = await waitForStatus(handle, (x) => x.stage === 'AWAITING_ACCEPTANCE' && x.subState === 'INVITE_EXPIRED');
    expect(resumed.resends).toBe(0);

    const now = new Date().toISOString();
    Object.assign(user, { 'invitation-sent-at': now, 'invitation-accepted-at': now, 'current-sign-in-at': now });
    await sweepUntil(handle, (x) => x.stage === 'COMPLETED');
    const s = await handle.result();
    expect(stagePath(s)).toEqual([
      'VALIDATING',
      'AWAITING_APPROVAL',
      'SENDING_INSTRUCTIONS',
      'AWAITING_INVITE',
      'VERIFYING',
      'AWAITING_ACCEPTANCE',
      'STALLED',
      'AWAITING_ACCEPTANCE',
      'AWAITING_2FA',
      'COMPLETED',
    ]);
    expect(eventTypes(s)).toEqual([
      'validated',
      'approval-requested',
      'approved',
      'instructions-sent',
      'user-found',
      'group-changed',
      'verified',
      'invite-expired',
      'resent',
      'invite-expired',
      'resent',
      'stalled',
      'resumed',
      'invite-expired',
      'accepted',
      'signed-in',
      'completed',
    ]);
    expect(s.events.filter((e) => e.type === 'resent').map((e) => e.text)).toEqual([
      '<@UTECH1> resent the invitation. (resend 1 of 2)',
      'IT Glue shows a new invitation. (resend 2 of 2)',
    ]);
    // The user was known from validation, so it was verified without a click; besides the sweeps,
    // only the Resent button asked IT Glue anything after that.
    expect(requests()).toEqual([...validation(invitee), ...verification(invitee.email), `GET /users?filter[email]=${invitee.email}`]);
    expect(mailsOf('sendInviteExpired', s.workflowId).map((m) => m.expiry)).toEqual([1, 2, 3]);
    expect(mails(s.workflowId)).toEqual([
      'sendApprovalRequest',
      'sendDecisionReceipt',
      'sendInstructions',
      'sendInviteExpired',
      'sendInviteExpired',
      'sendInviteExpired',
    ]);
    expect(
      posts(s.workflowId)
        .filter((e) => e.type === 'stalled')
        .map((e) => e.text),
    ).toEqual(['Needs a manager: the invitation expired 3 times without being accepted.']);
  });
});

// ---- cancel ---------------------------------------------------------------------------------------

describe('cancel', () => {
  /** Drive a new onboarding of the invitee to the stage (and sub-state) it then waits in. */
  const drivers: Record<string, (invitee: Invitee) => Promise<WorkflowHandle<typeof onboarding>>> = {
    AWAITING_APPROVAL: async (invitee) => {
      const handle = await start(request(invitee));
      await waitForApprovalRequest(handle);
      return handle;
    },
    AWAITING_INVITE: (invitee) => approved(invitee),
    'VERIFYING (MISMATCH)': (invitee) => {
      createUser(invitee.email);
      // The group also gives access to another organization.
      group()['organization-ids'] = [SEED.org.acme, SEED.org.bluebird];
      return approved(invitee, policy(), (x) => x.subState === 'MISMATCH');
    },
    AWAITING_ACCEPTANCE: (invitee) => {
      createUser(invitee.email);
      return approved(invitee, policy(), inStage('AWAITING_ACCEPTANCE'));
    },
    'AWAITING_ACCEPTANCE (INVITE_EXPIRED)': (invitee) => {
      createUser(invitee.email);
      return approved(invitee, policy({ invite: { linkValidity: 800 } }), (x) => x.subState === 'INVITE_EXPIRED');
    },
    AWAITING_2FA: async (invitee) => {
      const user = createUser(invitee.email);
      const handle = await approved(invitee, policy(), inStage('AWAITING_ACCEPTANCE'));
      user['invitation-accepted-at'] = new Date().toISOString();
      await sweepUntil(handle, inStage('AWAITING_2FA'));
      return handle;
    },
    STALLED: (invitee) => {
      // The link expires at once and no resend is allowed.
      createUser(invitee.email);
      return approved(invitee, policy({ invite: { linkValidity: 300, maxResends: 0 } }), inStage('STALLED'));
    },
  };

  for (const [waiting, drive] of Object.entries(drivers)) {
    it(`cancels from ${waiting}`, async () => {
      const invitee = newInvitee('Kim');
      const handle = await drive(invitee);
      const before = await handle.query(statusQuery);
      const requestsBefore = fake.requests.length;
      const mailsBefore = mails(handle.workflowId);
      await handle.signal(cancel, { by: 'UMANAGER', reason: 'Customer changed their mind' });
      const s = await handle.result();

      expect(stagePath(s)).toEqual([...stagePath(before), 'CANCELLED']);
      expect(stagePath(s).at(-2)).toBe(waiting.split(' ')[0]);
      expect(s.events.slice(0, before.events.length)).toEqual(before.events);
      expect(s.events.slice(before.events.length).map((e) => e.type)).toEqual(['cancelled', 'stage']);
      expect(s.events.at(-2)).toMatchObject({ by: 'UMANAGER', text: 'Cancelled by <@UMANAGER>: Customer changed their mind' });
      expect(s.reason).toBe('Customer changed their mind');
      // After the cancel, only Slack hears of it: no IT Glue request, no mail.
      expect(fake.requests.length).toBe(requestsBefore);
      expect(mails(handle.workflowId)).toEqual(mailsBefore);
      expect(posts(handle.workflowId).filter((e) => e.type === 'cancelled')).toHaveLength(1);
      expect(threadShows(handle.workflowId)).toMatchObject({ stage: 'CANCELLED', waitingOn: 'nobody', reason: 'Customer changed their mind' });
    });
  }
});
