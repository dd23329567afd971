/**
 * The data behind the /offboard-lite modal, and the checks of its submission (docs/design.md §15).
 * Reads IT Glue (through SlackDirectory) and Temporal; starts nothing. The organization and its
 * contacts are read, and the command's text understood, as for the /invite-lite modal.
 */
import { staffUserRefusal } from '../itglue/customer-user';
import type { ModalView } from '@slack/types';
import type { Option } from '@slack/web-api';
import { offboardingApprovalOf } from '../../workflows/policy';
import { offboardingIdFor, type ItGlueUser, type OffboardingRequest } from '../../workflows/types';
import { checkContact } from '../itglue/eligibility';
import type { SlackDeps } from './deps';
import { inviteModalData, openProcessText } from './invite-form';
import { TICKET_MAX } from './views/invite-modal';
import { OFFBOARD, offboardBlockId, offboardModal, REASON_MAX, type OffboardField, type OffboardModalData, type OffboardSelection } from './views/offboard-modal';

export interface OffboardInput {
  channelId: string | null;
  /** The text after /offboard-lite: an email address or (part of) an organization's name. */
  text?: string;
  orgId?: string | null;
  selected?: OffboardSelection;
}

export async function offboardModalData(deps: SlackDeps, input: OffboardInput): Promise<OffboardModalData> {
  const selected = { ...input.selected };
  const found = await inviteModalData(deps, { channelId: input.channelId, text: input.text, orgId: input.orgId, selected: { contactId: selected.contactId } });
  return {
    channelId: input.channelId,
    notice: found.notice,
    org: found.org ? { id: found.org.id, name: found.org.name } : null,
    contacts: found.contacts,
    withoutEmail: found.withoutEmail,
    approval: offboardingApprovalOf(deps.policy),
    // A contact that is not (or no longer) in the list is dropped.
    selected: { ...selected, contactId: found.selected.contactId },
  };
}

export async function buildOffboardModal(deps: SlackDeps, input: OffboardInput): Promise<ModalView> {
  return offboardModal(await offboardModalData(deps, input));
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: Option | null }>>;

/** What the modal's inputs hold (for the submission, and to keep choices when the view is rebuilt). */
export function readOffboard(values: StateValues | undefined, orgId: string | null): OffboardSelection & { orgId: string | null } {
  const v = values ?? {};
  const get = (field: OffboardField) => v[offboardBlockId(field, field === 'org' ? null : orgId)]?.[OFFBOARD[field].action];
  // Values of another type than Slack sends count as not given.
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  // One line: whatever separates words becomes one space.
  const text = (field: OffboardField) => str(get(field)?.value)?.replace(/\s+/g, ' ').trim() || undefined;
  return {
    orgId: str(get('org')?.selected_option?.value) ?? orgId,
    contactId: str(get('contact')?.selected_option?.value),
    reason: text('reason'),
    ticket: text('ticket'),
  };
}

export type OffboardCheck =
  | { ok: true; request: OffboardingRequest; names: { contact: string; email: string; org: string } }
  | { ok: false; errors: Record<string, string> };

const refuse = (blockId: string, text: string): OffboardCheck => ({ ok: false, errors: { [blockId]: text } });

/** Why this user's access cannot be removed here, or null. */
function userRefusal(name: string, email: string, user: ItGlueUser | null): string | null {
  if (!user) return `No IT Glue user has the email address ${email}: ${name} has no IT Glue Lite or MyGlue access to remove.`;
  return staffUserRefusal(user);
}

/**
 * Checks a submitted modal against IT Glue and Temporal as they are now. Errors are keyed by the
 * block of the field they concern, for `response_action: 'errors'`.
 */
export async function checkOffboard(deps: SlackDeps, values: StateValues | undefined, metadataOrgId: string | null, user: string): Promise<OffboardCheck> {
  const form = readOffboard(values, metadataOrgId);
  const directory = deps.directory;
  const orgField = offboardBlockId('org', null);
  if (!directory) return refuse(orgField, 'IT Glue is not configured: offboardings cannot be started from Slack.');
  if (!form.orgId) return refuse(orgField, 'Choose the organization.');
  // The contact and later fields belong to the organization the modal was built for.
  if (form.orgId !== metadataOrgId) return refuse(orgField, 'Wait for the form to show this organization’s contacts, then submit.');
  const orgId = form.orgId;
  const at = (field: OffboardField) => offboardBlockId(field, orgId);
  if (form.reason && form.reason.length > REASON_MAX) return refuse(at('reason'), `A reason has at most ${REASON_MAX} characters.`);
  if (form.ticket && form.ticket.length > TICKET_MAX) return refuse(at('ticket'), `A ticket reference has at most ${TICKET_MAX} characters.`);
  if (!form.contactId) return refuse(at('contact'), 'Choose the contact whose access is removed.');

  const [org, contact] = await Promise.all([directory.organization(orgId), directory.contact(form.contactId)]);
  if (!org || org.primary) return refuse(orgField, 'Choose a customer organization from the list.');
  const checked = checkContact(form.contactId, contact, org, 'invitee', 'form');
  if (!checked.ok) {
    const text =
      checked.reason === 'no-email'
        ? `${contact!.name} has no email address in IT Glue, so no IT Glue user can be matched to them. Add their address to the contact in IT Glue, then submit again.`
        : checked.message;
    return refuse(at('contact'), text);
  }
  const { name, email } = checked.contact;
  const found = await directory.userByEmail(email);
  const refusal = userRefusal(name, email, found);
  if (refusal || !found) return refuse(at('contact'), refusal!);
  const open = await openProcessText(deps, offboardingIdFor(org.id, found.id), 'offboarding', name);
  if (open) return refuse(at('contact'), open);

  const request: OffboardingRequest = {
    orgId: org.id,
    contactId: checked.contact.id,
    userId: found.id,
    kind: found.myGlue ? 'myglue' : 'itglue',
    passwordAccess: false,
    requestedBy: user,
    ...(form.reason ? { reason: form.reason } : {}),
    ...(form.ticket ? { ticket: form.ticket } : {}),
  };
  return { ok: true, request, names: { contact: name, email, org: org.name } };
}
