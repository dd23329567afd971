/**
 * A generated corpus of bad input sent to the running service: slash-command texts, modal
 * submissions, button payloads, option requests, approval links and forms, and raw HTTP on the
 * Slack endpoint. Each must get a clear refusal (an inline error, an ephemeral message, a 4xx page),
 * never a 500 or a crash, and no onboarding may start or change.
 *
 * The corpus is drawn by fast-check from a seed (E2E_SEED, else a constant) printed at the start:
 * E2E_SEED=<seed> replays the same inputs.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ACTIONS, ACTION_IDS } from '../src/slack/action-ids';
import { APPROVER_FIELD, CHANGE_APPROVER_CALLBACK_ID, OFFLINE_APPROVAL_CALLBACK_ID, OFFLINE_CHANNEL_FIELD, OFFLINE_NOTE_FIELD } from '../src/slack/views/approval-modals';
import { INVITE, INVITE_CALLBACK_ID } from '../src/slack/views/invite-modal';
import { csrfFormValue } from '../src/web/csrf';
import { signApprovalToken } from '../src/web/approval-token';
import type { OnboardingStatus } from '../workflows/types';
import { SEED as IT } from '../test/fakes/itglue-server';
import { linksIn } from '../test/fakes/smtp';
import { sign, slashCommandBody, TEAM, type ModalState } from '../test/support/slack-driver';
import { anyJson, describeCase, hostileText, inPool, isFailure, percentEncode, raw, type RawAnswer, type RawFailure, type RawRequest } from './support/bad-input';
import { ACME, mailsOf, newInvitee, prepareItGlue, PRIMARY, tech, type Invitee } from './support/people';
import { record } from './support/results';
import { CHANNEL, PEOPLE, SECRETS, startStack, type Stack } from './support/stack';

const SEED = Number(process.env.E2E_SEED ?? 20_250_611);
const CONCURRENCY = 8;
const COUNTS = { command: 320, view: 220, action: 300, suggest: 40, approval: 480, raw: 200 };
const EVENTS = '/slack/events';

let stack: Stack;

beforeAll(async () => {
  // The approval pages limit each client's requests (429): the corpus's approval requests come
  // through a trusted proxy (TRUST_PROXY), each from an address of its own, so that every one of
  // them is judged on its input. The limit itself is checked in e2e/hardening-doors.e2e.ts.
  stack = await startStack({ env: { TRUST_PROXY: '127.0.0.1' } });
  prepareItGlue(stack);
});

afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const opt = (value: unknown) => ({ text: { type: 'plain_text', text: String(value) }, value });

/** What an answer must have been, checked once the corpus has settled. */
type Deferred =
  | { kind: 'none' }
  /** A modal opened with this trigger_id. */
  | { kind: 'modal'; triggerId: string }
  /** An ephemeral message in this thread (or a modal with this trigger_id). */
  | { kind: 'ephemeral'; threadTs: string; triggerId?: string }
  /** Counted together: a message through a response_url. */
  | { kind: 'response_url' }
  /** Counted together: a direct message to this user. */
  | { kind: 'dm'; user: string };

interface Outcome {
  category: string;
  index: number;
  input: string;
  status: number | null;
  error: string | null;
  ms: number;
  problems: string[];
  deferred: Deferred;
  /** The request was refused (or carried nothing the service could act on). */
  refused: boolean;
}

interface Protected {
  workflowId: string;
  invitee: Invitee;
  token: string;
  round: number;
  expiresAt: number;
}

interface Context {
  guards: Protected[];
  decoy: Invitee;
  inviteView: ModalState;
}

function snapshot(s: OnboardingStatus) {
  return {
    stage: s.stage,
    subState: s.subState,
    approvalRound: s.approvalRound,
    approver: s.approver?.contactId ?? null,
    evidence: s.evidence,
    user: s.user,
    request: s.request,
    reason: s.reason,
    stages: s.stages.map((x) => x.stage),
    events: s.events.filter((e) => !/remind/i.test(`${e.type} ${e.text}`)).length,
  };
}

/** /invite-lite "Acme Dental" by the tech: the modal as Slack holds it, once it shows Acme's contacts. */
async function inviteModal(): Promise<ModalState> {
  const { triggerId } = await stack.driver.command('/invite-lite', PEOPLE.tech, ACME.name);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const calls = stack.slack.callsOf('views.open').filter((c) => c.ok);
    const index = calls.findIndex((c) => c.args.trigger_id === triggerId);
    if (index >= 0) {
      const opened = stack.slack.views.opened[index] as ModalState;
      const view = stack.slack.views.byId[opened.id] as ModalState;
      if ((view.blocks as Array<{ block_id?: string }>).some((b) => b.block_id === `contact:${ACME.id}`)) return view;
    }
    await sleep(100);
  }
  throw new Error('the invite modal did not open with the contacts of Acme Dental');
}

async function startGuard(label: string): Promise<Protected> {
  const invitee = newInvitee(stack, label);
  const workflowId = await tech.invite(stack, { invitee, approverContactId: PRIMARY.contactId, kind: { kind: 'itglue', passwordAccess: false }, ticket: `T-${label}` });
  // A round counts once its approval mail is out.
  const s = await stack.waitFor(workflowId, (x) => x.stage === 'AWAITING_APPROVAL' && x.approvalRound > 0, 'AWAITING_APPROVAL, round 1', 90_000);
  const deadline = Date.now() + 30_000;
  let link: string | undefined;
  while (!link && Date.now() < deadline) {
    const mail = mailsOf(stack, workflowId, 'approval-request', s.approvalRound)[0];
    link = mail && linksIn(mail).find((l) => l.includes('/approvals/'));
    if (!link) await sleep(200);
  }
  if (!link) throw new Error(`no approval mail for ${workflowId}`);
  const token = link.slice(link.lastIndexOf('/approvals/') + '/approvals/'.length);
  const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as [string, number, string, number];
  return { workflowId, invitee, token, round: claims[1], expiresAt: claims[3] };
}

// ---------------------------------------------------------------------------------------------
// The generators
// ---------------------------------------------------------------------------------------------

const text = hostileText();
const shortText = hostileText({ maxLong: 4_000 });
const users = fc.constantFrom(PEOPLE.tech, PEOPLE.tech, PEOPLE.tech, PEOPLE.outsider, PEOPLE.outsider, PEOPLE.manager);

const commandArb = fc.record({
  command: fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom('/invite-lite', '/onboarding-status') },
    { weight: 1, arbitrary: fc.constantFrom('/INVITE-LITE', '/invite-lite ', '/onboarding_status', '/unknown') },
  ),
  user: users,
  text,
});

/** A field of the invite modal: valid, absent, of the wrong type, or a value that is no such thing. */
type FieldChoice = { as: 'valid' } | { as: 'missing' } | { as: 'wrongType'; value: unknown } | { as: 'value'; value: string };

const idChoice = (bad: fc.Arbitrary<string>): fc.Arbitrary<FieldChoice> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant<FieldChoice>({ as: 'valid' }) },
    { weight: 1, arbitrary: fc.constant<FieldChoice>({ as: 'missing' }) },
    { weight: 1, arbitrary: anyJson().map<FieldChoice>((value) => ({ as: 'wrongType', value })) },
    { weight: 2, arbitrary: bad.map<FieldChoice>((value) => ({ as: 'value', value })) },
  );

