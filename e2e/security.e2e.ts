/**
 * Security checks against the running service (docs/design.md §6, §9): Slack request signatures and
 * replays, the rights behind every command, button and form, approval links that are forged,
 * reused, replaced or expired, CSRF and link scanners on the approval page, hostile text in every
 * field the service prints (approval page in Chromium, both parts of each mail, Slack mrkdwn),
 * header injection through names, and secrets kept out of the service's log.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ACTION_IDS, ACTIONS } from '../src/slack/action-ids';
import { APPROVER_FIELD, CHANGE_APPROVER_CALLBACK_ID, OFFLINE_APPROVAL_CALLBACK_ID, OFFLINE_CHANNEL_FIELD, OFFLINE_NOTE_FIELD } from '../src/slack/views/approval-modals';
import { INVITE } from '../src/slack/views/invite-modal';
import { signApprovalToken, verifyApprovalToken, type ApprovalClaims } from '../src/web/approval-token';
import { csrfFormValue, newCsrfNonce } from '../src/web/csrf';
import type { OnboardingStatus } from '../workflows/types';
import { makeContact } from '../test/fakes/itglue-server';
import { linksIn, type ReceivedMail } from '../test/fakes/smtp';
import { sign, slashCommandBody, type ModalState } from '../test/support/slack-driver';
import { ACME, launchBrowser, mailsOf, newInvitee, prepareItGlue, PRIMARY, tech, workflowIdOf, type Invitee } from './support/people';
import { record } from './support/results';
import {
  Answers,
  approvalForm,
  eventually,
  headerLines,
  inviteValues,
  mrkdwnTexts,
  onboardingIds,
  openedModal,
  openInviteModal,
  pressBody,
  postDecision,
  rawSlackPost,
  snapshot,
  tokenOf,
  visibleCalls,
} from './support/security';
import { CHANNEL, PEOPLE, SECRETS, startStack, type Stack } from './support/stack';

let stack: Stack;
let browser: Browser;
const answers = new Answers();
let checks = 0;
let onboardings = 0;

/** An assertion that counts as one check. */
const check = (actual: unknown, label: string) => {
  checks += 1;
  return expect(actual, label);
};

/** Values that must never reach the log: the approval tokens, CSRF values and nonces handed out. */
const issued: string[] = [];

const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];
const MRKDWN = ['<!channel>', '<@U0MGR00001>', '*bold*', '<https://evil.example|click>'];
const HOSTILE = [...XSS, ...MRKDWN].join(' ');
const ORG_NAME = `${ACME.name} ${HOSTILE} & Co`;
const TICKET = `T-7 ${XSS[0]} <!channel>`;
const NOTE = `Note ${HOSTILE} & more`;
/** Raw forms that must not appear in Slack mrkdwn (they would make a broadcast, mention, link or markup). */
const RAW_IN_MRKDWN = ['<!channel>', '<@U0MGR00001>', '<https://evil.example', '<script', '<img', ' & Co', ' & more', ' & never', ' & agent', ' & ok'];

let alpha: Invitee;
let bravo: Invitee;
let charlie: Invitee;
let hostileInvitee: Invitee;
let hostileApprover: Invitee;
let w1 = '';
let changeApproverModal: ModalState | null = null;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const itglue: { kind: 'itglue'; passwordAccess: boolean } = { kind: 'itglue', passwordAccess: false };

