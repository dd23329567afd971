import { describe, expect, it } from 'vitest';
import { MAILBOX, parseMailbox } from '../src/mail/address';

describe('parseMailbox', () => {
  it('reads a bare address with an empty name', () => {
    expect(parseMailbox('it@acme.example')).toEqual({ name: '', address: 'it@acme.example' });
  });

  it('reads the name and the address, the name unquoted', () => {
    expect(parseMailbox('Acme IT <it@acme.example>')).toEqual({ name: 'Acme IT', address: 'it@acme.example' });
    expect(parseMailbox('"Acme IT" <it@acme.example>')).toEqual({ name: 'Acme IT', address: 'it@acme.example' });
    expect(parseMailbox('  Acme IT<it@acme.example> ')).toEqual({ name: 'Acme IT', address: 'it@acme.example' });
  });

  it('keeps a comma in the name of one MAILBOX address', () => {
    expect(MAILBOX.test('Acme, IT <it@acme.example>')).toBe(true);
    expect(parseMailbox('Acme, IT <it@acme.example>')).toEqual({ name: 'Acme, IT', address: 'it@acme.example' });
  });
});
