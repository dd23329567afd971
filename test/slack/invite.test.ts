/**
 * /invite-lite end to end over HTTP: the command (ack, views.open with the trigger_id, pre-filling
 * from its text), the organization type-ahead, the modal rebuilt when an organization or the kind
 * is chosen, and the submission: every refusal inline on its field, and one onboarding however
 * often it is submitted.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardingQuery } from '../../src/onboardings';
import { INVITE } from '../../src/slack/views/invite-modal';
import { makeContact, makeGroup, SEED } from '../fakes/itglue-server';
import { eventually, startSlackHarness, USERS, type ModalState, type SlackHarness } from '../support/slack-harness';

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({ mode: 'itglue' });
});

afterAll(async () => {
  await h?.close();
});

type Block = { type: string; block_id?: string; element?: Record<string, unknown>; text?: { text: string }; elements?: Array<{ text: string }>; hint?: { text: string } };
type View = Omit<ModalState, 'blocks'> & { blocks: Block[] };

const { org, contact } = SEED;

/** The modal opened with this trigger_id, as it is now in the fake Slack (after any update). */
async function modalFor(triggerId: string): Promise<View> {
  await eventually(() => h.slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId && c.ok), `views.open with ${triggerId}`);
  // Views are kept in the order they were opened, as the successful calls were made.
  const index = h.slack
    .callsOf('views.open')
    .filter((c) => c.ok)
    .findIndex((c) => c.args.trigger_id === triggerId);
  return (h.slack.views.opened as View[])[index]!;
}

async function openModal(user: string, text = ''): Promise<View> {
  const { response, triggerId } = await h.command('/invite-lite', user, text);
  expect(response.status).toBe(200);
  return modalFor(triggerId);
}

function block(view: View, prefix: string): Block | undefined {
  return view.blocks.find((b) => b.block_id === prefix || b.block_id?.startsWith(`${prefix}:`));
}

function optionValues(b: Block | undefined): string[] {
  return ((b?.element?.options as Array<{ value: string }> | undefined) ?? []).map((o) => o.value);
}

function initialValue(b: Block | undefined): string | undefined {
  // The contacts to invite are a multi-select (docs/design.md §15.3): its first initial option.
  const initial = b?.element?.initial_option ?? (b?.element?.initial_options as unknown[] | undefined)?.[0];
  return (initial as { value: string } | undefined)?.value;
}

const opt = (value: string, text = value) => ({ text: { type: 'plain_text', text }, value });

/** `state.values` of the invite modal for this organization. */
function values(
  orgId: string,
  fields: { contact?: string; approver?: string; kind?: 'itglue' | 'myglue'; password?: 'yes' | 'no'; groups?: string[]; role?: string; ticket?: string; note?: string },
) {
  const v: Record<string, Record<string, unknown>> = {
    org: { [INVITE.org.action]: { type: 'external_select', selected_option: opt(orgId) } },
    [`kind:${orgId}`]: { [INVITE.kind.action]: { type: 'radio_buttons', selected_option: opt(fields.kind ?? 'itglue') } },
    [`ticket:${orgId}`]: { [INVITE.ticket.action]: { type: 'plain_text_input', value: fields.ticket ?? null } },
    [`note:${orgId}`]: { [INVITE.note.action]: { type: 'plain_text_input', value: fields.note ?? null } },
  };
  if (fields.contact) v[`contact:${orgId}`] = { [INVITE.contact.action]: { type: 'static_select', selected_option: opt(fields.contact) } };
  if (fields.approver) v[`approver:${orgId}`] = { [INVITE.approver.action]: { type: 'static_select', selected_option: opt(fields.approver) } };
  if (fields.password) v[`password:${orgId}`] = { [INVITE.password.action]: { type: 'radio_buttons', selected_option: opt(fields.password) } };
  if (fields.role) v[`myglue_role:${orgId}`] = { [INVITE.role.action]: { type: 'static_select', selected_option: opt(fields.role) } };
  if (fields.groups) v[`myglue_groups:${orgId}`] = { [INVITE.groups.action]: { type: 'multi_static_select', selected_options: fields.groups.map((g) => opt(g)) } };
  return v;
}

