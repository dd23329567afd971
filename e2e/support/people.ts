/**
 * The scripted people of an onboarding, acting only where the real ones act: the tech in Slack
 * (/invite-lite, its modal, the thread's buttons) and in IT Glue (creating the user, which the
 * API cannot do); the primary contact in a browser, from the link in the approval mail; the
 * invitee in IT Glue (accepting the invitation, signing in) and in the mailbox.
 *
 * Every step is repeated until its effect shows, so the people keep going when the service is
 * down or restarting, as real people would press again.
 */
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/headless-chromium';
import { messageIdStem, type MailStep } from '../../src/mail/message-id';
import { ACTIONS, type ActionId } from '../../src/slack/action-ids';
import { INVITE } from '../../src/slack/views/invite-modal';
import { isFinal } from '../../workflows/stages';
import type { OnboardingStatus } from '../../workflows/types';
import { makeContact, makeUser, SEED } from '../../test/fakes/itglue-server';
import { linksIn, type ReceivedMail } from '../../test/fakes/smtp';
import type { ModalState } from '../../test/support/slack-driver';
import { PEOPLE, startStack, type Stack } from './stack';

/** A customer organization the scripted people onboard for: its IT Glue id and name, and its contacts' mail domain. */
export interface Org {
  id: string;
  name: string;
  domain: string;
}

export const ACME: Org = { id: SEED.org.acme, name: 'Acme Dental', domain: 'acme-dental.test' };
/** Nothing marks a primary contact of Bluebird: the tech chooses the approver (Blake Bird). */
export const BLUEBIRD: Org = { id: SEED.org.bluebird, name: 'Bluebird Logistics', domain: 'bluebird-logistics.test' };
export const BLUEBIRD_APPROVER = { contactId: SEED.contact.blakeBird, name: 'Blake Bird', email: 'blake.bird@bluebird-logistics.test' };
export const PRIMARY = { contactId: SEED.contact.paulaPrimary, name: 'Paula Primary', email: 'paula.primary@acme-dental.test' };

export interface Invitee {
  contactId: string;
  firstName: string;
  lastName: string;
  email: string;
}

export type Kind = { kind: 'itglue'; passwordAccess: boolean } | { kind: 'myglue'; role: 'Lite' | 'Creator' | 'Editor'; groupIds: string[] };

/**
 * Prepares the fake IT Glue for the onboardings: Paula (Acme's primary contact) is not yet a user,
 * so that she can be onboarded without approval; deleting her user takes her out of its groups, as
 * IT Glue does. The customer groups stay as the seed has them: shared by users of several customers,
 * reaching no organization (each user gets their own organization on the user).
 */
export function prepareItGlue(stack: Stack): void {
  const paula = SEED.user.paulaSignedIn;
  stack.itglue.data.users = stack.itglue.data.users.filter((u) => u.id !== paula);
  for (const g of stack.itglue.data.groups) g['user-ids'] = g['user-ids'].filter((id) => id !== paula);
}

let contactCounter = 0;

/** A new contact of the organization (Acme Dental unless told) with an email, not yet a user. */
export function newInvitee(stack: Stack, label: string, org: Org = ACME): Invitee {
  const n = ++contactCounter;
  const invitee = { contactId: String(9_000 + n), firstName: label, lastName: `Person${n}`, email: `${label.toLowerCase()}.${n}@${org.domain}` };
  stack.itglue.data.contacts.push(
    makeContact({ id: invitee.contactId, 'organization-id': org.id, 'first-name': invitee.firstName, 'last-name': invitee.lastName, email: invitee.email }),
  );
  return invitee;
}

export const workflowIdOf = (contactId: string, org: Org = ACME) => `onboarding:${org.id}:${contactId}`;

