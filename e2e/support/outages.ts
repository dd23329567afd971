/**
 * Outages of the services around invite-lite, and what the end-to-end suite checks after them:
 * the SMTP server down, IT Glue answering 429 / 5xx for a while (from the moment a given request
 * arrives), Slack answering `ratelimited`. Onboardings run by the scripted people of people.ts, as
 * people who act once and wait (a repeated button press would be a second, legitimate post).
 */
import type { Browser } from 'playwright-core';
import { REPLY_EVENT_TYPE, ROOT_EVENT_TYPE } from '../../activities/slack';
import { messageIdStem } from '../../src/mail/message-id';
import { ACTIONS, type ActionId } from '../../src/slack/action-ids';
import type { Stage } from '../../workflows/stages';
import type { OnboardingStatus } from '../../workflows/types';
import { makeUser, type FailRule, type RecordedRequest } from '../../test/fakes/itglue-server';
import { contact, invitee as inviteePerson, tech, type Invitee, type Kind } from './people';
import { CHANNEL, PEOPLE, type Stack } from './stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stretch of time in which a service was down; `end` once it is over. */
export interface Outage {
  what: string;
  start: number;
  end: number | null;
  /** Resolves when the outage is over. */
  over: Promise<void>;
}

/** Takes the SMTP server down for `ms`, then brings it back on the same port. */
export async function smtpOutage(stack: Stack, ms: number, what = 'SMTP down'): Promise<Outage> {
  await stack.smtp.stop();
  const outage: Outage = { what, start: Date.now(), end: null, over: Promise.resolve() };
  outage.over = sleep(ms).then(async () => {
    await stack.smtp.listen();
    outage.end = Date.now();
  });
  return outage;
}

/** Slack answers HTTP 429 `ratelimited` with Retry-After to calls of `method` for `ms`. */
export function slackOutage(stack: Stack, method: string, ms: number, retryAfterSeconds: number): Outage {
  const start = Date.now();
  stack.slack.failFor(ms, { method, rateLimited: { retryAfterSeconds } });
  const outage: Outage = { what: `Slack ratelimited ${method} (Retry-After ${retryAfterSeconds} s)`, start, end: null, over: Promise.resolve() };
  outage.over = sleep(ms).then(() => void (outage.end = start + ms));
  return outage;
}

/** An IT Glue outage that starts when a matching request arrives (that request already fails). */
export interface TriggeredOutage {
  what: string;
  /** The request that started it. */
  trigger: Promise<RecordedRequest>;
  /** Resolves with the outage once it is over. */
  outage: Promise<Outage>;
  /** Whether the trigger came. */
  readonly fired: boolean;
  /** Stops waiting for the trigger (when it never came). */
  cancel(): void;
}

export function itglueOutageWhen(stack: Stack, what: string, match: (request: RecordedRequest) => boolean, rule: Omit<FailRule, 'times'>, ms: number): TriggeredOutage {
  let resolveTrigger!: (r: RecordedRequest) => void;
  let rejectTrigger!: (e: Error) => void;
  const trigger = new Promise<RecordedRequest>((ok, fail) => {
    resolveTrigger = ok;
    rejectTrigger = fail;
  });
  let fired = false;
  const stop = stack.itglue.onRequest((request) => {
    if (!match(request)) return;
    stop();
    fired = true;
    stack.itglue.failFor(ms, rule);
    resolveTrigger(request);
  });
  const outage = trigger.then(async (request) => {
    const o: Outage = { what, start: request.time, end: null, over: Promise.resolve() };
    await sleep(request.time + ms - Date.now());
    o.end = request.time + ms;
    return o;
  });
  outage.catch(() => undefined);
  return {
    what,
    trigger,
    outage,
    get fired() {
      return fired;
    },
    cancel() {
      stop();
      rejectTrigger(new Error(`${what}: the request that starts it never came`));
    },
  };
}

/** When each mail first showed up at the SMTP server, by the stem of its Message-ID (messageIdStem). */
export function watchMail(stack: Stack): { arrivedAt(stem: string): number | undefined; stop(): void } {
  const seen = new Map<string, number>();
  const look = () => {
    for (const m of stack.smtp.received) if (m.parsed.messageId && !seen.has(m.parsed.messageId)) seen.set(m.parsed.messageId, Date.now());
  };
  const timer = setInterval(look, 50);
  return {
    arrivedAt: (stem) => {
      look();
      return [...seen].find(([id]) => id.startsWith(stem))?.[1];
    },
    stop: () => clearInterval(timer),
  };
}

