/**
 * Remembers keys for a while, so that a repeated request (a retried slash command, a double click,
 * a view submitted twice) is recognised. Per process: across replicas the workflow ID (the
 * business key) and the workflow's own checks keep repeats harmless.
 */
export class RecentKeys {
  private readonly expiries = new Map<string, number>();
  /** When expired keys were last dropped: at most once a second, not on every call. */
  private prunedAt = 0;

  constructor(private readonly defaultTtlMs: number) {}

  /** True the first time a key is seen within its window; false for a repeat. */
  first(key: string, ttlMs = this.defaultTtlMs, now = Date.now()): boolean {
    if (this.expiries.size > 1_000 && now - this.prunedAt >= 1_000) {
      this.prunedAt = now;
      for (const [k, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(k);
    }
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.expiries.set(key, now + ttlMs);
    return true;
  }

  /** Forgets a key, so that the request can be tried again (after a failure). */
  forget(key: string): void {
    this.expiries.delete(key);
  }
}
