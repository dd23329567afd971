/**
 * MyGlue password access from the groups' denied asset types: the rule (the most restrictive group
 * wins), the groups as read from the fake IT Glue over HTTP (`include=resource_type_restrictions`,
 * and the other shape the client understands), and validation, whose result carries the computed
 * access.
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { ItGlueClient } from '../../src/itglue/client';
import { ItGlueGroups } from '../../src/itglue/groups';
import { isPasswordsType, passwordVisibility } from '../../src/itglue/password-access';
import { DEFAULT_POLICY } from '../../workflows/policy';
import type { OnboardingRequest } from '../../workflows/types';
import { defaultSeed, makeGroup, SEED, startFakeItGlue, type FakeItGlue } from '../fakes/itglue-server';

let fake: FakeItGlue;
const client = () => new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 100 });

/** Two more MyGlue groups of Acme: one that allows passwords (denies configurations), one that denies them. */
const ALLOWS = '3101';
const DENIES = '3102';

beforeAll(async () => {
  fake = await startFakeItGlue();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.load(defaultSeed());
  fake.reset();
  const myGlue = { 'my-glue': true, 'my-glue-account-id': SEED.myGlueAccount.acme, 'organization-ids': [SEED.org.acme] };
  fake.data.groups.push(
    makeGroup({ id: ALLOWS, name: 'Acme - Office Managers', ...myGlue, 'resource-type-restrictions': ['Configurations', 'SSL Certificates'] }),
    makeGroup({ id: DENIES, name: 'Acme - Staff', ...myGlue, 'resource-type-restrictions': ['Configurations', 'Passwords'] }),
  );
});

describe('the rule', () => {
  it('hides passwords when any group denies the Passwords asset type, or cannot be read, or there is no group', () => {
    const allows = { name: 'Office', deniedResourceTypes: ['Configurations'] };
    const denies = { name: 'Staff', deniedResourceTypes: ['Passwords', 'Documents'] };
    const unread = { name: 'Unread', deniedResourceTypes: null };
    expect(passwordVisibility([allows])).toEqual({ visible: true, deniedBy: [], unknown: [] });
    expect(passwordVisibility([{ name: 'Open', deniedResourceTypes: [] }])).toEqual({ visible: true, deniedBy: [], unknown: [] });
    expect(passwordVisibility([denies])).toEqual({ visible: false, deniedBy: ['Staff'], unknown: [] });
    expect(passwordVisibility([allows, denies])).toEqual({ visible: false, deniedBy: ['Staff'], unknown: [] });
    expect(passwordVisibility([denies, allows])).toEqual({ visible: false, deniedBy: ['Staff'], unknown: [] });
    expect(passwordVisibility([allows, unread])).toEqual({ visible: false, deniedBy: [], unknown: ['Unread'] });
    expect(passwordVisibility([{ name: 'Absent' }])).toEqual({ visible: false, deniedBy: [], unknown: ['Absent'] });
    expect(passwordVisibility([])).toEqual({ visible: false, deniedBy: [], unknown: [] });
  });

  it('knows the Passwords asset type however it is spelt, and nothing else', () => {
    for (const name of ['Passwords', 'passwords', 'Password', ' PASSWORDS ']) expect(isPasswordsType(name), name).toBe(true);
    for (const name of ['Configurations', 'Password Policies', 'Documents', '']) expect(isPasswordsType(name), name).toBe(false);
  });
});

