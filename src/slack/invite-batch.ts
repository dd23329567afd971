/**
 * Several contacts chosen in the /invite-lite modal (docs/design.md §15.3): each is checked as a
 * single one is (a problem comes back on the contact field, naming the contact); those already
 * open are reported with their thread links; the others start one onboarding each. Two or more
 * that need an approval form a batch: one approval mail and one page for all of them, the batch
 * workflow started before its members, which tell it when they wait.
 */
import type { Client } from '@temporalio/client';
import type { Policy } from '../../workflows/policy';
import { type OnboardingRequest, workflowIdFor } from '../../workflows/types';
import { startApprovalBatch } from '../approval-batches';
import { startOnboarding, type Started } from '../onboardings';
import { oneLine } from '../../workflows/text';
import type { SlackDeps } from './deps';
import { escapeMrkdwn } from './escape';
import { checkInvite, type InviteCheck } from './invite-form';
import { blockId, INVITE, MAX_CONTACTS } from './views/invite-modal';

type StateValues = Parameters<typeof checkInvite>[1]['state']['values'];

/** Several contacts checked: the requests to start, and what is already open (with its link). */
export type BulkCheck = { ok: true; bulk: true; requests: OnboardingRequest[]; open: string[] } | { ok: false; errors: Record<string, string> };

/** The contacts chosen in the modal (a multi-select; a single select as sent before also counts). */
export function chosenContacts(values: StateValues | undefined, orgId: string | null): string[] {
  const input = values?.[blockId('contact', orgId)]?.[INVITE.contact.action];
  const options = input?.selected_options;
  const ids = Array.isArray(options) ? options.map((o) => o?.value) : [input?.selected_option?.value];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.length > 0))];
}

/** The chosen contacts' names, as their options show them (“Name — email”). */
export function chosenNames(values: StateValues | undefined, orgId: string | null): Record<string, string> {
  const input = values?.[blockId('contact', orgId)]?.[INVITE.contact.action];
  const names: Record<string, string> = {};
  for (const o of Array.isArray(input?.selected_options) ? input.selected_options : []) {
    const text = (o as { text?: { text?: unknown } } | null)?.text?.text;
    if (typeof o?.value === 'string' && typeof text === 'string') names[o.value] = text.split(' — ')[0]!;
  }
  return names;
}

/** One contact: the check as it always was. Several: each checked, problems merged on their fields. */
export async function checkInvites(
  deps: SlackDeps,
  view: Parameters<typeof checkInvite>[1],
  metadataOrgId: string | null,
  user: string,
): Promise<InviteCheck | BulkCheck> {
  const ids = chosenContacts(view.state.values, metadataOrgId);
  if (ids.length <= 1) return checkInvite(deps, view, metadataOrgId, user, ids[0] ? { contactId: ids[0], openAllowed: false } : undefined);
  if (ids.length > MAX_CONTACTS) return { ok: false, errors: { [blockId('contact', metadataOrgId)]: `Choose at most ${MAX_CONTACTS} contacts.` } };
  const checks = await Promise.all(ids.map((contactId) => checkInvite(deps, view, metadataOrgId, user, { contactId, openAllowed: true })));
  const errors: Record<string, string> = {};
  for (const check of checks) {
    if (check.ok) continue;
    for (const [field, text] of Object.entries(check.errors)) {
      // A problem of a field all contacts share (the approver, the groups) is said once.
      if (!errors[field]?.includes(text)) errors[field] = errors[field] ? `${errors[field]} ${text}` : text;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const passed = checks.filter((c): c is Extract<InviteCheck, { ok: true }> => c.ok);
  return { ok: true, bulk: true, requests: passed.filter((c) => !c.open).map((c) => c.request), open: passed.flatMap((c) => (c.open ? [c.open] : [])) };
}

export interface BulkStarted {
  started: Started[];
  /** The batch's workflow ID, when two or more onboardings share one approval. */
  batchWorkflowId: string | null;
}

/** Needs an approval: an approver was chosen, and it is not the invitee. */
const needsApproval = (r: OnboardingRequest) => !!r.approverContactId && r.approverContactId !== r.contactId;

/**
 * Starts the onboardings; two or more that need an approval get `batchId`, after their batch has
 * started. `batchId` comes from the modal's view, so that a submission taken twice starts one batch.
 */
export async function startBulk(client: Client, taskQueue: string, policy: Policy, requests: OnboardingRequest[], batchId: string): Promise<BulkStarted> {
  const batched = requests.filter(needsApproval);
  let batchWorkflowId: string | null = null;
  const approverContactId = batched[0]?.approverContactId;
  if (batched.length >= 2 && approverContactId) {
    const { orgId, requestedBy } = batched[0]!;
    const memberIds = batched.map((r) => workflowIdFor(r.orgId, r.contactId));
    batchWorkflowId = await startApprovalBatch(client, taskQueue, { orgId, batchId, memberIds, approverContactId, policy, requestedBy });
  }
  const started = await Promise.all(requests.map((r) => startOnboarding(client, taskQueue, batchWorkflowId && needsApproval(r) ? { ...r, batchId } : r, policy)));
  return { started, batchWorkflowId };
}

/** What the modal says once several contacts were submitted. */
export function bulkSummary(check: Extract<BulkCheck, { ok: true }>, result: BulkStarted, names: (contactId: string) => string): string {
  const lines: string[] = [];
  // Only those this submission started (a contact's onboarding opened meanwhile by someone else is not one).
  const created = check.requests.filter((_, i) => result.started[i]?.created);
  if (created.length > 0) {
    // Names come from IT Glue through the form: one line, escaped, web addresses unclickable.
    const who = created.map((r) => escapeMrkdwn(oneLine(names(r.contactId)))).join(', ');
    lines.push(`Started ${created.length === 1 ? 'one onboarding' : `${created.length} onboardings`}: ${who}.`);
  }
  if (result.batchWorkflowId) lines.push('The approver gets one email for them, with a decision per person.');
  for (const open of check.open) lines.push(open);
  return lines.join('\n');
}
