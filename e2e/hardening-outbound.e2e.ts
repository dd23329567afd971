/**
 * Outbound requests of the running service (the program `npm start` runs): IT Glue answers an
 * onboarding's validation with a next-page link to another host (upper-case scheme), with
 * redirects to that host, with a links.next that never ends and with one that repeats. A second
 * local server, on another loopback address, records every connection and whether a request
 * carried the API key: nothing may reach it. Each onboarding stalls with the reason (said in its
 * thread), the service answers no 500 and keeps running, and a normal onboarding still goes on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_PAGES } from '../src/itglue/client';
import type { OnboardingStatus } from '../workflows/types';
import type { RecordedRequest } from '../test/fakes/itglue-server';
import { mailsOf, newInvitee, prepareItGlue, PRIMARY, workflowIdOf, type Invitee } from './support/people';
import { record } from './support/results';
import { Answers, eventually, inviteValues, openInviteModal } from './support/security';
import { PEOPLE, SECRETS, startStack, type Stack } from './support/stack';

let stack: Stack;
let elsewhere: { server: Server; url: string; connections: number; requests: { url: string; apiKey: boolean }[]; sockets: Set<Socket> };
const answers = new Answers();
let checks = 0;
let onboardings = 0;
/** Log lines already written when the checks began (the service's own start-up is not theirs). */
let logFrom = 0;

/** An assertion that counts as one check. */
const check = (actual: unknown, label: string) => {
  checks += 1;
  return expect(actual, label);
};

beforeAll(async () => {
  stack = await startStack();
  prepareItGlue(stack);
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: [] as { url: string; apiKey: boolean }[] };
  const server = createServer((req, res) => {
    state.requests.push({ url: req.url ?? '', apiKey: req.headers['x-api-key'] !== undefined });
    res.writeHead(200, { 'content-type': 'application/vnd.api+json' });
    res.end(JSON.stringify({ data: [] }));
  });
  server.on('connection', (socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Another loopback address: only the host differs from the fake IT Glue's.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.2', resolve);
  });
  elsewhere = Object.assign(state, { server, sockets, url: `http://127.0.0.2:${(server.address() as AddressInfo).port}` });
  logFrom = stack.log().length;
});

afterAll(async () => {
  if (elsewhere) {
    for (const socket of elsewhere.sockets) socket.destroy();
    await new Promise((resolve) => elsewhere.server.close(resolve));
  }
  await stack?.close();
});

/** IT Glue's `/users` requests for this email, in arrival order. */
const usersFor = (email: string) => stack.itglue.requests.filter((r) => r.path === '/users' && r.query['filter[email]'] === email);

/**
 * Starts an onboarding of a new Acme contact through the modal, and has IT Glue answer the
 * validation's look-up of the invitee's user (not the modal's own, made as the form is submitted)
 * as `arm` says. Returns the workflow ID.
 */
async function onboardWith(
  label: string,
  arm: (email: string, fromValidation: (request: RecordedRequest) => boolean) => void,
): Promise<{ workflowId: string; invitee: Invitee }> {
  const invitee = newInvitee(stack, label);
  const modal = await openInviteModal(stack, PEOPLE.tech, invitee);
  // The submission looks the user up once; every later look-up is the validation's.
  const before = usersFor(invitee.email).length;
  arm(invitee.email, (request) => usersFor(invitee.email).indexOf(request) > before);
  const submitted = answers.seen(
    `${label}: the invite modal`,
    await stack.driver.submit(modal, PEOPLE.tech, inviteValues({ invitee, approverContactId: PRIMARY.contactId })),
  );
  check(submitted.answer, `${label}: the onboarding starts`).toBeNull();
  onboardings += 1;
  return { workflowId: workflowIdOf(invitee.contactId), invitee };
}

/** Waits for the stall; checks its reason in the status and in the thread. */
async function stalledWith(workflowId: string, label: string, reason: string, inThread: string): Promise<OnboardingStatus> {
  const s = await stack.waitFor(workflowId, (x) => x.stage === 'STALLED', `${label}: the stall`, 90_000);
  check(s.reason, `${label}: the reason`).toBe(`VALIDATING failed: ${reason}`);
  check(s.reason ?? '', `${label}: no API key in the reason`).not.toContain(SECRETS.itglueKey);
  const told = await eventually(() => stack.slack.calls.some((c) => JSON.stringify(c.args).includes(inThread)), 15_000);
  check(told, `${label}: the thread says why`).toBe(true);
  return s;
}

const nothingElsewhere = (label: string) => {
  check(elsewhere.connections, `${label}: connections to the other host`).toBe(0);
  check(elsewhere.requests.filter((r) => r.apiKey).length, `${label}: requests with the API key at the other host`).toBe(0);
};