function addContact(id: string, firstName: string, lastName: string, email: string): Invitee {
  stack.itglue.data.contacts.push(makeContact({ id, 'organization-id': ACME.id, 'first-name': firstName, 'last-name': lastName, email }));
  return { contactId: id, firstName, lastName, email };
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  prepareItGlue(stack);
  // The customer's name in IT Glue carries hostile text (it still contains "Acme Dental" for the type-ahead).
  stack.itglue.data.organizations.find((o) => o.id === ACME.id)!.name = ORG_NAME;
  alpha = newInvitee(stack, 'Alpha');
  bravo = newInvitee(stack, 'Bravo');
  charlie = newInvitee(stack, 'Charlie');
  hostileInvitee = addContact('9801', 'Ivy\nBcc: attacker@evil.example', `${XSS[0]} ${XSS[1]} <@U0MGR00001>`, 'ivy.hostile@acme-dental.test');
  hostileApprover = addContact('9802', 'Eve\r\nBcc: attacker@evil.example', `${XSS[1]} ${MRKDWN.join(' ')} & Sons`, 'eve.hostile@acme-dental.test');
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const status = (workflowId: string) => stack.status(workflowId);
const now = () => Math.floor(Date.now() / 1000);

it('refuses Slack requests without a valid, fresh signature (401) and does nothing for them', async () => {
  const newCommand = (user: string = PEOPLE.tech) =>
    slashCommandBody({ command: '/invite-lite', user, text: ACME.name, triggerId: stack.slack.issueTriggerId(), responseUrl: stack.slack.responseUrl() });
  const callsBefore = visibleCalls(stack).length;
  const t = now();
  const signedForOutsider = newCommand(PEOPLE.outsider);
  const captured = newCommand();
  const cases: Array<[string, string, Record<string, string>]> = [
    ['a wrong signature', newCommand(), { 'X-Slack-Request-Timestamp': String(t), 'X-Slack-Signature': `v0=${'0'.repeat(64)}` }],
    ['a malformed signature', newCommand(), { 'X-Slack-Request-Timestamp': String(t), 'X-Slack-Signature': 'not-a-signature' }],
    ['no signature', newCommand(), { 'X-Slack-Request-Timestamp': String(t) }],
    ['no timestamp', newCommand(), { 'X-Slack-Signature': sign(captured, t, SECRETS.signing) }],
    ['no headers at all', newCommand(), {}],
    ['another secret', newCommand(), { 'X-Slack-Request-Timestamp': String(t), 'X-Slack-Signature': sign(newCommand(), t, 'another-signing-secret') }],
    ['another secret (same body)', captured, { 'X-Slack-Request-Timestamp': String(t), 'X-Slack-Signature': sign(captured, t, `${SECRETS.signing}x`) }],
    [
      'a tampered body (outsider signed, tech sent)',
      signedForOutsider.replace(`user_id=${PEOPLE.outsider}`, `user_id=${PEOPLE.tech}`),
      { 'X-Slack-Request-Timestamp': String(t), 'X-Slack-Signature': sign(signedForOutsider, t, SECRETS.signing) },
    ],
    ['a body with a field added', `${captured}&text=other`, { 'X-Slack-Request-Timestamp': String(t), 'X-Slack-Signature': sign(captured, t, SECRETS.signing) }],
    ['a timestamp changed after signing', captured, { 'X-Slack-Request-Timestamp': String(t + 1), 'X-Slack-Signature': sign(captured, t, SECRETS.signing) }],
    ['a timestamp 5 min 1 s old', captured, { 'X-Slack-Request-Timestamp': String(t - 301), 'X-Slack-Signature': sign(captured, t - 301, SECRETS.signing) }],
    [
      'a replay 6 minutes later of a request signed then',
      captured,
      { 'X-Slack-Request-Timestamp': String(t - 360), 'X-Slack-Signature': sign(captured, t - 360, SECRETS.signing) },
    ],
    ['a timestamp 6 minutes ahead', captured, { 'X-Slack-Request-Timestamp': String(t + 360), 'X-Slack-Signature': sign(captured, t + 360, SECRETS.signing) }],
    [
      'a timestamp that is not a number',
      captured,
      { 'X-Slack-Request-Timestamp': 'now', 'X-Slack-Signature': sign(captured, 'now' as unknown as number, SECRETS.signing) },
    ],
  ];
  for (const [name, body, headers] of cases) {
    const response = answers.seen(name, await rawSlackPost(stack, body, headers));
    check(response.status, name).toBe(401);
  }
  // A signed event (App Home) and a signed button press with another secret.
  const event = JSON.stringify({ type: 'event_callback', team_id: 'T0FAKE001', event: { type: 'app_home_opened', user: PEOPLE.tech, tab: 'home' }, event_id: 'Ev1' });
  const forgedEvent = answers.seen('event', await stack.driver.post(event, { contentType: 'application/json', secret: 'another-signing-secret' }));
  check(forgedEvent.status, 'an event signed with another secret').toBe(401);
  const challenge = answers.seen(
    'url_verification',
    await stack.driver.post(JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 'x' }), {
      contentType: 'application/json',
      secret: 'another-signing-secret',
    }),
  );
  check(challenge.status, 'a url_verification challenge signed with another secret').toBe(401);

  await sleep(1_500);
  check(visibleCalls(stack).length - callsBefore, 'Slack calls made for refused requests').toBe(0);
  check(await onboardingIds(stack), 'onboardings started by refused requests').toEqual([]);

  // The same valid request twice within the window (a replay by someone who captured it): one modal at most.
  const body = newCommand();
  const triggerId = new URLSearchParams(body).get('trigger_id')!;
  const headers = { 'X-Slack-Request-Timestamp': String(now()), 'X-Slack-Signature': '' };
  headers['X-Slack-Signature'] = sign(body, Number(headers['X-Slack-Request-Timestamp']), SECRETS.signing);
  const first = answers.seen('valid command', await rawSlackPost(stack, body, headers));
  check(first.status, 'the valid request').toBe(200);
  const second = answers.seen('replayed command', await rawSlackPost(stack, body, headers));
  check(second.status < 500, 'the replay is answered without an error').toBe(true);
  await sleep(1_500);
  check(stack.slack.callsOf('views.open').filter((c) => c.args.trigger_id === triggerId).length, 'modals opened for one request sent twice').toBe(1);
});

