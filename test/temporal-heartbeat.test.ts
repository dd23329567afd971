/**
 * Activities heartbeat so that a dead worker's activities are retried soon: mail and Slack
 * activities while they run, IT Glue activities only as they make progress (each answer from IT
 * Glue, a wait on Temporal), so that an IT Glue request without an answer lets the heartbeat
 * timeout expire (test/itglue/outbound.test.ts shows Temporal retrying such an activity).
 */
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createItGlueActivities } from '../activities/itglue';
import { ItGlueClient } from '../src/itglue/client';
import { HEARTBEAT_EVERY_MS, heartbeatInterceptor, heartbeatWhile } from '../src/temporal/heartbeat';
import { DEFAULT_POLICY } from '../workflows/policy';
import { SEED, startFakeItGlue, type FakeItGlue } from './fakes/itglue-server';

afterEach(() => {
  vi.useRealTimers();
});

it('mail and Slack activities: heartbeats from the start and every few seconds until the activity ends, then stops', async () => {
  vi.useFakeTimers();
  const env = new MockActivityEnvironment();
  const beats: number[] = [];
  env.on('heartbeat', () => beats.push(Date.now()));
  const started = Date.now();
  let finish!: (value: string) => void;
  const activity = new Promise<string>((ok) => (finish = ok));
  const { inbound } = heartbeatInterceptor(env.context);
  const result = inbound!.execute!({ args: [], headers: {} }, () => activity);

  expect(beats).toHaveLength(1); // at once
  await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_EVERY_MS);
  expect(beats.map((t) => t - started)).toEqual([0, HEARTBEAT_EVERY_MS, 2 * HEARTBEAT_EVERY_MS, 3 * HEARTBEAT_EVERY_MS]);

  finish('done');
  expect(await result).toBe('done');
  await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_EVERY_MS);
  expect(beats).toHaveLength(4);
});

it('stops heartbeating when the activity fails, and passes the failure on', async () => {
  vi.useFakeTimers();
  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => (beats += 1));
  const { inbound } = heartbeatInterceptor(env.context);
  await expect(inbound!.execute!({ args: [], headers: {} }, () => Promise.reject(new Error('IT Glue said no')))).rejects.toThrow('IT Glue said no');
  await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_EVERY_MS);
  expect(beats).toBe(1);
});

describe('IT Glue activities', () => {
  let fake: FakeItGlue;
  beforeAll(async () => {
    fake = await startFakeItGlue();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('heartbeat once after each answer from IT Glue, and never while a request waits for one', async () => {
    const client = new ItGlueClient({ baseUrl: fake.url, apiKey: fake.apiKey, requestsPerSecond: 1_000 });
    const activities = createItGlueActivities({ client, temporal: {} as Client, taskQueue: 'unused' });
    // One answer comes late: longer than the interval of a periodic heartbeat.
    const slow = 2 * HEARTBEAT_EVERY_MS;
    fake.delayNext({ path: '/contacts', times: 1, ms: slow });
    const env = new MockActivityEnvironment();
    const beats: number[] = [];
    env.on('heartbeat', () => beats.push(Date.now()));
    const request = { orgId: SEED.org.acme, contactId: SEED.contact.inesInvitee, kind: 'itglue', passwordAccess: false, requestedBy: 'U1' } as const;
    const validation = (await env.run(activities.validateRequest, request, DEFAULT_POLICY)) as { ok: boolean };
    expect(validation.ok).toBe(true);

    expect(fake.requests.length).toBeGreaterThanOrEqual(4);
    expect(beats).toHaveLength(fake.requests.length);
    const waited = fake.requests.find((r) => r.path === '/contacts')!;
    expect(beats.filter((t) => t > waited.time && t < waited.time + slow - 100)).toEqual([]);
    // Its answer was a heartbeat.
    expect(beats.some((t) => t >= waited.time + slow - 100)).toBe(true);
  });

  it('heartbeat every few seconds while they wait on Temporal, and stop when the wait ends', async () => {
    vi.useFakeTimers();
    const env = new MockActivityEnvironment();
    const beats: number[] = [];
    env.on('heartbeat', () => beats.push(Date.now()));
    const started = Date.now();
    let finish!: (value: string) => void;
    const update = new Promise<string>((ok) => (finish = ok));
    const result = env.run(() => heartbeatWhile(update));
    await vi.advanceTimersByTimeAsync(2 * HEARTBEAT_EVERY_MS);
    expect(beats.map((t) => t - started)).toEqual([0, HEARTBEAT_EVERY_MS, 2 * HEARTBEAT_EVERY_MS]);
    finish('members written');
    expect(await result).toBe('members written');
    await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_EVERY_MS);
    expect(beats).toHaveLength(3);
    // Outside an activity (a test calling it as a function) it only waits.
    await expect(heartbeatWhile(Promise.resolve(7))).resolves.toBe(7);
  });
});
