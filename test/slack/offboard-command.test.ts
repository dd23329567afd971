/**
 * /offboard-lite end to end over HTTP: the command (ack, views.open with the trigger_id, pre-filling
 * from its text, techs only), the organization and contact type-ahead, the modal rebuilt when an
 * organization is chosen, and the submission: every refusal inline on its field, and one
 * offboarding (`offboarding:<org>:<user>`) however often it is submitted.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardingQuery } from '../../src/onboardings';
import { OFFBOARD, REASON_MAX } from '../../src/slack/views/offboard-modal';
import { makeContact, makeUser, SEED } from '../fakes/itglue-server';
import { CHANNEL, eventually, startSlackHarness, USERS, type ModalState, type SlackHarness } from '../support/slack-harness';

let h: SlackHarness;

/** Customers of this run, in IT Glue before any modal reads Acme's contacts (a modal reuses the list for a few seconds). */
let leavers: Record<'nils' | 'lena' | 'mara' | 'olga', Leaver>;
/** A contact of Acme with the address of the MSP's own staff user (role Manager). */
let staffContactId: string;

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'itglue' });
  const base = 60_000 + Math.floor(Math.random() * 3_000) * 10;
  leavers = { nils: customer('Nils', base), lena: customer('Lena', base + 2), mara: customer('Mara', base + 4, { myGlue: true }), olga: customer('Olga', base + 6) };
  staffContactId = String(base + 8);
  h.itglue.data.contacts.push(
    makeContact({ id: staffContactId, 'organization-id': org.acme, 'first-name': 'Tom', 'last-name': 'Tech', email: 'tom.tech@northwind.test' }),
  );
});

afterAll(async () => {
  h?.world.releaseHolds();
  await h?.close();
});

type Block = {
  type: string;
  block_id?: string;
  optional?: boolean;
  dispatch_action?: boolean;
  element?: Record<string, unknown>;
  text?: { text: string };
  elements?: Array<{ text: string }>;
};
type View = Omit<ModalState, 'blocks'> & { blocks: Block[]; title: { text: string }; submit?: { text: string } };

const { org, contact } = SEED;
const COMMAND = '/offboard-lite';

/** The modal opened with this trigger_id, as it is now in the fake Slack (after any update). */
async function modalFor(triggerId: string): Promise<View> {
  await eventually(() => h.slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId && c.ok), `views.open with ${triggerId}`);
  const index = h.slack
    .callsOf('views.open')
    .filter((c) => c.ok)
    .findIndex((c) => c.args.trigger_id === triggerId);
  return (h.slack.views.opened as View[])[index]!;
}

async function openModal(user: string, text = ''): Promise<View> {
  const { response, triggerId } = await h.command(COMMAND, user, text);
  expect(response.status).toBe(200);
  return modalFor(triggerId);
}

function block(view: View, prefix: string): Block | undefined {
  return view.blocks.find((b) => b.block_id === prefix || b.block_id?.startsWith(`${prefix}:`));
}

const optionValues = (b: Block | undefined) => ((b?.element?.options as Array<{ value: string }> | undefined) ?? []).map((o) => o.value);
const initialValue = (b: Block | undefined) => (b?.element?.initial_option as { value: string } | undefined)?.value;
const opt = (value: string, text = value) => ({ text: { type: 'plain_text', text }, value });

/** Opens the modal with this text and returns it once it shows an organization's contacts. */
async function modalWith(text: string, user: string = USERS.tech): Promise<View> {
  const view = await openModal(user, text);
  return eventually(() => {
    const current = h.slack.views.byId[view.id] as View;
    return block(current, 'contact') ? current : null;
  }, `the modal for ${text}`);
}

