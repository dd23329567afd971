/**
 * Where IT Glue requests go, and how long they go on: the API key reaches ITGLUE_API_URL's origin
 * only (next links of any spelling, redirects, the environment's proxy), lists are read for a
 * bounded number of pages and records and never in a loop, and a cancelled activity aborts its
 * request in flight. Against the fake IT Glue and a second local server on another loopback
 * address that records whatever reaches it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Client } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { MockActivityEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createItGlueActivities } from '../../activities/itglue';
import { ItGlueClient, MAX_PAGES } from '../../src/itglue/client';
import { ItGlueError } from '../../src/itglue/errors';
import { userResource } from '../../src/itglue/schemas';
import { onboarding } from '../../workflows/onboarding';
import { workflowIdFor, type OnboardingRequest } from '../../workflows/types';
import { defaultSeed, manyUsers, SEED, startFakeItGlue, type FakeItGlue } from '../fakes/itglue-server';
import { FakeWorld } from '../support/fake-activities';
import { connectTemporal, testPolicy, waitForStage, type TestTemporal } from '../support/temporal';

/** A server that must never be reached: it records every connection and request (and whether it carried a key). */
interface Elsewhere {
  url: string;
  connections: number;
  requests: { method: string; url: string; apiKey: boolean }[];
  close(): Promise<void>;
}

async function startElsewhere(host: string): Promise<Elsewhere> {
  const sockets = new Set<Socket>();
  const elsewhere = { url: '', connections: 0, requests: [] as Elsewhere['requests'] } as Elsewhere;
  const server: Server = createServer((req: IncomingMessage, res) => {
    elsewhere.requests.push({ method: req.method ?? '', url: req.url ?? '', apiKey: req.headers['x-api-key'] !== undefined });
    res.writeHead(200, { 'content-type': 'application/vnd.api+json' });
    res.end(JSON.stringify({ data: [] }));
  });
  server.on('connection', (socket) => {
    elsewhere.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  elsewhere.url = `http://${host}:${(server.address() as AddressInfo).port}`;
  elsewhere.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return elsewhere;
}

let fake: FakeItGlue;
let other: Elsewhere;
const client = (over: Partial<ConstructorParameters<typeof ItGlueClient>[0]> = {}) =>
  new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 1_000, ...over });

beforeAll(async () => {
  // Another loopback address, so that only the host differs (127.0.0.0/8 all reaches this machine).
  [fake, other] = await Promise.all([startFakeItGlue(), startElsewhere('127.0.0.2')]);
});
afterAll(async () => {
  await Promise.all([fake.close(), other.close()]);
});
beforeEach(() => {
  fake.load(defaultSeed());
  fake.reset();
  other.connections = 0;
  other.requests.length = 0;
});

/** A first page of /users whose next link is `next`. */
const pageLinkingTo = (next: string) => JSON.stringify({ data: [], links: { next } });

async function failure(promise: Promise<unknown>): Promise<ItGlueError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ItGlueError);
  const message = (error as Error).message + (error as Error).stack;
  expect(message).not.toContain(fake.apiKey);
  return error as ItGlueError;
}