const otherIds = fc.oneof(
  fc.constantFrom(
    IT.org.msp,
    IT.org.smithJones,
    IT.org.bluebird,
    IT.contact.samSmith,
    IT.contact.noraNoEmail,
    IT.contact.miaManager,
    '0',
    '-1',
    '99999999',
    '1001 ',
    ' 1001',
    '1001\u0000',
    '１００１',
    '.',
    '..',
    '../1001',
    '1001/contacts',
    '1001?x=1',
    '%2e%2e',
  ),
  shortText,
);

const inviteFormArb = fc.record({
  metadata: fc.oneof(
    { weight: 6, arbitrary: fc.constant<FieldChoice>({ as: 'valid' }) },
    { weight: 1, arbitrary: fc.constant<FieldChoice>({ as: 'missing' }) },
    { weight: 1, arbitrary: anyJson().map<FieldChoice>((value) => ({ as: 'wrongType', value: JSON.stringify({ channelId: CHANNEL, orgId: value }) })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(shortText, fc.constantFrom('{', 'null', '[]', '"1001"', '{"orgId":1001}', `{"orgId":"${IT.org.smithJones}"}`, '{"__proto__":{"orgId":"1001"}}'))
        .map<FieldChoice>((value) => ({ as: 'value', value })),
    },
  ),
  org: idChoice(otherIds),
  contact: idChoice(otherIds),
  approver: idChoice(otherIds),
  kind: idChoice(fc.oneof(fc.constantFrom('ITGLUE', 'itglue ', 'admin', 'both', ''), shortText)),
  password: idChoice(fc.oneof(fc.constantFrom('YES', 'true', '1', 'maybe'), shortText)),
  ticket: fc.oneof(
    fc.constant<FieldChoice>({ as: 'valid' }),
    fc.constant<FieldChoice>({ as: 'missing' }),
    anyJson().map<FieldChoice>((value) => ({ as: 'wrongType', value })),
    shortText.map<FieldChoice>((value) => ({ as: 'value', value })),
  ),
  note: fc.oneof(
    fc.constant<FieldChoice>({ as: 'valid' }),
    fc.constant<FieldChoice>({ as: 'missing' }),
    anyJson().map<FieldChoice>((value) => ({ as: 'wrongType', value })),
    text.map<FieldChoice>((value) => ({ as: 'value', value })),
  ),
  oversized: fc.option(fc.record({ field: fc.constantFrom('ticket', 'note'), length: fc.integer({ min: 1_001, max: 30_000 }) }), { nil: undefined }),
});

const viewArb = fc.record({
  callback: fc.oneof(
    { weight: 14, arbitrary: fc.constant(INVITE_CALLBACK_ID) },
    { weight: 3, arbitrary: fc.constant(CHANGE_APPROVER_CALLBACK_ID) },
    { weight: 3, arbitrary: fc.constant(OFFLINE_APPROVAL_CALLBACK_ID) },
    { weight: 1, arbitrary: fc.constantFrom('invite_lite_loading', 'INVITE_LITE', 'unknown_view') },
  ),
  user: users,
  form: inviteFormArb,
  buttonModal: fc.record({
    metadata: fc.oneof(
      shortText,
      fc.constantFrom('{}', 'null', '{"workflowId":123}', '{"workflowId":null}', '{"workflowId":"onboarding:1002:2101"}', '{"workflowId":"onboarding:1001:999999"}'),
      fc.constant('guard'),
      shortText.map((w) => JSON.stringify({ workflowId: w, channel: CHANNEL, threadTs: '1.2' })),
    ),
    contact: idChoice(otherIds),
    channel: idChoice(fc.oneof(fc.constantFrom('FAX', 'fax ', 'phone', 'postal_mail', ''), shortText)),
    note: fc.oneof(
      fc.constant<FieldChoice>({ as: 'missing' }),
      anyJson().map<FieldChoice>((value) => ({ as: 'wrongType', value })),
      text.map<FieldChoice>((value) => ({ as: 'value', value })),
    ),
  }),
});

const knownAction = fc.constantFrom(...ACTION_IDS);
const actionArb = fc.record({
  user: fc.oneof(users, fc.constant(null)),
  actionId: fc.oneof(
    { weight: 12, arbitrary: knownAction },
    { weight: 1, arbitrary: fc.constantFrom(INVITE.org.action, INVITE.kind.action) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('onboarding_CANCEL', 'onboarding_delete', 'cancel', ''), shortText) },
  ),
  value: fc.oneof(
    { weight: 4, arbitrary: text },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'onboarding:1001:999999',
        'onboarding:1002:2101',
        'onboarding:1003:2201',
        'onboarding:1001:2001',
        'onboarding:x:y',
        'onboarding:1001:2001:extra',
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('guard0', 'guard1'), fc.constantFrom('exact', 'space', 'upper', 'otherOrg', 'suffix', 'prefix'))
        .map(([g, how]) => `@${g}:${how}`),
    },
    { weight: 1, arbitrary: anyJson() },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
  shape: fc.oneof(
    { weight: 10, arbitrary: fc.constant('normal') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('noActions', 'emptyActions', 'actionsNotArray', 'noContainer', 'noMessage', 'noChannel', 'noTrigger', 'userNotObject', 'twoActions'),
    },
  ),
  channel: fc.constantFrom(CHANNEL, CHANNEL, 'C0GENERAL1', 'D0DIRECT01'),
});

const suggestArb = fc.record({
  user: users,
  actionId: fc.constantFrom(INVITE.org.action, INVITE.contact.action, INVITE.approver.action, 'unknown_select'),
  value: text,
  metadata: fc.oneof(fc.constant(undefined), shortText, fc.constantFrom('{"orgId":"1001"}', '{"orgId":"../1001"}', '{"orgId":1001}')),
});

type TokenSpec =
  | { t: 'text'; value: string }
  | { t: 'mutate'; guard: number; op: 'flip' | 'truncate' | 'append' | 'dropDot' | 'swap' | 'upper' | 'insertSlash' | 'double'; pos: number; extra: string }
  | {
      t: 'signed';
      guard: number;
      wf: 'real' | 'other' | 'missing' | 'hostile';
      round: number;
      approver: 'real' | 'other' | 'hostile';
      expiry: 'future' | 'past';
      hostile: string;
    }
  | { t: 'malformedClaims'; payload: unknown }
  | { t: 'long'; length: number }
  | { t: 'path'; path: string };

const tokenArb: fc.Arbitrary<TokenSpec> = fc.oneof(
  { weight: 3, arbitrary: text.map<TokenSpec>((value) => ({ t: 'text', value })) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('mutate' as const),
      guard: fc.integer({ min: 0, max: 1 }),
      op: fc.constantFrom('flip', 'truncate', 'append', 'dropDot', 'swap', 'upper', 'insertSlash', 'double'),
      pos: fc.nat(),
      extra: fc.oneof(fc.constantFrom('A', '=', '.', '%00', '..', '%2F'), fc.string({ maxLength: 4 })),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('signed' as const),
      guard: fc.integer({ min: 0, max: 1 }),
      wf: fc.constantFrom('real', 'other', 'missing', 'hostile'),
      round: fc.integer({ min: -1, max: 4 }),
      approver: fc.constantFrom('real', 'other', 'hostile'),
      expiry: fc.constantFrom('future', 'past'),
      hostile: shortText,
    }),
  },
  { weight: 1, arbitrary: anyJson().map<TokenSpec>((payload) => ({ t: 'malformedClaims', payload })) },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 70_000 }).map<TokenSpec>((length) => ({ t: 'long', length })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '/approvals/../healthz',
        '/approvals/..%2F..%2Fetc%2Fpasswd',
        '/approvals/%2e%2e/%2e%2e/etc/passwd',
        '/approvals/../../../../etc/passwd',
        '/approvals/..\\..\\windows\\win.ini',
        '/approvals//result',
        '/approvals/x/result/../../healthz',
        '/approvals/',
        '/approvals',
        '/approvals/x/y/z',
        '/approvals/%',
        '/approvals/%zz',
        '/approvals/x%00y',
        '/approvals/%ED%A0%80',
        '/approvals/%C0%AE%C0%AE%2F',
        '/approvals/x?token=../../x',
        '/approvals/x#frag',
      )
      .map<TokenSpec>((path) => ({ t: 'path', path })),
  },
);