it('checks the rights of the sender of every command, button and form; a refusal is said privately and changes nothing', async () => {
  w1 = await tech.invite(stack, { invitee: alpha, approverContactId: PRIMARY.contactId, kind: itglue, ticket: 'T-2001' });
  onboardings += 1;
  await stack.waitFor(w1, (s) => s.stage === 'AWAITING_APPROVAL' && mailsOf(stack, w1, 'approval-request', s.approvalRound).length === 1, 'the approval request');
  check(await eventually(() => !!stack.driver.root(w1)), 'the thread root is posted').toBe(true);
  const before = snapshot(await status(w1));
  const opened = stack.slack.callsOf('views.open').length;

  // A button press signed with another secret, or too old, is refused before any rights are read.
  for (const [name, options] of [
    ['a Cancel press signed with another secret', { secret: 'another-signing-secret' }],
    ['a Cancel press 10 minutes old', { timestamp: now() - 600 }],
  ] as const) {
    const response = answers.seen(name, await stack.driver.post(pressBody(stack, CHANNEL, ACTIONS.cancel, w1, PEOPLE.tech), options));
    check(response.status, name).toBe(401);
  }

  // An outsider presses every button of the thread.
  for (const action of ACTION_IDS) {
    const from = stack.slack.calls.length;
    const { response } = await stack.driver.press(action, w1, PEOPLE.outsider);
    answers.seen(`outsider presses ${action}`, response);
    check(response.status, `outsider presses ${action}: acknowledged`).toBe(200);
    const refused = await eventually(() =>
      stack.slack.calls
        .slice(from)
        .some(
          (c) =>
            c.method === 'chat.postEphemeral' &&
            c.args.user === PEOPLE.outsider &&
            /Only the techs|Only a manager/.test(String(c.args.text)) &&
            /Nothing was changed/.test(String(c.args.text)),
        ),
    );
    check(refused, `outsider presses ${action}: told privately that only techs/managers can`).toBe(true);
  }
  // A tech presses the manager's Resume.
  {
    const from = stack.slack.calls.length;
    const { response } = await stack.driver.press(ACTIONS.resume, w1, PEOPLE.tech);
    answers.seen('tech presses resume', response);
    check(response.status, 'tech presses Resume: acknowledged').toBe(200);
    const refused = await eventually(() =>
      stack.slack.calls.slice(from).some((c) => c.method === 'chat.postEphemeral' && c.args.user === PEOPLE.tech && /Only a manager/.test(String(c.args.text))),
    );
    check(refused, 'tech presses Resume: told privately that only a manager can').toBe(true);
  }
  check(stack.slack.callsOf('views.open').length - opened, 'modals opened by refused presses').toBe(0);

  // The outsider's commands: refused in the acknowledgement itself, nothing opened or listed.
  const outsiderInvite = await stack.driver.command('/invite-lite', PEOPLE.outsider, ACME.name);
  answers.seen('outsider /invite-lite', outsiderInvite.response);
  check(outsiderInvite.response.status, 'outsider /invite-lite: acknowledged').toBe(200);
  check(outsiderInvite.body, 'outsider /invite-lite: refused privately').toMatch(/"response_type":"ephemeral".*Only the techs/);
  const responseUrlCalls = stack.slack.callsOf('response_url').length;
  const outsiderStatus = await stack.driver.command('/onboarding-status', PEOPLE.outsider, '');
  answers.seen('outsider /onboarding-status', outsiderStatus.response);
  check(outsiderStatus.body, 'outsider /onboarding-status: refused privately').toMatch(/Only the techs and managers/);
  check(outsiderStatus.body, 'outsider /onboarding-status: lists nothing').not.toContain(alpha.lastName);
  const suggestions = await stack.driver.suggest(INVITE.org.action, 'Acme', PEOPLE.outsider);
  answers.seen('outsider org type-ahead', suggestions);
  check(suggestions.options, 'outsider type-ahead: no organizations').toEqual([]);
  await sleep(1_000);
  check(stack.slack.callsOf('views.open').filter((c) => c.args.trigger_id === outsiderInvite.triggerId).length, 'outsider /invite-lite: no modal').toBe(0);
  check(stack.slack.callsOf('response_url').length - responseUrlCalls, 'outsider /onboarding-status: no list sent later').toBe(0);
  const home = answers.seen('outsider App Home', await stack.driver.appHomeOpened(PEOPLE.outsider));
  check(home.status, 'outsider App Home: acknowledged').toBe(200);
  await eventually(() => !!stack.slack.views.published[PEOPLE.outsider], 5_000);
  check(JSON.stringify(stack.slack.views.published[PEOPLE.outsider] ?? {}), 'outsider App Home: shows no onboarding').not.toContain(alpha.lastName);

  // The outsider submits the /invite-lite modal a tech opened, and changes its kind.
  const modal = await openInviteModal(stack, PEOPLE.tech, charlie);
  const updates = stack.slack.callsOf('views.update').length;
  const kindChange = answers.seen(
    'outsider modal action',
    await stack.driver.modalAction(
      modal,
      `kind:${ACME.id}`,
      { action_id: INVITE.kind.action, type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'myglue' }, value: 'myglue' } },
      PEOPLE.outsider,
      {},
    ),
  );
  check(kindChange.status, 'outsider changes the modal: acknowledged').toBe(200);
  const submitted = await stack.driver.submit(modal, PEOPLE.outsider, inviteValues({ invitee: charlie, approverContactId: PRIMARY.contactId, ticket: 'T-9' }));
  answers.seen('outsider submits the invite modal', submitted);
  check(submitted.answer?.response_action, 'outsider submits the invite modal: refused inline').toBe('errors');
  check(JSON.stringify(submitted.answer), 'outsider submits the invite modal: says why').toMatch(/Only the techs/);

  // The outsider submits the modals of "Record offline approval" and "Ask another contact" that a tech opened.
  let from = stack.slack.views.opened.length;
  await stack.driver.press(ACTIONS.recordOfflineApproval, w1, PEOPLE.tech);
  const offline = await openedModal(stack, OFFLINE_APPROVAL_CALLBACK_ID, from);
  const forgedOffline = await stack.driver.submit(offline, PEOPLE.outsider, {
    [OFFLINE_CHANNEL_FIELD.block]: {
      [OFFLINE_CHANNEL_FIELD.action]: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'Email' }, value: 'email' } },
    },
    [OFFLINE_NOTE_FIELD.block]: { [OFFLINE_NOTE_FIELD.action]: { type: 'plain_text_input', value: 'approved, trust me' } },
  });
  answers.seen('outsider records an offline approval', forgedOffline);
  check(forgedOffline.answer?.response_action, 'outsider records an offline approval: refused inline').toBe('errors');
  from = stack.slack.views.opened.length;
  await stack.driver.press(ACTIONS.askAnotherContact, w1, PEOPLE.tech);
  const changeApprover = await openedModal(stack, CHANGE_APPROVER_CALLBACK_ID, from);
  const approverValues = {
    [APPROVER_FIELD.block]: {
      [APPROVER_FIELD.action]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'x' }, value: charlie.contactId } },
    },
  };
  const forgedChange = await stack.driver.submit(changeApprover, PEOPLE.outsider, approverValues);
  answers.seen('outsider changes the approver', forgedChange);
  check(forgedChange.answer?.response_action, 'outsider changes the approver: refused inline').toBe('errors');

  await sleep(1_500);
  check(stack.slack.callsOf('views.update').length - updates, 'views updated for the outsider').toBe(0);
  check(await onboardingIds(stack), 'onboardings after the outsider submitted the modal').not.toContain(workflowIdOf(charlie.contactId));
  check(snapshot(await status(w1)), 'the onboarding after every refused action').toEqual(before);

  // The tech uses this modal for real in the next test (a second round).
  changeApproverModal = changeApprover;
});