describe('reading the groups', () => {
  it('reads each group with its denied asset types from the included restrictions', async () => {
    const groups = new ItGlueGroups(client());
    const [allows, denies, open] = await Promise.all([groups.get(ALLOWS), groups.get(DENIES), groups.get(SEED.group.acmeMyGlue)]);
    expect(allows.deniedResourceTypes).toEqual(['Configurations', 'SSL Certificates']);
    expect(denies.deniedResourceTypes).toEqual(['Configurations', 'Passwords']);
    expect(open.deniedResourceTypes).toEqual([]);
    for (const request of fake.requests) expect(request.query.include?.split(',')).toContain('resource_type_restrictions');
    expect(passwordVisibility([allows]).visible).toBe(true);
    expect(passwordVisibility([denies]).visible).toBe(false);
    expect(passwordVisibility([allows, denies])).toEqual({ visible: false, deniedBy: ['Acme - Staff'], unknown: [] });
  });

  /** A group document of the test's making for GET /groups/<id>. */
  const answer = (id: string, document: unknown) => fake.answerNext({ body: JSON.stringify(document), times: 1, path: `/groups/${id}` });
  const group = (relationships: Record<string, unknown> | undefined, attributes: Record<string, unknown> = {}) => ({
    id: ALLOWS,
    type: 'groups',
    attributes: { name: 'Acme - Office Managers', description: null, 'my-glue': true, ...attributes },
    ...(relationships ? { relationships } : {}),
  });

  it('also understands the names listed in the group, and other attribute names of the restriction resources', async () => {
    const groups = new ItGlueGroups(client());
    answer(ALLOWS, { data: group(undefined, { 'resource-type-restrictions': ['Passwords', { name: 'Documents' }] }) });
    expect((await groups.get(ALLOWS)).deniedResourceTypes).toEqual(['Passwords', 'Documents']);

    answer(ALLOWS, {
      data: group({ resource_type_restrictions: { data: [{ id: '9', type: 'resource_type_restrictions' }] } }),
      included: [{ id: 9, type: 'resource_type_restrictions', attributes: { 'restrictable-type': 'Password' } }],
    });
    const restricted = await groups.get(ALLOWS);
    expect(restricted.deniedResourceTypes).toEqual(['Password']);
    expect(passwordVisibility([restricted]).visible).toBe(false);
  });

  it('says "unknown" (so hidden), never "nothing denied", when the restrictions cannot be told', async () => {
    const groups = new ItGlueGroups(client());
    // The relationship left out.
    answer(ALLOWS, { data: group(undefined) });
    const absent = await groups.get(ALLOWS);
    expect(absent.deniedResourceTypes).toBeNull();
    // A restriction that is not in `included`, and one that names no asset type.
    answer(ALLOWS, { data: group({ 'resource-type-restrictions': { data: [{ id: '7', type: 'resource-type-restrictions' }] } }), included: [] });
    const missing = await groups.get(ALLOWS);
    expect(missing.deniedResourceTypes).toBeNull();
    answer(ALLOWS, {
      data: group({ 'resource-type-restrictions': { data: [{ id: '7', type: 'resource-type-restrictions' }] } }),
      included: [{ id: '7', type: 'resource-type-restrictions', attributes: { 'group-id': 3101 } }],
    });
    const unnamed = await groups.get(ALLOWS);
    expect(unnamed.deniedResourceTypes).toBeNull();
    for (const g of [absent, missing, unnamed]) expect(passwordVisibility([g])).toEqual({ visible: false, deniedBy: [], unknown: ['Acme - Office Managers'] });
  });
});

describe('validation', () => {
  const activities = () => createItGlueActivities({ client: client(), temporal: {} as Client, taskQueue: 'unused' });
  const request = (over: Partial<OnboardingRequest>): OnboardingRequest => ({
    orgId: SEED.org.acme,
    contactId: SEED.contact.inesInvitee,
    kind: 'myglue',
    myGlueRole: 'Creator',
    passwordAccess: false,
    requestedBy: 'U1',
    ...over,
  });

  it('computes password access from the chosen MyGlue groups, whatever the request said', async () => {
    const cases: Array<[string[], boolean, boolean]> = [
      [[ALLOWS], false, true],
      [[DENIES], true, false],
      [[ALLOWS, DENIES], true, false],
      [[SEED.group.acmeMyGlue, ALLOWS], false, true],
    ];
    for (const [myGlueGroupIds, asked, expected] of cases) {
      const v = await activities().validateRequest(request({ myGlueGroupIds, passwordAccess: asked }), DEFAULT_POLICY);
      expect(v.ok, String(myGlueGroupIds)).toBe(true);
      expect(v.ok && v.passwordAccess, `groups ${myGlueGroupIds.join(', ')}`).toBe(expected);
    }
  });

  it('leaves IT Glue Lite requests to the tech’s choice (no computed access in the result)', async () => {
    const v = await activities().validateRequest(request({ kind: 'itglue', myGlueRole: undefined, passwordAccess: true }), DEFAULT_POLICY);
    expect(v.ok).toBe(true);
    expect(v.ok && 'passwordAccess' in v).toBe(false);
  });
});