const approvalArb = fc.record({
  token: tokenArb,
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'POST', 'PUT', 'DELETE'),
  csrf: fc.constantFrom('missing', 'forged', 'valid', 'otherToken', 'noCookie', 'badCookie', 'valid'),
  decision: fc.oneof(
    fc.constantFrom('approve', 'deny', 'Approve', 'APPROVE', 'approve ', ' deny', 'approved', 'yes', '', 'approve\u0000', 'deny;approve', 'maybe'),
    shortText,
  ),
  comment: fc.oneof(
    fc.constant(undefined),
    text,
    fc.integer({ min: 16_000, max: 80_000 }).map((n) => 'c'.repeat(n)),
  ),
  contentType: fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=xyz',
    'none',
  ),
  crossSite: fc.boolean(),
  repeatDecision: fc.boolean(),
});

const rawArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      r: fc.constant('json' as const),
      body: fc.oneof(
        text,
        anyJson().map((v) => JSON.stringify(v) ?? 'undefined'),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      r: fc.constant('jsonShape' as const),
      body: fc.constantFrom(
        'null',
        '[]',
        '"event_callback"',
        '0',
        'true',
        '{}',
        '{"type":null}',
        '{"type":"event_callback"}',
        '{"type":"event_callback","event":null}',
        '{"type":"event_callback","event":"x"}',
        '{"type":"event_callback","event":{"type":"app_home_opened"}}',
        `{"type":"event_callback","team_id":"${TEAM}","event":{"type":"app_home_opened","user":{"id":1},"tab":"home"}}`,
        '{"type":"url_verification"}',
        '{"type":"url_verification","challenge":"<script>"}',
        '{"type":"block_actions"}',
        '{"type":"view_submission"}',
        '{"type":"view_submission","view":null}',
        '{"type":"block_suggestion"}',
        '{"command":5}',
        '{"command":"/invite-lite"}',
        '{"__proto__":{"type":"block_actions"}}',
        '{"type":"block_actions","actions":[null],"user":{"id":"U0TECH0001"}}',
        '{"type":"view_submission","user":{"id":"U0TECH0001"},"view":{"callback_id":"invite_lite"}}',
        '{"type":"view_submission","user":{"id":"U0TECH0001"},"view":{"id":"Vx","callback_id":"invite_lite","state":null,"blocks":[]}}',
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      r: fc.constant('payload' as const),
      payload: fc.oneof(
        text,
        anyJson().map((v) => JSON.stringify(v) ?? ''),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      r: fc.constant('form' as const),
      fields: fc.dictionary(fc.constantFrom('command', 'text', 'user_id', 'trigger_id', 'response_url', 'team_id', 'type', 'payload', 'ssl_check', 'token'), shortText, {
        maxKeys: 5,
      }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      r: fc.constant('contentType' as const),
      contentType: fc.constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        '',
        'application/json; charset=utf-8',
        'APPLICATION/X-WWW-FORM-URLENCODED',
        'application/x-www-form-urlencoded; charset=utf-8',
        'image/png',
      ),
      body: fc.oneof(text, fc.constant('payload=%7B%22type%22%3A%22block_actions%22%7D'), fc.constant('{"type":"block_actions"}')),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      r: fc.constant('unsigned' as const),
      how: fc.constantFrom(
        'none',
        'noSignature',
        'noTimestamp',
        'badSignature',
        'otherSecret',
        'old',
        'future',
        'nanTimestamp',
        'floatTimestamp',
        'v1',
        'emptySignature',
        'twoTimestamps',
      ),
      body: fc.oneof(text, fc.constant('payload=%7B%22type%22%3A%22block_actions%22%7D'), fc.constant('ssl_check=1&payload=%7B%22type%22%3A%22block_actions%22%7D')),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      r: fc.constant('route' as const),
      method: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST', 'TRACE'),
      path: fc.constantFrom(
        '/slack/events',
        '/slack/events/',
        '/slack/events?x=1',
        '/SLACK/EVENTS',
        '/slack//events',
        '/slack/events/..',
        '/',
        '//',
        '/%',
        '/..',
        '/healthz/..',
        '/healthz?<script>',
        '/unknown',
        '/approvals/x/result',
        `/${'a'.repeat(9_000)}`,
      ),
    }),
  },
);

// ---------------------------------------------------------------------------------------------

