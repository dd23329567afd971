/**
 * The fake IT Glue's records for the benchmark: an MSP, five customer organizations each with a
 * "Primary" contact (the approver) and as many invitee contacts as asked, the two customer groups
 * giving access to the five organizations, and a few MSP users. Invitee n is contact `30000 + n`.
 */
import { makeContact, makeGroup, makeOrganization, makeUser, type FakeContactType, type FakeItGlueData, type FakeUser } from '../../test/fakes/itglue-server';
import type { Policy } from '../../workflows/policy';
import type { OnboardingRequest, Person } from '../../workflows/types';

export const ORG_IDS = ['1101', '1102', '1103', '1104', '1105'] as const;
const PRIMARY_TYPE = '31';

export interface Invitee {
  orgId: string;
  orgName: string;
  person: Person;
  approver: Person;
}

const orgName = (orgId: string) => `Customer ${orgId}`;

export function approverOf(orgId: string): Person {
  return { contactId: `2${orgId}`, name: `Pat Primary ${orgId}`, firstName: 'Pat', email: `pat.primary@customer${orgId}.example` };
}

export function invitee(n: number): Invitee {
  const orgId = ORG_IDS[n % ORG_IDS.length]!;
  return {
    orgId,
    orgName: orgName(orgId),
    person: { contactId: String(30_000 + n), name: `Ivy Invitee ${n}`, firstName: 'Ivy', email: `ivy.invitee.${n}@customer${orgId}.example` },
    approver: approverOf(orgId),
  };
}

export function requestFor(n: number, requestedBy: string): OnboardingRequest {
  const i = invitee(n);
  return { orgId: i.orgId, contactId: i.person.contactId, kind: 'itglue', passwordAccess: false, requestedBy };
}

/** The IT Glue user a tech creates for invitee n; `accepted` also has the invitation accepted and a first sign-in. */
export function userFor(n: number, accepted: boolean, at = new Date().toISOString()): FakeUser {
  const i = invitee(n);
  return makeUser({
    id: String(500_000 + n),
    email: i.person.email,
    'first-name': 'Ivy',
    'last-name': `Invitee ${n}`,
    'role-name': 'Lite',
    'invitation-sent-at': at,
    'invitation-accepted-at': accepted ? at : null,
    'current-sign-in-at': accepted ? at : null,
  });
}

/** Records with invitees `from` … `from + count - 1` as contacts (only those that are validated need to be). */
export function benchSeed(invitees: { from: number; count: number }, policy: Policy): FakeItGlueData {
  const contactTypes: FakeContactType[] = [{ id: PRIMARY_TYPE, name: 'Primary', 'created-at': new Date(0).toISOString(), 'updated-at': new Date(0).toISOString() }];
  const organizations = [
    makeOrganization({ id: '1100', name: 'Bench IT Services', primary: true, 'organization-type-name': 'Owner' }),
    ...ORG_IDS.map((id) => makeOrganization({ id, name: orgName(id) })),
  ];
  const contacts = ORG_IDS.map((orgId) => {
    const a = approverOf(orgId);
    return makeContact({
      id: a.contactId,
      'organization-id': orgId,
      'first-name': a.firstName,
      'last-name': `Primary ${orgId}`,
      'contact-type-id': PRIMARY_TYPE,
      email: a.email,
    });
  });
  for (let n = invitees.from; n < invitees.from + invitees.count; n++) {
    const i = invitee(n);
    contacts.push(makeContact({ id: i.person.contactId, 'organization-id': i.orgId, 'first-name': 'Ivy', 'last-name': `Invitee ${n}`, email: i.person.email }));
  }
  // The two customer groups, shared by every customer and reaching no organization (each user gets
  // their own on the user).
  const groups = [
    makeGroup({ id: '301', name: policy.groups.noPasswordAccess, 'organization-ids': [] }),
    makeGroup({ id: '302', name: policy.groups.passwordAccess, 'organization-ids': [] }),
  ];
  const users = [
    makeUser({ id: '5001', email: 'admin@bench-it.example', 'role-name': 'Administrator', 'invitation-accepted-at': new Date(0).toISOString() }),
    makeUser({ id: '5002', email: 'tech@bench-it.example', 'role-name': 'Manager', 'invitation-accepted-at': new Date(0).toISOString() }),
  ];
  return { organizations, contacts, contactTypes, users, groups, flexibleAssetTypes: [], flexibleAssets: [], userMetrics: [] };
}
