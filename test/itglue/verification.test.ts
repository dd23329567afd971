/** The words a tech reads when the IT Glue user does not match the request. */
import { ApplicationFailure, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { ItGlueClient } from '../../src/itglue/client';
import { groupMismatches, userMismatches } from '../../src/itglue/verification';
import type { ItGlueGroup } from '../../src/itglue/schemas';
import { DEFAULT_POLICY, type Policy } from '../../workflows/policy';
import type { ItGlueUser, OnboardingRequest } from '../../workflows/types';
import { SEED, startFakeItGlue } from '../fakes/itglue-server';

const org = { id: '10', name: 'Acme Dental' };
const request: OnboardingRequest = { orgId: '10', contactId: '1', kind: 'itglue', passwordAccess: false, requestedBy: 'U1' };
const user: ItGlueUser = {
  id: '77',
  email: 'ines@acme.test',
  roleName: 'Lite',
  myGlue: false,
  invitationSentAt: null,
  invitationAcceptedAt: null,
  currentSignInAt: null,
};
const group = (organizationIds: string[]): ItGlueGroup => ({
  id: '5',
  name: 'Customer - No Password Access',
  myGlue: false,
  memberIds: ['77'],
  organizationIds,
});

describe('userMismatches', () => {
  it('accepts a Lite IT Glue user for an IT Glue request', () => {
    expect(userMismatches(request, user)).toEqual([]);
  });

  it('names a wrong role with the fix', () => {
    expect(userMismatches(request, { ...user, roleName: 'Editor' })).toEqual([
      'The role of ines@acme.test is "Editor"; it must be "Lite" (Account → Users → edit the user → Role).',
    ]);
  });

  it('tells a MyGlue user from an IT Glue user, both ways', () => {
    expect(userMismatches(request, { ...user, myGlue: true })[0]).toMatch(/is a MyGlue user, but an IT Glue Lite user was requested/);
    const myGlue: OnboardingRequest = { ...request, kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: ['9'] };
    const found = userMismatches(myGlue, user);
    expect(found[0]).toMatch(/is an IT Glue user, but a MyGlue user was requested/);
    expect(found[1]).toMatch(/it must be "Creator"/);
    expect(userMismatches(myGlue, { ...user, myGlue: true, roleName: 'Creator' })).toEqual([]);
  });
});

describe('groupMismatches', () => {
  it('accepts a group that reaches exactly this organization', () => {
    expect(groupMismatches(group(['10']), org, request, DEFAULT_POLICY)).toEqual([]);
  });

  it('names a missing organization and extra ones', () => {
    expect(groupMismatches(group(['11']), org, request, DEFAULT_POLICY)).toEqual([
      'The group "Customer - No Password Access" does not give access to Acme Dental: add the organization to the group (Account → Groups → Customer - No Password Access).',
      'The group "Customer - No Password Access" also gives access to 1 other organization (IT Glue ids 11); it must give access to Acme Dental only.',
    ]);
  });

  it('holds a Lite user to 5 organizations even where the policy allows more and shared groups', () => {
    const shared: Policy = { ...DEFAULT_POLICY, groups: { ...DEFAULT_POLICY.groups, organizationAccess: 'group' }, limits: { maxOrganizations: 5 } };
    expect(groupMismatches(group(['10', '11', '12', '13', '14']), org, request, shared)).toEqual([]);
    expect(groupMismatches(group(['10', '11', '12', '13', '14', '15']), org, request, shared)).toEqual([
      'The group "Customer - No Password Access" gives access to 6 organizations; at most 5 are allowed for a Lite user.',
    ]);
  });

  it('holds Lite and MyGlue users to a policy maximum below 5', () => {
    const shared: Policy = { ...DEFAULT_POLICY, groups: { ...DEFAULT_POLICY.groups, organizationAccess: 'group' }, limits: { maxOrganizations: 3 } };
    const myGlue: OnboardingRequest = { ...request, kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: ['5'] };
    for (const r of [request, myGlue]) {
      expect(groupMismatches(group(['10', '11', '12']), org, r, shared)).toEqual([]);
      expect(groupMismatches(group(['10', '11', '12', '13']), org, r, shared)).toEqual([
        'The group "Customer - No Password Access" gives access to 4 organizations; at most 3 are allowed.',
      ]);
    }
  });
});

describe('verifyUser', () => {
  it('tells the tech to add the user to the group by hand when the automatic add fails', async () => {
    const fake = await startFakeItGlue();
    try {
      const refused = new WorkflowUpdateFailedError(
        'Workflow Update failed',
        ApplicationFailure.create({ message: 'IT Glue refused the request (422, PATCH /groups/301)' }),
      );
      const temporal = { workflow: { executeUpdateWithStart: () => Promise.reject(refused) } } as unknown as Client;
      const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 50 });
      const { verifyUser } = createItGlueActivities({ client, temporal, taskQueue: 'unused' });
      const acme = { id: SEED.org.acme, name: 'Acme Dental' };
      const { mismatches } = await verifyUser({
        request: { ...request, orgId: acme.id },
        org: acme,
        user: { ...user, email: 'sam.smith@smithjones.test' },
        groupNames: ['Customer - No Password Access'],
        policy: DEFAULT_POLICY,
      });
      expect(mismatches[0]).toBe(
        'sam.smith@smithjones.test could not be added to the group "Customer - No Password Access" (IT Glue refused the request (422, PATCH /groups/301)): add them in IT Glue (Account → Groups → Customer - No Password Access).',
      );
    } finally {
      await fake.close();
    }
  });
});