/** The promise, or a failure after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${what} did not come within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Until the SMTP server has received a message whose Message-ID has this stem (messageIdStem). */
export async function untilReceived(stack: Stack, stem: string): Promise<void> {
  while (stack.smtp.byMessageIdStem(stem).length === 0) await sleep(100);
}

/** A barrier: the `n`th arrival runs `last`, then everyone goes on (or fails after `timeoutMs`). */
export function barrier(n: number, last: () => Promise<void>, timeoutMs = 150_000): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  let fail!: (e: unknown) => void;
  const opened = new Promise<void>((ok, ko) => {
    open = ok;
    fail = ko;
  });
  return async () => {
    arrived += 1;
    if (arrived === n) last().then(open, fail);
    await within(opened, timeoutMs, `${n} arrivals at a barrier`);
  };
}

// ---- the people, acting once ------------------------------------------------------------------

const reached = (s: OnboardingStatus, stage: Stage) => s.stages.some((x) => x.stage === stage);

/** Presses a thread button once (again only when the press itself was not answered), then waits for its effect. */
export async function pressOnce(
  stack: Stack,
  workflowId: string,
  action: ActionId,
  effect: (s: OnboardingStatus) => boolean,
  what: string,
  timeoutMs = 150_000,
): Promise<OnboardingStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { response } = await stack.driver.press(action, workflowId, PEOPLE.tech);
      if (response.status === 200) break;
    } catch {
      // no root yet, or the service did not answer: press again
    }
    if (Date.now() > deadline) throw new Error(`could not press ${action} for ${workflowId}`);
    await sleep(1_000);
  }
  return stack.waitFor(workflowId, effect, what, timeoutMs);
}

export interface JourneyOptions {
  invitee: Invitee;
  /** Absent when the invitee is the primary contact (no approval). */
  approverContactId?: string;
  kind: Kind;
  userId: string;
  /** How the onboarding learns of the IT Glue user: the tech's "Invitation sent", or the sweep alone. */
  userFoundBy: 'button' | 'sweep';
  /** Before the approver opens the link. */
  beforeApprove?: () => Promise<void>;
  /** Before the tech creates the user in IT Glue; after it. */
  beforeCreateUser?: () => Promise<void>;
  afterCreateUser?: () => Promise<void>;
}

const STAGE_TIMEOUT = 150_000;

/** One onboarding at Acme Dental, from /invite-lite to COMPLETED. */
export async function journey(stack: Stack, browser: Browser, o: JourneyOptions): Promise<OnboardingStatus> {
  const workflowId = await tech.invite(stack, o);
  const waitStage = (stage: Stage) => stack.waitFor(workflowId, (s) => reached(s, stage), stage, STAGE_TIMEOUT);
  if (o.approverContactId) {
    const s = await waitStage('AWAITING_APPROVAL');
    // The approver opens the request once it has arrived.
    await waitUntil(
      `the approval request of ${workflowId}`,
      () => stack.smtp.byMessageIdStem(approvalStem(workflowId, Math.max(s.approvalRound, 1))).length > 0,
      STAGE_TIMEOUT,
    );
    await o.beforeApprove?.();
    await contact.approve(stack, browser, workflowId);
  }
  await waitStage('AWAITING_INVITE');
  await o.beforeCreateUser?.();
  stack.itglue.data.users.push(
    makeUser({
      id: o.userId,
      'first-name': o.invitee.firstName,
      'last-name': o.invitee.lastName,
      email: o.invitee.email,
      'role-name': o.kind.kind === 'myglue' ? o.kind.role : 'Lite',
      'my-glue': o.kind.kind === 'myglue',
      'invitation-sent-at': new Date().toISOString(),
    }),
  );
  await o.afterCreateUser?.();
  if (o.userFoundBy === 'button') {
    await pressOnce(stack, workflowId, ACTIONS.invitationSent, (s) => s.user !== null, `${o.invitee.email} found in IT Glue`);
  } else {
    await stack.waitFor(workflowId, (s) => s.user !== null, `the sweep to find ${o.invitee.email}`, STAGE_TIMEOUT);
  }
  // Found by the sweep before "Invitation sent" was taken, an IT Glue Lite user's settings wait for
  // the tech's confirmation: one press of "Settings confirmed".
  const verified = await stack.waitFor(
    workflowId,
    (s) => reached(s, 'AWAITING_ACCEPTANCE') || (s.stage === 'VERIFYING' && s.subState === 'CONFIRM_SETTINGS'),
    `verification of ${o.invitee.email}`,
    STAGE_TIMEOUT,
  );
  if (!reached(verified, 'AWAITING_ACCEPTANCE')) {
    await pressOnce(stack, workflowId, ACTIONS.settingsConfirmed, (s) => !!s.confirmation, `settings of ${workflowId} confirmed`);
  }
  await waitStage('AWAITING_ACCEPTANCE');
  inviteePerson.acceptAndSignIn(stack, o.userId);
  if (o.kind.kind === 'myglue') {
    await waitStage('AWAITING_2FA');
    await pressOnce(stack, workflowId, ACTIONS.twoFactorConfirmed, (s) => s.stage === 'COMPLETED', `2FA confirmed for ${workflowId}`);
  }
  return stack.waitFor(workflowId, (s) => s.stage === 'COMPLETED' || s.stage === 'STALLED', 'COMPLETED', STAGE_TIMEOUT);
}

