/**
 * The data behind the /invite-lite modal, and the checks of its submission. Reads IT Glue (through
 * SlackDirectory) and Temporal; starts nothing.
 */
import type { ModalView } from '@slack/types';
import { customerGroupFor, LITE_MAX_ORGANIZATIONS, organizationAccessOf, type Policy } from '../../workflows/policy';
import { isFinal } from '../../workflows/stages';
import { workflowIdFor, type OnboardingRequest } from '../../workflows/types';
import { isPrimaryContact } from '../itglue/directory';
import { checkContact, existingUserRefusal, hasEmail, kindRefusal, selfApproval } from '../itglue/eligibility';
import { passwordVisibility } from '../itglue/password-access';
import type { ItGlueContact } from '../itglue/schemas';
import type { SlackDeps } from './deps';
import { statusOf } from './overview';
import { STAGE_LABELS } from './views/format';
import { readInvite } from './views/invite-values';
import { blockId, inviteModal, NOTE_MAX, TICKET_MAX, type ContactChoice, type InviteModalData, type InviteSelection, type PrimaryChoice } from './views/invite-modal';

const EMAIL = /^[^\s@<>|]+@[^\s@<>|]+\.[^\s@<>|]+$/;

/** The policy's primary-contact rule in words, after "by". */
export function ruleText(policy: Policy): string {
  const rule = policy.primaryContact;
  if (rule.kind === 'contact-type') return `the contact type “${rule.contactTypeName}”`;
  if (rule.kind === 'important') return 'the “important” flag';
  return `the “${rule.fieldNameKey}” field of “${rule.assetTypeName}”`;
}

/** The command's text as typed: Slack sends &, < and > as entities, and `<mailto:a@b.c|a@b.c>` where it escapes links. */
function plainText(text: string): string {
  return text
    .trim()
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/^<mailto:([^|>]+)(?:\|[^>]*)?>$/, '$1')
    .replace(/^<([^|>]+)\|([^>]*)>$/, '$2');
}

function choice(c: ItGlueContact & { email: string }): ContactChoice {
  return { id: c.id, name: c.name || `Contact ${c.id}`, email: c.email };
}

export interface InviteInput {
  channelId: string | null;
  /** The text after /invite-lite: an email address or (part of) an organization's name. */
  text?: string;
  orgId?: string | null;
  selected?: InviteSelection;
}

/** What the text after the command pre-fills: an organization (and contact), or a notice. */
async function prefill(deps: SlackDeps, text: string): Promise<{ orgId: string | null; contactId?: string; notice: string | null }> {
  const directory = deps.directory!;
  const value = plainText(text);
  if (EMAIL.test(value)) {
    const contacts = (await directory.contactsByEmail(value)).filter((c) => c.email?.toLowerCase() === value.toLowerCase());
    if (contacts.length === 0) return { orgId: null, notice: `No IT Glue contact has the email address ${value}: choose the organization.` };
    const [first] = contacts;
    const notice = contacts.length > 1 ? `${contacts.length} IT Glue contacts have the email address ${value}: check the organization.` : null;
    return { orgId: first!.organizationId, contactId: first!.id, notice };
  }
  const found = await directory.searchOrganizations(value, 100);
  const exact = found.filter((o) => o.name.toLowerCase() === value.toLowerCase());
  if (exact.length === 1 || found.length === 1) return { orgId: (exact[0] ?? found[0])!.id, notice: null };
  if (found.length === 0) return { orgId: null, notice: `No customer organization in IT Glue matches “${value}”: choose one.` };
  return { orgId: null, notice: `${found.length} organizations match “${value}”: choose one (type part of its name).` };
}

function primaryChoice(result: Awaited<ReturnType<NonNullable<SlackDeps['directory']>['primaryContact']>>): PrimaryChoice {
  if (result.kind === 'one') return { kind: 'one', contactId: result.contact.id };
  if (result.kind === 'none') return { kind: 'none' };
  return { kind: 'several', names: result.candidates.map((c) => c.name) };
}