const opt = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Repeats `act` until `done` holds (checking for `settleMs` after each try). */
async function untilDone(what: string, act: () => Promise<unknown>, done: () => Promise<boolean>, timeoutMs = 120_000, settleMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      await act();
    } catch (error) {
      lastError = error; // the service is down or restarting: try again
    }
    const settle = Date.now() + settleMs;
    while (Date.now() < settle) {
      if (await done().catch(() => false)) return;
      await sleep(250);
    }
  }
  throw new Error(`timed out: ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

async function statusOrNull(stack: Stack, workflowId: string): Promise<OnboardingStatus | null> {
  try {
    return await stack.status(workflowId);
  } catch {
    return null;
  }
}

export interface TechOptions {
  /** The invitee's organization; Acme Dental when unset. */
  org?: Org;
  invitee: Invitee;
  /** Absent when the invitee is the primary contact (no approval). */
  approverContactId?: string;
  kind: Kind;
  ticket?: string;
}

/** The tech: /invite-lite, the modal, and the thread's buttons. */
export const tech = {
  /** Types /invite-lite, waits for the modal with the organization's contacts, fills it and submits it; returns the workflow ID. */
  async invite(stack: Stack, o: TechOptions): Promise<string> {
    const org = o.org ?? ACME;
    const workflowId = workflowIdOf(o.invitee.contactId, org);
    await untilDone(
      `the onboarding of ${o.invitee.email} to start`,
      async () => {
        const view = await openModal(stack, org);
        let modal = view;
        if (o.kind.kind === 'myglue') {
          // Choosing MyGlue brings the role and group inputs.
          const response = await stack.driver.modalAction(
            view,
            `kind:${org.id}`,
            { action_id: INVITE.kind.action, type: 'radio_buttons', selected_option: opt('myglue') },
            PEOPLE.tech,
            { [`kind:${org.id}`]: { [INVITE.kind.action]: { type: 'radio_buttons', selected_option: opt('myglue') } } },
          );
          if (response.status !== 200) throw new Error(`kind choice answered ${response.status}`);
          modal = await waitForView(stack, view.id, (blocks) => blocks.some((b) => b.block_id === `myglue_role:${org.id}`), 'the MyGlue inputs');
        }
        const { status, answer } = await stack.driver.submit(modal, PEOPLE.tech, inviteForm(o));
        // An open onboarding of this contact is the one this tech started before a crash.
        if (status !== 200 || (answer && !JSON.stringify(answer).includes('already open'))) {
          throw new Error(`the modal was refused: ${status} ${JSON.stringify(answer)}`);
        }
      },
      async () => (await statusOrNull(stack, workflowId)) !== null,
    );
    return workflowId;
  },

  /**
   * Types /invite-lite and submits the modal with several contacts of one organization (one
   * approver for all): one onboarding each, their approvals in one batch mail. Returns their workflow IDs.
   */
  async inviteSeveral(stack: Stack, o: { org?: Org; invitees: Invitee[]; approverContactId: string; kind: Kind }): Promise<string[]> {
    const org = o.org ?? ACME;
    const ids = o.invitees.map((i) => workflowIdOf(i.contactId, org));
    const view = await openModal(stack, org);
    const form = inviteForm({ org, invitee: o.invitees[0]!, approverContactId: o.approverContactId, kind: o.kind });
    form[`contact:${org.id}`] = { [INVITE.contact.action]: { type: 'multi_static_select', selected_options: o.invitees.map((i) => opt(i.contactId)) } };
    const { status, answer } = await stack.driver.submit(view, PEOPLE.tech, form);
    if (status !== 200 || (answer && (answer as { response_action?: string }).response_action === 'errors')) {
      throw new Error(`the modal was refused: ${status} ${JSON.stringify(answer)}`);
    }
    for (const id of ids) await stack.waitFor(id, () => true, `${id} to start`, 60_000);
    return ids;
  },

  /** Presses a thread button until the status shows its effect (as the tech, unless `user` says who). */
  async press(stack: Stack, workflowId: string, action: ActionId, effect: (s: OnboardingStatus) => boolean, what: string, user: string = PEOPLE.tech) {
    await untilDone(
      what,
      async () => {
        if (!stack.driver.root(workflowId)) throw new Error('no thread root yet');
        const { response } = await stack.driver.press(action, workflowId, user);
        if (response.status !== 200) throw new Error(`the button answered ${response.status}`);
      },
      async () => {
        const s = await statusOrNull(stack, workflowId);
        return s !== null && effect(s);
      },
    );
  },

  /**
   * Creates the user in IT Glue (the API cannot) as the modal's kind asks, in the groups `o.groups`
   * when given (as the tech may tick them in IT Glue's form), and presses "Invitation sent"; or,
   * with `o.foundBy: 'sweep'`, presses nothing until the IT Glue sweep has found the user. Then
   * confirms the settings when the thread asks for it (see confirmIfAsked).
   */
  async createUser(stack: Stack, workflowId: string, invitee: Invitee, kind: Kind, id: string, o: CreateUserOptions = {}) {
    const now = new Date().toISOString();
    stack.itglue.data.users.push(
      makeUser({
        id,
        'first-name': invitee.firstName,
        'last-name': invitee.lastName,
        email: invitee.email,
        'role-name': kind.kind === 'myglue' ? kind.role : 'Lite',
        'my-glue': kind.kind === 'myglue',
        'invitation-sent-at': now,
      }),
    );
    for (const groupId of o.groups ?? []) stack.itglue.data.groups.find((g) => g.id === groupId)!['user-ids'].push(id);
    if (o.foundBy === 'sweep') {
      await stack.waitFor(workflowId, (s) => s.user !== null, `the sweep to find ${invitee.email}`, 120_000);
    } else {
      // The IT Glue sweep may find the user before the button is pressed: either moves it on (the
      // button is then gone from the thread, and the press changes nothing).
      await tech.press(stack, workflowId, ACTIONS.invitationSent, (s) => s.user !== null, `${invitee.email} found in IT Glue`);
    }
    return tech.confirmIfAsked(stack, workflowId);
  },

  /**
   * Once the user is found: when verification asks the tech to confirm the settings the API cannot
   * read (the sweep found the user before "Invitation sent" was pressed), presses "Settings
   * confirmed" until the confirmation is kept. Returns how verification went on: 'verified' (past
   * VERIFYING, or the settings just confirmed), or 'mismatch' (waiting for someone to fix something).
   */
  async confirmIfAsked(stack: Stack, workflowId: string): Promise<'verified' | 'mismatch'> {
    const past = (s: OnboardingStatus) => s.stages.some((x) => x.stage === 'AWAITING_ACCEPTANCE') || isFinal(s.stage);
    const s = await stack.waitFor(
      workflowId,
      (x) => past(x) || x.stage === 'STALLED' || (x.stage === 'VERIFYING' && (x.subState === 'CONFIRM_SETTINGS' || x.subState === 'MISMATCH')),
      'verification of the IT Glue user',
      120_000,
    );
    if (s.stage === 'STALLED') throw new Error(`${workflowId} stalled in verification: ${s.reason}`);
    if (past(s)) return 'verified';
    if (s.subState === 'MISMATCH') return 'mismatch';
    await tech.press(stack, workflowId, ACTIONS.settingsConfirmed, (x) => !!x.confirmation, `settings of ${workflowId} confirmed`);
    return 'verified';
  },
};

export interface CreateUserOptions {
  /** Groups the tech also puts the user in, in IT Glue. */
  groups?: string[];
  /** How the onboarding learns of the user: the tech's "Invitation sent" (default), or the sweep alone. */
  foundBy?: 'button' | 'sweep';
}

function inviteForm(o: TechOptions): Record<string, unknown> {
  const org = (o.org ?? ACME).id;
  const approver = o.approverContactId ?? PRIMARY.contactId;
  const form: Record<string, unknown> = {
    org: { [INVITE.org.action]: { type: 'external_select', selected_option: opt(org) } },
    [`contact:${org}`]: { [INVITE.contact.action]: { type: 'static_select', selected_option: opt(o.invitee.contactId) } },
    [`approver:${org}`]: { [INVITE.approver.action]: { type: 'static_select', selected_option: opt(approver) } },
    [`kind:${org}`]: { [INVITE.kind.action]: { type: 'radio_buttons', selected_option: opt(o.kind.kind) } },
    [`ticket:${org}`]: { [INVITE.ticket.action]: { type: 'plain_text_input', value: o.ticket ?? 'T-1000' } },
    [`note:${org}`]: { [INVITE.note.action]: { type: 'plain_text_input', value: null } },
  };
  if (o.kind.kind === 'myglue') {
    form[`myglue_role:${org}`] = { [INVITE.role.action]: { type: 'static_select', selected_option: opt(o.kind.role) } };
    form[`myglue_groups:${org}`] = { [INVITE.groups.action]: { type: 'multi_static_select', selected_options: o.kind.groupIds.map(opt) } };
  } else {
    form[`password:${org}`] = { [INVITE.password.action]: { type: 'radio_buttons', selected_option: opt(o.kind.passwordAccess ? 'yes' : 'no') } };
  }
  return form;
}

type Block = { block_id?: string };

async function waitForView(stack: Stack, viewId: string, ready: (blocks: Block[]) => boolean, what: string, timeoutMs = 15_000): Promise<ModalState> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = stack.slack.views.byId[viewId] as (ModalState & { blocks: Block[] }) | undefined;
    if (v && ready(v.blocks)) return v;
    await sleep(100);
  }
  throw new Error(`no ${what} in view ${viewId}`);
}

/** /invite-lite with the organization's name: the modal, once it shows the organization's contacts. */
async function openModal(stack: Stack, org: Org): Promise<ModalState> {
  const { response, triggerId } = await stack.driver.command('/invite-lite', PEOPLE.tech, org.name);
  if (response.status !== 200) throw new Error(`/invite-lite answered ${response.status}`);
  const deadline = Date.now() + 15_000;
  let opened: ModalState | undefined;
  while (!opened && Date.now() < deadline) {
    const calls = stack.slack.callsOf('views.open').filter((c) => c.ok);
    const index = calls.findIndex((c) => c.args.trigger_id === triggerId);
    if (index >= 0) opened = stack.slack.views.opened[index] as ModalState;
    else await sleep(100);
  }
  if (!opened) throw new Error('the modal did not open');
  return waitForView(stack, opened.id, (blocks) => blocks.some((b) => b.block_id === `contact:${org.id}`), `contacts of ${org.name}`);
}

/** The mails of this onboarding, step and round, as received (each onboarding here has its own workflow ID, run on no more than once). */
export function mailsOf(stack: Stack, workflowId: string, step: MailStep, round: number): ReceivedMail[] {
  return stack.smtp.byMessageIdStem(messageIdStem(workflowId, step, round));
}

/** The primary contact: opens the approval link of the latest request in Chromium and approves. */
export const contact = {
  async approve(stack: Stack, browser: Browser, workflowId: string) {
    await untilDone(
      `the approver to approve ${workflowId}`,
      async () => {
        const s = await stack.status(workflowId);
        if (s.stage !== 'AWAITING_APPROVAL') return;
        const mail = mailsOf(stack, workflowId, 'approval-request', s.approvalRound)[0];
        if (!mail) throw new Error('no approval mail yet');
        const link = linksIn(mail).find((l) => l.includes('/approvals/'))!;
        const page = await browser.newPage();
        try {
          const shown = await page.goto(link);
          if (shown?.status() !== 200) throw new Error(`the approval page answered ${shown?.status()}`);
          await page.getByRole('button', { name: 'Approve' }).click();
          await page.waitForLoadState();
        } finally {
          await page.close();
        }
      },
      async () => {
        const s = await statusOrNull(stack, workflowId);
        return s !== null && s.evidence !== null;
      },
      120_000,
      5_000,
    );
  },
};

/** The invitee: accepts the invitation and signs in (in IT Glue), and reads the instructions mail. */
export const invitee = {
  acceptAndSignIn(stack: Stack, userId: string) {
    const user = stack.itglue.data.users.find((u) => u.id === userId);
    if (!user) throw new Error(`no IT Glue user ${userId}`);
    const now = new Date().toISOString();
    user['invitation-accepted-at'] = now;
    user['current-sign-in-at'] = now;
  },
};

/** The stack prepared for the onboardings (prepareItGlue), and a browser for the approvers. */
export async function startStackWithBrowser(): Promise<{ stack: Stack; browser: Browser }> {
  const [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  prepareItGlue(stack);
  return { stack, browser };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

export interface Journey {
  workflowId: string;
  final: OnboardingStatus;
}

/**
 * One whole onboarding (at Acme Dental unless `o.org` says otherwise), from /invite-lite to
 * COMPLETED, by the three people. A mismatch in verification fails it: this is the path where
 * nothing needs fixing.
 */
export async function runOnboarding(
  stack: Stack,
  browser: Browser,
  o: TechOptions & { userId: string; think?: () => Promise<void>; user?: CreateUserOptions },
): Promise<Journey> {
  const think = o.think ?? (async () => undefined);
  const workflowId = await tech.invite(stack, o);
  const waitStage = (stage: OnboardingStatus['stage'], timeoutMs = 180_000) =>
    stack.waitFor(workflowId, (s) => s.stages.some((x) => x.stage === stage), stage, timeoutMs);
  if (o.approverContactId) {
    await waitStage('AWAITING_APPROVAL');
    await think();
    await contact.approve(stack, browser, workflowId);
  }
  await waitStage('AWAITING_INVITE');
  await think();
  if ((await tech.createUser(stack, workflowId, o.invitee, o.kind, o.userId, o.user)) === 'mismatch') {
    const s = await stack.status(workflowId);
    throw new Error(`${workflowId}: verification found mismatches: ${JSON.stringify([...s.mismatches, ...(s.accountMismatches ?? [])])}`);
  }
  await waitStage('AWAITING_ACCEPTANCE');
  await think();
  invitee.acceptAndSignIn(stack, o.userId);
  if (o.kind.kind === 'myglue') {
    // MFA is not enforced for MyGlue in this policy: the tech confirms 2FA.
    await waitStage('AWAITING_2FA');
    await think();
    await tech.press(stack, workflowId, ACTIONS.twoFactorConfirmed, (s) => s.stage === 'COMPLETED', `2FA confirmed for ${workflowId}`);
  }
  const final = await stack.waitFor(workflowId, (s) => s.stage === 'COMPLETED', 'COMPLETED', 180_000);
  return { workflowId, final };
}
