/** The fake IT Glue server itself, over real HTTP with fetch. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, JSON_API, SEED, defaultSeed, makeUserMetric, manyUsers, splitFilterValue, startFakeItGlue, type FakeItGlue } from './itglue-server';

let fake: FakeItGlue;

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: any JSON:API answer, read freely by the assertions
  body: any;
}

async function call(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<Answer> {
  const response = await fetch(path.startsWith('http') ? path : `${fake.url}${path}`, {
    method,
    headers: { 'x-api-key': fake.apiKey, ...init.headers },
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
}

const get = (path: string, headers?: Record<string, string>) => call('GET', path, { headers });
const patch = (path: string, body: unknown, contentType: string | null = JSON_API) =>
  call('PATCH', path, { body, headers: contentType === null ? {} : { 'content-type': contentType } });
const post = (path: string, body: unknown) => call('POST', path, { body, headers: { 'content-type': JSON_API } });

/** `filter[name]=value` with the value URL-encoded as a client would send it. */
const q = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');

const ids = (answer: Answer): string[] => answer.body.data.map((r: { id: string }) => r.id);

function expectError(answer: Answer, status: number, title: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toBe(JSON_API);
  expect(answer.body).toEqual({ errors: [{ status: String(status), title, detail: expect.any(String) }] });
}

beforeAll(async () => {
  fake = await startFakeItGlue();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  fake.load(defaultSeed());
  Object.assign(fake.settings, { badKeyStatus: 401, emailFilter: 'case-insensitive', oversizedPage: 'clamp', rateLimit: null });
});