it('refuses a generated corpus of bad input clearly, without a 500, a crash or a changed onboarding', async () => {
  const began = Date.now();
  console.log(`bad-input corpus: seed ${SEED} (replay with E2E_SEED=${SEED})`);

  // State to protect: two onboardings waiting for approval.
  const guards = await Promise.all([startGuard('GuardA'), startGuard('GuardB')]);
  const decoy = newInvitee(stack, 'Decoy');
  const context: Context = { guards, decoy, inviteView: await inviteModal() };
  const client = await stack.temporal();
  const before = await Promise.all(guards.map(async (g) => snapshot(await stack.status(g.workflowId))));

  const logStart = stack.log().length;
  const responseUrlStart = stack.slack.callsOf('response_url').length;
  const callStart = stack.slack.calls.length;

  const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt: number) => fc.sample(arb, { seed: SEED + salt, numRuns: n });
  type Job = { category: string; input: unknown; run: (index: number) => Promise<Outcome> };
  const jobs: Job[] = [
    ...sample(commandArb, COUNTS.command, 1).map((c) => ({ category: 'command', input: c, run: (i: number) => runCommand(c, i) })),
    ...sample(viewArb, COUNTS.view, 2).map((c) => ({ category: 'view', input: c, run: (i: number) => runView(c, i, context) })),
    ...sample(actionArb, COUNTS.action, 3).map((c) => ({ category: 'button', input: c, run: (i: number) => runAction(c, i, context) })),
    ...sample(suggestArb, COUNTS.suggest, 4).map((c) => ({ category: 'options', input: c, run: (i: number) => runSuggest(c, i) })),
    ...sample(approvalArb, COUNTS.approval, 5).map((c) => ({ category: 'approval', input: c, run: (i: number) => runApproval(c, i, context) })),
    ...sample(rawArb, COUNTS.raw, 6).map((c) => ({ category: 'raw', input: c, run: (i: number) => runRaw(c, i) })),
    ...hugeBodies().map((c) => ({ category: 'raw', input: c.label, run: (i: number) => runHuge(c, i) })),
  ];
  // The categories mixed, in an order drawn from the same seed.
  const order = fc.sample(
    fc.shuffledSubarray(
      jobs.map((_, i) => i),
      { minLength: jobs.length, maxLength: jobs.length },
    ),
    { seed: SEED, numRuns: 1 },
  )[0]!;
  const outcomes = await inPool(order, CONCURRENCY, async (jobIndex) => {
    const job = jobs[jobIndex]!;
    try {
      return await job.run(jobIndex);
    } catch (error) {
      return {
        category: job.category,
        index: jobIndex,
        input: describeCase(job.input),
        status: null,
        error: `the test's own request failed: ${String(error)}`,
        ms: 0,
        problems: [`the request could not be made: ${String(error)}`],
        deferred: { kind: 'none' },
        refused: true,
      } satisfies Outcome;
    }
  });
  const corpusMs = Date.now() - began;

  // Let answers sent after the acknowledgement arrive.
  await sleep(6_000);

  // Deferred answers: modals, ephemeral messages, response_url messages and direct messages.
  const calls = stack.slack.calls.slice(callStart);
  const opened = new Set(calls.filter((c) => c.method === 'views.open').map((c) => c.args.trigger_id as string));
  const ephemeralThreads = new Set(
    calls.filter((c) => c.method === 'chat.postEphemeral' && c.ok && typeof c.args.text === 'string' && c.args.text.trim()).map((c) => String(c.args.thread_ts)),
  );
  const dms = new Map<string, number>();
  for (const c of calls) {
    if (c.method === 'chat.postMessage' && String(c.args.channel).startsWith('U') && typeof c.args.text === 'string' && c.args.text.trim()) {
      dms.set(String(c.args.channel), (dms.get(String(c.args.channel)) ?? 0) + 1);
    }
  }
  const responseUrlAnswers = stack.slack
    .callsOf('response_url')
    .slice(responseUrlStart)
    .filter((c) => (typeof c.args.text === 'string' && c.args.text.trim()) || (Array.isArray(c.args.blocks) && c.args.blocks.length > 0)).length;
  let expectedAnswers = 0;
  let answered = 0;
  let responseUrlExpected = 0;
  const dmExpected = new Map<string, number>();
  for (const o of outcomes) {
    const d = o.deferred;
    if (d.kind === 'modal') {
      expectedAnswers++;
      if (opened.has(d.triggerId)) answered++;
      else o.problems.push('no modal opened for this command');
    } else if (d.kind === 'ephemeral') {
      expectedAnswers++;
      if (ephemeralThreads.has(d.threadTs) || (d.triggerId && opened.has(d.triggerId))) answered++;
      else o.problems.push('no ephemeral message (or modal) answered this press');
    } else if (d.kind === 'response_url') {
      responseUrlExpected++;
    } else if (d.kind === 'dm') {
      dmExpected.set(d.user, (dmExpected.get(d.user) ?? 0) + 1);
    }
  }
  expectedAnswers += responseUrlExpected;
  answered += Math.min(responseUrlAnswers, responseUrlExpected);
  for (const [user, n] of dmExpected) {
    expectedAnswers += n;
    answered += Math.min(dms.get(user) ?? 0, n);
  }
  const aggregateProblems: string[] = [];
  if (responseUrlAnswers < responseUrlExpected)
    aggregateProblems.push(`${responseUrlExpected} commands expected an answer through their response_url; ${responseUrlAnswers} came`);
  for (const [user, n] of dmExpected) {
    if ((dms.get(user) ?? 0) < n) aggregateProblems.push(`${n} requests of ${user} expected a direct message; ${dms.get(user) ?? 0} came`);
  }

  // The service's own log: no failed request and no listener error.
  const newLog = stack.log().slice(logStart);
  const errorLines = newLog.filter((l) => /"event":"(http\.error|slack\.error|slack\.modalFailed)"/.test(l) || /unhandled|UnhandledPromiseRejection|uncaught/i.test(l));

  // The report.
  const serverErrors = outcomes.filter((o) => o.status !== null && o.status >= 500);
  const failed = outcomes.filter((o) => o.problems.length > 0);
  const byCategory = new Map<string, { sent: number; statuses: Map<number | string, number>; problems: number; slowest: number }>();
  for (const o of outcomes) {
    const row = byCategory.get(o.category) ?? { sent: 0, statuses: new Map(), problems: 0, slowest: 0 };
    row.sent++;
    const key = o.status ?? 'no answer';
    row.statuses.set(key, (row.statuses.get(key) ?? 0) + 1);
    if (o.problems.length) row.problems++;
    row.slowest = Math.max(row.slowest, o.ms);
    byCategory.set(o.category, row);
  }
  console.table(
    [...byCategory].map(([category, r]) => ({
      category,
      sent: r.sent,
      statuses: [...r.statuses]
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
        .map(([s, n]) => `${s}×${n}`)
        .join(' '),
      problems: r.problems,
      slowestMs: r.slowest,
    })),
  );
  console.log(
    `bad input: ${outcomes.length} sent in ${Math.round(corpusMs / 1000)} s (concurrency ${CONCURRENCY}), ${serverErrors.length} answered 5xx, ` +
      `${answered}/${expectedAnswers} answers after the acknowledgement (modal, ephemeral, response_url, DM), ${errorLines.length} error lines in the service log, seed ${SEED}`,
  );
  for (const o of failed.slice(0, 25)) {
    console.log(`✗ #${o.index} ${o.category} → ${o.status ?? o.error} (${o.ms} ms): ${o.problems.join('; ')}\n    input: ${o.input}`);
  }
  for (const line of errorLines.slice(0, 10)) console.log(`service log: ${line.slice(0, 600)}`);

  const alive = stack.service().child.exitCode === null && stack.service().child.signalCode === null;
  if (!alive) {
    console.log(`the service has exited (${stack.service().child.exitCode ?? stack.service().child.signalCode}); its last lines:`);
    for (const line of stack.log().slice(-40)) console.log(`  ${line.slice(0, 800)}`);
  }
  expect(alive, 'the service process is still running after the corpus').toBe(true);

  // One more onboarding after the corpus: the service still works.
  const after = await startGuard('GuardC');

  // Onboardings: exactly the three started by the test, the first two unchanged.
  const ids = new Set<string>();
  const deadline = Date.now() + 15_000;
  for (;;) {
    ids.clear();
    for await (const w of client.workflow.list({ query: "WorkflowType = 'onboarding'" })) ids.add(w.workflowId);
    if (ids.size >= 3 || Date.now() > deadline) break;
    await sleep(500);
  }
  const afterSnapshots = await Promise.all(guards.map(async (g) => snapshot(await stack.status(g.workflowId))));
  const health = await raw(stack.base, { method: 'GET', path: '/healthz' });

  record('bad input', { badInputs: outcomes.length, serverErrors: serverErrors.filter((o) => o.status === 500).length, onboardings: 3, lost: 0 }, `seed ${SEED}`);

  expect(stack.service().child.exitCode, 'the service process is still running').toBeNull();
  expect(isFailure(health) ? health.error : health.status, '/healthz').toBe(200);
  expect(
    serverErrors.map((o) => `#${o.index} ${o.category} ${o.status}: ${o.input}`),
    'answers 5xx',
  ).toEqual([]);
  expect(
    failed.map((o) => `#${o.index} ${o.category} → ${o.status ?? o.error}: ${o.problems.join('; ')} — ${o.input}`),
    `failed inputs (seed ${SEED})`,
  ).toEqual([]);
  expect(aggregateProblems).toEqual([]);
  expect(
    errorLines.map((l) => l.slice(0, 400)),
    'errors in the service log',
  ).toEqual([]);
  expect([...ids].sort(), 'onboarding workflows').toEqual([...guards.map((g) => g.workflowId), after.workflowId].sort());
  expect(afterSnapshots, 'the protected onboardings are unchanged').toEqual(before);
  expect(outcomes.length).toBeGreaterThanOrEqual(1_000);
});

// ---------------------------------------------------------------------------------------------
// Running one input
// ---------------------------------------------------------------------------------------------

