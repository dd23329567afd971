/**
 * A MyGlue customer in the fake IT Glue, with ids of its own (test files share one Temporal server,
 * where onboardings are keyed by organization and contact): the organization with a MyGlue account,
 * an approver, invitees, and two MyGlue groups reaching it — one whose members may see passwords
 * (it denies other asset types), one that denies the Passwords asset type.
 */
import { makeContact, makeGroup, makeOrganization, type FakeItGlue } from '../fakes/itglue-server';

export interface MyGlueCustomer {
  orgId: string;
  orgName: string;
  approver: { contactId: string; name: string; email: string };
  /** Contacts to invite, one per onboarding. */
  invitees: Array<{ contactId: string; name: string; email: string }>;
  groups: { allows: { id: string; name: string }; denies: { id: string; name: string } };
}

export function addMyGlueCustomer(fake: FakeItGlue, invitees = 3): MyGlueCustomer {
  const base = 800_000 + Math.floor(Math.random() * 100_000) * 10;
  const orgId = String(base);
  const orgName = `Harbour Clinic ${base}`;
  const accountId = String(base + 1);
  fake.data.organizations.push(makeOrganization({ id: orgId, name: orgName, 'my-glue-account-id': accountId }));
  const person = (id: number, first: string, last: string) => {
    const contactId = String(id);
    const email = `${first.toLowerCase()}.${contactId}@harbour.test`;
    fake.data.contacts.push(makeContact({ id: contactId, 'organization-id': orgId, 'first-name': first, 'last-name': last, email }));
    return { contactId, name: `${first} ${last}`, email };
  };
  const approver = person(base + 2, 'Hana', 'Head');
  const invited = Array.from({ length: invitees }, (_, i) => person(base + 3 + i, ['Ivo', 'Ida', 'Ike', 'Ina', 'Ira'][i % 5]!, 'Invitee'));
  const myGlue = { 'my-glue': true, 'my-glue-account-id': accountId, 'organization-ids': [orgId] };
  const allows = { id: String(base * 10 + 1), name: 'Harbour - Office Managers' };
  const denies = { id: String(base * 10 + 2), name: 'Harbour - Staff' };
  fake.data.groups.push(
    makeGroup({ ...allows, ...myGlue, 'resource-type-restrictions': ['Configurations', 'Documents'] }),
    makeGroup({ ...denies, ...myGlue, 'resource-type-restrictions': ['Configurations', 'Passwords'] }),
  );
  return { orgId, orgName, approver, invitees: invited, groups: { allows, denies } };
}