describe('the API key goes to ITGLUE_API_URL only', () => {
  it('refuses a links.next to another origin however it is spelt, and nothing reaches it', async () => {
    const port = new URL(other.url).port;
    const fakePort = new URL(fake.url).port;
    const hostile = [
      [`HTTP://127.0.0.2:${port}/users?page%5Bnumber%5D=2`, `http://127.0.0.2:${port}`],
      [`hTTp://127.0.0.2:${port}/users`, `http://127.0.0.2:${port}`],
      [`//127.0.0.2:${port}/users`, `http://127.0.0.2:${port}`],
      [`http://someone@127.0.0.2:${port}/users`, `http://127.0.0.2:${port}`],
      [`http://127.0.0.1:${port}/users`, `http://127.0.0.1:${port}`],
      [`HTTPS://127.0.0.1:${fakePort}/users`, `https://127.0.0.1:${fakePort}`],
    ];
    for (const [next, origin] of hostile) {
      fake.reset();
      fake.answerNext({ path: '/users', times: 1, body: pageLinkingTo(next!) });
      const error = await failure(client().list('/users', userResource));
      expect(error).toMatchObject({ kind: 'invalid', retryable: false });
      expect(error.message, next).toBe(`A link to ${origin}/users was not followed: IT Glue requests (and the API key) go to ITGLUE_API_URL's origin ${fake.url} only`);
      expect(fake.requests).toHaveLength(1);
    }
    expect(other.connections).toBe(0);
    expect(other.requests).toEqual([]);
  });

  it('follows a links.next to its own origin whatever the case of its scheme and host', async () => {
    fake.data.users.push(...manyUsers(1_500));
    const upper = fake.url.replace('http://', 'HTTP://');
    fake.answerNext({ path: '/users', times: 1, body: pageLinkingTo(`${upper}/users?page%5Bnumber%5D=2&page%5Bsize%5D=1000`) });
    const users = await client().list('/users', userResource);
    // The first page was the crafted empty one; then pages 2 on.
    expect(users).toHaveLength(fake.data.users.length - 1_000);
    expect(fake.requests.map((r) => r.query['page[number]'] ?? '1')).toEqual(['1', '2']);
  });

  it('takes the default port as the same origin as one written out', async () => {
    // Nothing answers on port 80 here: the request is sent (and fails to connect), not refused.
    const gone = new ItGlueClient({ baseUrl: 'http://127.0.0.1:80', apiKey: 'ITG.k' });
    const error = await gone.request('GET', 'HTTP://127.0.0.1/users').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unavailable' });
  });

  it.each([301, 302, 303, 307, 308] as const)('does not follow a %i, and says so', async (status) => {
    fake.redirectNext({ path: '/users', times: 1, status, location: `${other.url}/users?page%5Bsize%5D=1000` });
    const error = await failure(client().list('/users', userResource));
    expect(error).toMatchObject({ kind: 'invalid', status, retryable: false });
    expect(error.message).toBe(`IT Glue answered ${status} (a redirect to ${other.url}) to GET /users: redirects are not followed; check ITGLUE_API_URL`);
    expect(fake.requests).toHaveLength(1);
    expect(other.connections).toBe(0);
  });

  it('does not follow a redirect to its own origin either', async () => {
    fake.redirectNext({ path: '/users', times: 1, location: `${fake.url}/users?page%5Bnumber%5D=1` });
    await expect(client().list('/users', userResource)).rejects.toMatchObject({ kind: 'invalid', status: 302 });
    expect(fake.requests).toHaveLength(1);
  });

  it("does not use the environment's proxy settings", async () => {
    const saved = Object.fromEntries(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'].map((k) => [k, process.env[k]]));
    try {
      for (const key of Object.keys(saved)) delete process.env[key];
      process.env.HTTP_PROXY = other.url;
      process.env.http_proxy = other.url;
      // The check can fail: axios as it comes sends a request for IT Glue to that proxy.
      await axios.get(`${fake.url}/users`, { validateStatus: () => true });
      expect(other.requests.map((r) => r.url)).toEqual([`${fake.url}/users`]);
      other.requests.length = 0;
      other.connections = 0;

      const users = await client().list('/users', userResource);
      expect(users.length).toBe(defaultSeed().users.length);
      expect(other.connections).toBe(0);
      expect(fake.requests.at(-1)).toMatchObject({ path: '/users', apiKey: 'valid', status: 200 });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('lists are read within bounds', () => {
  /** Every page of /users links to a next one, never the same twice: a list without end. */
  const endless = () =>
    fake.answerNext({
      path: '/users',
      times: 10_000,
      body: (request) => pageLinkingTo(`${fake.url}/users?page%5Bnumber%5D=${Number(request.query['page[number]'] ?? 1) + 1}&page%5Bsize%5D=1000`),
    });

  it(`stops a links.next that never ends after ${MAX_PAGES} pages, with an error that is not retried`, async () => {
    endless();
    const error = await failure(client().list('/users', userResource));
    expect(error).toMatchObject({ kind: 'invalid-response', retryable: false });
    expect(error.message).toBe(`IT Glue's list GET /users went on past ${MAX_PAGES} pages: stopped there (the most read of one list)`);
    expect(fake.requests).toHaveLength(MAX_PAGES);
    expect(fake.requests.at(-1)!.query['page[number]']).toBe(String(MAX_PAGES));
  });

  it('takes a smaller page limit, and reads a list that ends within it', async () => {
    endless();
    await expect(client({ maxPages: 5 }).list('/users', userResource)).rejects.toMatchObject({ message: expect.stringContaining('went on past 5 pages') });
    expect(fake.requests).toHaveLength(5);
    fake.reset();
    fake.data.users.push(...manyUsers(4_000));
    expect(await client({ maxPages: 5 }).list('/users', userResource)).toHaveLength(4_000 + defaultSeed().users.length);
  });

  it('stops at once when a links.next repeats, without reading the page again', async () => {
    const again = `${fake.url}/users?page%5Bnumber%5D=2&page%5Bsize%5D=1000`;
    fake.answerNext({ path: '/users', times: 100, body: pageLinkingTo(again) });
    const error = await failure(client().list('/users', userResource));
    expect(error).toMatchObject({ kind: 'invalid-response', retryable: false });
    expect(error.message).toBe("IT Glue's list GET /users linked page 3 to a page it had already sent: stopped instead of reading it again");
    expect(fake.requests.map((r) => r.query['page[number]'] ?? '1')).toEqual(['1', '2']);

    // A link back to the first page, its brackets spelt differently, is the same page.
    fake.reset();
    fake.answerNext({ path: '/users', times: 100, body: pageLinkingTo(`${fake.url}/users?page[size]=1000`) });
    await expect(client().list('/users', userResource)).rejects.toMatchObject({ message: expect.stringContaining('linked page 2 to a page it had already sent') });
    expect(fake.requests).toHaveLength(1);
  });

  it('stops a list that sends more records than the limit', async () => {
    fake.data.users.push(...manyUsers(3_000));
    const error = await failure(client({ maxRecords: 2_500 }).list('/users', userResource));
    expect(error).toMatchObject({ kind: 'invalid-response', retryable: false });
    expect(error.message).toBe("IT Glue's list GET /users sent more than 2500 records: stopped there (the most read of one list)");
    expect(fake.requests).toHaveLength(3);
  });

  it('hands an endless list to Temporal as a failure that is not retried', async () => {
    endless();
    const activities = createItGlueActivities({ client: client({ maxPages: 3 }), temporal: {} as Client, taskQueue: 'unused' });
    await expect(activities.findUser('ines.invitee@acme-dental.test')).rejects.toMatchObject({
      name: 'ApplicationFailure',
      type: 'ItGlue.invalid-response',
      nonRetryable: true,
      message: "IT Glue's list GET /users went on past 3 pages: stopped there (the most read of one list)",
    });
  });
});

describe('cancellation', () => {
  /** The activity's own log of its failures, which these tests expect. */
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const activities = () => createItGlueActivities({ client: client(), temporal: {} as Client, taskQueue: 'unused' });
  const arrived = (n = 1) => expect.poll(() => fake.requests.length, { timeout: 5_000 }).toBe(n);

  it("aborts the activity's request in flight when the activity is cancelled", async () => {
    fake.delayNext({ path: '/users', times: 1, ms: 30_000 });
    const env = new MockActivityEnvironment({}, { logger: quiet });
    const running = env.run(activities().findUser, 'ines.invitee@acme-dental.test').catch((e: unknown) => e);
    await arrived();
    const cancelledAt = Date.now();
    env.cancel();
    const error = await running;
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(CancelledFailure);
    // IT Glue sees the connection closed before it answered.
    await expect.poll(() => fake.requests[0]!.aborted, { timeout: 2_000 }).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up a request a second after the heartbeat timeout: Temporal has taken the activity back by then', async () => {
    fake.delayNext({ path: '/users', times: 1, ms: 30_000 });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 500 }, { logger: quiet });
    const startedAt = Date.now();
    const error = await env.run(activities().findUser, 'ines.invitee@acme-dental.test').catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ApplicationFailure',
      type: 'ItGlue.unavailable',
      nonRetryable: false,
      message: 'IT Glue did not answer within 1.5 s (GET /users)',
    });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    await expect.poll(() => fake.requests[0]!.aborted, { timeout: 2_000 }).toBe(true);
  });

  it('sends nothing for an activity cancelled already', async () => {
    const env = new MockActivityEnvironment({}, { logger: quiet });
    env.cancel();
    await expect(env.run(activities().findUser, 'ines.invitee@acme-dental.test')).rejects.toBeInstanceOf(CancelledFailure);
    expect(fake.requests).toHaveLength(0);
  });

  it("aborts a request in flight, or one waiting its turn, by the caller's signal", async () => {
    fake.delayNext({ path: '/users', times: 1, ms: 30_000 });
    const inFlight = new AbortController();
    const request = client()
      .request('GET', '/users', {}, undefined, { signal: inFlight.signal })
      .catch((e: unknown) => e);
    await arrived();
    inFlight.abort(new Error('stopped by the caller'));
    expect(await request).toMatchObject({ message: 'stopped by the caller' });
    await expect.poll(() => fake.requests[0]!.aborted, { timeout: 2_000 }).toBe(true);

    // One a second: the second request waits its turn, and is not sent once its caller gives up.
    fake.reset();
    const slow = client({ requestsPerSecond: 1 });
    await slow.request('GET', '/users');
    const waiting = new AbortController();
    const queued = slow.request('GET', '/users', {}, undefined, { signal: waiting.signal }).catch((e: unknown) => e);
    waiting.abort(new Error('stopped while waiting'));
    expect(await queued).toMatchObject({ message: 'stopped while waiting' });
    expect(slow.requestCount).toBe(1);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('on Temporal', () => {
  let temporal: TestTemporal;
  const request: OnboardingRequest = { orgId: SEED.org.acme, contactId: SEED.contact.inesInvitee, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1' };
  const itglue = () => createItGlueActivities({ client: client(), temporal: temporal.client, taskQueue: temporal.taskQueue });
  const start = () =>
    temporal.client.workflow.start(onboarding, {
      taskQueue: temporal.taskQueue,
      workflowId: `${workflowIdFor(request.orgId, request.contactId)}:outbound:${Date.now()}`,
      args: [{ request, policy: testPolicy() }],
    });

  beforeAll(async () => {
    temporal = await connectTemporal();
  });
  afterAll(async () => {
    await temporal.close();
  });

  it('retries an IT Glue activity whose request gets no answer after the heartbeat timeout, as it sends no heartbeat meanwhile', async () => {
    const stop = await temporal.startWorkers({ ...new FakeWorld().activities(), ...itglue() });
    try {
      // The validation's first request hangs for longer than the heartbeat timeout (20 s).
      fake.delayNext({ path: `/organizations/${SEED.org.acme}`, times: 1, ms: 45_000 });
      const handle = await start();
      await waitForStage(handle, 'AWAITING_APPROVAL', 50_000);
      const events = (await handle.fetchHistory()).events!;
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'validateRequest')!;
      const validation = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId))!
        .activityTaskStartedEventAttributes!;
      expect(validation.attempt).toBe(2);
      expect(validation.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(proto.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
      await handle.terminate('test over');
    } finally {
      await stop();
    }
  }, 60_000);

  it("aborts an IT Glue request in flight when the worker shuts down, instead of waiting for IT Glue's answer", async () => {
    const stop = await temporal.startWorkers({ ...new FakeWorld().activities(), ...itglue() }, { shutdownGraceTime: 200 });
    fake.delayNext({ path: `/organizations/${SEED.org.acme}`, times: 1, ms: 45_000 });
    const handle = await start();
    await expect.poll(() => fake.requests.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const stoppingAt = Date.now();
    await stop();
    expect(Date.now() - stoppingAt).toBeLessThan(5_000);
    const validation = fake.requests.find((r) => r.path === `/organizations/${SEED.org.acme}`)!;
    await expect.poll(() => validation.aborted, { timeout: 2_000 }).toBe(true);
    await handle.terminate('test over');
  }, 30_000);
});
