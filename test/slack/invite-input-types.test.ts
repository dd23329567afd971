/**
 * The invite modal's inputs as a forged submission may carry them: values of another type than
 * Slack sends, metadata the app did not write, ids that are path segments. They count as not
 * given (and are refused on their field), never as an error of the app.
 */
import { expect, it } from 'vitest';
import { ItGlueDirectory } from '../../src/itglue/directory';
import type { ItGlueClient } from '../../src/itglue/client';
import { lengthErrors } from '../../src/slack/invite-form';
import { firstInputBlockId } from '../../src/slack/payload';
import { INVITE } from '../../src/slack/views/invite-modal';
import { inviteMetadata, readInvite } from '../../src/slack/views/invite-values';

it('reads only the metadata the app writes: an organization id of digits and a channel id string', () => {
  expect(inviteMetadata('{"channelId":"C1","orgId":"1001"}')).toEqual({ channelId: 'C1', orgId: '1001' });
  expect(inviteMetadata('{"channelId":5,"orgId":1001}')).toEqual({ channelId: null, orgId: null });
  expect(inviteMetadata('{"orgId":"../1001"}').orgId).toBeNull();
  expect(inviteMetadata('{"orgId":{"id":"1001"}}').orgId).toBeNull();
  expect(inviteMetadata('null')).toEqual({ channelId: null, orgId: null });
  expect(inviteMetadata('"1001"')).toEqual({ channelId: null, orgId: null });
  expect(inviteMetadata('{')).toEqual({ channelId: null, orgId: null });
});

it('takes a field of another type than Slack sends as not given', () => {
  const org = '1001';
  const form = readInvite(
    {
      org: { [INVITE.org.action]: { selected_option: { value: 1001 } } },
      [`contact:${org}`]: { [INVITE.contact.action]: { selected_option: { value: ['2001'] } } },
      [`approver:${org}`]: { [INVITE.approver.action]: { selected_option: 'x' } },
      [`kind:${org}`]: { [INVITE.kind.action]: { selected_option: { value: null } } },
      [`password:${org}`]: { [INVITE.password.action]: { selected_option: { value: true } } },
      [`myglue_groups:${org}`]: { [INVITE.groups.action]: { selected_options: 'all' } },
      [`ticket:${org}`]: { [INVITE.ticket.action]: { value: 42 } },
      [`note:${org}`]: { [INVITE.note.action]: { value: { text: 'x' } } },
    } as never,
    org,
  );
  expect(form).toEqual({
    orgId: org,
    contactId: undefined,
    approverId: undefined,
    kind: undefined,
    role: undefined,
    groupIds: undefined,
    passwordAccess: undefined,
    ticket: undefined,
    note: undefined,
  });
  const groups = readInvite({ [`myglue_groups:${org}`]: { [INVITE.groups.action]: { selected_options: [{ value: '303' }, { value: 7 }, null] } } } as never, org);
  expect(groups.groupIds).toEqual(['303']);
});

it('asks IT Glue for no organization or contact named `.` or `..` (the path would name another resource)', async () => {
  const asked: string[] = [];
  const client = { get: async (path: string) => void asked.push(path) } as unknown as ItGlueClient;
  const directory = new ItGlueDirectory(client);
  for (const id of ['.', '..', '']) {
    expect(await directory.organization(id)).toBeNull();
    expect(await directory.contact(id)).toBeNull();
  }
  expect(asked).toEqual([]);
});

it('finds no input block in a view without a list of blocks', () => {
  expect(firstInputBlockId({ blocks: undefined } as never)).toBeNull();
  expect(firstInputBlockId({ blocks: 'x' } as never)).toBeNull();
  expect(firstInputBlockId({ blocks: [null, { type: 'input', block_id: 'b' }] } as never)).toBe('b');
});

it('refuses a ticket or note longer than the modal allows, on its field', () => {
  expect(lengthErrors({ ticket: 'T'.repeat(100), note: 'n'.repeat(1000) }, '1001')).toBeNull();
  expect(lengthErrors({}, '1001')).toBeNull();
  expect(lengthErrors({ ticket: 'T'.repeat(101) }, '1001')).toEqual({ 'ticket:1001': 'A ticket reference has at most 100 characters.' });
  expect(lengthErrors({ ticket: 'T-1', note: 'n'.repeat(1001) }, '1001')).toEqual({ 'note:1001': 'A note has at most 1000 characters.' });
});
