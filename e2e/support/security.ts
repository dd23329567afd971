/**
 * Tools of the security checks (e2e/security.e2e.ts): raw Slack requests (any headers), the
 * /invite-lite modal filled with any values by any user, the approval page's form (cookie and CSRF
 * value) read over plain HTTP, and what the service put into Slack as mrkdwn.
 */
import type { OnboardingStatus } from '../../workflows/types';
import { INVITE } from '../../src/slack/views/invite-modal';
import type { SlackCall } from '../../test/fakes/slack-api';
import { TEAM, type ModalState } from '../../test/support/slack-driver';
import { ACME, type Invitee } from './people';
import type { Stack } from './stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every HTTP answer the checks got from the service, to count server errors. */
export class Answers {
  serverErrors = 0;
  readonly details: string[] = [];

  seen<T extends { status: number }>(what: string, response: T): T {
    if (response.status >= 500) {
      this.serverErrors += 1;
      this.details.push(`${what}: ${response.status}`);
    }
    return response;
  }
}

/** A POST to the service's Slack endpoint with exactly these headers (none added). */
export function rawSlackPost(stack: Stack, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${stack.base}/slack/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

const opt = (value: string) => ({ text: { type: 'plain_text', text: value }, value });

export interface InviteValues {
  invitee: Invitee;
  approverContactId: string;
  ticket?: string;
  note?: string;
}

/** The /invite-lite modal's state values for an IT Glue Lite onboarding at Acme without password access. */
export function inviteValues(o: InviteValues): Record<string, unknown> {
  const org = ACME.id;
  return {
    org: { [INVITE.org.action]: { type: 'external_select', selected_option: opt(org) } },
    [`contact:${org}`]: { [INVITE.contact.action]: { type: 'static_select', selected_option: opt(o.invitee.contactId) } },
    [`approver:${org}`]: { [INVITE.approver.action]: { type: 'static_select', selected_option: opt(o.approverContactId) } },
    [`kind:${org}`]: { [INVITE.kind.action]: { type: 'radio_buttons', selected_option: opt('itglue') } },
    [`password:${org}`]: { [INVITE.password.action]: { type: 'radio_buttons', selected_option: opt('no') } },
    [`ticket:${org}`]: { [INVITE.ticket.action]: { type: 'plain_text_input', value: o.ticket ?? null } },
    [`note:${org}`]: { [INVITE.note.action]: { type: 'plain_text_input', value: o.note ?? null } },
  };
}

type ShownView = Omit<ModalState, 'blocks'> & { blocks: Array<{ block_id?: string }> };

/** Waits for a view the app opened or updated (by id) until `ready` holds. */
export async function viewWhen(stack: Stack, ready: (view: ShownView) => boolean, what: string, timeoutMs = 15_000): Promise<ModalState> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = Object.values(stack.slack.views.byId).find((v) => ready(v as ShownView));
    if (found) return found as ModalState;
    await sleep(100);
  }
  throw new Error(`no view: ${what}`);
}

/** The tech's /invite-lite with the invitee's email: the modal, once it shows Acme's contacts. */
export async function openInviteModal(stack: Stack, user: string, invitee: Invitee): Promise<ModalState> {
  const { response, triggerId } = await stack.driver.command('/invite-lite', user, invitee.email);
  if (response.status !== 200) throw new Error(`/invite-lite answered ${response.status}`);
  const deadline = Date.now() + 15_000;
  let viewId: string | undefined;
  while (!viewId && Date.now() < deadline) {
    const calls = stack.slack.callsOf('views.open').filter((c) => c.ok);
    const index = calls.findIndex((c) => c.args.trigger_id === triggerId);
    if (index >= 0) viewId = (stack.slack.views.opened[index] as ModalState).id;
    else await sleep(100);
  }
  if (!viewId) throw new Error('the modal did not open');
  return viewWhen(stack, (v) => v.id === viewId && v.blocks.some((b) => b.block_id === `contact:${ACME.id}`), 'the invite modal with contacts');
}

