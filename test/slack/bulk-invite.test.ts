/**
 * Several contacts in one /invite-lite modal (docs/design.md §15.3), over HTTP with signed requests
 * to the real Bolt app: one onboarding each and one batch with one approval mail; a contact whose
 * onboarding is already open is reported with its link and the others batched; a single contact
 * starts as before, without a batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchApprovalMail } from '../../activities/contracts';
import { getBatchStatus } from '../../src/approval-batches';
import { INVITE } from '../../src/slack/views/invite-modal';
import { status as statusQuery } from '../../workflows/messages';
import type { OnboardingStatus } from '../../workflows/types';
import { makeContact, makeOrganization } from '../fakes/itglue-server';
import { eventually, startSlackHarness, USERS, type ModalState, type SlackHarness } from '../support/slack-harness';
import { waitForStatus } from '../support/temporal';

let h: SlackHarness;
let orgCounter = 0;

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'itglue' });
});
afterAll(async () => {
  await h?.close();
});

type Block = { type: string; block_id?: string; element?: Record<string, unknown>; text?: { text: string } };
type View = Omit<ModalState, 'blocks'> & { blocks: Block[] };
interface Person {
  id: string;
  name: string;
}

/** A customer organization of its own (fresh workflow IDs), with an approver and four contacts to invite. */
function newOrganization(): { orgId: string; name: string; approver: Person; people: Person[] } {
  orgCounter += 1;
  const base = 8_000_000 + Math.floor(Math.random() * 100_000) * 100 + orgCounter * 10;
  const orgId = String(base);
  const name = `Bulk Clinic ${orgId}`;
  h.itglue.data.organizations.push(makeOrganization({ id: orgId, name }));
  const people = ['Ann Able', 'Ben Baker', 'Cat Cole', 'Dan Dorn', 'Pat Approver'].map((full, i) => {
    const [first, last] = full.split(' ');
    const id = String(base + i + 1);
    h.itglue.data.contacts.push(
      makeContact({ id, 'organization-id': orgId, 'first-name': first, 'last-name': last, email: `${first!.toLowerCase()}.${orgId}@bulk.test` }),
    );
    return { id, name: full };
  });
  return { orgId, name, approver: people[4]!, people: people.slice(0, 4) };
}

const opt = (value: string, text = value) => ({ text: { type: 'plain_text', text }, value });

function block(view: View, prefix: string): Block | undefined {
  return view.blocks.find((b) => b.block_id === prefix || b.block_id?.startsWith(`${prefix}:`));
}

/** Opens the modal and chooses the organization (the organization list is cached: no search by name); returns it once its contacts are shown. */
async function modalFor(orgId: string): Promise<View> {
  const { response, triggerId } = await h.command('/invite-lite', USERS.tech);
  expect(response.status).toBe(200);
  await eventually(() => h.slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId && c.ok), 'views.open');
  const index = h.slack
    .callsOf('views.open')
    .filter((c) => c.ok)
    .findIndex((c) => c.args.trigger_id === triggerId);
  const opened = (h.slack.views.opened as View[])[index]!;
  const chosen = await h.modalAction(opened, 'org', { action_id: INVITE.org.action, type: 'external_select', selected_option: opt(orgId) }, USERS.tech, {
    org: { [INVITE.org.action]: { type: 'external_select', selected_option: opt(orgId) } },
  });
  expect(chosen.status).toBe(200);
  return eventually(() => {
    const current = h.slack.views.byId[opened.id] as View;
    return block(current, 'contact') ? current : null;
  }, `the modal of ${orgId}`);
}

/** `state.values` as Slack sends them with several contacts chosen in the multi-select. */
function values(orgId: string, contacts: Person[], approver: Person) {
  return {
    org: { [INVITE.org.action]: { type: 'external_select', selected_option: opt(orgId) } },
    [`contact:${orgId}`]: { [INVITE.contact.action]: { type: 'multi_static_select', selected_options: contacts.map((c) => opt(c.id, `${c.name} — mail`)) } },
    [`approver:${orgId}`]: { [INVITE.approver.action]: { type: 'static_select', selected_option: opt(approver.id) } },
    [`kind:${orgId}`]: { [INVITE.kind.action]: { type: 'radio_buttons', selected_option: opt('itglue') } },
    [`password:${orgId}`]: { [INVITE.password.action]: { type: 'radio_buttons', selected_option: opt('no') } },
    [`ticket:${orgId}`]: { [INVITE.ticket.action]: { type: 'plain_text_input', value: 'T-77' } },
    [`note:${orgId}`]: { [INVITE.note.action]: { type: 'plain_text_input', value: null } },
  };
}

const statusOf = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId).query(statusQuery) as Promise<OnboardingStatus>;
const batchMailsOf = (batchWorkflowId: string) =>
  h.world
    .callsOf('sendBatchApprovalRequest')
    .map((a) => a[0] as BatchApprovalMail)
    .filter((m) => m.workflowId === batchWorkflowId);
const ownMailsOf = (orgId: string) =>
  h.world.callsOf('sendApprovalRequest').filter((a) => (a[0] as { workflowId: string }).workflowId.startsWith(`onboarding:${orgId}:`));
/** The batch's approval mails, once the first has been sent. */
async function batchMailsSent(batchWorkflowId: string): Promise<BatchApprovalMail[]> {
  await eventually(() => batchMailsOf(batchWorkflowId).length > 0, 'the batch mail');
  return batchMailsOf(batchWorkflowId);
}
/** The text of a view the submission's answer shows. */
const summaryOf = (answer: Record<string, unknown> | null) => ((answer?.view as View | undefined)?.blocks ?? []).map((b) => b.text?.text ?? '').join('\n');

