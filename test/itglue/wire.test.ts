/** Small pieces of IT Glue's wire format: filter escaping, Retry-After, tag traits, the request rate. */
import { describe, expect, it } from 'vitest';
import { writableTraits } from '../../src/itglue/authorization';
import { filterValue, wireIds } from '../../src/itglue/client';
import { errorForResponse, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/itglue/errors';
import { RateLimiter } from '../../src/itglue/rate-limiter';

describe('wire format', () => {
  it('escapes commas inside filter values and joins several values with commas', () => {
    expect(filterValue('Smith, Jones & Co')).toBe('Smith\\, Jones & Co');
    expect(filterValue('1', '2')).toBe('1,2');
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it("takes a Retry-After as at most IT Glue's 5-minute rate window", () => {
    expect(MAX_RETRY_AFTER_MS).toBe(300_000);
    expect(parseRetryAfter('300')).toBe(300_000);
    expect(parseRetryAfter('86400')).toBe(300_000);
    expect(parseRetryAfter(new Date(Date.now() + 3_600_000).toUTCString())).toBe(300_000);
  });

  it('sends tag traits back as id lists and keeps every other trait as it was', () => {
    const traits = {
      'authorized-contacts': {
        type: 'Contacts',
        values: [
          { id: 3, name: 'A' },
          { id: '4', name: 'B' },
        ],
      },
      notes: 'keep me',
      'wifi-ssid': null,
      floors: 3,
    };
    expect(writableTraits(traits)).toEqual({ 'authorized-contacts': [3, 4], notes: 'keep me', 'wifi-ssid': null, floors: 3 });
    expect(wireIds(['12', 'x-1'])).toEqual([12, 'x-1']);
  });

  it('classifies responses, and never puts the key in a message', () => {
    const auth = errorForResponse('GET /users', 401, { errors: [{ title: 'Unauthorized' }] }, null);
    expect(auth).toMatchObject({ kind: 'auth', retryable: false });
    expect(auth.message).toContain('ITGLUE_API_KEY');
    expect(errorForResponse('GET /users', 403, null, null).kind).toBe('auth');
    expect(errorForResponse('GET /users/1', 404, null, null)).toMatchObject({ kind: 'not-found', retryable: false });
    const invalid = errorForResponse('PATCH /groups/1', 422, { errors: [{ detail: 'accounts_user_ids is invalid' }] }, null);
    expect(invalid).toMatchObject({ kind: 'invalid', retryable: false });
    expect(invalid.message).toContain('accounts_user_ids is invalid');
    expect(errorForResponse('GET /users', 429, null, '2')).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 2000 });
    expect(errorForResponse('GET /users', 503, null, null)).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('spaces requests to the configured rate', async () => {
    const limiter = new RateLimiter(20);
    const start = Date.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 11 }, async () => {
        await limiter.take();
        times.push(Date.now() - start);
      }),
    );
    times.sort((a, b) => a - b);
    // 11 requests at 20 per second: the last may go no earlier than 500 ms after the first.
    expect(times[10]! - times[0]!).toBeGreaterThanOrEqual(490);
  });
});