it('decides only through a genuine, current, unexpired link, by POST with a CSRF value; scanners and forgers change nothing', async () => {
  const s1 = await status(w1);
  const link1 = linksIn(mailsOf(stack, w1, 'approval-request', s1.approvalRound)[0]!).find((l) => l.includes('/approvals/'))!;
  const token1 = tokenOf(link1);
  issued.push(token1, ...token1.split('.'));
  const verified = verifyApprovalToken(SECRETS.approval, token1);
  check(verified.ok, 'the mailed token verifies').toBe(true);
  const claims = (verified as { claims: ApprovalClaims }).claims;
  check(claims, 'the mailed token names this onboarding, round and approver').toMatchObject({
    workflowId: w1,
    round: s1.approvalRound,
    approverContactId: PRIMARY.contactId,
  });
  const before = snapshot(s1);
  const mails = stack.smtp.received.length;
  const posts = stack.slack.callsOf('chat.postMessage').length + stack.slack.callsOf('chat.update').length;
  const linkFor = (token: string) => `${stack.base}/approvals/${token}`;
  /** A POST as a browser holding a cookie and the form value made for it would send it. */
  const postWithCsrf = (token: string, decision = 'approve') => {
    const nonce = newCsrfNonce();
    return postDecision(answers, linkFor(token), { decision, cookie: `approval_csrf=${nonce}`, csrf: csrfFormValue(SECRETS.approval, nonce, token) });
  };

  // Tokens made without the secret.
  const wrong = 'not-the-approval-secret';
  const [payload, mac] = token1.split('.') as [string, string];
  const otherApproverPayload = signApprovalToken(wrong, { ...claims, approverContactId: bravo.contactId }).split('.')[0]!;
  const forged: Array<[string, string]> = [
    ['the same claims, another secret', signApprovalToken(wrong, claims)],
    ['another onboarding, another secret', signApprovalToken(wrong, { ...claims, workflowId: workflowIdOf(charlie.contactId) })],
    ['another round, another secret', signApprovalToken(wrong, { ...claims, round: claims.round + 1 })],
    ['another approver, another secret', signApprovalToken(wrong, { ...claims, approverContactId: bravo.contactId })],
    ['a later expiry, another secret', signApprovalToken(wrong, { ...claims, expiresAt: claims.expiresAt + 86_400_000 })],
    ['another approver under the genuine signature', `${otherApproverPayload}.${mac}`],
    ['the genuine token cut short', token1.slice(0, -2)],
    ['the genuine token with a character changed', `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`],
    ['no signature', payload],
  ];
  for (const [name, token] of forged) {
    const page = await approvalForm(answers, linkFor(token));
    check(page.status, `GET with ${name}`).toBe(404);
    check(page.body, `GET with ${name}: says not valid, no form`).toMatch(/This link is not valid/);
    const posted = await postWithCsrf(token);
    check(posted.status, `POST with ${name}`).toBe(404);
  }

  // Genuine tokens that are not (or no longer) for this approver and round, or past their expiry.
  const genuine = (changes: Partial<ApprovalClaims>) => {
    const token = signApprovalToken(SECRETS.approval, { ...claims, ...changes });
    issued.push(token);
    return token;
  };
  for (const [name, token, code, words] of [
    ['another approver', genuine({ approverContactId: bravo.contactId }), 410, /has been replaced/],
    ['a later round', genuine({ round: claims.round + 1 }), 410, /has been replaced/],
    ['an onboarding that does not exist', genuine({ workflowId: workflowIdOf('424242') }), 410, /no longer waiting/],
    ['an expiry in the past', genuine({ expiresAt: Date.now() - 60_000 }), 410, /has expired/],
  ] as const) {
    const page = await approvalForm(answers, linkFor(token));
    check(page.status, `GET of a link for ${name}`).toBe(code);
    check(page.body, `GET of a link for ${name}: its page`).toMatch(words);
    check(page.csrf, `GET of a link for ${name}: no form`).toBeNull();
    const posted = await postWithCsrf(token);
    check(posted.status, `POST of a link for ${name}`).toBe(code);
    check(posted.body, `POST of a link for ${name}: its page`).toMatch(words);
  }

  // CSRF on the genuine link.
  const form = await approvalForm(answers, link1);
  check(form.status, 'the genuine link shows the request').toBe(200);
  check(!!form.cookie && !!form.csrf, 'the page sets a cookie and a form value').toBe(true);
  issued.push(form.csrf!, form.cookie!.split('=')[1]!);
  const otherNonce = newCsrfNonce();
  for (const [name, o] of [
    ['no CSRF value', { cookie: form.cookie }],
    ['a wrong CSRF value', { cookie: form.cookie, csrf: 'A'.repeat(43) }],
    ['the CSRF value without its cookie', { csrf: form.csrf }],
    ['the CSRF value with another cookie', { cookie: `approval_csrf=${otherNonce}`, csrf: form.csrf }],
    ['a CSRF value made for another link', { cookie: form.cookie, csrf: csrfFormValue(SECRETS.approval, form.cookie!.split('=')[1]!, genuine({ round: 9 })) }],
    ['a valid CSRF value from a cross-site form', { cookie: form.cookie, csrf: form.csrf, headers: { 'Sec-Fetch-Site': 'cross-site' } }],
  ] as const) {
    const posted = await postDecision(answers, link1, { decision: 'approve', ...o });
    check(posted.status, `POST with ${name}`).toBe(403);
    check(posted.body, `POST with ${name}: nothing recorded`).toMatch(/nothing was recorded/);
  }

  // Link scanners: GET with their user agents, HEAD, the result page, a GET with the decision in the query.
  for (const agent of ['Mozilla/5.0 (compatible; Microsoft Safe Links)', 'Proofpoint URL Defense', 'Mimecast', 'curl/8.0']) {
    const response = answers.seen(`GET as ${agent}`, await fetch(link1, { headers: { 'User-Agent': agent } }));
    check(response.status, `GET as ${agent}`).toBe(200);
  }
  for (let i = 0; i < 2; i += 1) {
    const response = answers.seen('HEAD', await fetch(link1, { method: 'HEAD' }));
    check(response.status, 'HEAD').toBe(200);
    check(await response.text(), 'HEAD has no body').toBe('');
  }
  const result = answers.seen('GET result', await fetch(`${link1}/result`, { redirect: 'manual' }));
  check(result.status, 'the result page of an open request sends back to the request').toBe(303);
  const query = answers.seen('GET ?decision', await fetch(`${link1}?decision=approve&csrf=${encodeURIComponent(form.csrf!)}`, { headers: { Cookie: form.cookie! } }));
  check(query.status, 'a GET with the decision in its query only shows the page').toBe(200);
  const page = await fetch(link1);
  check(page.headers.get('content-security-policy'), 'the page allows no script').toMatch(/default-src 'none'/);
  check(page.headers.get('content-security-policy'), 'the page allows no script (no script-src)').not.toMatch(/script-src/);
  check([page.headers.get('cache-control'), page.headers.get('referrer-policy'), page.headers.get('x-frame-options')], 'no caching, no referrer, no framing').toEqual([
    'no-store',
    'no-referrer',
    'DENY',
  ]);
  await sleep(1_000);
  check(snapshot(await status(w1)), 'the onboarding after forged links, CSRF refusals and scanners').toEqual(before);
  check(stack.smtp.received.length - mails, 'mails sent for them').toBe(0);
  check(stack.slack.callsOf('chat.postMessage').length + stack.slack.callsOf('chat.update').length - posts, 'Slack posts for them').toBe(0);

  // "Ask another contact": Bravo gets a new link; Paula's link is replaced.
  const changed = await stack.driver.submit(changeApproverModal!, PEOPLE.tech, {
    [APPROVER_FIELD.block]: {
      [APPROVER_FIELD.action]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Bravo' }, value: bravo.contactId } },
    },
  });
  check(changed.answer, 'the tech chooses another approver').toBeNull();
  const s2 = await stack.waitFor(
    w1,
    // A round counts once its mail is out.
    (s) => s.approver?.contactId === bravo.contactId && s.approvalRound > claims.round && mailsOf(stack, w1, 'approval-request', s.approvalRound).length === 1,
    'the new approver and a new round',
  );
  const link2 = linksIn(mailsOf(stack, w1, 'approval-request', s2.approvalRound)[0]!).find((l) => l.includes('/approvals/'))!;
  issued.push(tokenOf(link2), ...tokenOf(link2).split('.'));
  const old = await approvalForm(answers, link1);
  check(old.status, 'the replaced link').toBe(410);
  check(old.body, 'the replaced link: says so').toMatch(/This link has been replaced/);
  const oldPost = await postDecision(answers, link1, { decision: 'approve', cookie: form.cookie, csrf: form.csrf });
  check(oldPost.status, 'a POST of the replaced link with its valid form').toBe(410);
  check((await status(w1)).evidence, 'no decision through the replaced link').toBeNull();

  // Bravo denies; the same link again (and the replaced one) cannot change that.
  const form2 = await approvalForm(answers, link2);
  check(form2.status, 'the new link shows the request').toBe(200);
  issued.push(form2.csrf!, form2.cookie!.split('=')[1]!);
  // Whoever holds the link chooses the comment and the user agent kept as evidence: hostile text too.
  const denied = await postDecision(answers, link2, {
    decision: 'deny',
    cookie: form2.cookie,
    csrf: form2.csrf,
    comment: `No ${HOSTILE} & never`,
    headers: { 'User-Agent': `Mozilla/5.0 ${HOSTILE} & agent`, 'X-Forwarded-For': '203.0.113.66, <!channel>' },
  });
  check(denied.status, 'the decision is recorded and redirects to the result').toBe(303);
  const decided = await stack.waitFor(w1, (s) => s.stage === 'DENIED', 'DENIED');
  check(decided.evidence, 'the decision stands with its evidence').toMatchObject({ via: 'link', decision: 'deny', round: s2.approvalRound });
  const again = await postDecision(answers, link2, { decision: 'approve', cookie: form2.cookie, csrf: form2.csrf });
  check(again.status, 'the same link used again').toBe(409);
  check(again.body, 'the same link used again: already answered').toMatch(/already been answered/);
  const reread = await approvalForm(answers, link2);
  check(reread.status, 'the decided link opened again').toBe(409);
  check(reread.csrf, 'the decided link has no form').toBeNull();
  const late = await postDecision(answers, link1, { decision: 'approve', cookie: form.cookie, csrf: form.csrf });
  check(late.status, 'the replaced link after the decision').not.toBe(303);
  const after: OnboardingStatus = await status(w1);
  check([after.stage, after.evidence], 'the first decision stands').toEqual([decided.stage, decided.evidence]);
});

