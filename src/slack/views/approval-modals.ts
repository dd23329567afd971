/** The modals behind the thread's "Ask another contact" and "Record offline approval" buttons. */
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { OfflineChannel } from '../../../workflows/types';
import { escapeMrkdwn, truncate } from '../escape';
import { contactOption, MAX_STATIC_OPTIONS, type ContactChoice } from './invite-modal';

export const CHANGE_APPROVER_CALLBACK_ID = 'onboarding_change_approver';
export const OFFLINE_APPROVAL_CALLBACK_ID = 'onboarding_offline_approval';

export const APPROVER_FIELD = { block: 'new_approver', action: 'new_approver_select' } as const;
export const OFFLINE_CHANNEL_FIELD = { block: 'offline_channel', action: 'offline_channel_select' } as const;
export const OFFLINE_NOTE_FIELD = { block: 'offline_note', action: 'offline_note_input' } as const;

/** Which onboarding a modal acts on, and where its button was pressed. */
export interface ButtonModalMetadata {
  workflowId: string;
  channel: string | null;
  threadTs: string | null;
  /** The onboarding's count of actions on the drawing whose button opened the modal. */
  seen?: number;
}

export function buttonModalMetadata(privateMetadata: string | undefined): ButtonModalMetadata | null {
  try {
    const parsed = JSON.parse(privateMetadata || '{}') as Partial<ButtonModalMetadata>;
    if (typeof parsed.workflowId !== 'string') return null;
    const seen = typeof parsed.seen === 'number' && Number.isSafeInteger(parsed.seen) ? { seen: parsed.seen } : {};
    return { workflowId: parsed.workflowId, channel: parsed.channel ?? null, threadTs: parsed.threadTs ?? null, ...seen };
  } catch {
    return null;
  }
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: truncate(text, 75) });
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } });

export function changeApproverModal(input: {
  metadata: ButtonModalMetadata;
  orgName: string;
  inviteeName: string;
  currentApprover: string | null;
  contacts: ContactChoice[];
}): ModalView {
  const blocks: KnownBlock[] = [
    section(
      `Who else at *${escapeMrkdwn(input.orgName)}* can approve access for *${escapeMrkdwn(input.inviteeName)}*?` +
        (input.currentApprover ? ` They get a new approval link; the link sent to ${escapeMrkdwn(input.currentApprover)} stops working.` : ''),
    ),
  ];
  const modal: ModalView = {
    type: 'modal',
    callback_id: CHANGE_APPROVER_CALLBACK_ID,
    title: plain('Ask another contact'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(input.metadata),
    blocks,
  };
  if (input.contacts.length === 0) {
    blocks.push(section('There is no other contact with an email address in IT Glue: add one there, or record an approval received offline.'));
    return modal;
  }
  blocks.push({
    type: 'input',
    block_id: APPROVER_FIELD.block,
    label: plain('New approver'),
    hint: plain('Contacts of the organization with an email address in IT Glue.'),
    element: {
      type: 'static_select',
      action_id: APPROVER_FIELD.action,
      placeholder: plain('Choose a contact'),
      options: input.contacts.slice(0, MAX_STATIC_OPTIONS).map(contactOption),
    },
  });
  return { ...modal, submit: plain('Ask for approval') };
}

const CHANNELS: Array<{ value: OfflineChannel; text: string }> = [
  { value: 'email', text: 'Email' },
  { value: 'fax', text: 'Fax' },
  { value: 'postal-mail', text: 'Postal mail' },
];

export function offlineChannelOption(value: OfflineChannel): PlainTextOption {
  return { text: plain(CHANNELS.find((c) => c.value === value)!.text), value };
}

export function isOfflineChannel(value: unknown): value is OfflineChannel {
  return CHANNELS.some((c) => c.value === value);
}

export function offlineApprovalModal(input: { metadata: ButtonModalMetadata; orgName: string; inviteeName: string; approverName: string | null }): ModalView {
  const who = input.approverName
    ? `${escapeMrkdwn(input.approverName)} (or another authorized contact of ${escapeMrkdwn(input.orgName)})`
    : `an authorized contact of ${escapeMrkdwn(input.orgName)}`;
  return {
    type: 'modal',
    callback_id: OFFLINE_APPROVAL_CALLBACK_ID,
    title: plain('Record offline approval'),
    submit: plain('Record approval'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(input.metadata),
    blocks: [
      section(`Record that ${who} approved access for *${escapeMrkdwn(input.inviteeName)}* in writing. The onboarding then goes ahead as if approved by the link.`),
      {
        type: 'input',
        block_id: OFFLINE_CHANNEL_FIELD.block,
        label: plain('Received by'),
        element: { type: 'radio_buttons', action_id: OFFLINE_CHANNEL_FIELD.action, options: CHANNELS.map((c) => offlineChannelOption(c.value)) },
      },
      {
        type: 'input',
        block_id: OFFLINE_NOTE_FIELD.block,
        label: plain('Note'),
        hint: plain('Who approved, when, and where the document is kept.'),
        element: { type: 'plain_text_input', action_id: OFFLINE_NOTE_FIELD.action, multiline: true, min_length: 3, max_length: 1000 },
      },
    ],
  };
}
