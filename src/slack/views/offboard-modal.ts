/**
 * The /offboard-lite modal (docs/design.md §15): the organization by type-ahead; once it is chosen,
 * its contacts with an email (the contact whose IT Glue user loses its access), a one-line reason
 * and a ticket. Blocks after the organization carry its id in their block_id, as in the
 * /invite-lite modal, so that choosing another organization starts them afresh. The private
 * metadata has the /invite-lite modal's shape, so the contact type-ahead serves both.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { OffboardingApproval } from '../../../workflows/policy';
import { escapeMrkdwn, truncate } from '../escape';
import { contactOption, MAX_STATIC_OPTIONS, organizationOption, TICKET_MAX, type ContactChoice, type InviteMetadata } from './invite-modal';

export const OFFBOARD_CALLBACK_ID = 'offboard_lite';
/** The view that replaces the modal once the offboarding has started. */
export const OFFBOARD_STARTED_CALLBACK_ID = 'offboard_lite_started';
export const OFFBOARD_TITLE = 'Remove customer access';

/** Block ids (those after `org` are followed by `:<orgId>`) and action ids of the modal's inputs. */
export const OFFBOARD = {
  org: { block: 'org', action: 'offboard_org' },
  contact: { block: 'contact', action: 'offboard_contact' },
  reason: { block: 'reason', action: 'offboard_reason' },
  ticket: { block: 'ticket', action: 'offboard_ticket' },
} as const;

export type OffboardField = keyof typeof OFFBOARD;

/** The longest reason the modal takes (one line; Slack enforces it in the form, the submission is checked too). */
export const REASON_MAX = 200;

export interface OffboardSelection {
  contactId?: string;
  reason?: string;
  ticket?: string;
}

export interface OffboardModalData {
  channelId: string | null;
  /** Said at the top: how the text after the command was understood, or why IT Glue cannot be read. */
  notice: string | null;
  org: { id: string; name: string } | null;
  contacts: ContactChoice[];
  /** Names of the organization's contacts that have no email (no IT Glue user can be found for them). */
  withoutEmail: string[];
  /** Who approves a removal, by the policy. */
  approval: OffboardingApproval;
  selected: OffboardSelection;
}

/** The block id of a field in the modal of this organization. */
export function offboardBlockId(field: OffboardField, orgId: string | null): string {
  return field === 'org' || !orgId ? OFFBOARD[field].block : `${OFFBOARD[field].block}:${orgId}`;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: truncate(text, 75) });
const hint = (text: string) => ({ type: 'plain_text' as const, text: truncate(text, 2000) });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, 2000) }] });

const APPROVAL_WORDS: Record<OffboardingApproval, string> = {
  none: 'The policy asks no approval: access is removed as soon as the request is checked.',
  manager: 'A manager approves the removal in its thread first.',
  'primary-contact': 'The organization’s primary contact approves the removal by email first.',
};

function contactSelect(data: OffboardModalData) {
  const initial = data.contacts.find((c) => c.id === data.selected.contactId);
  const chosen = initial ? { initial_option: contactOption(initial) } : {};
  if (data.contacts.length > MAX_STATIC_OPTIONS) {
    return { type: 'external_select' as const, action_id: OFFBOARD.contact.action, min_query_length: 1, placeholder: plain('Type a name'), ...chosen };
  }
  const options = data.contacts.map(contactOption);
  return { type: 'static_select' as const, action_id: OFFBOARD.contact.action, placeholder: plain('Choose the contact'), options, ...chosen };
}

function orgBlocks(data: OffboardModalData, org: { id: string; name: string }): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (data.contacts.length === 0) {
    const text = `*${escapeMrkdwn(org.name)}* has no contact with an email address in IT Glue, so no user of theirs can be found.`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  } else {
    blocks.push({
      type: 'input',
      block_id: offboardBlockId('contact', org.id),
      label: plain('Contact whose access is removed'),
      hint: hint(`Contacts of ${org.name} with an email address in IT Glue; the IT Glue user with that address loses its access.`),
      element: contactSelect(data),
    });
  }
  if (data.withoutEmail.length > 0) {
    const names = data.withoutEmail.slice(0, 20).map(escapeMrkdwn).join(', ');
    const more = data.withoutEmail.length > 20 ? ` and ${data.withoutEmail.length - 20} more` : '';
    blocks.push(context(`Not listed, for lack of an email address in IT Glue: ${names}${more}.`));
  }
  const text = (field: 'reason' | 'ticket', label: string, max: number, placeholder: string): KnownBlock => ({
    type: 'input',
    block_id: offboardBlockId(field, org.id),
    optional: true,
    label: plain(label),
    element: {
      type: 'plain_text_input',
      action_id: OFFBOARD[field].action,
      max_length: max,
      placeholder: plain(placeholder),
      ...(data.selected[field] ? { initial_value: data.selected[field] } : {}),
    },
  });
  blocks.push(text('reason', 'Reason', REASON_MAX, 'e.g. Left the practice'), text('ticket', 'Ticket', TICKET_MAX, 'e.g. T-1001'));
  blocks.push(context(APPROVAL_WORDS[data.approval]));
  return blocks;
}

export function offboardModal(data: OffboardModalData): ModalView {
  const { org } = data;
  const blocks: KnownBlock[] = [];
  if (data.notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(data.notice, 3000) } });
  blocks.push({
    type: 'input',
    block_id: offboardBlockId('org', null),
    dispatch_action: true,
    label: plain('Organization'),
    element: {
      type: 'external_select',
      action_id: OFFBOARD.org.action,
      min_query_length: 0,
      placeholder: plain('Type part of the name'),
      ...(org ? { initial_option: organizationOption(org) } : {}),
    },
  });
  if (org) blocks.push(...orgBlocks(data, org));
  else blocks.push(context('Choose the organization to see its contacts.'));

  const metadata: InviteMetadata = { channelId: data.channelId, orgId: org?.id ?? null };
  return {
    type: 'modal',
    callback_id: OFFBOARD_CALLBACK_ID,
    title: plain(OFFBOARD_TITLE),
    submit: plain('Remove access'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}