export async function inviteModalData(deps: SlackDeps, input: InviteInput): Promise<InviteModalData> {
  const data: InviteModalData = {
    channelId: input.channelId,
    notice: null,
    org: null,
    contacts: [],
    withoutEmail: [],
    primary: null,
    ruleText: ruleText(deps.policy),
    myGlueGroups: null,
    myGluePasswords: null,
    selected: { ...input.selected },
  };
  const directory = deps.directory;
  if (!directory) {
    data.notice = 'IT Glue is not configured (ITGLUE_API_KEY is unset), so there are no organizations to choose from.';
    return data;
  }
  let orgId = input.orgId ?? null;
  if (!orgId && input.text?.trim()) {
    const found = await prefill(deps, input.text);
    orgId = found.orgId;
    data.notice = found.notice;
    if (found.contactId) data.selected.contactId ??= found.contactId;
  }
  if (!orgId) return data;

  const org = await directory.organization(orgId);
  if (!org || org.primary) {
    data.notice = org ? `${org.name} is your own organization, not a customer's: choose a customer.` : `Organization ${orgId} is not in IT Glue.`;
    return data;
  }
  data.org = { id: org.id, name: org.name, myGlue: !!org.myGlueAccountId };
  const [contacts, primary, groups] = await Promise.all([
    directory.contactsOf(org.id),
    directory.primaryContact(org.id, deps.policy.primaryContact).catch((error: Error) => {
      deps.log('slack.primaryContactFailed', { orgId: org.id, error: error.message });
      return { kind: 'none' as const };
    }),
    data.selected.kind === 'myglue' && org.myGlueAccountId ? directory.myGlueGroupsOf(org.id) : Promise.resolve(null),
  ]);
  const sorted = [...contacts].sort((a, b) => a.name.localeCompare(b.name));
  data.contacts = sorted.filter(hasEmail).map(choice);
  data.withoutEmail = sorted.filter((c) => !hasEmail(c)).map((c) => c.name || `Contact ${c.id}`);
  data.primary = primaryChoice(primary);
  data.myGlueGroups = groups ? groups.map((g) => ({ id: g.id, name: g.name })) : null;
  if (groups && data.selected.groupIds) {
    // Password access as the chosen groups leave it, each group read with its denied asset types.
    const chosen = groups.filter((g) => data.selected.groupIds!.includes(g.id));
    data.selected.groupIds = chosen.map((g) => g.id);
    if (chosen.length > 0) {
      const read = await Promise.all(chosen.map((g) => directory.group(g.id).catch(() => ({ name: g.name, deniedResourceTypes: null }))));
      data.myGluePasswords = passwordVisibility(read);
    }
  }
  // A pre-selection that is not (or no longer) in the list is dropped.
  for (const key of ['contactId', 'approverId'] as const) {
    if (data.selected[key] && !data.contacts.some((c) => c.id === data.selected[key])) delete data.selected[key];
  }
  return data;
}

export async function buildInviteModal(deps: SlackDeps, input: InviteInput): Promise<ModalView> {
  return inviteModal(await inviteModalData(deps, input));
}

/** `open`: with `openAllowed`, the contact's onboarding already open (the request is not to be started). */
export type InviteCheck = { ok: true; request: OnboardingRequest; open?: string } | { ok: false; errors: Record<string, string> };

/** Checks one of several chosen contacts (docs/design.md §15.3): an open onboarding is reported, not refused. */
export interface ContactCheck {
  contactId: string;
  openAllowed: boolean;
}

/** A link to the open onboarding's (or offboarding's) thread, or its ID when it has none yet; null when none is open. */
export async function openProcessText(deps: SlackDeps, workflowId: string, what: 'onboarding' | 'offboarding', name: string): Promise<string | null> {
  let description;
  try {
    description = await deps.temporal.workflow.getHandle(workflowId).describe();
  } catch {
    return null; // never started (WorkflowNotFoundError)
  }
  if (description.status.name !== 'RUNNING') return null;
  const status = await statusOf(deps, workflowId);
  if (status && isFinal(status.stage)) return null;
  // Answered before the submission is acknowledged: no Slack call (docs/design.md §9).
  const link = deps.permalinks.now(status?.thread ?? null);
  const stage = status ? ` (${STAGE_LABELS[status.stage]})` : '';
  return `An ${what} of ${name} is already open${stage}: ${link ?? workflowId}`;
}

/** Errors for a ticket or note longer than the modal allows, or null. */
export function lengthErrors(form: { ticket?: string; note?: string }, orgId: string): Record<string, string> | null {
  const errors: Record<string, string> = {};
  if (form.ticket && form.ticket.length > TICKET_MAX) errors[blockId('ticket', orgId)] = `A ticket reference has at most ${TICKET_MAX} characters.`;
  if (form.note && form.note.length > NOTE_MAX) errors[blockId('note', orgId)] = `A note has at most ${NOTE_MAX} characters.`;
  return Object.keys(errors).length > 0 ? errors : null;
}

/**
 * Checks a submitted modal against IT Glue and Temporal as they are now. Errors are keyed by the
 * block of the field they concern, for `response_action: 'errors'`.
 */
