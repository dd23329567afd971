/** Spaces requests so that this process sends at most `perSecond` of them in any second. */
export class RateLimiter {
  private next = 0;

  constructor(private readonly perSecond: number) {}

  /** Resolves when the caller may send its request. */
  async take(): Promise<void> {
    const interval = 1000 / this.perSecond;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + interval;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