/** Checks of one mail's headers and parts with hostile names in it. */
async function checkMail(mail: ReceivedMail, what: string, recipients: string[]) {
  const headers = headerLines(mail.raw);
  check([...mail.envelope.to].sort(), `${what}: envelope recipients`).toEqual([...recipients].sort());
  check(
    headers.filter((h) => /^bcc:/i.test(h)),
    `${what}: no Bcc header`,
  ).toEqual([]);
  check(headers.filter((h) => /^to:/i.test(h)).length, `${what}: one To header`).toBe(1);
  check(headers.filter((h) => /^cc:/i.test(h)).length, `${what}: at most one Cc header`).toBeLessThanOrEqual(1);
  const listed = [
    ...(Array.isArray(mail.parsed.to) ? mail.parsed.to : [mail.parsed.to]).flatMap((a) => a?.value ?? []),
    ...(Array.isArray(mail.parsed.cc) ? mail.parsed.cc : [mail.parsed.cc]).flatMap((a) => a?.value ?? []),
  ];
  check(listed.map((a) => a.address).sort(), `${what}: the addresses in To and Cc`).toEqual([...recipients].sort());
  check(
    listed.some((a) => /[\r\n]/.test(a.name ?? '')),
    `${what}: no line break in a display name`,
  ).toBe(false);
  check(/[\r\n]/.test(mail.parsed.subject ?? ''), `${what}: no line break in the subject`).toBe(false);
  const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
  const text = mail.parsed.text ?? '';
  for (const raw of [...XSS, '<img', '<!channel>', '<https://evil.example']) check(html.includes(raw), `${what}: HTML part has no raw ${raw}`).toBe(false);
  check(html, `${what}: HTML part shows the names escaped`).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  check(text, `${what}: text part shows the names as typed`).toContain(XSS[0]);
  // The HTML part in a browser with JavaScript on: nothing runs, nothing loads.
  const page = await browser.newPage();
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs += 1;
    void d.dismiss();
  });
  await page.setContent(html);
  await sleep(200);
  check(dialogs, `${what}: no script runs in the HTML part`).toBe(0);
  check(await page.locator('script, img, iframe').count(), `${what}: no script or image element`).toBe(0);
  await page.close();
}