/** Opens the modal pre-filled for the organization and returns it as it is after loading. */
async function modalForOrg(name: string, user: string = USERS.tech): Promise<View> {
  const view = await openModal(user, name);
  return eventually(() => {
    const current = h.slack.views.byId[view.id] as View;
    return block(current, 'contact') || current.blocks.some((b) => b.text?.text?.includes('has no contact')) ? current : null;
  }, `the modal of ${name}`);
}

describe('the command', () => {
  it('is acked at once, and views.open is called with the trigger_id it carried', async () => {
    const { response, ms, triggerId, body } = await h.command('/invite-lite', USERS.tech);
    expect(response.status).toBe(200);
    expect(body).toBe('');
    expect(ms).toBeLessThan(3_000);
    const view = await modalFor(triggerId);
    expect(view.callback_id).toBe('invite_lite');
    const orgBlock = block(view, 'org');
    expect(orgBlock?.element?.type).toBe('external_select');
    expect(block(view, 'contact')).toBeUndefined();
    // Opened within the trigger's 3 seconds (the fake refuses an expired one).
    expect(h.slack.callsOf('views.open').find((c) => c.args.trigger_id === triggerId)?.ok).toBe(true);
  });

  it('pre-fills the organization from its name: contacts with an email, the primary contact as approver, MyGlue offered where set up', async () => {
    const view = await modalForOrg('acme dental');
    expect(initialValue(block(view, 'org'))).toBe(org.acme);
    const contacts = optionValues(block(view, 'contact'));
    expect(contacts.sort()).toEqual([contact.paulaPrimary, contact.inesInvitee, contact.ottoOther, contact.alexApprover].sort());
    expect(contacts).not.toContain(contact.noraNoEmail);
    const notListed = view.blocks.find((b) => b.type === 'context' && b.elements?.[0]?.text.includes('Nora NoEmail'));
    expect(notListed).toBeDefined();
    const approver = block(view, 'approver');
    expect(initialValue(approver)).toBe(contact.paulaPrimary);
    expect(approver?.hint?.text).toContain('Pre-selected');
    expect(optionValues(block(view, 'kind'))).toEqual(['itglue', 'myglue']);
    expect(initialValue(block(view, 'password'))).toBe('no');
  });

  it('pre-fills organization and contact from an email address', async () => {
    const view = await modalForOrg('ines.invitee@acme-dental.test');
    expect(initialValue(block(view, 'org'))).toBe(org.acme);
    expect(initialValue(block(view, 'contact'))).toBe(contact.inesInvitee);
  });

  it('says when the text matches several organizations, and leaves the choice open', async () => {
    const view = await openModal(USERS.tech, 'smi');
    const current = await eventually(
      () => (h.slack.views.byId[view.id] as View).blocks.find((b) => b.type === 'section') && (h.slack.views.byId[view.id] as View),
      'notice',
    );
    expect(current.blocks[0]?.text?.text).toContain('2 organizations match');
    expect(block(current, 'contact')).toBeUndefined();
  });

  it('refuses someone who is not a tech with a message only they see, and opens nothing', async () => {
    for (const user of [USERS.outsider, USERS.manager]) {
      const { response, triggerId, body } = await h.command('/invite-lite', user);
      expect(response.status).toBe(200);
      const answer = JSON.parse(body) as { response_type: string; text: string };
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text).toContain('Only the techs');
      await new Promise((r) => setTimeout(r, 200));
      expect(h.slack.callsOf('views.open').some((c) => c.args.trigger_id === triggerId)).toBe(false);
    }
    // A tech listed by user ID (not in the user group) may.
    const view = await openModal(USERS.tech2);
    expect(view.callback_id).toBe('invite_lite');
  });

  it('a retried delivery of the same command opens one modal', async () => {
    const triggerId = h.slack.issueTriggerId();
    const first = await h.command('/invite-lite', USERS.tech, '', { triggerId });
    const again = await h.command('/invite-lite', USERS.tech, '', { triggerId });
    expect([first.response.status, again.response.status]).toEqual([200, 200]);
    await modalFor(triggerId);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.slack.callsOf('views.open').filter((c) => c.args.trigger_id === triggerId)).toHaveLength(1);
  });
});