/** `state.values` of the offboarding modal for this organization. */
function values(orgId: string, fields: { contact?: string; reason?: string; ticket?: string }) {
  const v: Record<string, Record<string, unknown>> = {
    org: { [OFFBOARD.org.action]: { type: 'external_select', selected_option: opt(orgId) } },
    [`reason:${orgId}`]: { [OFFBOARD.reason.action]: { type: 'plain_text_input', value: fields.reason ?? null } },
    [`ticket:${orgId}`]: { [OFFBOARD.ticket.action]: { type: 'plain_text_input', value: fields.ticket ?? null } },
  };
  if (fields.contact) v[`contact:${orgId}`] = { [OFFBOARD.contact.action]: { type: 'static_select', selected_option: opt(fields.contact) } };
  return v;
}

const errorsOf = (answer: Record<string, unknown> | null) => {
  expect(answer?.response_action).toBe('errors');
  return answer!.errors as Record<string, string>;
};

/**
 * A contact of Acme and their IT Glue user, with ids of this run only (test files share one
 * Temporal server, and the workflow ID names the user). The in-memory IT Glue of the workers knows
 * them too, so the offboarding runs to its approval whichever validation the worker has.
 */
function customer(first: string, base: number, fields: { myGlue?: boolean } = {}) {
  const contactId = String(base);
  const userId = String(base + 1);
  const email = `${first.toLowerCase()}.${base}@acme-dental.test`;
  h.itglue.data.contacts.push(makeContact({ id: contactId, 'organization-id': org.acme, 'first-name': first, 'last-name': 'Leaver', email }));
  h.itglue.data.users.push(
    makeUser({
      id: userId,
      'first-name': first,
      'last-name': 'Leaver',
      email,
      'role-name': fields.myGlue ? 'Creator' : 'Lite',
      'my-glue': !!fields.myGlue,
      'invitation-accepted-at': '2023-01-05T10:30:00.000Z',
    }),
  );
  const name = `${first} Leaver`;
  h.world.contacts.set(contactId, { contactId, name, firstName: first, email });
  h.world.users.set(email, {
    id: userId,
    email,
    roleName: fields.myGlue ? 'Creator' : 'Lite',
    myGlue: !!fields.myGlue,
    invitationSentAt: '2023-01-05T10:00:00.000Z',
    invitationAcceptedAt: '2023-01-05T10:30:00.000Z',
    currentSignInAt: null,
  });
  return { contactId, userId, email, name, workflowId: `offboarding:${org.acme}:${userId}` };
}

type Leaver = ReturnType<typeof customer>;

/** The input the workflow was started with (from its history: no worker needed). */
async function startInput(workflowId: string) {
  const history = await h.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const [input] = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!.map((p) => defaultPayloadConverter.fromPayload(p)) as Array<{
    request: Record<string, unknown>;
  }>;
  return input!.request;
}

async function runsOf(workflowId: string): Promise<number> {
  return eventually(async () => {
    const c = await h.temporal.client.workflow.count(`${onboardingQuery({ process: 'offboarding' })} AND WorkflowId = "${workflowId}"`);
    return c.count > 0 ? c.count : null;
  }, `visibility of ${workflowId}`);
}

