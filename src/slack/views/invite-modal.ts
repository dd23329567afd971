/**
 * The /invite-lite modal (docs/design.md §10): organization by type-ahead; once it is chosen, its
 * contacts with an email, the approver (pre-selected by the primary-contact rule), the kind of
 * access (IT Glue Lite, or MyGlue with a role and groups), password access, ticket and note. For
 * MyGlue, password access is not a choice: the modal shows what the chosen groups allow.
 *
 * Blocks that depend on the organization carry its id in their block_id, so that choosing another
 * organization starts them afresh instead of keeping a choice that no longer fits.
 */
import type { ExternalSelect, KnownBlock, ModalView, MultiExternalSelect, MultiStaticSelect, PlainTextOption, StaticSelect } from '@slack/types';
import type { MyGlueRole } from '../../../workflows/types';
import type { PasswordVisibility } from '../../itglue/password-access';
import { passwordsVisibility } from '../../wording';
import { escapeMrkdwn, truncate } from '../escape';

export const INVITE_CALLBACK_ID = 'invite_lite';
export const INVITE_LOADING_CALLBACK_ID = 'invite_lite_loading';

/** Block ids (those after `org` are followed by `:<orgId>`) and action ids of the modal's inputs. */
export const INVITE = {
  org: { block: 'org', action: 'invite_org' },
  contact: { block: 'contact', action: 'invite_contact' },
  approver: { block: 'approver', action: 'invite_approver' },
  kind: { block: 'kind', action: 'invite_kind' },
  role: { block: 'myglue_role', action: 'invite_myglue_role' },
  groups: { block: 'myglue_groups', action: 'invite_myglue_groups' },
  password: { block: 'password', action: 'invite_password' },
  ticket: { block: 'ticket', action: 'invite_ticket' },
  note: { block: 'note', action: 'invite_note' },
} as const;

export type InviteField = keyof typeof INVITE;

/** The block (followed by `:<orgId>`) that says whether a MyGlue user will see passwords. */
export const MYGLUE_PASSWORDS_BLOCK = 'myglue_passwords';

/** The longest ticket reference and note the modal takes (Slack enforces them in the form; the submission is checked too). */
export const TICKET_MAX = 100;
export const NOTE_MAX = 1000;

/** Slack's limit for a static select; larger contact lists use an external select. */
export const MAX_STATIC_OPTIONS = 100;
/** Contacts one modal invites at most (docs/design.md §15.3). */
export const MAX_CONTACTS = 10;

export interface ContactChoice {
  id: string;
  name: string;
  email: string;
}

export type PrimaryChoice = { kind: 'one'; contactId: string } | { kind: 'none' } | { kind: 'several'; names: string[] };

export interface InviteSelection {
  /** The one contact named after the command (pre-filled). */
  contactId?: string;
  /** The contacts chosen so far, kept when the modal is rebuilt. */
  contactIds?: string[];
  approverId?: string;
  kind?: 'itglue' | 'myglue';
  role?: MyGlueRole;
  groupIds?: string[];
  passwordAccess?: boolean;
  ticket?: string;
  note?: string;
}

export interface InviteModalData {
  /** Where the command was typed (for messages about this modal). */
  channelId: string | null;
  /** Said at the top: how the text after the command was understood, or why IT Glue cannot be read. */
  notice: string | null;
  org: { id: string; name: string; myGlue: boolean } | null;
  contacts: ContactChoice[];
  /** Names of the organization's contacts that have no email (they cannot be invited). */
  withoutEmail: string[];
  primary: PrimaryChoice | null;
  /** How the policy finds the primary contact, in words. */
  ruleText: string;
  myGlueGroups: Array<{ id: string; name: string }> | null;
  /** MyGlue: password access as the chosen groups leave it; null until a group is chosen. */
  myGluePasswords: PasswordVisibility | null;
  selected: InviteSelection;
}

/** What the modal keeps in its private metadata. */
export interface InviteMetadata {
  channelId: string | null;
  orgId: string | null;
}

/** The block id of a field in the modal of this organization. */
export function blockId(field: InviteField, orgId: string | null): string {
  return field === 'org' || !orgId ? INVITE[field].block : `${INVITE[field].block}:${orgId}`;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: truncate(text, 75) });
/** A hint under an input: Slack allows 2000 characters, not an option's 75. */
const hint = (text: string) => ({ type: 'plain_text' as const, text: truncate(text, 2000) });
const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });

export function contactOption(c: ContactChoice): PlainTextOption {
  return option(`${c.name} — ${c.email}`, c.id);
}

export function organizationOption(org: { id: string; name: string }): PlainTextOption {
  return option(org.name, org.id);
}