function outcome(category: string, index: number, input: unknown, answer: RawAnswer | RawFailure): Outcome {
  return {
    category,
    index,
    input: describeCase(input),
    status: isFailure(answer) ? null : answer.status,
    error: isFailure(answer) ? answer.error : null,
    ms: answer.ms,
    problems: isFailure(answer) ? [`no HTTP answer: ${answer.error}`] : answer.status >= 500 ? [`answered ${answer.status}`] : [],
    deferred: { kind: 'none' },
    refused: true,
  };
}

function signedPost(body: string | Buffer, contentType = 'application/x-www-form-urlencoded', extra: Record<string, string> = {}): RawRequest {
  const timestamp = Math.floor(Date.now() / 1000);
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  return {
    method: 'POST',
    path: EVENTS,
    headers: {
      ...(contentType ? { 'Content-Type': contentType } : {}),
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': sign(text, timestamp, SECRETS.signing),
      ...extra,
    },
    body,
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const interaction = (payload: Record<string, unknown>) => signedPost(form({ payload: JSON.stringify(payload) }));
const parse = (body: string): Record<string, unknown> | null => {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

async function runCommand(c: { command: string; user: string; text: string }, index: number): Promise<Outcome> {
  const triggerId = stack.slack.issueTriggerId();
  const responseUrl = stack.slack.responseUrl();
  const body = slashCommandBody({ ...c, triggerId, responseUrl });
  const answer = await raw(stack.base, signedPost(body));
  const o = outcome('command', index, c, answer);
  if (isFailure(answer)) return o;
  const known = c.command === '/invite-lite' || c.command === '/onboarding-status';
  if (!known) {
    if (answer.status !== 404 && answer.status !== 200) o.problems.push(`an unknown command answered ${answer.status}`);
    return o;
  }
  if (answer.status !== 200) o.problems.push(`expected 200, got ${answer.status}`);
  const allowed = c.command === '/invite-lite' ? c.user === PEOPLE.tech : c.user !== PEOPLE.outsider;
  if (!allowed) {
    const ack = parse(answer.body);
    if (!ack || typeof ack.text !== 'string' || !ack.text.trim()) o.problems.push(`a refused command got no ephemeral text: ${answer.body.slice(0, 200)}`);
    if (ack && ack.response_type === 'in_channel') o.problems.push('a refusal was shown to the channel');
  } else {
    o.refused = false;
    o.deferred = c.command === '/invite-lite' ? { kind: 'modal', triggerId } : { kind: 'response_url' };
  }
  return o;
}

function choose(choice: FieldChoice, valid: unknown, build: (value: unknown) => unknown): unknown {
  switch (choice.as) {
    case 'valid':
      return build(valid);
    case 'missing':
      return undefined;
    case 'wrongType':
      return choice.value;
    case 'value':
      return build(choice.value);
  }
}

let viewCounter = 0;

async function runView(c: { callback: string; user: string; form: InviteFormInput; buttonModal: ButtonModalInput }, index: number, context: Context): Promise<Outcome> {
  const org = ACME.id;
  const decoy = context.decoy.contactId;
  const values: Record<string, Record<string, unknown>> = {};
  let blocks: Array<{ type: string; block_id?: string }>;
  let metadata: string | undefined;
  let mustRefuse = c.user !== PEOPLE.tech;

  if (c.callback === INVITE_CALLBACK_ID || !c.callback.startsWith('onboarding_')) {
    const f = c.form;
    blocks = context.inviteView.blocks as Array<{ type: string; block_id?: string }>;
    const select = (v: unknown) => ({ type: 'static_select', selected_option: v === undefined ? null : opt(v) });
    const radio = (v: unknown) => ({ type: 'radio_buttons', selected_option: opt(v) });
    const input = (v: unknown) => ({ type: 'plain_text_input', value: v });
    const put = (block: string, action: string, v: unknown) => {
      if (v !== undefined) values[block] = { [action]: v };
    };
    put(
      'org',
      INVITE.org.action,
      choose(f.org, org, (v) => ({ type: 'external_select', selected_option: opt(v) })),
    );
    put(`contact:${org}`, INVITE.contact.action, choose(f.contact, decoy, select));
    put(`approver:${org}`, INVITE.approver.action, choose(f.approver, PRIMARY.contactId, select));
    put(`kind:${org}`, INVITE.kind.action, choose(f.kind, 'itglue', radio));
    put(`password:${org}`, INVITE.password.action, choose(f.password, 'no', radio));
    let ticket = choose(f.ticket, 'T-42', input);
    let note = choose(f.note, 'Needs read-only access.', input);
    if (f.oversized?.field === 'ticket') ticket = input('T'.repeat(Math.min(f.oversized.length, 5_000)));
    if (f.oversized?.field === 'note') note = input('n'.repeat(f.oversized.length));
    put(`ticket:${org}`, INVITE.ticket.action, ticket);
    put(`note:${org}`, INVITE.note.action, note);
    metadata = choose(f.metadata, JSON.stringify({ channelId: 'C0GENERAL1', orgId: org }), (v) => v) as string | undefined;
    if (f.metadata.as === 'wrongType') metadata = f.metadata.value as string;

    // Whether the form is one that must be refused (else it is made so: one oversized field).
    const stringOf = (v: unknown) => (v && typeof v === 'object' ? (v as { value?: unknown }).value : undefined);
    const ticketValue = stringOf(ticket);
    const noteValue = stringOf(note);
    // Values of another type than Slack sends count as not given: the organization is then the
    // modal's own, the approver the policy's primary contact, kind and password access the defaults.
    const refusing =
      f.metadata.as !== 'valid' ||
      f.org.as === 'value' ||
      f.contact.as !== 'valid' ||
      (f.approver.as === 'value' && f.approver.value !== decoy) ||
      (typeof ticketValue === 'string' && ticketValue.trim().length > 100) ||
      (typeof noteValue === 'string' && noteValue.trim().length > 1000);
    if (!refusing && !mustRefuse) {
      values[`ticket:${org}`] = { [INVITE.ticket.action]: input(`T-${'9'.repeat(150)}`) };
    }
    mustRefuse = true;
  } else {
    const b = c.buttonModal;
    const guard = context.guards[index % 2]!;
    const real = b.metadata === 'guard';
    metadata = real ? JSON.stringify({ workflowId: guard.workflowId, channel: CHANNEL, threadTs: '1.2' }) : b.metadata;
    if (c.callback === CHANGE_APPROVER_CALLBACK_ID) {
      blocks = [{ type: 'input', block_id: APPROVER_FIELD.block }];
      // For a real onboarding only choices that cannot change it: none, the invitee, or the approver already asked.
      const contact = real
        ? choose(b.contact.as === 'valid' ? b.contact : { as: 'missing' }, guard.invitee.contactId, (v) => ({ type: 'static_select', selected_option: opt(v) }))
        : choose(b.contact, IT.contact.ottoOther, (v) => ({ type: 'static_select', selected_option: opt(v) }));
      if (contact !== undefined) values[APPROVER_FIELD.block] = { [APPROVER_FIELD.action]: contact };
      if (real && index % 3 === 0) values[APPROVER_FIELD.block] = { [APPROVER_FIELD.action]: { type: 'static_select', selected_option: opt(PRIMARY.contactId) } };
    } else {
      blocks = [
        { type: 'input', block_id: OFFLINE_CHANNEL_FIELD.block },
        { type: 'input', block_id: OFFLINE_NOTE_FIELD.block },
      ];
      let channel = choose(b.channel, 'fax', (v) => ({ type: 'static_select', selected_option: opt(v) }));
      let note = choose(b.note, '', (v) => ({ type: 'plain_text_input', value: v }));
      if (real) {
        // A real onboarding gets only a form it must refuse: no valid channel, or no note.
        const validChannel = b.channel.as === 'valid';
        const noteText = b.note.as === 'value' ? b.note.value : '';
        if (validChannel && noteText.trim().length >= 3) note = { type: 'plain_text_input', value: 'ok' };
        if (!validChannel && b.channel.as === 'value' && ['fax', 'postal-mail', 'email'].includes(b.channel.value)) channel = undefined;
        if (b.channel.as === 'wrongType' || b.note.as === 'wrongType') {
          channel = undefined;
          note = undefined;
        }
      }
      if (channel !== undefined) values[OFFLINE_CHANNEL_FIELD.block] = { [OFFLINE_CHANNEL_FIELD.action]: channel };
      if (note !== undefined) values[OFFLINE_NOTE_FIELD.block] = { [OFFLINE_NOTE_FIELD.action]: note };
    }
    mustRefuse = true;
  }

  const viewId = `VBAD${index}x${++viewCounter}`;
  const payload = {
    type: 'view_submission',
    team: { id: TEAM, domain: 'fake-team' },
    user: { id: c.user, username: c.user.toLowerCase(), name: c.user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0FAKE001',
    token: 'legacy-verification-token',
    trigger_id: stack.slack.issueTriggerId(),
    view: {
      id: viewId,
      type: 'modal',
      callback_id: c.callback,
      ...(metadata === undefined ? {} : { private_metadata: metadata }),
      blocks,
      hash: 'h',
      state: { values },
    },
    response_urls: [],
    is_enterprise_install: false,
  };
  const answer = await raw(stack.base, interaction(payload));
  const o = outcome('view', index, { callback: c.callback, user: c.user, metadata, values }, answer);
  if (isFailure(answer)) return o;
  const known = [INVITE_CALLBACK_ID, CHANGE_APPROVER_CALLBACK_ID, OFFLINE_APPROVAL_CALLBACK_ID].includes(c.callback);
  if (!known) {
    if (answer.status !== 404 && answer.status !== 200) o.problems.push(`an unknown view answered ${answer.status}`);
    return o;
  }
  if (answer.status !== 200) o.problems.push(`expected 200, got ${answer.status}`);
  if (!mustRefuse) return o;
  const ack = parse(answer.body);
  const errors = ack?.errors as Record<string, unknown> | undefined;
  const inputIds = blocks.filter((b) => b.type === 'input').map((b) => b.block_id);
  if (ack?.response_action !== 'errors' || !errors || Object.keys(errors).length === 0) {
    o.problems.push(`the submission was not refused with errors on its fields: ${answer.body.slice(0, 300) || '(empty: accepted)'}`);
  } else {
    for (const [key, value] of Object.entries(errors)) {
      if (!inputIds.includes(key)) o.problems.push(`an error names ${key}, not a field of the form`);
      if (typeof value !== 'string' || !value.trim()) o.problems.push(`the error on ${key} is empty`);
      if (typeof value === 'string' && /Something went wrong/.test(value)) o.problems.push(`the error on ${key} is the generic failure: ${value.slice(0, 120)}`);
    }
  }
  return o;
}

interface InviteFormInput {
  metadata: FieldChoice;
  org: FieldChoice;
  contact: FieldChoice;
  approver: FieldChoice;
  kind: FieldChoice;
  password: FieldChoice;
  ticket: FieldChoice;
  note: FieldChoice;
  oversized?: { field: string; length: number };
}

interface ButtonModalInput {
  metadata: string;
  contact: FieldChoice;
  channel: FieldChoice;
  note: FieldChoice;
}

/** Presses by people with the rights to act, by key: the first press of a key must be answered; a repeat may be the same action (one Update ID, or a modal already open) and go unanswered. */
const pressedKeys = new Set<string>();
let tsCounter = 0;

/** A value as the service's template strings show it (the key of a repeated press). */
function templated(value: unknown): string {
  try {
    return `${value as string}`;
  } catch {
    return '[object Object]';
  }
}

function actionValue(value: unknown, context: Context): unknown {
  if (typeof value !== 'string' || !value.startsWith('@guard')) return value;
  const [, g, how] = /^@guard(\d):(\w+)$/.exec(value)!;
  const id = context.guards[Number(g)]!.workflowId;
  switch (how) {
    case 'space':
      return `${id} `;
    case 'upper':
      return id.toUpperCase();
    case 'otherOrg':
      return id.replace(`:${ACME.id}:`, `:${IT.org.smithJones}:`);
    case 'suffix':
      return `${id}0`;
    case 'prefix':
      return `x${id}`;
    default:
      return id;
  }
}

async function runAction(
  c: { user: string | null; actionId: string; value: unknown; shape: string; channel: string },
  index: number,
  context: Context,
): Promise<Outcome> {
  let value = actionValue(c.value, context);
  const real = context.guards.some((g) => g.workflowId === value);
  const rightsFor = (action: string, user: string | null) =>
    user === PEOPLE.tech ? action !== ACTIONS.resume : user === PEOPLE.manager ? action === ACTIONS.cancel || action === ACTIONS.resume : false;
  // The tech or a manager pressing Cancel on a real onboarding would cancel it: that is no bad input.
  if (real && c.actionId === ACTIONS.cancel && rightsFor(c.actionId, c.user)) value = `${String(value)}:x`;
  const ts = `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;
  const triggerId = stack.slack.issueTriggerId();
  const action = {
    action_id: c.actionId,
    block_id: 'onboarding_actions',
    text: { type: 'plain_text', text: 'x' },
    ...(value === undefined ? {} : { value }),
    type: 'button',
    action_ts: `${Date.now() / 1000}`,
  };
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: c.user === null ? undefined : { id: c.user, username: c.user.toLowerCase(), name: c.user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0FAKE001',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: ts, channel_id: c.channel, is_ephemeral: false },
    trigger_id: triggerId,
    team: { id: TEAM, domain: 'fake-team' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: c.channel, name: 'onboarding' },
    message: { type: 'message', user: stack.slack.botUserId, ts, text: 'Onboarding', blocks: [] },
    response_url: stack.slack.responseUrl(),
    actions: [action],
  };
  switch (c.shape) {
    case 'noActions':
      delete payload.actions;
      break;
    case 'emptyActions':
      payload.actions = [];
      break;
    case 'actionsNotArray':
      payload.actions = action;
      break;
    case 'noContainer':
      delete payload.container;
      break;
    case 'noMessage':
      delete payload.message;
      delete payload.container;
      delete payload.channel;
      break;
    case 'noChannel':
      delete payload.channel;
      payload.container = { type: 'message', message_ts: ts };
      break;
    case 'noTrigger':
      delete payload.trigger_id;
      break;
    case 'userNotObject':
      payload.user = c.user;
      break;
    case 'twoActions':
      payload.actions = [action, { ...action, action_id: ACTIONS.cancel, value: context.guards[0]!.workflowId }];
      break;
  }
  const answer = await raw(stack.base, interaction(payload));
  const o = outcome('button', index, { ...c, value }, answer);
  if (isFailure(answer)) return o;
  const shaped = c.shape === 'normal' || c.shape === 'noTrigger' || c.shape === 'noContainer' || c.shape === 'noMessage' || c.shape === 'noChannel';
  const thread = c.shape === 'normal' || c.shape === 'noTrigger' || c.shape === 'noContainer';
  const known = ACTION_IDS.includes(c.actionId as never);
  if (!known || !shaped || c.user === null) {
    if (![200, 400, 401, 404].includes(answer.status)) o.problems.push(`answered ${answer.status}`);
    if (c.shape === 'twoActions' && answer.status === 200) o.refused = true;
    return o;
  }
  if (answer.status !== 200) o.problems.push(`expected 200, got ${answer.status}`);
  const allowed = rightsFor(c.actionId, c.user);
  if (allowed) {
    const key = `${templated(value ?? '')}|${c.actionId}`;
    if (pressedKeys.has(key)) return o;
    pressedKeys.add(key);
  }
  o.deferred = thread
    ? { kind: 'ephemeral', threadTs: ts, ...(c.actionId === ACTIONS.askAnotherContact || c.actionId === ACTIONS.recordOfflineApproval ? { triggerId } : {}) }
    : { kind: 'dm', user: c.user };
  return o;
}

async function runSuggest(c: { user: string; actionId: string; value: string; metadata: string | undefined }, index: number): Promise<Outcome> {
  const payload = {
    type: 'block_suggestion',
    user: { id: c.user, username: c.user.toLowerCase(), name: c.user.toLowerCase(), team_id: TEAM },
    container: { type: 'view', view_id: `VSUG${index}` },
    api_app_id: 'A0FAKE001',
    token: 'legacy-verification-token',
    action_id: c.actionId,
    block_id: 'org',
    value: c.value,
    team: { id: TEAM, domain: 'fake-team' },
    view: {
      id: `VSUG${index}`,
      type: 'modal',
      callback_id: INVITE_CALLBACK_ID,
      ...(c.metadata === undefined ? {} : { private_metadata: c.metadata }),
      state: { values: {} },
      blocks: [],
    },
  };
  const answer = await raw(stack.base, interaction(payload));
  const o = outcome('options', index, c, answer);
  if (isFailure(answer)) return o;
  if (c.actionId === 'unknown_select') {
    if (![200, 404].includes(answer.status)) o.problems.push(`answered ${answer.status}`);
    return o;
  }
  const ack = parse(answer.body);
  if (answer.status !== 200 || !Array.isArray(ack?.options)) o.problems.push(`no option list: ${answer.status} ${answer.body.slice(0, 200)}`);
  if (c.user !== PEOPLE.tech && Array.isArray(ack?.options) && ack.options.length > 0) o.problems.push('options were listed to someone who is not a tech');
  return o;
}

function mutate(token: string, op: string, pos: number, extra: string): string {
  const i = pos % token.length;
  switch (op) {
    case 'flip': {
      const ch = token[i]!;
      const swapped = ch === 'A' ? 'B' : 'A';
      return token.slice(0, i) + swapped + token.slice(i + 1);
    }
    case 'truncate':
      return token.slice(0, Math.max(1, i));
    case 'append':
      return token + (extra || 'A');
    case 'dropDot':
      return token.replace('.', '');
    case 'swap': {
      const [a, b] = token.split('.');
      return `${b}.${a}`;
    }
    case 'upper':
      return token.toUpperCase();
    case 'insertSlash':
      return `${token.slice(0, i)}/${token.slice(i)}`;
    case 'double':
      return `${token}.${token}`;
    default:
      return token;
  }
}

interface ApprovalInput {
  token: TokenSpec;
  method: string;
  csrf: string;
  decision: string;
  comment: string | undefined;
  contentType: string;
  crossSite: boolean;
  repeatDecision: boolean;
}

const pathToken = (token: string) => percentEncode(token);

async function runApproval(c: ApprovalInput, index: number, context: Context): Promise<Outcome> {
  const t = c.token;
  let token: string;
  let path: string | null = null;
  switch (t.t) {
    case 'text':
      token = t.value;
      break;
    case 'mutate':
      token = mutate(context.guards[t.guard]!.token, t.op, t.pos, t.extra);
      break;
    case 'signed': {
      const g = context.guards[t.guard]!;
      const other = context.guards[1 - t.guard]!;
      const workflowId = {
        real: g.workflowId,
        other: other.workflowId.replace(`:${ACME.id}:`, `:${IT.org.smithJones}:`),
        missing: 'onboarding:1001:424242',
        hostile: t.hostile || 'x',
      }[t.wf];
      let round = t.round <= 0 ? 1 : t.round;
      let approver = { real: PRIMARY.contactId, other: IT.contact.ottoOther, hostile: t.hostile || 'y' }[t.approver];
      const expiresAt = t.expiry === 'future' ? g.expiresAt + 60_000 : Date.now() - 60_000;
      // A link with the real claims and a future expiry would be a valid link: make it another round.
      if (t.wf === 'real' && t.approver === 'real' && t.expiry === 'future' && round === g.round) round = g.round + 1;
      if (t.wf === 'real' && t.approver === 'real' && t.expiry === 'future' && round === g.round) approver = IT.contact.ottoOther;
      token = signApprovalToken(SECRETS.approval, { workflowId, round, approverContactId: approver, expiresAt });
      break;
    }
    case 'malformedClaims': {
      const payload = Buffer.from(JSON.stringify(t.payload) ?? 'undefined');
      const { createHmac } = await import('node:crypto');
      const mac = createHmac('sha256', SECRETS.approval).update('invite-lite approval token\0').update(payload).digest();
      token = `${payload.toString('base64url')}.${mac.toString('base64url')}`;
      break;
    }
    case 'long':
      token = 'A'.repeat(t.length);
      break;
    case 'path':
      token = '';
      path = t.path;
      break;
  }
  const realGuard = context.guards.find((g) => g.token === token);
  const p = path ?? `/approvals/${pathToken(token)}`;
  const headers: Record<string, string> = { 'User-Agent': 'bad-input/1.0 <script>', 'X-Forwarded-For': `198.18.${(index >> 8) & 255}.${index & 255}` };
  let body: string | undefined;
  const nonce = randomBytes(32).toString('base64url');
  let decision = c.decision;
  if (c.method === 'POST') {
    let csrf: string | undefined;
    switch (c.csrf) {
      case 'valid':
      case 'noCookie':
        csrf = csrfFormValue(SECRETS.approval, nonce, token);
        break;
      case 'otherToken':
        csrf = csrfFormValue(SECRETS.approval, nonce, context.guards[0]!.token);
        break;
      case 'forged':
        csrf = randomBytes(32).toString('base64url');
        break;
      case 'badCookie':
        csrf = csrfFormValue(SECRETS.approval, nonce, token);
        break;
    }
    if (c.csrf !== 'noCookie') headers.Cookie = c.csrf === 'badCookie' ? `approval_csrf=${nonce.slice(1)}x` : `approval_csrf=${nonce}`;
    // A real link with a valid form and a valid decision would decide: that is no bad input.
    const couldDecide = !!realGuard && (c.csrf === 'valid' || (c.csrf === 'otherToken' && realGuard === context.guards[0])) && !c.crossSite;
    if (couldDecide && (decision === 'approve' || decision === 'deny')) decision = `${decision}d`;
    const fields = new URLSearchParams();
    if (csrf !== undefined) fields.append('csrf', csrf);
    fields.append('decision', decision);
    if (c.repeatDecision && !couldDecide) fields.append('decision', 'approve');
    if (c.comment !== undefined) fields.append('comment', c.comment);
    body = c.contentType === 'application/json' ? JSON.stringify(Object.fromEntries(fields)) : fields.toString();
    if (c.contentType !== 'none') headers['Content-Type'] = c.contentType;
    if (c.crossSite) headers['Sec-Fetch-Site'] = 'cross-site';
  }
  const answer = await raw(stack.base, { method: c.method, path: p, headers, body });
  // Over Node's 16 KB of request head the server answers 431 and closes: the client may see only the reset.
  if (isFailure(answer) && p.length > 16_000 && /ECONNRESET|EPIPE/.test(answer.error)) {
    return { ...outcome('approval', index, { path: `${p.slice(0, 60)}…(${p.length})`, method: c.method }, answer), problems: [] };
  }
  const o = outcome(
    'approval',
    index,
    { path: p.length > 200 ? `${p.slice(0, 120)}…(${p.length})` : p, method: c.method, csrf: c.csrf, decision, contentType: c.contentType, comment: c.comment?.length },
    answer,
  );
  if (isFailure(answer)) return o;
  const status = answer.status;
  if (path !== null) {
    if (status >= 500) o.problems.push(`answered ${status}`);
    return o;
  }
  if (realGuard && (c.method === 'GET' || c.method === 'HEAD')) {
    if (status !== 200) o.problems.push(`the real link answered ${status}`);
    o.refused = false;
    return o;
  }
  const allowed = c.method === 'PUT' || c.method === 'DELETE' ? [404, 405, 414, 431] : [400, 403, 404, 409, 410, 413, 414, 431];
  if (!allowed.includes(status))
    o.problems.push(`expected one of ${allowed.join('/')}, got ${status}${status === 303 ? ` (a decision was recorded: ${answer.headers.location})` : ''}`);
  if (c.method !== 'HEAD' && status !== 431 && status !== 414) {
    const type = String(answer.headers['content-type'] ?? '');
    const readable = type.startsWith('text/html') ? /<h1>[^<]{5,}<\/h1>/.test(answer.body) : typeof parse(answer.body)?.error === 'string';
    if (!readable) o.problems.push(`no readable message (${type}): ${answer.body.slice(0, 160)}`);
  }
  return o;
}

type RawInput =
  | { r: 'json' | 'jsonShape'; body: string }
  | { r: 'payload'; payload: string }
  | { r: 'form'; fields: Record<string, string> }
  | { r: 'contentType'; contentType: string; body: string }
  | { r: 'unsigned'; how: string; body: string }
  | { r: 'route'; method: string; path: string };

async function runRaw(c: RawInput, index: number): Promise<Outcome> {
  let request: RawRequest;
  let allowed = [200, 400, 401, 404, 405, 413];
  switch (c.r) {
    case 'json':
    case 'jsonShape':
      request = signedPost(c.body, 'application/json');
      break;
    case 'payload':
      request = signedPost(`payload=${percentEncode(c.payload)}`);
      break;
    case 'form':
      request = signedPost(form(c.fields));
      break;
    case 'contentType':
      request = signedPost(c.body, c.contentType);
      break;
    case 'unsigned': {
      const now = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
      const good = (ts: number, secret: string = SECRETS.signing) => sign(c.body, ts, secret);
      switch (c.how) {
        case 'noSignature':
          headers['X-Slack-Request-Timestamp'] = String(now);
          break;
        case 'noTimestamp':
          headers['X-Slack-Signature'] = good(now);
          break;
        case 'badSignature':
          headers['X-Slack-Request-Timestamp'] = String(now);
          headers['X-Slack-Signature'] = `v0=${'0'.repeat(64)}`;
          break;
        case 'otherSecret':
          headers['X-Slack-Request-Timestamp'] = String(now);
          headers['X-Slack-Signature'] = good(now, 'not-the-secret');
          break;
        case 'old':
          headers['X-Slack-Request-Timestamp'] = String(now - 3_600);
          headers['X-Slack-Signature'] = good(now - 3_600);
          break;
        case 'future':
          headers['X-Slack-Request-Timestamp'] = String(now + 3_600);
          headers['X-Slack-Signature'] = good(now + 3_600);
          break;
        case 'nanTimestamp':
          headers['X-Slack-Request-Timestamp'] = 'soon';
          headers['X-Slack-Signature'] = good(now);
          break;
        case 'floatTimestamp':
          headers['X-Slack-Request-Timestamp'] = `${now}.5`;
          headers['X-Slack-Signature'] = sign(c.body, Number(`${now}.5`), SECRETS.signing);
          break;
        case 'v1':
          headers['X-Slack-Request-Timestamp'] = String(now);
          headers['X-Slack-Signature'] = good(now).replace('v0=', 'v1=');
          break;
        case 'emptySignature':
          headers['X-Slack-Request-Timestamp'] = String(now);
          headers['X-Slack-Signature'] = '';
          break;
        case 'twoTimestamps':
          headers['X-Slack-Request-Timestamp'] = `${now}, ${now}`;
          headers['X-Slack-Signature'] = good(now);
          break;
      }
      request = { method: 'POST', path: EVENTS, headers, body: c.body };
      // ssl_check needs no signature: Slack's SSL probe is answered.
      allowed = c.body.startsWith('ssl_check=1') ? [200, 400, 401] : [400, 401];
      break;
    }
    case 'route':
      request = { method: c.method, path: c.path, ...(c.method === 'POST' ? { body: '' } : {}) };
      allowed = [200, 301, 303, 400, 401, 404, 405, 413, 414, 431];
      break;
  }
  const answer = await raw(stack.base, request);
  const o = outcome('raw', index, c, answer);
  if (isFailure(answer)) return o;
  if (!allowed.includes(answer.status)) o.problems.push(`expected one of ${allowed.join('/')}, got ${answer.status}`);
  return o;
}

interface Huge {
  label: string;
  request: () => RawRequest;
  allowed: number[];
}

function hugeBodies(): Huge[] {
  const mb = 1024 * 1024;
  const padded = (bytes: number) =>
    JSON.stringify({ type: 'event_callback', team_id: TEAM, event: { type: 'app_home_opened', user: PEOPLE.outsider, tab: 'home' }, pad: 'x'.repeat(bytes) });
  return [
    { label: 'signed form of 5 MB', request: () => signedPost(`payload=${'%7B'.repeat((5 * mb) / 3)}`), allowed: [413] },
    { label: 'signed JSON of 4.5 MB', request: () => signedPost(padded(4.5 * mb), 'application/json'), allowed: [413] },
    { label: 'signed JSON of 3 MB', request: () => signedPost(padded(3 * mb), 'application/json'), allowed: [200, 400, 404, 413] },
    {
      label: 'signed command with 1 MB of text',
      request: () =>
        signedPost(
          form({
            command: '/invite-lite',
            user_id: PEOPLE.tech,
            trigger_id: stack.slack.issueTriggerId(),
            response_url: stack.slack.responseUrl(),
            text: '漢'.repeat(mb / 3),
          }),
        ),
      allowed: [200],
    },
    {
      label: 'unsigned 8 MB',
      request: () => ({ method: 'POST', path: EVENTS, headers: { 'Content-Type': 'application/json' }, body: Buffer.alloc(8 * mb, 0x61) }),
      allowed: [401, 413],
    },
    {
      label: 'approval form of 2 MB',
      request: () => ({
        method: 'POST',
        path: '/approvals/x.y',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `comment=${'c'.repeat(2 * mb)}`,
      }),
      allowed: [404, 413],
    },
  ];
}

async function runHuge(c: Huge, index: number): Promise<Outcome> {
  const answer = await raw(stack.base, c.request(), 60_000);
  const o = outcome('raw', index, c.label, answer);
  if (isFailure(answer)) {
    // The service may close the connection after its 413 while the body is still being sent.
    if (/EPIPE|ECONNRESET/.test(answer.error)) o.problems = [];
    return o;
  }
  if (!c.allowed.includes(answer.status)) o.problems.push(`expected one of ${c.allowed.join('/')}, got ${answer.status}`);
  return o;
}