describe('the command', () => {
  it('is acked at once, and opens the modal with the trigger_id it carried', async () => {
    const { response, ms, triggerId, body } = await h.command(COMMAND, USERS.tech);
    expect(response.status).toBe(200);
    expect(body).toBe('');
    expect(ms).toBeLessThan(3_000);
    const call = await eventually(() => h.slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId), 'views.open');
    expect(call.ok).toBe(true);
    const sent = call.args.view as unknown as View & { type: string; callback_id: string; close: { text: string } };
    expect(sent).toMatchObject({
      type: 'modal',
      callback_id: 'offboard_lite',
      title: { type: 'plain_text', text: 'Remove customer access' },
      submit: { type: 'plain_text', text: 'Remove access' },
      close: { type: 'plain_text', text: 'Cancel' },
    });
    expect(JSON.parse(sent.private_metadata)).toEqual({ channelId: 'C0GENERAL1', orgId: null });
    const orgBlock = block(sent, 'org');
    expect(orgBlock).toMatchObject({ type: 'input', dispatch_action: true });
    expect(orgBlock?.element).toMatchObject({ type: 'external_select', action_id: 'offboard_org', min_query_length: 0 });
    expect(orgBlock?.element?.initial_option).toBeUndefined();
    expect(block(sent, 'contact')).toBeUndefined();
    expect(JSON.stringify(sent.blocks)).toContain('Choose the organization to see its contacts.');
  });

  it('pre-fills organization and contact from an email address; contacts without an email are named, not listed', async () => {
    const view = await modalWith('paula.primary@acme-dental.test');
    expect(initialValue(block(view, 'org'))).toBe(org.acme);
    const contactBlock = block(view, 'contact')!;
    expect(contactBlock.block_id).toBe(`contact:${org.acme}`);
    expect(contactBlock.element).toMatchObject({ type: 'static_select', action_id: 'offboard_contact' });
    expect(initialValue(contactBlock)).toBe(contact.paulaPrimary);
    expect(optionValues(contactBlock)).toEqual(expect.arrayContaining([contact.paulaPrimary, contact.inesInvitee, contact.alexApprover]));
    expect(optionValues(contactBlock)).not.toContain(contact.noraNoEmail);
    expect(view.blocks.some((b) => b.type === 'context' && b.elements?.[0]?.text.includes('Nora NoEmail'))).toBe(true);
    const reason = block(view, 'reason')!;
    expect(reason).toMatchObject({ block_id: `reason:${org.acme}`, optional: true });
    expect(reason.element).toMatchObject({ type: 'plain_text_input', action_id: 'offboard_reason', max_length: REASON_MAX });
    expect(reason.element?.multiline).toBeUndefined();
    expect(block(view, 'ticket')).toMatchObject({ block_id: `ticket:${org.acme}`, optional: true });
    // The default policy: a manager approves removals.
    expect(JSON.stringify(view.blocks)).toContain('A manager approves the removal');
    expect(JSON.parse(view.private_metadata)).toEqual({ channelId: 'C0GENERAL1', orgId: org.acme });
  });

  it('pre-fills the organization from its name, and no contact', async () => {
    const view = await modalWith('Smith, Jones');
    expect(initialValue(block(view, 'org'))).toBe(org.smithJones);
    expect(initialValue(block(view, 'contact'))).toBeUndefined();
    expect(optionValues(block(view, 'contact')).sort()).toEqual([contact.samSmith, contact.joJones, contact.caseyClerk].sort());
  });

  it('refuses someone who is not a tech with a message only they see, and opens nothing', async () => {
    for (const user of [USERS.outsider, USERS.manager]) {
      const { response, triggerId, body } = await h.command(COMMAND, user, 'paula.primary@acme-dental.test');
      expect(response.status).toBe(200);
      const answer = JSON.parse(body) as { response_type: string; text: string };
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text).toContain('Only the techs');
      await new Promise((r) => setTimeout(r, 200));
      expect(h.slack.callsOf('views.open').some((c) => c.args.trigger_id === triggerId)).toBe(false);
    }
    // A tech listed by user ID (not in the user group) may.
    const view = await openModal(USERS.tech2);
    expect(view.callback_id).toBe('offboard_lite');
  });

  it('opens a loading view at once when IT Glue is slow, then fills it in', async () => {
    h.itglue.delayNext({ ms: 1_800, times: 1, path: `/organizations/${org.bluebird}` });
    const { response, triggerId, ms } = await h.command(COMMAND, USERS.tech, 'Bluebird Logistics');
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(1_000);
    const loading = await modalFor(triggerId);
    expect(loading.title.text).toBe('Remove customer access');
    expect(JSON.stringify(loading.blocks)).toContain('Loading');
    const filled = await eventually(() => {
      const v = h.slack.views.byId[loading.id] as View;
      return block(v, 'contact') ? v : null;
    }, 'the filled-in modal');
    expect(filled.callback_id).toBe('offboard_lite');
    expect(initialValue(block(filled, 'org'))).toBe(org.bluebird);
  });
});