describe('several contacts in one modal', () => {
  it('offers the contacts as a multi-select of up to ten', async () => {
    const { orgId } = newOrganization();
    const view = await modalFor(orgId);
    expect(block(view, 'contact')!.element).toMatchObject({ type: 'multi_static_select', action_id: INVITE.contact.action, max_selected_items: 10 });
  });

  it('keeps the contacts chosen when the modal is rebuilt (the organization chosen again)', async () => {
    const org = newOrganization();
    const view = await modalFor(org.orgId);
    const updates = () => h.slack.callsOf('views.update').filter((c) => c.ok && (c.args as { view_id?: string }).view_id === view.id);
    const before = updates().length;
    const chosen = values(org.orgId, org.people.slice(0, 3), org.approver);
    const response = await h.modalAction(view, 'org', { action_id: INVITE.org.action, type: 'external_select', selected_option: opt(org.orgId) }, USERS.tech, chosen);
    expect(response.status).toBe(200);
    const rebuilt = await eventually(
      () => (updates().length > before ? (updates().at(-1)!.args as { view: { blocks: Block[] } }).view.blocks : null),
      'the rebuilt modal',
    );
    const contacts = rebuilt.find((b) => b.block_id === `contact:${org.orgId}`)!.element as { initial_options?: Array<{ value: string }> };
    expect(contacts.initial_options?.map((o) => o.value)).toEqual(org.people.slice(0, 3).map((p) => p.id));
  });

  it('starts three onboardings and one batch, with one approval mail for the three', async () => {
    const { orgId, approver, people } = newOrganization();
    const chosen = people.slice(0, 3);
    const view = await modalFor(orgId);
    const { status, answer } = await h.submit(view, USERS.tech, values(orgId, chosen, approver));
    expect(status).toBe(200);
    expect(answer?.response_action).toBe('update');
    const summary = summaryOf(answer);
    expect(summary).toContain('Started 3 onboardings: Ann Able, Ben Baker, Cat Cole.');
    expect(summary).toContain('one email for them');
    const batchWorkflowId = `approval-batch:${orgId}:${view.id}`;
    for (const p of chosen) {
      const s = await statusOf(`onboarding:${orgId}:${p.id}`);
      expect(s.request).toMatchObject({ contactId: p.id, approverContactId: approver.id, requestedBy: USERS.tech, ticket: 'T-77', batchId: view.id });
    }
    const mails = await batchMailsSent(batchWorkflowId);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.members.map((m) => m.invitee.contactId).sort()).toEqual(chosen.map((p) => p.id).sort());
    expect(mails[0]!.approver.contactId).toBe(approver.id);
    expect((await getBatchStatus(h.temporal.client, batchWorkflowId)).memberIds.sort()).toEqual(chosen.map((p) => `onboarding:${orgId}:${p.id}`).sort());
    expect(ownMailsOf(orgId)).toHaveLength(0);
  });

  it('reports a contact whose onboarding is already open, with its link, and batches the other two', async () => {
    const { orgId, approver, people } = newOrganization();
    const [open, ...others] = people.slice(0, 3);
    const openId = await h.start({ orgId, contactId: open!.id, approverContactId: approver.id });
    await waitForStatus(h.temporal.client.workflow.getHandle(openId), (s) => s.stage === 'AWAITING_APPROVAL' && s.thread !== null);
    const view = await modalFor(orgId);
    const { answer } = await h.submit(view, USERS.tech, values(orgId, people.slice(0, 3), approver));
    expect(answer?.response_action).toBe('update');
    const summary = summaryOf(answer);
    expect(summary).toContain('Started 2 onboardings: Ben Baker, Cat Cole.');
    expect(summary).toMatch(new RegExp(`An onboarding of ${open!.name} is already open \\(.*\\): https://`));
    const batchWorkflowId = `approval-batch:${orgId}:${view.id}`;
    const batch = await getBatchStatus(h.temporal.client, batchWorkflowId);
    expect(batch.memberIds.sort()).toEqual(others.map((p) => `onboarding:${orgId}:${p.id}`).sort());
    const [mail] = await batchMailsSent(batchWorkflowId);
    expect(mail!.members.map((m) => m.invitee.contactId).sort()).toEqual(others.map((p) => p.id).sort());
    // The open one keeps its own request, unchanged.
    expect((await statusOf(openId)).request.batchId).toBeUndefined();
  });

  it('refuses the whole submission when one contact cannot be invited, naming it on the contact field', async () => {
    const { orgId, approver, people } = newOrganization();
    h.itglue.data.contacts.find((c) => c.id === people[1]!.id)!['contact-emails'] = [];
    const view = await modalFor(orgId);
    const { answer } = await h.submit(view, USERS.tech, values(orgId, [people[0]!, people[1]!, people[2]!], approver));
    expect(answer?.response_action).toBe('errors');
    expect((answer?.errors as Record<string, string> | undefined)?.[`contact:${orgId}`]).toContain('Ben Baker has no email address');
    await expect(statusOf(`onboarding:${orgId}:${people[0]!.id}`)).rejects.toThrow();
  });

  it('starts a single contact as before: no batch, its own approval mail', async () => {
    const { orgId, approver, people } = newOrganization();
    const view = await modalFor(orgId);
    const { answer } = await h.submit(view, USERS.tech, values(orgId, [people[3]!], approver));
    expect(answer).toBeNull();
    const workflowId = `onboarding:${orgId}:${people[3]!.id}`;
    const s = await waitForStatus(h.temporal.client.workflow.getHandle(workflowId), (x) => x.approvalRound === 1);
    expect(s.request.batchId).toBeUndefined();
    await eventually(() => ownMailsOf(orgId).length === 1, 'its own approval mail');
    await expect(getBatchStatus(h.temporal.client, `approval-batch:${orgId}:${view.id}`)).rejects.toThrow();
  });
});
