/** Every activity heartbeats while it runs, so a dead worker's activities are retried soon. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, expect, it, vi } from 'vitest';
import { HEARTBEAT_EVERY_MS, heartbeatInterceptor } from '../src/temporal/heartbeat';

afterEach(() => {
  vi.useRealTimers();
});

it('heartbeats from the start and every few seconds until the activity ends, then stops', async () => {
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