const ROLE_OPTIONS: PlainTextOption[] = [
  option('Creator — view, create and edit, not delete (usual)', 'Creator'),
  option('Lite — view only', 'Lite'),
  option('Editor — view, create, edit and delete', 'Editor'),
];

const KIND_OPTIONS = {
  itglue: option('IT Glue Lite (read-only, free)', 'itglue'),
  myglue: option('MyGlue', 'myglue'),
};

const PASSWORD_OPTIONS = {
  no: option('No: stored passwords stay hidden', 'no'),
  yes: option('Yes: the user can see stored passwords', 'yes'),
};

type ContactSelect = StaticSelect | MultiStaticSelect | ExternalSelect | MultiExternalSelect;

/** The approver: one contact; the contacts to invite: one to MAX_CONTACTS of them. */
function contactSelect(data: InviteModalData, field: 'contact' | 'approver', initialIds: string[]) {
  const initial = initialIds.flatMap((id) => data.contacts.filter((c) => c.id === id)).slice(0, MAX_CONTACTS);
  const many = field === 'contact';
  const chosen = many
    ? { max_selected_items: MAX_CONTACTS, ...(initial.length ? { initial_options: initial.map(contactOption) } : {}) }
    : initial[0]
      ? { initial_option: contactOption(initial[0]) }
      : {};
  if (data.contacts.length > MAX_STATIC_OPTIONS) {
    const type = many ? ('multi_external_select' as const) : ('external_select' as const);
    return { type, action_id: INVITE[field].action, min_query_length: 1, placeholder: plain('Type a name'), ...chosen } as ContactSelect;
  }
  const type = many ? ('multi_static_select' as const) : ('static_select' as const);
  const placeholder = plain(many ? 'Choose the contacts' : 'Choose the approver');
  return { type, action_id: INVITE[field].action, placeholder, options: data.contacts.map(contactOption), ...chosen } as ContactSelect;
}

function approverHint(data: InviteModalData): string {
  const p = data.primary;
  if (!p) return 'The customer contact who approves the access by email.';
  if (p.kind === 'one') return `Pre-selected: the primary contact by ${data.ruleText}. Choose another if needed.`;
  if (p.kind === 'none') return `No primary contact found by ${data.ruleText}: choose who approves.`;
  return truncate(`Several contacts match ${data.ruleText} (${p.names.join(', ')}): choose who approves.`, 150);
}