describe('the modal', () => {
  it('offers customer organizations by type-ahead (never the MSP’s own)', async () => {
    const acme = await h.suggest(INVITE.org.action, 'acm', USERS.tech);
    expect(acme.status).toBe(200);
    expect(acme.options.map((o) => o.text.text)).toEqual(['Acme Dental']);
    const all = await h.suggest(INVITE.org.action, '', USERS.tech);
    expect(all.options.map((o) => o.value).sort()).toEqual([org.acme, org.smithJones, org.bluebird, org.smith].sort());
    const refused = await h.suggest(INVITE.org.action, 'acm', USERS.outsider);
    expect(refused.options).toEqual([]);
  });

  it('shows the chosen organization’s contacts; when the rule finds several primary contacts, the tech chooses', async () => {
    const view = await openModal(USERS.tech);
    const response = await h.modalAction(
      view,
      'org',
      { action_id: INVITE.org.action, type: 'external_select', selected_option: opt(org.smithJones, 'Smith, Jones & Co') },
      USERS.tech,
      values(org.smithJones, {}),
    );
    expect(response.status).toBe(200);
    const updated = await eventually(() => {
      const v = h.slack.views.byId[view.id] as View;
      return block(v, 'contact') ? v : null;
    }, 'the updated modal');
    expect(optionValues(block(updated, 'contact')).sort()).toEqual([contact.samSmith, contact.joJones, contact.caseyClerk].sort());
    const approver = block(updated, 'approver');
    expect(initialValue(approver)).toBeUndefined();
    expect(approver?.hint?.text).toContain('Several contacts match');
    expect(approver?.hint?.text).toContain('Sam Smith');
    // No MyGlue for this organization.
    expect(optionValues(block(updated, 'kind'))).toEqual(['itglue']);
  });

  it('choosing MyGlue shows the role and the organization’s MyGlue groups', async () => {
    const view = await modalForOrg('Acme Dental');
    await h.modalAction(
      view,
      `kind:${org.acme}`,
      { action_id: INVITE.kind.action, type: 'radio_buttons', selected_option: opt('myglue') },
      USERS.tech,
      values(org.acme, { kind: 'myglue', contact: contact.inesInvitee }),
    );
    const updated = await eventually(() => {
      const v = h.slack.views.byId[view.id] as View;
      return block(v, 'myglue_role') ? v : null;
    }, 'the MyGlue fields');
    expect(initialValue(block(updated, 'myglue_role'))).toBe('Creator');
    expect(optionValues(block(updated, 'myglue_groups'))).toEqual([h.group('Acme Dental - MyGlue Staff').id]);
    expect(block(updated, 'password')).toBeUndefined();
    // What was chosen stays chosen.
    expect(initialValue(block(updated, 'contact'))).toBe(contact.inesInvitee);
  });
});

