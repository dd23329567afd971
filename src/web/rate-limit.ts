/**
 * Per-client rate limiting of the approval pages: a token bucket per client address. Each request
 * takes a token; a full bucket lets a burst through (an approver, a link scanner and a few page
 * reloads are far below it), then tokens come back at a steady rate. A client whose bucket is empty
 * is answered 429 with `Retry-After`, before its token is checked or Temporal is read.
 *
 * Memory is bounded: at most `maxClients` buckets are kept, the least recently seen are dropped
 * first (a dropped client starts again with a full bucket). IPv6 clients are counted by their /64
 * network, since one host commonly holds a whole /64 and could otherwise change address at will.
 */
import { isIPv6 } from 'node:net';

export interface RateLimitOptions {
  /** Tokens in a full bucket: the largest burst let through. */
  capacity: number;
  /** Tokens given back per second. */
  refillPerSecond: number;
  /** Buckets kept at most (the least recently seen are dropped first). */
  maxClients: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/**
 * 120 requests at once, then one every 2 seconds (30 a minute), for up to 10,000 clients. An
 * approver needs three or four requests and a mail scanner a few more; guessing links becomes
 * a matter of days for each address instead of seconds.
 */
export const APPROVAL_RATE_LIMIT: RateLimitOptions = { capacity: 120, refillPerSecond: 0.5, maxClients: 10_000 };

/** `first`: the first refusal since this client was last let through (worth one log line, not one per request). */
export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number; first: boolean };

interface Bucket {
  tokens: number;
  at: number;
  refused: boolean;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0) || !(options.maxClients >= 1)) {
      throw new Error('a rate limit needs a capacity of at least 1, a positive refill rate and room for at least one client');
    }
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for this client: admitted, or refused with the seconds until the next token. */
  take(client: string): Admission {
    const { capacity, refillPerSecond, maxClients } = this.options;
    const now = this.now();
    const bucket = this.buckets.get(client);
    let tokens = capacity;
    const refusedBefore = bucket?.refused ?? false;
    if (bucket) {
      tokens = Math.min(capacity, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * refillPerSecond);
      // Re-inserted below, so that the Map's order is the order clients were last seen in.
      this.buckets.delete(client);
    }
    const admitted = tokens >= 1;
    if (admitted) tokens -= 1;
    this.buckets.set(client, { tokens, at: now, refused: !admitted });
    while (this.buckets.size > maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    if (admitted) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / refillPerSecond)), first: !refusedBefore };
  }

  /** How many clients have a bucket. */
  get size(): number {
    return this.buckets.size;
  }
}

/** The bucket's key for a client address: the address itself, an IPv6 address's /64 network, or one shared key when unknown. */
export function clientKey(address: string | null): string {
  if (!address) return 'unknown';
  if (!isIPv6(address)) return address;
  const groups = expandIPv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail counts as two); null if it cannot be read. */
function expandIPv6(address: string): string[] | null {
  let text = address.toLowerCase().split('%')[0]!;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  return groups.map((g) => (Number.parseInt(g || '0', 16) || 0).toString(16));
}