export function inviteModal(data: InviteModalData): ModalView {
  const { org, selected } = data;
  const orgId = org?.id ?? null;
  const blocks: KnownBlock[] = [];

  if (data.notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(data.notice, 3000) } });

  blocks.push({
    type: 'input',
    block_id: blockId('org', null),
    dispatch_action: true,
    label: plain('Organization'),
    element: {
      type: 'external_select',
      action_id: INVITE.org.action,
      min_query_length: 0,
      placeholder: plain('Type part of the name'),
      ...(org ? { initial_option: organizationOption(org) } : {}),
    },
  });

  if (!org) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Choose the organization to see its contacts.' }] });
    return modal(data, blocks);
  }

  if (data.contacts.length === 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escapeMrkdwn(org.name)}* has no contact with an email address in IT Glue: add one there first.` },
    });
  } else {
    blocks.push({
      type: 'input',
      block_id: blockId('contact', orgId),
      label: plain('Contacts to invite'),
      hint: hint(
        `Up to ${MAX_CONTACTS} contacts of ${org.name} with an email address in IT Glue; each invitation goes to that address. Several: one approval mail for all.`,
      ),
      element: contactSelect(data, 'contact', selected.contactIds ?? (selected.contactId ? [selected.contactId] : [])),
    });
  }
  if (data.withoutEmail.length > 0) {
    const names = data.withoutEmail.slice(0, 20).map(escapeMrkdwn).join(', ');
    const more = data.withoutEmail.length > 20 ? ` and ${data.withoutEmail.length - 20} more` : '';
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(`Not listed, for lack of an email address in IT Glue: ${names}${more}.`, 2000) }],
    });
  }
  if (data.contacts.length > 0) {
    const approverId = selected.approverId ?? (data.primary?.kind === 'one' ? data.primary.contactId : undefined);
    blocks.push({
      type: 'input',
      block_id: blockId('approver', orgId),
      label: plain('Approver (the customer’s primary contact)'),
      hint: { type: 'plain_text', text: truncate(approverHint(data), 150) },
      element: contactSelect(data, 'approver', approverId ? [approverId] : []),
    });
  }

  const kind = selected.kind === 'myglue' && org.myGlue ? 'myglue' : 'itglue';
  blocks.push({
    type: 'input',
    block_id: blockId('kind', orgId),
    dispatch_action: true,
    label: plain('Access'),
    ...(org.myGlue ? {} : { hint: hint(`MyGlue is not set up for ${org.name}.`) }),
    element: {
      type: 'radio_buttons',
      action_id: INVITE.kind.action,
      options: org.myGlue ? [KIND_OPTIONS.itglue, KIND_OPTIONS.myglue] : [KIND_OPTIONS.itglue],
      initial_option: KIND_OPTIONS[kind],
    },
  });

  if (kind === 'myglue') {
    const role = ROLE_OPTIONS.find((o) => o.value === (selected.role ?? 'Creator'))!;
    blocks.push({
      type: 'input',
      block_id: blockId('role', orgId),
      label: plain('MyGlue role'),
      element: { type: 'static_select', action_id: INVITE.role.action, options: ROLE_OPTIONS, initial_option: role },
    });
    const groups = data.myGlueGroups ?? [];
    if (groups.length === 0) {
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `No MyGlue group gives access to *${escapeMrkdwn(org.name)}*: create one in IT Glue (Account → Groups → MyGlue) first.` },
      });
    } else {
      const options = groups.slice(0, MAX_STATIC_OPTIONS).map((g) => option(g.name, g.id));
      const initial = options.filter((o) => selected.groupIds?.includes(o.value!));
      blocks.push({
        type: 'input',
        block_id: blockId('groups', orgId),
        label: plain('MyGlue groups'),
        hint: hint('At least one. Where groups deny different asset types, the most restrictive wins.'),
        // Password access follows the groups: the modal is rebuilt to show it.
        dispatch_action: true,
        element: {
          type: 'multi_static_select',
          action_id: INVITE.groups.action,
          placeholder: plain('Choose the groups'),
          options,
          ...(initial.length ? { initial_options: initial } : {}),
        },
      });
      blocks.push({
        type: 'context',
        block_id: `${MYGLUE_PASSWORDS_BLOCK}:${orgId}`,
        elements: [{ type: 'mrkdwn', text: truncate(myGluePasswordsText(data.myGluePasswords), 2000) }],
      });
    }
  } else {
    blocks.push({
      type: 'input',
      block_id: blockId('password', orgId),
      label: plain('Password access'),
      element: {
        type: 'radio_buttons',
        action_id: INVITE.password.action,
        options: [PASSWORD_OPTIONS.no, PASSWORD_OPTIONS.yes],
        initial_option: selected.passwordAccess ? PASSWORD_OPTIONS.yes : PASSWORD_OPTIONS.no,
      },
    });
  }

  blocks.push(
    {
      type: 'input',
      block_id: blockId('ticket', orgId),
      optional: true,
      label: plain('Ticket'),
      element: {
        type: 'plain_text_input',
        action_id: INVITE.ticket.action,
        max_length: TICKET_MAX,
        placeholder: plain('e.g. T-1001'),
        ...(selected.ticket ? { initial_value: selected.ticket } : {}),
      },
    },
    {
      type: 'input',
      block_id: blockId('note', orgId),
      optional: true,
      label: plain('Note'),
      element: {
        type: 'plain_text_input',
        action_id: INVITE.note.action,
        multiline: true,
        max_length: NOTE_MAX,
        ...(selected.note ? { initial_value: selected.note } : {}),
      },
    },
  );
  return modal(data, blocks);
}

/** "*Passwords: hidden* …": what the chosen MyGlue groups allow, and why. */
export function myGluePasswordsText(passwords: PasswordVisibility | null): string {
  if (!passwords) return 'Passwords: set by the groups. Hidden if any chosen group denies the Passwords asset type.';
  const quoted = (names: string[]) => names.map((n) => `“${escapeMrkdwn(n)}”`).join(', ');
  const headline = `*Passwords: ${passwordsVisibility(passwords.visible)}*`;
  if (passwords.visible) return `${headline}: no chosen group denies the Passwords asset type.`;
  const reasons = [
    ...(passwords.deniedBy.length > 0 ? [`denied by ${quoted(passwords.deniedBy)}`] : []),
    ...(passwords.unknown.length > 0 ? [`the denied asset types of ${quoted(passwords.unknown)} could not be read`] : []),
  ];
  return `${headline}: ${reasons.join('; ')}. Where groups differ, the most restrictive wins.`;
}

function modal(data: InviteModalData, blocks: KnownBlock[]): ModalView {
  const metadata: InviteMetadata = { channelId: data.channelId, orgId: data.org?.id ?? null };
  return {
    type: 'modal',
    callback_id: INVITE_CALLBACK_ID,
    title: plain('Onboard a customer'),
    submit: plain('Start onboarding'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** A view with one message in it (loading, or why it could not load). */
export function noticeModal(title: string, text: string, callbackId = INVITE_LOADING_CALLBACK_ID): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title),
    close: plain('Close'),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }],
  };
}