describe('the submission', () => {
  async function submit(view: View, user: string, v: Record<string, unknown>) {
    return h.submit(view, user, v);
  }

  const errorsOf = (answer: Record<string, unknown> | null) => {
    expect(answer?.response_action).toBe('errors');
    return answer!.errors as Record<string, string>;
  };

  it('refuses a contact without an email address, on the contact field', async () => {
    const view = await modalForOrg('Acme Dental');
    const { status, answer } = await submit(view, USERS.tech, values(org.acme, { contact: contact.noraNoEmail, approver: contact.paulaPrimary, password: 'yes' }));
    expect(status).toBe(200);
    expect(errorsOf(answer)[`contact:${org.acme}`]).toContain('Nora NoEmail has no email address');
  });

  it('refuses a contact who is already a user of the other kind', async () => {
    const view = await modalForOrg('Acme Dental');
    const { answer } = await submit(view, USERS.tech, values(org.acme, { contact: contact.alexApprover, approver: contact.paulaPrimary, password: 'yes' }));
    expect(errorsOf(answer)[`contact:${org.acme}`]).toContain('already a MyGlue user');
  });

  it('refuses the invitee as their own approver unless the primary-contact rule names them, on the approver field', async () => {
    const acme = await modalForOrg('Acme Dental');
    const refused = await submit(acme, USERS.tech, values(org.acme, { contact: contact.inesInvitee, approver: contact.inesInvitee, password: 'yes' }));
    expect(errorsOf(refused.answer)[`approver:${org.acme}`]).toBe(
      'Ines Invitee is not a primary contact of Acme Dental, so cannot approve their own access: choose the primary contact (or another authorized contact) as approver.',
    );
    // Sam Smith is one of the two contacts of type Primary at Smith, Jones & Co.
    const smith = await modalForOrg('Smith, Jones');
    const taken = await submit(smith, USERS.tech, values(org.smithJones, { contact: contact.samSmith, approver: contact.samSmith, password: 'yes' }));
    expect((taken.answer?.errors as Record<string, string> | undefined)?.[`approver:${org.smithJones}`]).toBeUndefined();
  });

  it("refuses a customer's own group that gives access to more organizations than the policy allows, on the password field", async () => {
    // Per-customer groups (the `group` model): Acme's own group also reaches Bluebird.
    const shared = h.policy.groups;
    h.policy.groups = { ...shared, organizationAccess: 'group', nameTemplate: '{group}' };
    h.group('Customer - No Password Access')['organization-ids'] = [org.acme, org.bluebird];
    try {
      const view = await modalForOrg('Acme Dental');
      const { answer } = await submit(view, USERS.tech, values(org.acme, { contact: contact.inesInvitee, approver: contact.paulaPrimary, password: 'no' }));
      const errors = errorsOf(answer);
      expect(errors[`password:${org.acme}`]).toContain('gives access to 2 organizations; the policy allows 1');
    } finally {
      h.policy.groups = shared;
      h.group('Customer - No Password Access')['organization-ids'] = [];
    }
  });

  it("shared customer groups: never refuses or advises on the group's organizations in the modal (managers are told at verification)", async () => {
    h.group('Customer - No Password Access')['organization-ids'] = [org.acme, org.bluebird];
    h.itglue.data.contacts.push(
      makeContact({ id: '2998', 'organization-id': org.acme, 'first-name': 'Sandy', 'last-name': 'Shared', email: 'sandy.shared@acme-dental.test' }),
    );
    try {
      const view = await modalForOrg('Acme Dental');
      const { answer } = await submit(view, USERS.tech, values(org.acme, { contact: '2998', approver: contact.paulaPrimary, password: 'no' }));
      expect(answer).toBeNull();
    } finally {
      h.group('Customer - No Password Access')['organization-ids'] = [];
    }
  });

  it('refuses someone who is not a tech, inline, and starts nothing', async () => {
    const view = await modalForOrg('Smith, Jones');
    const { answer } = await submit(view, USERS.outsider, values(org.smithJones, { contact: contact.caseyClerk, approver: contact.samSmith, password: 'yes' }));
    expect(Object.values(errorsOf(answer)).join(' ')).toContain('Only the techs');
    const count = await h.temporal.client.workflow.count(`WorkflowId = "onboarding:${org.smithJones}:${contact.caseyClerk}"`);
    expect(count.count).toBe(0);
  });

  it('starts the onboarding (requested by the submitter) and closes; submitted twice, or by two techs at once, it starts once', async () => {
    const view = await modalForOrg('Smith, Jones');
    const other = await modalForOrg('Smith, Jones', USERS.tech2);
    const form = values(org.smithJones, { contact: contact.joJones, approver: contact.samSmith, password: 'yes', ticket: 'T-1001', note: 'Needs the network docs' });
    const [first, twice, byOther] = await Promise.all([submit(view, USERS.tech, form), submit(view, USERS.tech, form), submit(other, USERS.tech2, form)]);
    for (const a of [first, twice, byOther]) expect(a.status).toBe(200);
    // The same view twice: the first submission decides, the second just closes.
    expect(first.answer).toBeNull();
    expect(twice.answer).toBeNull();
    // The other tech's form closed too, or (if its checks ran after the start) shows the open onboarding.
    if (byOther.answer) expect(JSON.stringify(byOther.answer)).toContain('already open');
    const workflowId = `onboarding:${org.smithJones}:${contact.joJones}`;
    const handle = h.temporal.client.workflow.getHandle(workflowId);
    const status = await eventually(async () => {
      const s = (await handle.query('status' as never)) as {
        stage: string;
        request: { requestedBy: string; passwordAccess: boolean; ticket: string; approverContactId: string };
      };
      return s.stage === 'AWAITING_APPROVAL' ? s : null;
    }, 'the approval stage');
    expect([USERS.tech, USERS.tech2]).toContain(status.request.requestedBy);
    expect(status.request).toMatchObject({ passwordAccess: true, ticket: 'T-1001', approverContactId: contact.samSmith });
    const runs = await eventually(async () => {
      const c = await h.temporal.client.workflow.count(`${onboardingQuery()} AND WorkflowId = "${workflowId}"`);
      return c.count > 0 ? c.count : null;
    }, 'visibility');
    expect(runs).toBe(1);
    expect(h.logged.filter((l) => l.event === 'slack.onboardingStarted' && l.fields.workflowId === workflowId && l.fields.created === true)).toHaveLength(1);

    // Another /invite-lite for the same contact while it is open: refused with a link to its thread.
    await eventually(() => h.root(workflowId), 'the thread root');
    const again = await modalForOrg('Smith, Jones');
    const { answer } = await submit(again, USERS.tech, form);
    const error = errorsOf(answer)[`contact:${org.smithJones}`]!;
    expect(error).toContain('An onboarding of Jo Jones is already open');
    expect(error).toMatch(/https:\/\/fake-team\.slack\.com\/archives\/C0ONBOARD1\/p\d+/);
  });
});