describe('the modal', () => {
  it('offers customer organizations by type-ahead, to techs only', async () => {
    const acme = await h.suggest(OFFBOARD.org.action, 'acm', USERS.tech);
    expect(acme.status).toBe(200);
    expect(acme.options.map((o) => o.text.text)).toEqual(['Acme Dental']);
    const all = await h.suggest(OFFBOARD.org.action, '', USERS.tech);
    expect(all.options.map((o) => o.value)).not.toContain(org.msp);
    const refused = await h.suggest(OFFBOARD.org.action, 'acm', USERS.outsider);
    expect(refused.options).toEqual([]);
  });

  it('offers the chosen organization’s contacts with an email by type-ahead too', async () => {
    const view = await modalWith('Acme Dental');
    const found = await h.suggest(OFFBOARD.contact.action, 'paula', USERS.tech, view);
    expect(found.options.map((o) => o.value)).toEqual([contact.paulaPrimary]);
    const none = await h.suggest(OFFBOARD.contact.action, 'nora', USERS.tech, view);
    expect(none.options).toEqual([]);
  });

  it('shows the chosen organization’s contacts once it is chosen', async () => {
    const view = await openModal(USERS.tech);
    const response = await h.modalAction(
      view,
      'org',
      { action_id: OFFBOARD.org.action, type: 'external_select', selected_option: opt(org.bluebird, 'Bluebird Logistics') },
      USERS.tech,
      values(org.bluebird, {}),
    );
    expect(response.status).toBe(200);
    const updated = await eventually(() => {
      const v = h.slack.views.byId[view.id] as View;
      return block(v, 'contact') ? v : null;
    }, 'the updated modal');
    expect(updated.callback_id).toBe('offboard_lite');
    expect(optionValues(block(updated, 'contact')).sort()).toEqual([contact.blakeBird, contact.robinWren].sort());
    expect(JSON.parse(updated.private_metadata).orgId).toBe(org.bluebird);
  });
});