it('shows hostile names, organization, ticket and note as text everywhere, and keeps line breaks in names out of mail headers', async () => {
  const modal = await openInviteModal(stack, PEOPLE.tech, hostileInvitee);
  const submitted = await stack.driver.submit(
    modal,
    PEOPLE.tech,
    inviteValues({ invitee: hostileInvitee, approverContactId: hostileApprover.contactId, ticket: TICKET, note: NOTE }),
  );
  check(submitted.answer, 'the tech submits the onboarding').toBeNull();
  const w = workflowIdOf(hostileInvitee.contactId);
  onboardings += 1;
  const s = await stack.waitFor(w, (x) => x.stage === 'AWAITING_APPROVAL' && mailsOf(stack, w, 'approval-request', x.approvalRound).length === 1, 'the approval request');
  const request = mailsOf(stack, w, 'approval-request', s.approvalRound)[0]!;
  await checkMail(request, 'approval request', [hostileApprover.email]);
  const link = linksIn(request).find((l) => l.includes('/approvals/'))!;
  issued.push(tokenOf(link), ...tokenOf(link).split('.'));

  // The approval page in Chromium.
  const page = await browser.newPage();
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs += 1;
    void d.dismiss();
  });
  const shown = await page.goto(link);
  check(shown?.status(), 'the approval page').toBe(200);
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as rendered, which is what is checked
  const text = await page.locator('main').innerText();
  check(text, 'the page shows the organization as typed').toContain(ORG_NAME);
  check(text, 'the page shows the invitee as typed').toContain(hostileInvitee.lastName);
  check(text, 'the page shows the ticket as typed').toContain(TICKET);
  check(await page.locator('script, img, iframe, a[href*="evil"]').count(), 'no element made from the text').toBe(0);
  await page.locator('#comment').fill(`Fine ${HOSTILE} & ok`);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForLoadState();
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as rendered, which is what is checked
  const resultText = await page.locator('main').innerText();
  check(resultText, 'the result page').toMatch(/You approved the request/);
  check(resultText, 'the result page shows the comment as typed').toContain(`Fine ${HOSTILE} & ok`);
  check(await page.locator('script, img, iframe, a[href*="evil"]').count(), 'no element made from the comment').toBe(0);
  await sleep(200);
  check(dialogs, 'no script ran on the approval pages').toBe(0);
  await page.close();

  await stack.waitFor(w, (x) => x.stages.some((st) => st.stage === 'AWAITING_INVITE'), 'AWAITING_INVITE');
  const mailOf = (step: string, to: string) => stack.smtp.received.filter((m) => m.parsed.messageId?.startsWith(`<${step}.`) && m.envelope.to.includes(to));
  check(await eventually(() => mailOf('decision-receipt', hostileApprover.email).length > 0, 30_000), 'the decision receipt is sent').toBe(true);
  check(await eventually(() => mailOf('instructions', hostileInvitee.email).length > 0, 30_000), 'the instructions are sent').toBe(true);
  await sleep(500);
  check(mailOf('decision-receipt', hostileApprover.email).length, 'the decision receipt is sent once').toBe(1);
  await checkMail(mailOf('decision-receipt', hostileApprover.email)[0]!, 'decision receipt', [hostileApprover.email]);
  const instructions = mailOf('instructions', hostileInvitee.email);
  check(instructions.length, 'the instructions are sent once').toBe(1);
  await checkMail(instructions[0]!, 'instructions', [hostileInvitee.email, 'it@northwind.example']);
  check(
    stack.smtp.received.some((m) => m.envelope.to.some((to) => /evil\.example/i.test(to))),
    'no mail went to the attacker',
  ).toBe(false);

  // The tech's status list and Home tab show the onboarding too; then it is cancelled.
  const listed = stack.slack.callsOf('response_url').length;
  await stack.driver.command('/onboarding-status', PEOPLE.tech, '');
  check(await eventually(() => stack.slack.callsOf('response_url').length > listed), 'the tech gets the status list').toBe(true);
  await stack.driver.appHomeOpened(PEOPLE.tech);
  await tech.press(stack, w, ACTIONS.cancel, (x) => x.stage === 'CANCELLED', 'the hostile onboarding cancelled');
  await sleep(1_500);

  // Every mrkdwn text the service sent to Slack: no broadcast, mention, link or markup from the text.
  const texts = visibleCalls(stack).flatMap(mrkdwnTexts);
  const hostileTexts = texts.filter((t) => t.includes('alert(1)'));
  check(hostileTexts.length, 'Slack texts that show the hostile values').toBeGreaterThan(5);
  for (const raw of RAW_IN_MRKDWN) {
    check(
      texts.filter((t) => t.includes(raw)),
      `no mrkdwn text holds a raw ${raw}`,
    ).toEqual([]);
  }
  check(
    hostileTexts.filter((t) => /[\r\n]Bcc:/.test(t)),
    'no line of Slack text made by a line break in a name',
  ).toEqual([]);
  check(
    hostileTexts.some((t) => t.includes('Eve Bcc: attacker@evil.example')),
    'a name with a line break is shown on one line',
  ).toBe(true);
  check(
    hostileTexts.some((t) => t.includes('&lt;!channel&gt;')),
    'the broadcast is shown escaped',
  ).toBe(true);
  check(
    hostileTexts.some((t) => t.includes('&lt;hxxps://evil[.]example|click&gt;')),
    'the link is shown escaped, its address unclickable',
  ).toBe(true);
  check(
    hostileTexts.filter((t) => t.includes('https://evil.example')),
    'no text holds the web address as typed (Slack would link it)',
  ).toEqual([]);
  check(
    hostileTexts.some((t) => t.includes('&amp; Co')),
    'the ampersand is escaped',
  ).toBe(true);
  check(
    texts.some((t) => t.includes('&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt;')),
    'the ticket is shown escaped',
  ).toBe(true);
  check(
    texts.some((t) => t.includes('Note &lt;script&gt;')),
    'the note is shown escaped',
  ).toBe(true);
  const calls = visibleCalls(stack);
  check(
    calls.filter((c) => c.args.parse === 'full' || c.args.link_names === true || c.args.link_names === 'true'),
    'no message asks Slack to link names',
  ).toEqual([]);
});

it('keeps every secret, approval token and CSRF value out of the log', async () => {
  const log = stack.log();
  check(log.length, 'the service logged').toBeGreaterThan(20);
  const secrets: Array<[string, string]> = [
    ...Object.entries(SECRETS),
    ['SMTP password (URL-encoded)', encodeURIComponent(SECRETS.smtpPassword)],
    ...issued.filter((v) => v.length >= 16).map((v, i): [string, string] => [`issued value ${i}`, v]),
  ];
  for (const [name, value] of secrets) {
    check(log.filter((line) => line.includes(value)).length, `log lines with ${name}`).toBe(0);
  }
  check(
    log.filter((line) => /^\s*Bcc:/i.test(line)),
    'no log line forged by a line break in a name',
  ).toEqual([]);
  check(answers.details, 'server errors').toEqual([]);
  record('security', { onboardings, serverErrors: answers.serverErrors, lost: 0 }, `${checks} checks`);
});
