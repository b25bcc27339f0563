// Sign-in throttling: a fixed window of failed attempts per (email, IP), in process memory. Enough for one web
// node; several web nodes would move this to Redis behind the same interface.

export interface AttemptLimiterOptions {
  /** failed attempts allowed per window */
  max: number;
  windowMs: number;
  now?: () => number;
  /** entries kept before old ones are swept */
  maxEntries?: number;
}

export interface LimitState {
  ok: boolean;
  remaining: number;
  resetAt: number;
}

export class AttemptLimiter {
  private readonly entries = new Map<string, { count: number; windowStart: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: AttemptLimiterOptions) {
    this.now = opts.now ?? Date.now;
  }

  private current(key: string) {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.windowStart >= this.opts.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Whether another attempt may be made now (does not count one). */
  check(key: string): LimitState {
    const e = this.current(key);
    const count = e?.count ?? 0;
    const resetAt = e ? e.windowStart + this.opts.windowMs : this.now();
    return { ok: count < this.opts.max, remaining: Math.max(0, this.opts.max - count), resetAt };
  }

  recordFailure(key: string): LimitState {
    const e = this.current(key);
    if (e) e.count += 1;
    else {
      this.sweep();
      this.entries.set(key, { count: 1, windowStart: this.now() });
    }
    return this.check(key);
  }

  /** A successful sign-in clears the failures for that key. */
  reset(key: string): void {
    this.entries.delete(key);
  }

  private sweep() {
    if (this.entries.size < (this.opts.maxEntries ?? 10_000)) return;
    for (const key of [...this.entries.keys()]) this.current(key);
    // still full: drop the oldest windows (Map keeps insertion order)
    for (const key of this.entries.keys()) {
      if (this.entries.size < (this.opts.maxEntries ?? 10_000)) break;
      this.entries.delete(key);
    }
  }
}

export function signInLimitKey(email: string, ip: string): string {
  return `${email.trim().toLowerCase()}|${ip}`;
}