describe('authentication', () => {
  it('answers 401 with a JSON:API error when the key is missing or wrong, and never records the key', async () => {
    const missing = await fetch(`${fake.url}/organizations`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toBe(JSON_API);
    expect(await missing.json()).toEqual({ errors: [{ status: '401', title: 'Unauthorized', detail: expect.any(String) }] });

    expectError(await get('/organizations', { 'x-api-key': 'ITG.wrong-key' }), 401, 'Unauthorized');
    expect((await get('/organizations')).status).toBe(200);

    expect(fake.apiKey).toBe(DEFAULT_API_KEY);
    expect(fake.requests.map((r) => [r.apiKey, r.status])).toEqual([
      ['missing', 401],
      ['invalid', 401],
      ['valid', 200],
    ]);
    const recorded = JSON.stringify(fake.requests);
    expect(recorded).not.toContain(fake.apiKey);
    expect(recorded).not.toContain('ITG.wrong-key');
  });

  it('can answer 403 instead, as the vendor docs say in one place', async () => {
    fake.settings.badKeyStatus = 403;
    expectError(await get('/users', { 'x-api-key': 'ITG.wrong-key' }), 403, 'Forbidden');
  });

  it('accepts the key it was started with', async () => {
    const other = await startFakeItGlue({ apiKey: 'ITG.another', seed: {} });
    try {
      const ok = await fetch(`${other.url}/users`, { headers: { 'x-api-key': 'ITG.another' } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ data: [], meta: { 'total-count': 0, 'total-pages': 0 } });
      expect((await fetch(`${other.url}/users`, { headers: { 'x-api-key': DEFAULT_API_KEY } })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('resources', () => {
  it('renders JSON:API resources: string ids, kebab-case attributes, numeric relation ids, RFC 3339 dates', async () => {
    const answer = await get(`/organizations/${SEED.org.acme}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(JSON_API);
    expect(answer.body.data).toMatchObject({
      id: '1001',
      type: 'organizations',
      attributes: {
        name: 'Acme Dental',
        'organization-type-name': 'Customer',
        'organization-status-name': 'Active',
        'short-name': 'acme',
        primary: false,
        'my-glue-account-id': 7001,
      },
    });
    expect(answer.body.data.attributes['created-at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const msp = await get(`/organizations?${q({ 'filter[primary]': 'true' })}`);
    expect(ids(msp)).toEqual([SEED.org.msp]);
  });

  it('renders contacts with their emails, derived names and important true / false / null', async () => {
    const ines = (await get(`/contacts/${SEED.contact.inesInvitee}`)).body.data;
    expect(ines).toMatchObject({
      id: SEED.contact.inesInvitee,
      type: 'contacts',
      attributes: {
        'organization-id': 1001,
        'organization-name': 'Acme Dental',
        name: 'Ines Invitee',
        'first-name': 'Ines',
        'contact-type-id': null,
        'contact-type-name': null,
        important: null,
        'contact-emails': [
          { value: 'ines.home@mail.test', primary: false, 'label-name': 'Home' },
          { value: 'Ines.Invitee@acme-dental.test', primary: true, 'label-name': 'Work' },
        ],
      },
    });
    const paula = (await get(`/contacts/${SEED.contact.paulaPrimary}`)).body.data.attributes;
    expect(paula).toMatchObject({ 'contact-type-id': 31, 'contact-type-name': 'Primary', important: true });
    const nora = (await get(`/contacts/${SEED.contact.noraNoEmail}`)).body.data.attributes;
    expect(nora['contact-emails']).toEqual([]);

    const types = await get('/contact_types');
    expect(types.body.data.map((t: { type: string; attributes: { name: string } }) => [t.type, t.attributes.name])).toEqual([
      ['contact-types', 'Primary'],
      ['contact-types', 'Approver'],
      ['contact-types', 'Billing'],
      ['contact-types', 'Technical'],
    ]);
  });

  it('seeds users in every invitation state', async () => {
    const users = (await get('/users?page[size]=1000')).body.data as Array<{ id: string; attributes: Record<string, unknown> }>;
    const byId = new Map(users.map((u) => [u.id, u.attributes]));
    const pending = byId.get(SEED.user.samPending);
    expect(pending).toMatchObject({ 'role-name': 'Lite', 'invitation-accepted-at': null, 'current-sign-in-at': null });
    expect(Date.now() - Date.parse(pending?.['invitation-sent-at'] as string)).toBeLessThan(6 * 3_600_000);
    const expired = byId.get(SEED.user.caseyExpired);
    expect(Date.now() - Date.parse(expired?.['invitation-sent-at'] as string)).toBeGreaterThan(6 * 3_600_000);
    expect(expired?.['invitation-accepted-at']).toBeNull();
    expect(byId.get(SEED.user.ottoAccepted)).toMatchObject({ 'invitation-accepted-at': expect.any(String), 'current-sign-in-at': null });
    expect(byId.get(SEED.user.paulaSignedIn)).toMatchObject({ 'current-sign-in-at': expect.any(String), 'my-glue': false });
    expect(byId.get(SEED.user.alexMyGlue)).toMatchObject({ 'my-glue': true, 'my-glue-account-id': 7001, 'role-name': 'Creator' });
    expect(byId.get(SEED.user.admin)).toMatchObject({ 'role-name': 'Administrator' });
  });
});

describe('paging', () => {
  it('pages over more than 1000 users by following links.next', async () => {
    fake.data.users.push(...manyUsers(5000));
    const total = fake.data.users.length;
    expect(total).toBe(5009);

    const seen: string[] = [];
    let next: string | undefined = `${fake.url}/users?page[size]=1000`;
    let first: Answer | undefined;
    while (next) {
      const answer = await get(next);
      expect(answer.status).toBe(200);
      first ??= answer;
      seen.push(...ids(answer));
      next = answer.body.links.next;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(fake.requests).toHaveLength(6);
    expect(fake.requests.map((r) => r.query['page[number]'] ?? '1')).toEqual(['1', '2', '3', '4', '5', '6']);

    expect(first?.body.meta).toEqual({
      'current-page': 1,
      'next-page': 2,
      'prev-page': null,
      'total-pages': 6,
      'total-count': 5009,
      filters: {},
    });
    const links = first?.body.links;
    expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next', 'self']);
    expect(new URL(links.last).searchParams.get('page[number]')).toBe('6');
    expect(links.next.startsWith(`${fake.url}/users?`)).toBe(true);

    const last = await get(`/users?page[size]=1000&page[number]=6`);
    expect(last.body.data).toHaveLength(9);
    expect(last.body.meta).toMatchObject({ 'current-page': 6, 'next-page': null, 'prev-page': 5 });
    expect(last.body.links.next).toBeUndefined();
    expect(new URL(last.body.links.prev).searchParams.get('page[number]')).toBe('5');
  });

  it('keeps filters and sort in the links', async () => {
    fake.data.users.push(...manyUsers(5000));
    const lite = fake.data.users.filter((u) => u['role-name'] === 'Lite').length;
    expect(lite).toBeGreaterThan(1000);

    const seen: string[] = [];
    let next: string | undefined = `${fake.url}/users?${q({ 'filter[role_name]': 'Lite', sort: '-id', 'page[size]': '1000' })}`;
    while (next) {
      const answer = await get(next);
      seen.push(...ids(answer));
      next = answer.body.links.next;
    }
    expect(seen).toHaveLength(lite);
    const numbers = seen.map(Number);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    for (const request of fake.requests) {
      expect(request.query).toMatchObject({ 'filter[role_name]': 'Lite', sort: '-id', 'page[size]': '1000' });
    }
  });

  it('defaults to 50 a page, clamps sizes over 1000 (or refuses them when set to) and validates page params', async () => {
    fake.data.users.push(...manyUsers(1200));
    const defaults = await get('/users');
    expect(defaults.body.data).toHaveLength(50);
    expect(defaults.body.meta).toMatchObject({ 'total-pages': Math.ceil(1209 / 50), 'total-count': 1209 });

    const big = await get('/users?page[size]=5000');
    expect(big.body.data).toHaveLength(1000);
    expect(new URL(big.body.links.next).searchParams.get('page[size]')).toBe('1000');

    fake.settings.oversizedPage = 'reject';
    expectError(await get('/users?page[size]=1001'), 422, 'Unprocessable Entity');
    expect((await get('/users?page[size]=1000')).status).toBe(200);

    expectError(await get('/users?page[size]=0'), 422, 'Unprocessable Entity');
    expectError(await get('/users?page[number]=abc'), 422, 'Unprocessable Entity');

    const beyond = await get('/users?page[size]=1000&page[number]=9');
    expect(beyond.body.data).toEqual([]);
    expect(beyond.body.meta).toMatchObject({ 'current-page': 9, 'next-page': null, 'total-pages': 2 });
  });
});

describe('filters and sorting', () => {
  it('splits filter values on commas (OR) and reads \\, as a literal comma', async () => {
    expect(splitFilterValue('a,b\\,c,d')).toEqual(['a', 'b,c', 'd']);

    const escaped = await get(`/organizations?${q({ 'filter[name]': 'Smith\\, Jones & Co' })}`);
    expect(ids(escaped)).toEqual([SEED.org.smithJones]);
    expect(fake.requests.at(-1)?.query['filter[name]']).toBe('Smith\\, Jones & Co');

    // Unescaped, the comma separates two names: "Smith" and " Jones & Co".
    const unescaped = await get(`/organizations?${q({ 'filter[name]': 'Smith, Jones & Co' })}`);
    expect(ids(unescaped)).toEqual([SEED.org.smith]);

    const several = await get(`/organizations?${q({ 'filter[id]': `${SEED.org.bluebird},${SEED.org.acme}` })}`);
    expect(ids(several)).toEqual([SEED.org.acme, SEED.org.bluebird]);

    const assets = await get(
      `/flexible_assets?${q({ 'filter[flexible_asset_type_id]': SEED.flexibleAssetType.siteSummary, 'filter[name]': 'Smith\\, Jones & Co - Head Office' })}`,
    );
    expect(ids(assets)).toEqual([SEED.flexibleAsset.smithJonesSite]);
  });

  it('filters contacts by organization, type, important and primary email', async () => {
    const acme = await get(`/contacts?${q({ 'filter[organization_id]': SEED.org.acme, 'page[size]': '1000' })}`);
    expect(ids(acme)).toEqual(['2001', '2002', '2003', '2004', '2005']);

    const primaries = await get(`/contacts?${q({ 'filter[organization_id]': SEED.org.smithJones, 'filter[contact_type_id]': SEED.contactType.primary })}`);
    expect(ids(primaries)).toEqual([SEED.contact.samSmith, SEED.contact.joJones]);

    expect(ids(await get(`/contacts?${q({ 'filter[organization_id]': SEED.org.acme, 'filter[important]': 'true' })}`))).toEqual([SEED.contact.paulaPrimary]);
    expect(ids(await get(`/contacts?${q({ 'filter[organization_id]': SEED.org.acme, 'filter[important]': '0' })}`))).toEqual([SEED.contact.ottoOther]);

    // The primary email is the flagged one, compared case-insensitively by default.
    expect(ids(await get(`/contacts?${q({ 'filter[primary_email]': 'ines.invitee@ACME-dental.test' })}`))).toEqual([SEED.contact.inesInvitee]);
    expect(ids(await get(`/contacts?${q({ 'filter[primary_email]': 'ines.home@mail.test' })}`))).toEqual([]);
  });

  it('compares filter[email] on users case-insensitively, or case-sensitively when switched', async () => {
    const lower = `/users?${q({ 'filter[email]': 'robin.wren@bluebird-logistics.test' })}`;
    expect(ids(await get(lower))).toEqual([SEED.user.robinMixedCase]);

    fake.settings.emailFilter = 'case-sensitive';
    expect(ids(await get(lower))).toEqual([]);
    expect(ids(await get(`/users?${q({ 'filter[email]': 'Robin.Wren@Bluebird-Logistics.test' })}`))).toEqual([SEED.user.robinMixedCase]);
  });

  it('refuses unknown filters, non-numeric ids and bad booleans with 422', async () => {
    expectError(await get(`/contacts?${q({ 'filter[organization-id]': SEED.org.acme })}`), 422, 'Unprocessable Entity');
    expectError(await get(`/contacts?${q({ 'filter[organization_id]': 'Acme Dental' })}`), 422, 'Unprocessable Entity');
    expectError(await get(`/contacts?${q({ 'filter[important]': 'yes' })}`), 422, 'Unprocessable Entity');
    expectError(await get(`/users?${q({ 'filter[status]': 'invited' })}`), 422, 'Unprocessable Entity');
  });

  it('sorts users by name, email, id, created_at and updated_at, ascending or descending', async () => {
    const byEmail = (await get('/users?sort=email')).body.data.map((u: { attributes: { email: string } }) => u.attributes.email.toLowerCase());
    expect(byEmail).toEqual([...byEmail].sort());

    const byNameDesc = (await get('/users?sort=-name')).body.data.map((u: { attributes: { name: string } }) => u.attributes.name.toLowerCase());
    expect(byNameDesc).toEqual([...byNameDesc].sort().reverse());

    const newest = (await get('/users?sort=-created_at&page[size]=1')).body.data[0].id;
    expect([SEED.user.samPending, SEED.user.caseyExpired]).toContain(newest);
    expect((await get('/users?sort=updated_at')).status).toBe(200);
    expect(ids(await get('/users?sort=-id'))[0]).toBe(SEED.user.readOnly);

    expectError(await get('/users?sort=role_name'), 422, 'Unprocessable Entity');
  });

  it('ignores every filter on the nested contacts route, like IT Glue', async () => {
    const nested = await get(`/organizations/${SEED.org.acme}/relationships/contacts?${q({ 'filter[important]': 'true', 'filter[anything]': 'x' })}`);
    expect(nested.status).toBe(200);
    expect(ids(nested)).toEqual(['2001', '2002', '2003', '2004', '2005']);
    expect(nested.body.meta['total-count']).toBe(5);

    const paged = await get(`/organizations/${SEED.org.acme}/relationships/contacts?page[size]=2&page[number]=3`);
    expect(ids(paged)).toEqual(['2005']);

    expectError(await get('/organizations/999/relationships/contacts'), 404, 'Not Found');
  });
});

describe('errors', () => {
  it('answers 404 for unknown ids and routes, 405 for unsupported methods', async () => {
    expectError(await get('/users/424242'), 404, 'Not Found');
    expectError(await get('/contacts/not-a-number'), 404, 'Not Found');
    expectError(await get('/passwords'), 404, 'Not Found');
    expectError(await call('DELETE', `/groups/${SEED.group.noPasswordAccess}`), 405, 'Method Not Allowed');
  });

  it('answers 415 for a write without the JSON:API content type, 400 for a body that is not JSON', async () => {
    const body = { data: { type: 'groups', attributes: { accounts_user_ids: [] } } };
    const path = `/groups/${SEED.group.noPasswordAccess}`;
    expectError(await patch(path, body, null), 415, 'Unsupported Media Type');
    expectError(await patch(path, body, 'application/json'), 415, 'Unsupported Media Type');
    expect(fake.data.groups.find((g) => g.id === SEED.group.noPasswordAccess)?.['user-ids']).toHaveLength(3);

    expectError(await call('PATCH', path, { raw: '{"data":', headers: { 'content-type': JSON_API } }), 400, 'Bad Request');
    expect((await patch(path, body, `${JSON_API}; charset=utf-8`)).status).toBe(200);
  });

  it('answers 422 for flexible assets without the type filter, and for invalid bodies', async () => {
    const missing = await get(`/flexible_assets?${q({ 'filter[organization_id]': SEED.org.acme })}`);
    expectError(missing, 422, 'Unprocessable Entity');
    expect(missing.body.errors[0].detail).toContain('filter[flexible_asset_type_id]');

    const path = `/groups/${SEED.group.noPasswordAccess}`;
    expectError(await patch(path, { attributes: {} }), 422, 'Unprocessable Entity');
    expectError(await patch(path, { data: { type: 'users', attributes: {} } }), 422, 'Unprocessable Entity');
    expectError(await patch(path, { data: { type: 'groups', attributes: { accounts_user_ids: 'all' } } }), 422, 'Unprocessable Entity');
    expectError(await patch(path, { data: { type: 'groups', id: '302', attributes: { name: 'x' } } }), 422, 'Unprocessable Entity');
    expectError(await patch('/groups/999', { data: { type: 'groups', attributes: {} } }), 404, 'Not Found');
  });
});

describe('groups', () => {
  const path = `/groups/${SEED.group.noPasswordAccess}`;
  const members = async () => (await get(`${path}?include=users`)).body.data.relationships.users.data.map((r: { id: string }) => r.id);

  it('creates a group with its organizations (201); a taken name or an unknown organization is refused', async () => {
    const created = await post('/groups', { data: { type: 'groups', attributes: { name: 'Bluebird - Customers', organization_ids: [Number(SEED.org.bluebird)] } } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ type: 'groups', attributes: { name: 'Bluebird - Customers' } });
    const shown = await get(`/groups/${created.body.data.id}?include=organizations`);
    expect(shown.body.data.relationships.organizations.data).toEqual([{ id: SEED.org.bluebird, type: 'organizations' }]);
    expectError(await post('/groups', { data: { type: 'groups', attributes: { name: 'Bluebird - Customers' } } }), 422, 'Unprocessable Entity');
    expectError(await post('/groups', { data: { type: 'groups', attributes: { name: 'Nowhere', organization_ids: [999999] } } }), 422, 'Unprocessable Entity');
    expectError(await post('/groups', { data: { type: 'groups', attributes: { name: '' } } }), 422, 'Unprocessable Entity');
    // A group's organizations are never changed by PATCH (it is not documented there).
    expectError(await patch(`/groups/${created.body.data.id}`, { data: { type: 'groups', attributes: { organization_ids: [1] } } }), 422, 'Unprocessable Entity');
  });

  it('shows members and organizations only when included', async () => {
    // The seed's shared group reaches no organization; here it reaches two, to show them.
    fake.data.groups.find((g) => g.id === SEED.group.noPasswordAccess)!['organization-ids'] = [SEED.org.acme, SEED.org.bluebird];
    const plain = await get(path);
    expect(plain.body.data).toMatchObject({
      id: '301',
      type: 'groups',
      attributes: { name: 'Customer - No Password Access', 'my-glue': false, 'my-glue-account-id': null, 'hide-from-my-glue': false },
    });
    expect(plain.body.data.relationships).toBeUndefined();
    expect(plain.body.included).toBeUndefined();

    const full = await get(`${path}?include=users,organizations`);
    expect(full.body.data.relationships).toEqual({
      users: {
        data: [
          { id: SEED.user.paulaSignedIn, type: 'users' },
          { id: SEED.user.ottoAccepted, type: 'users' },
          { id: SEED.user.robinMixedCase, type: 'users' },
        ],
      },
      organizations: {
        data: [
          { id: SEED.org.acme, type: 'organizations' },
          { id: SEED.org.bluebird, type: 'organizations' },
        ],
      },
    });
    const included = full.body.included.map((r: { type: string; id: string; attributes: Record<string, unknown> }) => [r.type, r.id]);
    expect(included).toEqual([
      ['users', SEED.user.paulaSignedIn],
      ['users', SEED.user.ottoAccepted],
      ['users', SEED.user.robinMixedCase],
      ['organizations', SEED.org.acme],
      ['organizations', SEED.org.bluebird],
    ]);
    expect(full.body.included[0].attributes.email).toBe('paula.primary@acme-dental.test');

    const list = await get(`/groups?${q({ 'filter[name]': 'Customer - Has Password Access', include: 'users' })}`);
    expect(ids(list)).toEqual([SEED.group.hasPasswordAccess]);
    expect(list.body.included.map((r: { id: string }) => r.id)).toEqual([SEED.user.samPending, SEED.user.caseyExpired]);

    expectError(await get(`${path}?include=my_glue_account`), 422, 'Unprocessable Entity');
  });

  it("includes a group's denied asset types as restriction resources, only when asked", async () => {
    const myGlue = fake.data.groups.find((g) => g.id === SEED.group.acmeMyGlue)!;
    myGlue['resource-type-restrictions'] = ['Configurations', 'Passwords'];
    const groupPath = `/groups/${SEED.group.acmeMyGlue}`;

    expect((await get(`${groupPath}?include=users`)).body.data.relationships['resource-type-restrictions']).toBeUndefined();

    const answer = await get(`${groupPath}?include=resource_type_restrictions`);
    expect(answer.status).toBe(200);
    const restrictionIds = [`${SEED.group.acmeMyGlue}001`, `${SEED.group.acmeMyGlue}002`];
    expect(answer.body.data.relationships).toEqual({
      'resource-type-restrictions': { data: restrictionIds.map((id) => ({ id, type: 'resource-type-restrictions' })) },
    });
    expect(answer.body.included).toEqual([
      {
        id: restrictionIds[0],
        type: 'resource-type-restrictions',
        attributes: {
          'group-id': Number(SEED.group.acmeMyGlue),
          'resource-type-name': 'Configurations',
          'created-at': myGlue['created-at'],
          'updated-at': myGlue['updated-at'],
        },
      },
      {
        id: restrictionIds[1],
        type: 'resource-type-restrictions',
        attributes: {
          'group-id': Number(SEED.group.acmeMyGlue),
          'resource-type-name': 'Passwords',
          'created-at': myGlue['created-at'],
          'updated-at': myGlue['updated-at'],
        },
      },
    ]);
    // The same ids in a second read, and beside the other includes; a group that denies nothing has an empty list.
    const again = await get(`${groupPath}?include=users,organizations,resource_type_restrictions`);
    expect(again.body.data.relationships['resource-type-restrictions'].data.map((r: { id: string }) => r.id)).toEqual(restrictionIds);
    expect(again.body.included.map((r: { type: string }) => r.type)).toEqual(['users', 'organizations', 'resource-type-restrictions', 'resource-type-restrictions']);
    const open = await get(`${path}?include=resource_type_restrictions`);
    expect(open.body.data.relationships).toEqual({ 'resource-type-restrictions': { data: [] } });
    expect(open.body.included).toEqual([]);

    // In a list too.
    const list = await get(`/groups?${q({ 'filter[name]': 'Acme Dental - MyGlue Staff', include: 'resource_type_restrictions' })}`);
    expect(list.body.included.map((r: { attributes: Record<string, unknown> }) => r.attributes['resource-type-name'])).toEqual(['Configurations', 'Passwords']);
  });

  it('replaces the whole member list on PATCH accounts_user_ids', async () => {
    const answer = await patch(path, { data: { type: 'groups', attributes: { accounts_user_ids: [Number(SEED.user.tech)] } } });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ id: '301', type: 'groups', attributes: { name: 'Customer - No Password Access' } });
    expect(await members()).toEqual([SEED.user.tech]);

    // Read-modify-write keeps everyone; duplicates collapse; kebab-case spelling is accepted too.
    const current = await members();
    await patch(path, { data: { type: 'groups', attributes: { 'accounts-user-ids': [...current, SEED.user.admin, SEED.user.admin] } } });
    expect(await members()).toEqual([SEED.user.tech, SEED.user.admin]);

    // Leaving accounts_user_ids out (or null) leaves the members alone.
    await patch(path, { data: { type: 'groups', attributes: { description: 'changed', accounts_user_ids: null } } });
    expect(await members()).toEqual([SEED.user.tech, SEED.user.admin]);

    await patch(path, { data: { type: 'groups', attributes: { accounts_user_ids: [] } } });
    expect(await members()).toEqual([]);
  });

  it('loses a member when two writers each send their own read-modify-write, as the real API does', async () => {
    const before = await members();
    await Promise.all([SEED.user.tech, SEED.user.admin].map((id) => patch(path, { data: { type: 'groups', attributes: { accounts_user_ids: [...before, id] } } })));
    const after = await members();
    expect(after).toHaveLength(before.length + 1);
  });

  it('refuses unknown users and organization_ids, leaving the group unchanged', async () => {
    expectError(await patch(path, { data: { type: 'groups', attributes: { accounts_user_ids: [SEED.user.tech, 999999] } } }), 422, 'Unprocessable Entity');
    expectError(await patch(path, { data: { type: 'groups', attributes: { organization_ids: [SEED.org.acme] } } }), 422, 'Unprocessable Entity');
    expect(await members()).toEqual([SEED.user.paulaSignedIn, SEED.user.ottoAccepted, SEED.user.robinMixedCase]);
  });
});

describe('flexible assets', () => {
  const assetPath = `/flexible_assets/${SEED.flexibleAsset.acmeSite}`;

  it('finds the Site Summary type by name with its fields', async () => {
    const answer = await get(`/flexible_asset_types?${q({ 'filter[name]': 'Site Summary', include: 'flexible_asset_fields' })}`);
    expect(ids(answer)).toEqual([SEED.flexibleAssetType.siteSummary]);
    const type = answer.body.data[0];
    expect(type.type).toBe('flexible-asset-types');
    expect(type.relationships['flexible-asset-fields'].data).toHaveLength(5);
    const tag = answer.body.included.find((f: { attributes: { kind: string } }) => f.attributes.kind === 'Tag');
    expect(tag).toMatchObject({
      id: SEED.field.authorizedContacts,
      type: 'flexible-asset-fields',
      attributes: { name: 'Authorized Contacts', 'name-key': 'authorized-contacts', 'tag-type': 'Contacts', 'flexible-asset-type-id': 40 },
      relationships: { 'flexible-asset-type': { data: { id: '40', type: 'flexible-asset-types' } } },
    });
    expect(answer.body.included.map((f: { attributes: { 'name-key': string } }) => f.attributes['name-key'])).toEqual([
      'site-name',
      'authorized-contacts',
      'internet-provider',
      'after-hours-access',
      'notes',
    ]);
  });

  it('reads tag traits as {type, values} and finds an organization’s asset by type and organization', async () => {
    const answer = await get(`/flexible_assets?${q({ 'filter[flexible_asset_type_id]': SEED.flexibleAssetType.siteSummary, 'filter[organization_id]': SEED.org.acme })}`);
    expect(ids(answer)).toEqual([SEED.flexibleAsset.acmeSite]);
    expect(answer.body.data[0]).toMatchObject({
      type: 'flexible-assets',
      attributes: {
        'organization-id': 1001,
        'organization-name': 'Acme Dental',
        'flexible-asset-type-id': 40,
        'flexible-asset-type-name': 'Site Summary',
        name: 'Acme Dental - Main Office',
        traits: {
          'site-name': 'Acme Dental - Main Office',
          'authorized-contacts': {
            type: 'Contacts',
            values: [
              { id: 2001, name: 'Paula Primary', 'organization-id': 1001, 'organization-name': 'Acme Dental' },
              { id: 2005, name: 'Alex Approver', 'organization-id': 1001, 'organization-name': 'Acme Dental' },
            ],
          },
          'internet-provider': 'Comcast Business',
          'after-hours-access': true,
          notes: 'Alarm code is with the office manager.',
        },
      },
    });
  });

  it('deletes every trait a PATCH leaves out', async () => {
    const answer = await patch(assetPath, {
      data: { type: 'flexible-assets', attributes: { traits: { 'authorized-contacts': [2001, '2002'] } } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data.attributes.traits).toEqual({
      'authorized-contacts': {
        type: 'Contacts',
        values: [
          { id: 2001, name: 'Paula Primary', 'organization-id': 1001, 'organization-name': 'Acme Dental' },
          { id: 2002, name: 'Ines Invitee', 'organization-id': 1001, 'organization-name': 'Acme Dental' },
        ],
      },
    });
    expect(fake.data.flexibleAssets.find((a) => a.id === SEED.flexibleAsset.acmeSite)?.traits).toEqual({ 'authorized-contacts': ['2001', '2002'] });
  });

  it('keeps every trait that a read-modify-write sends back, and deletes nulls', async () => {
    const read = (await get(assetPath)).body.data.attributes.traits;
    const traits: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(read)) {
      traits[key] = typeof value === 'object' && value !== null && 'values' in value ? (value as { values: Array<{ id: number }> }).values.map((v) => v.id) : value;
    }
    (traits['authorized-contacts'] as number[]).push(Number(SEED.contact.inesInvitee));
    traits.notes = null;

    const answer = await patch(assetPath, { data: { type: 'flexible_assets', attributes: { traits } } });
    expect(answer.status).toBe(200);
    const after = answer.body.data.attributes.traits;
    expect(after['authorized-contacts'].values.map((v: { id: number }) => v.id)).toEqual([2001, 2005, 2002]);
    expect(after).toMatchObject({ 'site-name': read['site-name'], 'internet-provider': read['internet-provider'], 'after-hours-access': true });
    expect(after.notes).toBeUndefined();
  });

  it('refuses the read shape, unknown ids, unknown trait keys and wrong value types, changing nothing', async () => {
    const before = structuredClone(fake.data.flexibleAssets.find((a) => a.id === SEED.flexibleAsset.acmeSite)?.traits);
    const send = (traits: Record<string, unknown>) => patch(assetPath, { data: { type: 'flexible-assets', attributes: { traits } } });

    expectError(await send({ 'authorized-contacts': { type: 'Contacts', values: [{ id: 2001, name: 'Paula Primary' }] } }), 422, 'Unprocessable Entity');
    expectError(await send({ 'authorized-contacts': [999999] }), 422, 'Unprocessable Entity');
    expectError(await send({ 'site-name': 'x', 'authorised-contacts': [2001] }), 422, 'Unprocessable Entity');
    expectError(await send({ 'site-name': 42 }), 422, 'Unprocessable Entity');
    expectError(await patch(assetPath, { data: { type: 'flexible-assets', attributes: { name: 'renamed' } } }), 422, 'Unprocessable Entity');
    expect(fake.data.flexibleAssets.find((a) => a.id === SEED.flexibleAsset.acmeSite)?.traits).toEqual(before);
  });
});

describe('injected failures and delays', () => {
  it('fails the next requests with 429, with Retry-After only when asked', async () => {
    fake.failNext({ status: 429, times: 2 });
    const first = await get('/users');
    expectError(first, 429, 'Too Many Requests');
    expect(first.headers.get('retry-after')).toBeNull();
    expect((await get('/users')).status).toBe(429);
    expect((await get('/users')).status).toBe(200);

    fake.failNext({ status: 429, times: 1, retryAfterSeconds: 7 });
    const limited = await get('/users');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200, 429]);
  });

  it('scopes bursts by path (string or RegExp) and method, with 500, 502 and 503', async () => {
    fake.failNext({ status: 503, times: 1, path: '/groups' });
    fake.failNext({ status: 502, times: 1, path: /^\/flexible_assets\/\d+$/, method: 'PATCH' });
    fake.failNext({ status: 500, times: 1, path: /^\/contacts/ });

    expect((await get('/users')).status).toBe(200);
    expect((await get(`/groups/${SEED.group.noPasswordAccess}`)).status).toBe(200);
    expectError(await get('/groups'), 503, 'Service Unavailable');
    expect((await get(`/flexible_assets/${SEED.flexibleAsset.acmeSite}`)).status).toBe(200);
    const traits = { 'site-name': 'Acme Dental - Main Office' };
    expectError(await patch(`/flexible_assets/${SEED.flexibleAsset.acmeSite}`, { data: { type: 'flexible-assets', attributes: { traits } } }), 502, 'Bad Gateway');
    // Anchored at the start, /^\/contacts/ does not match the nested contacts route.
    expect((await get(`/organizations/${SEED.org.acme}/relationships/contacts`)).status).toBe(200);
    expectError(await get(`/contacts/${SEED.contact.inesInvitee}`), 500, 'Internal Server Error');
    expect((await get(`/contacts/${SEED.contact.inesInvitee}`)).status).toBe(200);
  });

  it('fails every matching request during a window, then answers again', async () => {
    fake.failFor(400, { status: 500, path: '/users' });
    fake.failFor(400, { status: 429, retryAfterSeconds: 3, path: /^\/groups\/\d+$/, method: 'PATCH' });
    for (let i = 0; i < 3; i++) expectError(await get('/users'), 500, 'Internal Server Error');
    expect((await get('/organizations')).status).toBe(200);
    expect((await get(`/groups/${SEED.group.noPasswordAccess}`)).status).toBe(200);
    const limited = await patch(`/groups/${SEED.group.noPasswordAccess}`, { data: { type: 'groups', attributes: { name: 'Renamed' } } });
    expectError(limited, 429, 'Too Many Requests');
    expect(limited.headers.get('retry-after')).toBe('3');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await get('/users')).status).toBe(200);
    expect((await patch(`/groups/${SEED.group.noPasswordAccess}`, { data: { type: 'groups', attributes: { name: 'Renamed' } } })).status).toBe(200);
  });

  it('lets a failNext rule go first within a window, and reset ends the window', async () => {
    fake.failFor(60_000, { status: 500 });
    fake.failNext({ status: 503, times: 1 });
    expect((await get('/users')).status).toBe(503);
    expect((await get('/users')).status).toBe(500);
    fake.reset();
    expect((await get('/users')).status).toBe(200);
  });

  it('tells listeners of each request before answering it, so that a rule they add applies to it', async () => {
    const seen: string[] = [];
    const stop = fake.onRequest((r) => {
      seen.push(`${r.method} ${r.path} ${r.status}`);
      if (r.path === '/contacts') fake.failFor(60_000, { status: 503 });
    });
    expect((await get('/users')).status).toBe(200);
    expectError(await get('/contacts'), 503, 'Service Unavailable');
    stop();
    expect((await get('/organizations')).status).toBe(503);
    expect(seen).toEqual(['GET /users 0', 'GET /contacts 0']);
  });

  it('answers the injected status even before checking the key', async () => {
    fake.failNext({ status: 503, times: 1 });
    expect((await get('/users', { 'x-api-key': 'ITG.wrong-key' })).status).toBe(503);
    expect((await get('/users', { 'x-api-key': 'ITG.wrong-key' })).status).toBe(401);
  });

  it('delays the next matching responses', async () => {
    fake.delayNext({ ms: 300, times: 1, path: '/users' });
    let start = Date.now();
    await get('/organizations');
    expect(Date.now() - start).toBeLessThan(250);
    start = Date.now();
    expect((await get('/users')).status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    start = Date.now();
    await get('/users');
    expect(Date.now() - start).toBeLessThan(250);
  });

  it("answers the next matching requests with a body of the test's making", async () => {
    fake.answerNext({ body: '<html>Bad gateway</html>', times: 1, path: '/users' });
    expect(ids(await get('/organizations')).length).toBeGreaterThan(0);
    const raw = await fetch(`${fake.url}/users`, { headers: { 'x-api-key': fake.apiKey } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe(JSON_API);
    expect(await raw.text()).toBe('<html>Bad gateway</html>');
    expect(fake.requests[1]).toMatchObject({ path: '/users', status: 200 });
    expect(ids(await get('/users'))).toHaveLength(defaultSeed().users.length);
  });

  it('records a request whose client gave up waiting as aborted', async () => {
    fake.delayNext({ ms: 400, times: 1 });
    await expect(fetch(`${fake.url}/users`, { headers: { 'x-api-key': fake.apiKey }, signal: AbortSignal.timeout(100) })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.requests[0]).toMatchObject({ path: '/users', aborted: true });
  });

  it('can enforce a real rate limit', async () => {
    fake.settings.rateLimit = { requests: 3, windowMs: 60_000 };
    for (let i = 0; i < 3; i++) expect((await get('/users')).status).toBe(200);
    const limited = await get('/users');
    expectError(limited, 429, 'Too Many Requests');
    expect(limited.headers.get('retry-after')).toBeNull();
    fake.reset();
    expect((await get('/users')).status).toBe(200);
  });
});

describe('request recording', () => {
  it('records method, path, decoded query, parsed body, status and time, never the key', async () => {
    const before = Date.now();
    await get(`/organizations?${q({ 'filter[name]': 'Smith\\, Jones & Co', 'page[size]': '1000' })}`);
    const body = { data: { type: 'groups', attributes: { accounts_user_ids: [Number(SEED.user.tech)] } } };
    await patch(`/groups/${SEED.group.hasPasswordAccess}`, body);
    await get('/users/424242');

    expect(fake.requests).toEqual([
      {
        method: 'GET',
        path: '/organizations',
        query: { 'filter[name]': 'Smith\\, Jones & Co', 'page[size]': '1000' },
        body: null,
        contentType: null,
        apiKey: 'valid',
        status: 200,
        time: expect.any(Number),
        aborted: false,
      },
      {
        method: 'PATCH',
        path: '/groups/302',
        query: {},
        body,
        contentType: JSON_API,
        apiKey: 'valid',
        status: 200,
        time: expect.any(Number),
        aborted: false,
      },
      expect.objectContaining({ method: 'GET', path: '/users/424242', status: 404 }),
    ]);
    expect(fake.requests[0]?.time).toBeGreaterThanOrEqual(before);
    expect(JSON.stringify(fake.requests)).not.toContain(fake.apiKey);

    fake.reset();
    expect(fake.requests).toEqual([]);
  });
});

describe('user metrics', () => {
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const dates = (answer: Answer): string[] => answer.body.data.map((r: { attributes: { date: string } }) => r.attributes.date);

  it('renders the daily figures as user-metrics resources, filtered by user and by a range of days', async () => {
    const answer = await get(`/user_metrics?${q({ 'filter[user_id]': SEED.user.paulaSignedIn, 'filter[date]': `${day(6)},${day(0)}`, sort: 'date' })}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([
      {
        id: SEED.userMetric.paulaConfigurations,
        type: 'user-metrics',
        attributes: {
          'user-id': Number(SEED.user.paulaSignedIn),
          'organization-id': Number(SEED.org.acme),
          'resource-type': 'Configurations',
          date: day(2),
          created: 0,
          viewed: 5,
          edited: 1,
          deleted: 0,
        },
      },
      expect.objectContaining({ id: SEED.userMetric.paulaPasswords, attributes: expect.objectContaining({ 'resource-type': 'Passwords', date: day(1), viewed: 3 }) }),
    ]);
    expect(answer.body.meta).toMatchObject({ 'total-count': 2 });

    // Both ends are included; days outside the range are left out.
    expect(ids(await get(`/user_metrics?${q({ 'filter[date]': `${day(1)},${day(1)}` })}`))).toEqual([SEED.userMetric.paulaPasswords]);
    expect(ids(await get(`/user_metrics?${q({ 'filter[date]': `${day(9)},${day(3)}` })}`))).toEqual([]);
    // `*` as the end is today.
    expect(ids(await get(`/user_metrics?${q({ 'filter[date]': `${day(0)},*` })}`))).toEqual([SEED.userMetric.alexDocuments]);
  });

  it('filters by organization and resource type, and sorts by the counts or the day', async () => {
    fake.data.userMetrics.push(
      makeUserMetric({ id: '8101', 'user-id': SEED.user.paulaSignedIn, 'organization-id': SEED.org.bluebird, 'resource-type': 'Passwords', date: day(1), viewed: 9 }),
      makeUserMetric({ id: '8102', 'user-id': SEED.user.paulaSignedIn, 'organization-id': SEED.org.bluebird, 'resource-type': 'Documents', date: day(3), edited: 2 }),
    );
    const bluebird = await get(`/user_metrics?${q({ 'filter[organization_id]': SEED.org.bluebird, sort: '-date' })}`);
    expect(ids(bluebird)).toEqual(['8101', '8102']);
    expect(ids(await get(`/user_metrics?${q({ 'filter[resource_type]': 'Passwords', sort: '-viewed' })}`))).toEqual(['8101', SEED.userMetric.paulaPasswords]);
    expect(dates(await get('/user_metrics?sort=date'))).toEqual([day(3), day(2), day(1), day(1), day(0)]);
    expect(ids(await get(`/user_metrics?${q({ 'filter[user_id]': SEED.user.alexMyGlue })}`))).toEqual([SEED.userMetric.alexDocuments]);
  });

  it('refuses unknown filters and sorts, and date ranges that are open at the start, malformed or longer than a week', async () => {
    const refused: Record<string, string>[] = [
      { 'filter[user-id]': SEED.user.paulaSignedIn },
      { 'filter[organization_name]': 'Acme Dental' },
      { 'filter[user_id]': 'paula' },
      { sort: 'organization_id' },
      { 'filter[date]': `${day(7)},${day(0)}` },
      { 'filter[date]': `*,${day(0)}` },
      { 'filter[date]': day(0) },
      { 'filter[date]': `${day(1)},${day(2)}` },
      { 'filter[date]': '2024-02-30,2024-03-01' },
      { 'filter[date]': `${day(9)},*` },
    ];
    for (const query of refused) {
      const answer = await get(`/user_metrics?${q(query)}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 422 });
      expectError(answer, 422, 'Unprocessable Entity');
    }
    // Exactly a week is taken.
    expect((await get(`/user_metrics?${q({ 'filter[date]': `${day(6)},${day(0)}` })}`)).status).toBe(200);
  });

  it('pages 1000 rows at a time', async () => {
    fake.data.userMetrics.push(
      ...Array.from({ length: 1200 }, (_, i) =>
        makeUserMetric({ id: String(90_000 + i), 'user-id': SEED.user.tech, 'organization-id': String(1_000 + (i % 5)), 'resource-type': `Type ${i}`, date: day(i % 7) }),
      ),
    );
    const first = await get(`/user_metrics?${q({ 'filter[user_id]': SEED.user.tech, 'filter[date]': `${day(6)},${day(0)}`, sort: 'date', 'page[size]': '1000' })}`);
    expect(first.body.data).toHaveLength(1000);
    expect(first.body.meta).toMatchObject({ 'total-count': 1200, 'total-pages': 2, 'next-page': 2 });
    const days = dates(first);
    expect(days).toEqual([...days].sort());
    const second = await get(first.body.links.next);
    expect(second.body.data).toHaveLength(200);
    expect(second.body.links.next).toBeUndefined();
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(1200);
  });
});