/** The newest opened modal with this callback_id. */
export async function openedModal(stack: Stack, callbackId: string, after: number, timeoutMs = 15_000): Promise<ModalState> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const views = stack.slack.views.opened.slice(after) as ModalState[];
    const found = views.reverse().find((v) => v.callback_id === callbackId);
    if (found) return found;
    await sleep(100);
  }
  throw new Error(`no ${callbackId} modal opened`);
}

/** The approval page over plain HTTP: the status, the cookie it sets and the form's CSRF value. */
export async function approvalForm(answers: Answers, link: string): Promise<{ status: number; cookie: string | null; csrf: string | null; body: string }> {
  const response = answers.seen(`GET ${link}`, await fetch(link, { redirect: 'manual' }));
  const body = await response.text();
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? null;
  const csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? null;
  return { status: response.status, cookie, csrf, body };
}

/** A POST of the approval form. */
export async function postDecision(
  answers: Answers,
  link: string,
  o: { decision: string; csrf?: string | null; cookie?: string | null; comment?: string; headers?: Record<string, string> },
): Promise<{ status: number; location: string | null; body: string }> {
  const form = new URLSearchParams({ decision: o.decision, ...(o.csrf ? { csrf: o.csrf } : {}), ...(o.comment ? { comment: o.comment } : {}) });
  const response = answers.seen(
    `POST ${link}`,
    await fetch(link, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(o.cookie ? { Cookie: o.cookie } : {}), ...o.headers },
      body: form.toString(),
    }),
  );
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

/** The token part of an approval link. */
export const tokenOf = (link: string) => new URL(link).pathname.split('/')[2]!;

/** What of an onboarding's status a refused action must leave as it was. */
export function snapshot(s: OnboardingStatus) {
  return { stage: s.stage, subState: s.subState, events: s.events.length, evidence: s.evidence, approvalRound: s.approvalRound, approver: s.approver?.contactId ?? null };
}

/** The IDs of every onboarding workflow the service's Temporal server knows. */
export async function onboardingIds(stack: Stack): Promise<string[]> {
  const client = await stack.temporal();
  const ids: string[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowType = 'onboarding'` })) ids.push(w.workflowId);
  return ids;
}

/** Calls that reach people in Slack (messages, ephemeral answers, modals, the Home tab). */
const VISIBLE = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.open', 'views.update', 'views.push', 'views.publish', 'response_url']);

export const visibleCalls = (stack: Stack): SlackCall[] => stack.slack.calls.filter((c) => VISIBLE.has(c.method));

/**
 * Every text of a call that Slack reads as mrkdwn: a message's `text` (unless `mrkdwn: false`) and
 * every `{type: 'mrkdwn', text}` object of its blocks or view.
 */
export function mrkdwnTexts(call: SlackCall): string[] {
  const out: string[] = [];
  const args = call.args;
  if (call.method !== 'views.open' && call.method !== 'views.update' && call.method !== 'views.push' && call.method !== 'views.publish') {
    if (typeof args.text === 'string' && args.mrkdwn !== false) out.push(args.text);
  }
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const [key, value] of Object.entries(o)) if (key !== 'text' || typeof value !== 'string') walk(value);
  };
  walk(args.blocks);
  walk(args.view);
  walk(args.attachments);
  return out;
}

/** The header section of a raw message (up to the first empty line), unfolded. */
export function headerLines(raw: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0]!;
  return head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
}

/** The `payload=` body of a press of a thread button, as Slack sends it (unsigned). */
export function pressBody(stack: Stack, channel: string, actionId: string, workflowId: string, user: string): string {
  const root = stack.driver.root(workflowId);
  if (!root) throw new Error(`no thread root for ${workflowId}`);
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0FAKE001',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: root.ts, channel_id: channel, is_ephemeral: false },
    trigger_id: stack.slack.issueTriggerId(),
    team: { id: TEAM, domain: 'fake-team' },
    channel: { id: channel, name: 'onboarding' },
    message: { type: 'message', user: stack.slack.botUserId, ts: root.ts, text: root.text, blocks: root.blocks },
    response_url: stack.slack.responseUrl(),
    actions: [
      {
        action_id: actionId,
        block_id: 'onboarding_actions',
        text: { type: 'plain_text', text: actionId },
        value: workflowId,
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Polls until `done` holds or the time is up; says whether it held. */
export async function eventually(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}