export async function checkInvite(
  deps: SlackDeps,
  view: { state: { values: Parameters<typeof readInvite>[0] }; private_metadata?: string },
  metadataOrgId: string | null,
  user: string,
  only?: ContactCheck,
): Promise<InviteCheck> {
  const form = readInvite(view.state.values, metadataOrgId);
  if (only) form.contactId = only.contactId;
  const errors: Record<string, string> = {};
  const directory = deps.directory;
  const orgId = form.orgId;
  if (!directory) return { ok: false, errors: { [blockId('org', null)]: 'IT Glue is not configured: onboardings cannot be started from Slack.' } };
  if (!orgId) return { ok: false, errors: { [blockId('org', null)]: 'Choose the organization.' } };
  // The contact and later fields belong to the organization the modal was built for.
  if (orgId !== metadataOrgId) return { ok: false, errors: { [blockId('org', null)]: 'Wait for the form to show this organization’s contacts, then submit.' } };

  const at = (field: Parameters<typeof blockId>[0]) => blockId(field, orgId);
  const tooLong = lengthErrors(form, orgId);
  if (tooLong) return { ok: false, errors: tooLong };
  if (!form.contactId) return { ok: false, errors: { [at('contact')]: 'Choose the contact to invite.' } };
  const kind = form.kind ?? 'itglue';
  const groupIds = form.groupIds ?? [];

  // Everything that can be read at once, then what depends on the contact.
  const [org, contact, approver, groups] = await Promise.all([
    directory.organization(orgId),
    directory.contact(form.contactId),
    form.approverId && form.approverId !== form.contactId ? directory.contact(form.approverId) : Promise.resolve(undefined),
    kind === 'itglue' ? Promise.resolve([]) : Promise.all(groupIds.map((id) => directory.group(id).catch(() => null))).then((found) => found.filter((g) => g !== null)),
  ]);
  if (!org || org.primary) return { ok: false, errors: { [blockId('org', null)]: 'Choose a customer organization from the list.' } };
  const [existing, open] = contact?.email
    ? await Promise.all([directory.userByEmail(contact.email), openProcessText(deps, workflowIdFor(org.id, contact.id), 'onboarding', contact.name)])
    : [null, null];

  const wrongKind = kindRefusal(org, kind);
  if (wrongKind) errors[at('kind')] = wrongKind.message;

  const invitee = checkContact(form.contactId, contact, org, 'invitee', 'form');
  const refusal = invitee.ok ? existingUserRefusal(invitee.contact.name, existing, kind, 'form') : invitee;
  if (refusal) errors[at('contact')] = refusal.message;
  else if (open && !only?.openAllowed) errors[at('contact')] = open;

  const approverContact = form.approverId === form.contactId ? contact : approver;
  if (form.approverId) {
    const checked = checkContact(form.approverId, approverContact ?? null, org, 'approver', 'form');
    if (!checked.ok) errors[at('approver')] = checked.message;
    else if (checked.contact === contact) {
      const refused = selfApproval(contact.name, org, isPrimaryContact(await directory.primaryContact(org.id, deps.policy.primaryContact), contact.id));
      if (refused) errors[at('approver')] = refused.message;
    }
  }

  // Organization access the request would give: the group(s) the user goes into.
  const limit = kind === 'itglue' ? Math.min(deps.policy.limits.maxOrganizations, LITE_MAX_ORGANIZATIONS) : deps.policy.limits.maxOrganizations;
  if (kind === 'itglue') {
    // A customer's own group (`group` model) must not reach more than allowed. Shared groups
    // (`per-user`) reach no organization at all: verification tells managers if one does.
    const own = organizationAccessOf(deps.policy) === 'group';
    const group = own ? await directory.groupByName(customerGroupFor(deps.policy, org.name, !!form.passwordAccess)) : null;
    if (group && group.organizationIds.length > limit) {
      errors[at('password')] =
        `The group “${group.name}” gives access to ${group.organizationIds.length} organizations; the policy allows ${limit}. Remove the others from the group in IT Glue (Account → Groups), or ask a manager.`;
    }
  } else if (groupIds.length === 0) {
    errors[at('groups')] = 'Choose at least one MyGlue group.';
  } else {
    const orgs = new Set(groups.flatMap((g) => g.organizationIds));
    if (orgs.size > limit) errors[at('groups')] = `These groups give access to ${orgs.size} organizations together; the policy allows ${limit}.`;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const request: OnboardingRequest = {
    orgId: org.id,
    contactId: contact!.id,
    kind,
    ...(kind === 'myglue' ? { myGlueRole: form.role ?? 'Creator', myGlueGroupIds: form.groupIds } : {}),
    // MyGlue: not chosen but what the groups allow (a group that could not be read counts as hiding them).
    passwordAccess: kind === 'itglue' ? !!form.passwordAccess : groups.length === groupIds.length && passwordVisibility(groups).visible,
    ...(form.approverId ? { approverContactId: form.approverId } : {}),
    ...(form.ticket ? { ticket: form.ticket } : {}),
    ...(form.note ? { note: form.note } : {}),
    requestedBy: user,
  };
  return { ok: true, request, ...(open && !refusal ? { open } : {}) };
}