it('refuses a next-page link to another host written with an upper-case scheme; the key never reaches it', async () => {
  const link = `HTTP://127.0.0.2:${new URL(elsewhere.url).port}/users?page%5Bnumber%5D=2&page%5Bsize%5D=1000`;
  const { workflowId, invitee } = await onboardWith('Upper', (_email, fromValidation) =>
    stack.itglue.answerNext({ path: '/users', times: 10, where: fromValidation, body: JSON.stringify({ data: [], links: { next: link } }) }),
  );
  await stalledWith(
    workflowId,
    'upper-case scheme',
    `A link to ${elsewhere.url}/users was not followed: IT Glue requests (and the API key) go to ITGLUE_API_URL's origin ${stack.itglue.url} only`,
    'IT Glue requests (and the API key) go to ITGLUE_API_URL',
  );
  check(usersFor(invitee.email).length, 'upper-case scheme: requests for the user (the modal, the validation)').toBe(2);
  nothingElsewhere('upper-case scheme');
});

it('does not follow a redirect to another host (302, 307); the key never reaches it', async () => {
  for (const status of [302, 307] as const) {
    const { workflowId } = await onboardWith(`Redirect${status}`, (_email, fromValidation) =>
      stack.itglue.redirectNext({ path: '/users', times: 10, status, where: fromValidation, location: `${elsewhere.url}/users?page%5Bsize%5D=1000` }),
    );
    await stalledWith(
      workflowId,
      `redirect ${status}`,
      `IT Glue answered ${status} (a redirect to ${elsewhere.url}) to GET /users: redirects are not followed; check ITGLUE_API_URL`,
      `IT Glue answered ${status} (a redirect to`,
    );
    nothingElsewhere(`redirect ${status}`);
  }
});

it(`stops a links.next that never ends after ${MAX_PAGES} pages, and one that repeats at once`, async () => {
  // Every page links to the next, never the same twice.
  const endless = await onboardWith('Endless', (email, fromValidation) =>
    stack.itglue.answerNext({
      path: '/users',
      times: 1_000,
      where: fromValidation,
      body: (request) => {
        const next = Number(request.query['page[number]'] ?? 1) + 1;
        const query = new URLSearchParams({ 'filter[email]': email, 'page[number]': String(next), 'page[size]': '1000' });
        return JSON.stringify({ data: [], links: { next: `${stack.itglue.url}/users?${query}` } });
      },
    }),
  );
  await stalledWith(
    endless.workflowId,
    'endless links.next',
    `IT Glue's list GET /users went on past ${MAX_PAGES} pages: stopped there (the most read of one list)`,
    `went on past ${MAX_PAGES} pages`,
  );
  check(usersFor(endless.invitee.email).length, 'endless links.next: pages read (and the modal’s look-up)').toBe(MAX_PAGES + 1);

  const repeating = await onboardWith('Repeating', (email, fromValidation) => {
    const query = new URLSearchParams({ 'filter[email]': email, 'page[number]': '2', 'page[size]': '1000' });
    stack.itglue.answerNext({
      path: '/users',
      times: 1_000,
      where: fromValidation,
      body: JSON.stringify({ data: [], links: { next: `${stack.itglue.url}/users?${query}` } }),
    });
  });
  await stalledWith(
    repeating.workflowId,
    'repeated links.next',
    "IT Glue's list GET /users linked page 3 to a page it had already sent: stopped instead of reading it again",
    'to a page it had already sent',
  );
  check(usersFor(repeating.invitee.email).length, 'repeated links.next: pages read (and the modal’s look-up)').toBe(3);
  nothingElsewhere('paging');
});

it('keeps running: no 500, /healthz answers, and the next onboarding goes on to its approval', async () => {
  const health = answers.seen('/healthz', await fetch(`${stack.base}/healthz`));
  check(health.status, '/healthz').toBe(200);
  check(stack.service().child.exitCode, 'the service process is still running').toBeNull();
  const { workflowId } = await onboardWith('Ordinary', () => undefined);
  const s = await stack.waitFor(
    workflowId,
    (x) => x.stage === 'AWAITING_APPROVAL' && mailsOf(stack, workflowId, 'approval-request', x.approvalRound).length === 1,
    'the approval request',
  );
  check(s.stage, 'an ordinary onboarding after the hostile answers').toBe('AWAITING_APPROVAL');
  nothingElsewhere('overall');

  const log = stack.log().slice(logFrom);
  check(log.filter((line) => line.includes(SECRETS.itglueKey)).length, 'log lines with the IT Glue key').toBe(0);
  const serverErrors = log.filter((line) => /"event":"(http|slack)\.error"/.test(line));
  check(serverErrors, 'errors the service answered with (500)').toEqual([]);
  check(answers.details, 'HTTP 500s answered to the checks').toEqual([]);
  record(
    'outbound',
    { onboardings, serverErrors: answers.serverErrors + serverErrors.length, lost: 0 },
    `${checks} checks; the API key reached the other host ${elsewhere.requests.filter((r) => r.apiKey).length} times`,
  );
});