async function waitUntil(what: string, done: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// ---- what reached people ----------------------------------------------------------------------

const approvalStem = (workflowId: string, round: number) => messageIdStem(workflowId, 'approval-request', round);

/** The mails an onboarding sent, by its status: the stem of the Message-ID (messageIdStem) and when it became due. */
export function expectedMails(s: OnboardingStatus): Array<{ stem: string; label: string; dueAt: number }> {
  const at = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);
  const entered = (stage: Stage) => at(s.stages.find((x) => x.stage === stage)?.enteredAt);
  const event = (type: string) => at(s.events.find((e) => e.type === type)?.at);
  const mails: Array<{ stem: string; label: string; dueAt: number }> = [];
  if (s.evidence?.via === 'link') {
    mails.push({ stem: approvalStem(s.workflowId, s.evidence.round), label: 'approval request', dueAt: entered('AWAITING_APPROVAL') });
    mails.push({ stem: messageIdStem(s.workflowId, 'decision-receipt', s.evidence.round), label: 'decision receipt', dueAt: event('approved') });
  }
  if (reached(s, 'AWAITING_INVITE')) {
    mails.push({ stem: messageIdStem(s.workflowId, 'instructions', 1), label: 'instructions', dueAt: entered('SENDING_INSTRUCTIONS') });
  }
  return mails;
}

/** Events an onboarding records without a reply in its thread: stage changes (shown in the root) and the validation. */
const UNPOSTED = new Set(['stage', 'validated']);

export interface ThreadCheck {
  root: boolean;
  /** Events with no reply, replies with no event, and events replied to more than once. */
  missing: string[];
  unexpected: string[];
  twice: string[];
}

/** Compares an onboarding's thread with its status: one root, one reply per posted event. */
export function checkThread(stack: Stack, s: OnboardingStatus): ThreadCheck {
  const roots = stack.slack
    .messages(CHANNEL)
    .filter((m) => !m.threadTs && m.metadata?.event_type === ROOT_EVENT_TYPE && m.metadata.event_payload.workflowId === s.workflowId);
  const replies = stack.driver.replies(s.workflowId).filter((m) => m.metadata?.event_type === REPLY_EVENT_TYPE);
  const keyOf = (type: unknown, at: unknown) => `${String(type)} @ ${String(at)}`;
  const posted = new Map<string, number>();
  for (const r of replies) {
    const key = keyOf(r.metadata!.event_payload.type, r.metadata!.event_payload.at);
    posted.set(key, (posted.get(key) ?? 0) + 1);
  }
  const wanted = new Set(s.events.filter((e) => !UNPOSTED.has(e.type)).map((e) => keyOf(e.type, e.at)));
  return {
    root: roots.length === 1,
    missing: [...wanted].filter((k) => !posted.has(k)),
    unexpected: [...posted.keys()].filter((k) => !wanted.has(k)),
    twice: [...posted].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`),
  };
}

/** What kind of request an IT Glue request is, as the service makes them. */
export function requestKind(r: RecordedRequest): 'sweep' | 'group write' | 'group read' | 'look-up' {
  if (r.method === 'PATCH' && r.path.startsWith('/groups/')) return 'group write';
  if (r.path.startsWith('/groups')) return 'group read';
  if (r.path === '/users' && r.query['filter[email]'] === undefined) return 'sweep';
  return 'look-up';
}
