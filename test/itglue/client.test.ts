/**
 * The IT Glue client and its reads and writes, against the fake IT Glue server over HTTP.
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { recordAuthorizations } from '../../src/itglue/authorization';
import { filterValue, ItGlueClient } from '../../src/itglue/client';
import { ItGlueDirectory } from '../../src/itglue/directory';
import { ItGlueError } from '../../src/itglue/errors';
import { ItGlueGroups } from '../../src/itglue/groups';
import { organizationResource, userResource } from '../../src/itglue/schemas';
import { DEFAULT_POLICY } from '../../workflows/policy';
import { defaultSeed, manyUsers, SEED, startFakeItGlue, type FakeItGlue } from '../fakes/itglue-server';

let fake: FakeItGlue;
const client = (over: Partial<ConstructorParameters<typeof ItGlueClient>[0]> = {}) =>
  new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 50, ...over });

beforeAll(async () => {
  fake = await startFakeItGlue();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.load(defaultSeed());
  fake.reset();
});

describe('client', () => {
  it('reads every page, 1000 records a request, following links.next', async () => {
    fake.data.users.push(...manyUsers(2_500));
    const users = await client().list('/users', userResource);
    expect(users).toHaveLength(2_500 + defaultSeed().users.length);
    expect(new Set(users.map((u) => u.id)).size).toBe(users.length);
    expect(fake.requests.map((r) => r.query['page[size]'])).toEqual(['1000', '1000', '1000']);
    expect(fake.requests.map((r) => r.query['page[number]'] ?? '1')).toEqual(['1', '2', '3']);
  });

  it('escapes commas in filter values', async () => {
    const found = await client().list('/organizations', organizationResource, { 'filter[name]': filterValue('Smith, Jones & Co') });
    expect(found.map((o) => o.id)).toEqual([SEED.org.smithJones]);
    const unescaped = await client().list('/organizations', organizationResource, { 'filter[name]': 'Smith, Jones & Co' });
    expect(unescaped.map((o) => o.id)).not.toEqual([SEED.org.smithJones]);
  });

  it('fails at once on a bad key, saying what to fix and never showing the key', async () => {
    const secret = 'ITG.wrong-secret-key-123';
    const error = await client({ apiKey: secret })
      .list('/users', userResource)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ItGlueError);
    expect(error).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    expect((error as Error).message).toContain('check ITGLUE_API_KEY');
    expect(JSON.stringify(error)).not.toContain(secret);
    expect((error as Error).message + (error as Error).stack).not.toContain(secret);
    expect(fake.requests).toHaveLength(1);

    fake.settings.badKeyStatus = 403;
    await expect(client({ apiKey: secret }).get(`/users/${SEED.user.admin}`, userResource)).rejects.toMatchObject({ kind: 'auth', status: 403 });
  });

  it('fails at once, not retryable, on a 404 or a 422', async () => {
    await expect(client().get('/organizations/999999', organizationResource)).rejects.toMatchObject({ kind: 'not-found', status: 404, retryable: false });
    await expect(client().patch(`/groups/${SEED.group.technicians}`, { data: { type: 'groups', attributes: { accounts_user_ids: ['999999'] } } })).rejects.toMatchObject({
      kind: 'invalid',
      status: 422,
      retryable: false,
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('sends a request once: a 429 fails at once, retryable, with the Retry-After that Temporal waits', async () => {
    fake.failNext({ status: 429, times: 2, retryAfterSeconds: 7 });
    const startedAt = Date.now();
    const error = await client()
      .list('/users', userResource)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ItGlueError);
    expect(error).toMatchObject({ kind: 'rate-limited', status: 429, retryable: true, retryAfterMs: 7_000 });
    // Not waited out here: the activity fails, and Temporal retries it after the 7 s.
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(fake.requests.map((r) => r.status)).toEqual([429]);

    fake.reset();
    fake.failNext({ status: 429, times: 2 });
    await expect(client().list('/users', userResource)).rejects.toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: null });
    expect(fake.requests.map((r) => r.status)).toEqual([429]);
  });

  it('sends a request once: a server error fails at once, retryable, on any page of a list', async () => {
    for (const status of [500, 503] as const) {
      fake.reset();
      fake.failNext({ status, times: 2 });
      const error = await client()
        .list('/users', userResource)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ItGlueError);
      expect(error).toMatchObject({ kind: 'unavailable', status, retryable: true });
      expect(fake.requests.map((r) => r.status)).toEqual([status]);
    }

    // The second page fails: the list fails with it, neither page read again.
    fake.reset();
    fake.data.users.push(...manyUsers(1_500));
    fake.failNext({ status: 500, times: 2, path: '/users', where: (r) => r.query['page[number]'] === '2' });
    await expect(client().list('/users', userResource)).rejects.toMatchObject({ kind: 'unavailable', status: 500, retryable: true });
    expect(fake.requests.map((r) => [r.query['page[number]'] ?? '1', r.status])).toEqual([
      ['1', 200],
      ['2', 500],
    ]);
  });

  it('sends a request once: one that times out fails at the timeout, retryable', async () => {
    fake.delayNext({ ms: 1_000, times: 2, path: '/users' });
    const startedAt = Date.now();
    const error = await client({ timeoutMs: 200 })
      .list('/users', userResource)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ItGlueError);
    expect(error).toMatchObject({ kind: 'unavailable', status: null, retryable: true, message: 'IT Glue did not answer within 0.2 s (GET /users)' });
    // Given up after the client's timeout, not after the slow answer.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await expect.poll(() => fake.requests[0]!.aborted).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('spaces a burst of requests to its configured rate', async () => {
    const c = client({ requestsPerSecond: 20 });
    await c.request('GET', '/users', { 'page[size]': 1 }); // the connection is open before the burst
    fake.reset();
    await Promise.all(Array.from({ length: 25 }, () => c.request('GET', '/users', { 'page[size]': 1 })));
    expect(fake.requests.map((r) => r.status)).toEqual(Array(25).fill(200));
    // 20 a second: the i-th request no earlier than i × 50 ms after the first, and never 21 within a
    // second (allowing a little for the HTTP hop, which can delay one request more than another).
    const times = fake.requests.map((r) => r.time);
    times.forEach((time, i) => {
      expect(time - times[0]!).toBeGreaterThanOrEqual(i * 50 - 15);
    });
    for (let i = 20; i < times.length; i++) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(980);
  });

  it('turns an answer that is not the expected document into a typed error, not retried', async () => {
    const malformed: [body: string, where: string][] = [
      ['<html>Bad gateway</html>', 'the body'],
      [JSON.stringify({ data: { id: '1', type: 'users' } }), 'data'],
      [JSON.stringify({ data: [{ id: '1', type: 'users', attributes: { email: 5 } }] }), 'data.0.attributes.email'],
    ];
    for (const [body, where] of malformed) {
      fake.reset();
      fake.answerNext({ body, times: 1, path: '/users' });
      const error = await client()
        .list('/users', userResource)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ItGlueError);
      expect(error).toMatchObject({ kind: 'invalid-response', retryable: false });
      expect((error as Error).message).toMatch(new RegExp(`^IT Glue's answer to GET /users was not understood: ${where}: `));
      expect((error as Error).message).not.toContain(fake.apiKey);
      expect(fake.requests).toHaveLength(1);
    }
    fake.answerNext({ body: JSON.stringify({ meta: {} }), times: 1 });
    await expect(client().get(`/organizations/${SEED.org.acme}`, organizationResource)).rejects.toMatchObject({
      kind: 'invalid-response',
      message: expect.stringContaining(`GET /organizations/${SEED.org.acme} was not understood: data: `),
    });
  });

  it('reports an unreachable IT Glue as retryable', async () => {
    const gone = new ItGlueClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k' });
    await expect(gone.list('/users', userResource)).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('refuses to follow a next link to another host', async () => {
    const evil = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey });
    await expect(evil.request('GET', 'http://attacker.test/users')).rejects.toMatchObject({ kind: 'invalid' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('directory', () => {
  it('finds customer organizations by part of their name, not the MSP itself', async () => {
    const directory = new ItGlueDirectory(client());
    expect((await directory.searchOrganizations('smith')).map((o) => o.name)).toEqual(['Smith', 'Smith, Jones & Co']);
    expect((await directory.searchOrganizations('north')).map((o) => o.name)).toEqual([]);
    // Cached briefly: the second search made no request.
    expect(fake.requests).toHaveLength(1);
  });

  it("lists an organization's contacts with their primary email (else the first)", async () => {
    const contacts = await new ItGlueDirectory(client()).contactsOf(SEED.org.acme);
    const byId = new Map(contacts.map((c) => [c.id, c]));
    expect(byId.get(SEED.contact.inesInvitee)?.email).toBe('Ines.Invitee@acme-dental.test');
    expect(byId.get(SEED.contact.ottoOther)?.email).toBe('otto.other@acme-dental.test');
    expect(byId.get(SEED.contact.noraNoEmail)?.email).toBeNull();
    expect(contacts.every((c) => c.organizationId === SEED.org.acme)).toBe(true);
    expect(fake.requests[0]!.query['filter[organization_id]']).toBe(SEED.org.acme);
  });

  it('finds the primary contact by each rule, or says there are none or several', async () => {
    const directory = new ItGlueDirectory(client());
    const byType = await directory.primaryContact(SEED.org.acme, { kind: 'contact-type', contactTypeName: 'primary' });
    expect(byType).toMatchObject({ kind: 'one', contact: { id: SEED.contact.paulaPrimary } });
    expect(await directory.primaryContact(SEED.org.acme, { kind: 'contact-type', contactTypeName: 'Approver' })).toMatchObject({
      kind: 'one',
      contact: { id: SEED.contact.alexApprover },
    });
    expect(await directory.primaryContact(SEED.org.acme, { kind: 'important' })).toMatchObject({ kind: 'one', contact: { id: SEED.contact.paulaPrimary } });
    const several = await directory.primaryContact(SEED.org.smithJones, { kind: 'contact-type', contactTypeName: 'Primary' });
    expect(several.kind).toBe('several');
    expect(several.kind === 'several' && several.candidates.map((c) => c.id).sort()).toEqual([SEED.contact.samSmith, SEED.contact.joJones]);
    expect(await directory.primaryContact(SEED.org.bluebird, { kind: 'important' })).toEqual({ kind: 'none' });
  });

  it("finds the primary contact in the Site Summary's tag field: several, one or none", async () => {
    const directory = new ItGlueDirectory(client());
    const tagged = (orgId: string) => directory.primaryContact(orgId, { kind: 'flexible-asset-tag', assetTypeName: 'Site Summary', fieldNameKey: 'authorized-contacts' });
    const acme = await tagged(SEED.org.acme);
    expect(acme.kind === 'several' && acme.candidates.map((c) => c.id).sort()).toEqual([SEED.contact.paulaPrimary, SEED.contact.alexApprover]);
    expect(await tagged(SEED.org.smithJones)).toMatchObject({ kind: 'one', contact: { id: SEED.contact.samSmith } });
    expect(await tagged(SEED.org.bluebird)).toEqual({ kind: 'none' });
  });

  it('finds a user by email whatever its case, also where the filter is case-sensitive', async () => {
    const directory = new ItGlueDirectory(client());
    expect((await directory.userByEmail('ROBIN.WREN@bluebird-logistics.test'))?.id).toBe(SEED.user.robinMixedCase);
    fake.settings.emailFilter = 'case-sensitive';
    expect((await directory.userByEmail('paula.primary@ACME-DENTAL.test'))?.id).toBe(SEED.user.paulaSignedIn);
    expect(await directory.userByEmail('nobody@acme-dental.test')).toBeNull();
  });
});

describe('writes', () => {
  it('adds group members by read-modify-write, keeping every other member', async () => {
    const groups = new ItGlueGroups(client());
    const before = fake.data.groups.find((g) => g.id === SEED.group.noPasswordAccess)!['user-ids'];
    const after = await groups.addMembers(SEED.group.noPasswordAccess, [SEED.user.samPending, SEED.user.caseyExpired]);
    expect(after.memberIds).toEqual([...before, SEED.user.samPending, SEED.user.caseyExpired]);
    expect(fake.data.groups.find((g) => g.id === SEED.group.noPasswordAccess)!['user-ids']).toEqual(after.memberIds);
    // Adding someone who is already a member writes nothing.
    fake.reset();
    await groups.addMembers(SEED.group.noPasswordAccess, [SEED.user.samPending]);
    expect(fake.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('shows why group writes need a single writer: two at once lose a member', async () => {
    const groups = new ItGlueGroups(client());
    // Both read the old list before either write lands.
    fake.delayNext({ ms: 300, times: 2, method: 'PATCH', path: `/groups/${SEED.group.technicians}` });
    await Promise.all([groups.addMembers(SEED.group.technicians, [SEED.user.samPending]), groups.addMembers(SEED.group.technicians, [SEED.user.caseyExpired])]);
    const members = fake.data.groups.find((g) => g.id === SEED.group.technicians)!['user-ids'];
    expect(members.includes(SEED.user.samPending) && members.includes(SEED.user.caseyExpired)).toBe(false);
  });

  it('records an authorization in the Site Summary, sending back every other trait unchanged', async () => {
    const asset = () => fake.data.flexibleAssets.find((a) => a.id === SEED.flexibleAsset.acmeSite)!;
    const before = structuredClone(asset().traits);
    const c = client();
    const wrote = await recordAuthorizations(c, new ItGlueDirectory(c), {
      orgId: SEED.org.acme,
      contactIds: [SEED.contact.inesInvitee],
      assetTypeName: 'Site Summary',
      fieldNameKey: 'authorized-contacts',
    });
    expect(wrote.added).toEqual([SEED.contact.inesInvitee]);
    const after = asset().traits;
    for (const key of Object.keys(before)) if (key !== 'authorized-contacts') expect(after[key]).toEqual(before[key]);
    // The fake keeps tag traits as the id lists it was sent.
    expect(after['authorized-contacts']).toEqual([...(before['authorized-contacts'] as string[]), SEED.contact.inesInvitee]);
    const patch = fake.requests.find((r) => r.method === 'PATCH')!;
    expect(Object.keys((patch.body as { data: { attributes: { traits: object } } }).data.attributes.traits).sort()).toEqual(Object.keys(before).sort());
  });
});

describe('activities', () => {
  const activities = (temporal: object = {}) => createItGlueActivities({ client: client(), temporal: temporal as Client, taskQueue: 'unused' });

  it('hands Temporal a malformed answer as a failure that is not retried', async () => {
    fake.answerNext({ body: JSON.stringify({ data: 'users' }), times: 1, path: '/users' });
    await expect(activities().findUser('ines.invitee@acme-dental.test')).rejects.toMatchObject({
      name: 'ApplicationFailure',
      type: 'ItGlue.invalid-response',
      nonRetryable: true,
    });
  });

  it('with no onboarding waiting, the sweep makes one small request that keeps the API key in use', async () => {
    const temporal = { workflow: { list: async function* () {} } };
    expect(await activities(temporal).sweepUsers()).toEqual({ users: 0, waiting: 0, signalled: 0, itglueRequests: 1 });
    expect(fake.requests.map((r) => [r.method, r.path, r.query])).toEqual([['GET', '/users', { 'page[size]': '1' }]]);
  });

  it('says when the primary-contact rule names a contact type IT Glue does not have', async () => {
    const request = { orgId: SEED.org.acme, contactId: SEED.contact.inesInvitee, kind: 'itglue', passwordAccess: false, requestedBy: 'U1' } as const;
    const byType = (contactTypeName: string) => ({ ...DEFAULT_POLICY, primaryContact: { kind: 'contact-type', contactTypeName } as const });
    expect(await activities().validateRequest(request, byType('Owner'))).toEqual({
      ok: false,
      reason: `IT Glue has no contact type named "Owner" (the policy's primary-contact rule): correct primaryContact.contactTypeName in the policy, or choose the approver.`,
    });
    // A type that exists, but no contact of Acme has it.
    expect(await activities().validateRequest(request, byType('billing'))).toEqual({
      ok: false,
      reason: 'No primary contact of Acme Dental was found by the rule (contact type "billing"): choose the approver.',
    });
  });
});
