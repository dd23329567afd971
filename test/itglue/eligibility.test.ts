import { describe, expect, it } from 'vitest';
import { checkContact, existingUserRefusal, hasEmail, kindRefusal, selfApproval } from '../../src/itglue/eligibility';

const org = { id: '100', name: 'Acme Dental' };
const ines = { id: '7', name: 'Ines Invitee', email: 'ines@acme-dental.test', organizationId: '100' };
const nora = { ...ines, id: '8', name: 'Nora NoEmail', email: null };
const elsewhere = { ...ines, organizationId: '200' };
const user = (over: { myGlue?: boolean; invitationAcceptedAt?: string | null } = {}) => ({
  email: 'ines@acme-dental.test',
  myGlue: false,
  invitationAcceptedAt: null,
  ...over,
});

describe('hasEmail', () => {
  it('is what lists a contact in the modal', () => {
    expect([ines, nora].filter(hasEmail).map((c) => c.email)).toEqual(['ines@acme-dental.test']);
  });
});

describe('kindRefusal', () => {
  it('refuses MyGlue access where MyGlue is not set up', () => {
    expect(kindRefusal({ ...org, myGlueAccountId: null }, 'myglue')).toEqual({ reason: 'myglue-not-set-up', message: 'MyGlue is not set up for Acme Dental.' });
    expect(kindRefusal({ ...org, myGlueAccountId: '5' }, 'myglue')).toBeNull();
    expect(kindRefusal({ ...org, myGlueAccountId: null }, 'itglue')).toBeNull();
  });
});

describe('checkContact', () => {
  it('passes a contact of the organization with an email, as it is', () => {
    const checked = checkContact(ines.id, ines, org, 'invitee', 'form');
    expect(checked).toEqual({ ok: true, contact: ines });
    expect(checked.ok && checked.contact).toBe(ines);
  });

  it('refuses a contact of another organization, or none, in the words of each audience', () => {
    expect(checkContact('7', elsewhere, org, 'invitee', 'form')).toEqual({
      ok: false,
      reason: 'not-a-contact',
      message: 'This contact is not (or no longer) a contact of Acme Dental in IT Glue.',
    });
    expect(checkContact('7', null, org, 'approver', 'form')).toMatchObject({ reason: 'not-a-contact', message: 'Choose a contact of Acme Dental as approver.' });
    for (const role of ['invitee', 'approver'] as const) {
      expect(checkContact('7', elsewhere, org, role, 'request')).toMatchObject({
        reason: 'not-a-contact',
        message: 'Contact 7 is not a contact of Acme Dental in IT Glue.',
      });
    }
  });

  it('refuses a contact without an email', () => {
    const message = (role: 'invitee' | 'approver' | 'primary-contact', audience: 'form' | 'request') => {
      const checked = checkContact(nora.id, nora, org, role, audience);
      return checked.ok ? null : `${checked.reason}: ${checked.message}`;
    };
    expect(message('invitee', 'form')).toBe('no-email: Nora NoEmail has no email address in IT Glue: add one to the contact there, then start again.');
    expect(message('invitee', 'request')).toBe('no-email: Nora NoEmail has no email address in IT Glue: add one to the contact, then start again.');
    expect(message('approver', 'form')).toBe('no-email: Nora NoEmail has no email address in IT Glue, so cannot approve by email.');
    expect(message('approver', 'request')).toBe(message('invitee', 'request'));
    expect(message('primary-contact', 'request')).toBe('no-email: The primary contact Nora NoEmail has no email address in IT Glue: add one, or choose the approver.');
  });

  it('checks only the email of the primary contact (the rule found it among the organization’s contacts)', () => {
    expect(checkContact(elsewhere.id, elsewhere, org, 'primary-contact', 'request')).toEqual({ ok: true, contact: elsewhere });
  });
});

describe('existingUserRefusal', () => {
  it('lets a contact without a user, or with a pending invitation of the same kind, be invited', () => {
    expect(existingUserRefusal('Ines Invitee', null, 'itglue', 'form')).toBeNull();
    expect(existingUserRefusal('Ines Invitee', user(), 'itglue', 'request')).toBeNull();
    expect(existingUserRefusal('Ines Invitee', user({ myGlue: true }), 'myglue', 'request')).toBeNull();
  });

  it('refuses a user of the other kind: IT Glue Lite or MyGlue, never both', () => {
    expect(existingUserRefusal('Ines Invitee', user({ myGlue: true }), 'itglue', 'form')).toEqual({
      reason: 'other-kind-of-user',
      message: 'Ines Invitee is already a MyGlue user (ines@acme-dental.test); a customer can be an IT Glue Lite user or a MyGlue user, never both.',
    });
    expect(existingUserRefusal('Ines Invitee', user(), 'myglue', 'request')?.message).toBe(
      'Ines Invitee is already an IT Glue user; a customer can be an IT Glue Lite user or a MyGlue user, never both.',
    );
  });

  it('refuses an active user', () => {
    const active = user({ invitationAcceptedAt: '2025-03-04T05:06:07.000Z' });
    expect(existingUserRefusal('Ines Invitee', active, 'itglue', 'form')).toEqual({
      reason: 'already-active',
      message: 'Ines Invitee is already an active IT Glue user (ines@acme-dental.test).',
    });
    expect(existingUserRefusal('Ines Invitee', active, 'itglue', 'request')?.message).toBe(
      'Ines Invitee is already an active IT Glue user (since 2025-03-04T05:06:07.000Z).',
    );
  });
});

describe('selfApproval', () => {
  it('lets the invitee approve their own access only as a primary contact', () => {
    expect(selfApproval('Ines Invitee', org, true)).toBeNull();
    expect(selfApproval('Ines Invitee', org, false)).toEqual({
      reason: 'self-approval',
      message:
        'Ines Invitee is not a primary contact of Acme Dental, so cannot approve their own access: choose the primary contact (or another authorized contact) as approver.',
    });
  });
});
