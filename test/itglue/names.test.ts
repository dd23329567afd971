/**
 * Names read from IT Glue are one line: a contact or organization whose name holds a line break
 * cannot add lines of its own to the Slack thread, a mail or the approval page.
 */
import { expect, it } from 'vitest';
import { contactResource, oneLineName, organizationResource } from '../../src/itglue/schemas';

it('turns line breaks and other control characters in contact and organization names into a space', () => {
  const contact = contactResource.parse({
    id: 9802,
    type: 'contacts',
    attributes: {
      'organization-id': 1001,
      name: 'Eve\r\nBcc: attacker@evil.example Sons',
      'first-name': 'Eve\r\nBcc: attacker@evil.example',
      'last-name': 'Sons\u2028:white_check_mark: Approved\u0000',
      'contact-emails': [{ value: 'eve@acme.test', primary: true }],
    },
  });
  expect(contact).toMatchObject({
    name: 'Eve Bcc: attacker@evil.example Sons',
    firstName: 'Eve Bcc: attacker@evil.example',
    lastName: 'Sons :white_check_mark: Approved ',
    email: 'eve@acme.test',
  });
  const org = organizationResource.parse({ id: '1001', type: 'organizations', attributes: { name: 'Acme\n*Approved* Dental\t& Co' } });
  expect(org.name).toBe('Acme *Approved* Dental & Co');
});

it('keeps names without control characters exactly as they are', () => {
  for (const name of ['Zoë O’Brien-Smith', 'Smith, Jones & Co', '<script>alert(1)</script>', '  spaced  ', '']) expect(oneLineName(name)).toBe(name);
  const contact = contactResource.parse({ id: '1', type: 'contacts', attributes: { 'organization-id': '2', name: null, 'first-name': 'Ada', 'last-name': null } });
  expect(contact.name).toBe('Ada');
});