describe('the submission', () => {
  it('refuses a contact without an email address, on the contact field', async () => {
    const view = await modalWith('Acme Dental');
    const { status, answer } = await h.submit(view, USERS.tech, values(org.acme, { contact: contact.noraNoEmail }));
    expect(status).toBe(200);
    expect(errorsOf(answer)[`contact:${org.acme}`]).toContain('Nora NoEmail has no email address in IT Glue');
  });

  it('refuses a contact that no IT Glue user has the email of', async () => {
    const view = await modalWith('Acme Dental');
    const { answer } = await h.submit(view, USERS.tech, values(org.acme, { contact: contact.inesInvitee }));
    expect(errorsOf(answer)[`contact:${org.acme}`]).toBe(
      'No IT Glue user has the email address Ines.Invitee@acme-dental.test: Ines Invitee has no IT Glue Lite or MyGlue access to remove.',
    );
  });

  it('refuses a user with an MSP staff role', async () => {
    const view = await modalWith('Acme Dental');
    expect(optionValues(block(view, 'contact'))).toContain(staffContactId);
    const { answer } = await h.submit(view, USERS.tech, values(org.acme, { contact: staffContactId }));
    const error = errorsOf(answer)[`contact:${org.acme}`]!;
    expect(error).toContain("The IT Glue user tom.tech@northwind.test has role Manager: an MSP staff account, not a customer's Lite user.");
    const count = await h.temporal.client.workflow.count(`WorkflowId = "offboarding:${org.acme}:${SEED.user.tech}"`);
    expect(count.count).toBe(0);
  });

  it('refuses a reason longer than allowed, on the reason field', async () => {
    const view = await modalWith('paula.primary@acme-dental.test');
    const { answer } = await h.submit(view, USERS.tech, values(org.acme, { contact: contact.paulaPrimary, reason: 'x'.repeat(REASON_MAX + 1) }));
    expect(errorsOf(answer)[`reason:${org.acme}`]).toBe(`A reason has at most ${REASON_MAX} characters.`);
  });

  it('refuses someone who is not a tech, inline, and starts nothing', async () => {
    const leaver = leavers.nils;
    const view = await modalWith(leaver.email);
    const { answer } = await h.submit(view, USERS.outsider, values(org.acme, { contact: leaver.contactId }));
    expect(Object.values(errorsOf(answer)).join(' ')).toContain('Only the techs');
    const count = await h.temporal.client.workflow.count(`WorkflowId = "${leaver.workflowId}"`);
    expect(count.count).toBe(0);
  });

  it('starts one offboarding (requested by the submitter, kind from the user) and says where its thread is; submitted twice, or by two techs at once, it starts once', async () => {
    const leaver = leavers.lena;
    const view = await modalWith(leaver.email);
    expect(initialValue(block(view, 'contact'))).toBe(leaver.contactId);
    const other = await modalWith(leaver.email, USERS.tech2);
    const form = values(org.acme, { contact: leaver.contactId, reason: '  Left the\npractice ', ticket: 'T-2001' });
    const [first, twice, byOther] = await Promise.all([h.submit(view, USERS.tech, form), h.submit(view, USERS.tech, form), h.submit(other, USERS.tech2, form)]);
    for (const a of [first, twice, byOther]) expect(a.status).toBe(200);
    // The first submission decides and says where the thread is; the same view again just closes.
    expect(first.answer).toMatchObject({ response_action: 'update', view: { type: 'modal', callback_id: 'offboard_lite_started' } });
    const said = JSON.stringify(first.answer);
    expect(said).toContain(`<#${CHANNEL}>`);
    expect(said).toContain('*Lena Leaver*');
    expect(twice.answer).toBeNull();
    // The other tech's form found it open (started already, or refused with a link) or started it.
    expect(JSON.stringify(byOther.answer)).toMatch(/already open|has started/);

    const description = await h.temporal.client.workflow.getHandle(leaver.workflowId).describe();
    expect(description.type).toBe('offboarding');
    const request = await startInput(leaver.workflowId);
    expect([USERS.tech, USERS.tech2]).toContain(request.requestedBy);
    expect(request).toEqual({
      orgId: org.acme,
      contactId: leaver.contactId,
      userId: leaver.userId,
      kind: 'itglue',
      passwordAccess: false,
      requestedBy: request.requestedBy,
      reason: 'Left the practice',
      ticket: 'T-2001',
    });
    expect(await runsOf(leaver.workflowId)).toBe(1);
    expect(h.logged.filter((l) => l.event === 'slack.offboardingStarted' && l.fields.workflowId === leaver.workflowId && l.fields.created === true)).toHaveLength(1);
  });

  it('takes the kind from the user: a MyGlue user is offboarded as MyGlue', async () => {
    const leaver = leavers.mara;
    const view = await modalWith(leaver.email);
    const { answer } = await h.submit(view, USERS.tech, values(org.acme, { contact: leaver.contactId }));
    expect(answer?.response_action).toBe('update');
    const request = await startInput(leaver.workflowId);
    expect(request).toEqual({ orgId: org.acme, contactId: leaver.contactId, userId: leaver.userId, kind: 'myglue', passwordAccess: false, requestedBy: USERS.tech });
  });

  it('refuses a user whose offboarding is already open, with a link to its thread', async () => {
    const leaver = leavers.olga;
    const view = await modalWith(leaver.email);
    const form = values(org.acme, { contact: leaver.contactId });
    expect((await h.submit(view, USERS.tech, form)).answer?.response_action).toBe('update');
    await eventually(() => h.root(leaver.workflowId), 'the thread root');
    const again = await modalWith(leaver.email, USERS.tech2);
    const { answer } = await h.submit(again, USERS.tech2, form);
    const error = errorsOf(answer)[`contact:${org.acme}`]!;
    expect(error).toContain('An offboarding of Olga Leaver is already open');
    expect(error).toMatch(new RegExp(`https://fake-team\\.slack\\.com/archives/${CHANNEL}/p\\d+`));
    expect(await runsOf(leaver.workflowId)).toBe(1);
  });
});