describe('MyGlue password access', () => {
  /** Two more MyGlue groups of Acme (this file's ids): one lets its members see passwords, one denies them. */
  const groups = { allows: '', denies: '' };
  /** Contacts of Acme of this run only, so that no other onboarding of the same pair is open. */
  const invitees: Array<{ id: string; email: string }> = [];

  beforeAll(() => {
    const base = Number(h.group('Acme Dental - MyGlue Staff').id);
    groups.allows = String(base + 50);
    groups.denies = String(base + 51);
    const myGlue = { 'my-glue': true, 'my-glue-account-id': SEED.myGlueAccount.acme, 'organization-ids': [org.acme] };
    h.itglue.data.groups.push(
      makeGroup({ id: groups.allows, name: 'Acme - Office Managers', ...myGlue, 'resource-type-restrictions': ['Configurations'] }),
      makeGroup({ id: groups.denies, name: 'Acme - Staff <all>', ...myGlue, 'resource-type-restrictions': ['Passwords', 'Documents'] }),
    );
    const first = 90_000 + Math.floor(Math.random() * 9_000) * 2;
    for (const [i, name] of ['Mia', 'Max'].entries()) {
      const id = String(first + i);
      invitees.push({ id, email: `${name.toLowerCase()}.${id}@acme-dental.test` });
      h.itglue.data.contacts.push(makeContact({ id, 'organization-id': org.acme, 'first-name': name, 'last-name': 'Myglue', email: invitees[i]!.email }));
    }
  });

  const passwordsText = (v: View) => block(v, 'myglue_passwords')?.elements?.[0]?.text;

  /** The Acme modal with MyGlue chosen, then these groups: the modal as rebuilt for them. */
  async function choose(groupIds: string[]): Promise<View> {
    const view = await modalForOrg('Acme Dental');
    await h.modalAction(
      view,
      `kind:${org.acme}`,
      { action_id: INVITE.kind.action, type: 'radio_buttons', selected_option: opt('myglue') },
      USERS.tech,
      values(org.acme, { kind: 'myglue' }),
    );
    const myGlue = await eventually(() => {
      const v = h.slack.views.byId[view.id] as View;
      return block(v, 'myglue_groups') ? v : null;
    }, 'the MyGlue fields');
    expect(passwordsText(myGlue)).toBe('Passwords: set by the groups. Hidden if any chosen group denies the Passwords asset type.');
    expect(block(myGlue, 'myglue_groups')).toMatchObject({ dispatch_action: true });
    const before = h.slack.callsOf('views.update').length;
    const response = await h.modalAction(
      myGlue,
      `myglue_groups:${org.acme}`,
      { action_id: INVITE.groups.action, type: 'multi_static_select', selected_options: groupIds.map((id) => opt(id)) },
      USERS.tech,
      values(org.acme, { kind: 'myglue', groups: groupIds, contact: invitees[0]!.id }),
    );
    expect(response.status).toBe(200);
    await eventually(
      () =>
        h.slack
          .callsOf('views.update')
          .slice(before)
          .some((c) => c.ok),
      'the rebuilt modal',
    );
    return h.slack.views.byId[view.id] as View;
  }

  it('shows the effective result before submit, following the chosen groups: the most restrictive wins', async () => {
    const visible = await choose([groups.allows]);
    expect(passwordsText(visible)).toBe('*Passwords: visible*: no chosen group denies the Passwords asset type.');
    expect(block(visible, 'password')).toBeUndefined();
    expect((block(visible, 'myglue_groups')!.element!.initial_options as Array<{ value: string }>).map((o) => o.value)).toEqual([groups.allows]);

    const hidden = await choose([groups.denies]);
    expect(passwordsText(hidden)).toBe('*Passwords: hidden*: denied by “Acme - Staff &lt;all&gt;”. Where groups differ, the most restrictive wins.');

    const both = await choose([groups.allows, groups.denies]);
    expect(passwordsText(both)).toBe('*Passwords: hidden*: denied by “Acme - Staff &lt;all&gt;”. Where groups differ, the most restrictive wins.');
  });

  it('says "hidden" when a chosen group’s denied asset types cannot be read', async () => {
    h.itglue.answerNext({
      path: `/groups/${groups.allows}`,
      times: 1,
      body: JSON.stringify({ data: { id: groups.allows, type: 'groups', attributes: { name: 'Acme - Office Managers', 'my-glue': true } } }),
    });
    const unread = await choose([groups.allows]);
    expect(passwordsText(unread)).toBe(
      '*Passwords: hidden*: the denied asset types of “Acme - Office Managers” could not be read. Where groups differ, the most restrictive wins.',
    );
  });

  it('starts the onboarding with the computed access, which validation confirms and the thread shows', async () => {
    const cases = [
      { chosen: [groups.allows, groups.denies], expected: false, invitee: invitees[0]! },
      { chosen: [groups.allows], expected: true, invitee: invitees[1]! },
    ];
    for (const { chosen, expected, invitee } of cases) {
      const view = await modalForOrg('Acme Dental');
      const form = values(org.acme, { kind: 'myglue', role: 'Creator', groups: chosen, contact: invitee.id, approver: contact.paulaPrimary });
      const { status, answer } = await h.submit(view, USERS.tech, form);
      expect(status).toBe(200);
      expect(answer).toBeNull();
      const workflowId = `onboarding:${org.acme}:${invitee.id}`;
      const handle = h.temporal.client.workflow.getHandle(workflowId);
      const s = await eventually(async () => {
        const st = (await handle.query('status' as never)) as { stage: string; request: { kind: string; passwordAccess: boolean; myGlueGroupIds: string[] } };
        return st.stage === 'AWAITING_APPROVAL' ? st : null;
      }, 'the approval stage');
      expect(s.request).toMatchObject({ kind: 'myglue', passwordAccess: expected, myGlueGroupIds: chosen });
      // The modal set it too: the onboarding was started with the same computation.
      const history = await handle.fetchHistory();
      const [input] = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!.map((p) => defaultPayloadConverter.fromPayload(p)) as Array<{
        request: { passwordAccess: boolean };
      }>;
      expect(input!.request.passwordAccess).toBe(expected);
      const root = await eventually(() => {
        const r = h.root(workflowId);
        return r && JSON.stringify(r.blocks).includes('Password access') && JSON.stringify(r.blocks).includes('Waiting for approval') ? r : null;
      }, 'the thread root');
      expect(JSON.stringify(root.blocks)).toContain(`*Password access*\\n${expected ? 'visible' : 'hidden'}`);
    }
  });
});

describe('when things are slow or fail', () => {
  it('opens a loading view at once when IT Glue is slow, then fills it in', async () => {
    h.itglue.delayNext({ ms: 1_800, times: 1, path: `/organizations/${org.bluebird}` });
    const { response, triggerId, ms } = await h.command('/invite-lite', USERS.tech, 'Bluebird Logistics');
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(1_000);
    const loading = await modalFor(triggerId);
    expect(loading.callback_id).toBe('invite_lite_loading');
    expect(JSON.stringify(loading.blocks)).toContain('Loading');
    const filled = await eventually(() => {
      const v = h.slack.views.byId[loading.id] as View;
      return block(v, 'contact') ? v : null;
    }, 'the filled-in modal');
    expect(filled.callback_id).toBe('invite_lite');
    expect(initialValue(block(filled, 'org'))).toBe(org.bluebird);
  });

  it('tells the person, with a reference that is in the log, when Slack refuses to open the modal', async () => {
    h.slack.failNext({ method: 'views.open', times: 1, error: 'internal_error' });
    const before = h.slack.callsOf('response_url').length;
    const { response } = await h.command('/invite-lite', USERS.tech);
    expect(response.status).toBe(200);
    const told = await eventually(() => h.slack.callsOf('response_url')[before], 'the ephemeral error');
    expect(told.args.response_type).toBe('ephemeral');
    const reference = /reference: ([0-9a-f]{8})/.exec(String(told.args.text))?.[1];
    expect(reference).toBeDefined();
    const logged = h.logged.find((l) => l.event === 'slack.error' && l.fields.correlationId === reference);
    expect(logged?.fields.error).toContain('internal_error');
  });

  it('answers a submission inline, with a reference, when IT Glue fails while checking it', async () => {
    const view = await modalForOrg('Smith, Jones');
    h.itglue.failNext({ status: 500, times: 10, path: /^\/contacts\// });
    const { status, answer } = await h.submit(view, USERS.tech, values(org.smithJones, { contact: contact.caseyClerk, approver: contact.samSmith, password: 'yes' }));
    h.itglue.reset();
    expect(status).toBe(200);
    expect(answer?.response_action).toBe('errors');
    const text = Object.values(answer!.errors as Record<string, string>).join(' ');
    expect(text).toMatch(/Something went wrong.*reference: [0-9a-f]{8}/);
    const count = await h.temporal.client.workflow.count(`WorkflowId = "onboarding:${org.smithJones}:${contact.caseyClerk}"`);
    expect(count.count).toBe(0);
  });
});
