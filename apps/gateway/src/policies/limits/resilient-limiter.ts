// Redis with a safety net (issue 4: "When Redis is unreachable a policy follows its configured mode"). Every call to
// the shared limiter gets a short deadline (50 ms by default). When it errors or times out:
//   - if any enforced limit of the request is fail-closed: deny (429 `rate_limit_unavailable`, retry-after = the
//     cool-down);
//   - otherwise: admit and count in process (a MemoryLimiter with the same semantics), so one node still enforces
//     its share while Redis is away.
// Either way the metric hook and the log hook fire, and nothing throws. After a failure the shared limiter is
// skipped for `cooldownMs` (no 50 ms penalty per request while Redis is down), then tried again.
// A reservation whose reply arrives after the deadline is released at once (it was never used); one that is lost
// completely expires in Redis after the reservation TTL.

import { MemoryLimiter } from "./memory-limiter.ts";
import type { ActualUsage, Limiter, LimiterHooks, LimitRequest, LimitResult, ReserveOptions, ReserveResult } from "./types.ts";

export interface ResilientLimiterOptions extends LimiterHooks {
  /** deadline for one shared-limiter call; default 50 ms */
  timeoutMs?: number;
  /** how long to bypass the shared limiter after a failure; default 1000 ms */
  cooldownMs?: number;
  now?: () => number;
  /** the local fallback; default a MemoryLimiter on the same clock */
  local?: MemoryLimiter;
}

/** Local reservation ids carry this prefix so settle/release know where they live. */
const LOCAL = "local:";

class Timeout extends Error {}

export class ResilientLimiter implements Limiter {
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly local: MemoryLimiter;
  private downUntil = 0;
  private degradedLogged = false;

  constructor(
    private readonly shared: Limiter,
    private readonly options: ResilientLimiterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 50;
    this.cooldownMs = options.cooldownMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.local = options.local ?? new MemoryLimiter({ now: this.now });
  }

  /** true while the shared limiter is being bypassed */
  get degraded(): boolean {
    return this.now() < this.downUntil;
  }

  async reserve(requests: readonly LimitRequest[], options?: ReserveOptions): Promise<ReserveResult> {
    if (requests.length === 0) return { ok: true, reservationId: null, results: [], retryAfterMs: null };
    if (this.now() >= this.downUntil) {
      const call = this.shared.reserve(requests, options);
      try {
        const r = await withDeadline(call, this.timeoutMs);
        if (this.degradedLogged) {
          this.degradedLogged = false;
          this.options.log?.("shared limiter recovered", {});
        }
        return r;
      } catch (err) {
        // a late success holds capacity nobody will settle: give it back
        call.then((late) => (late.reservationId ? this.shared.release(late.reservationId) : undefined)).catch(() => {});
        this.markDown(err);
      }
    }
    return this.fallback(requests, options);
  }

  async settle(reservationId: string, usage: ActualUsage): Promise<void> {
    if (reservationId.startsWith(LOCAL)) return this.local.finish(reservationId.slice(LOCAL.length), usage);
    await this.finishShared("settle", this.shared.settle(reservationId, usage));
  }

  async release(reservationId: string): Promise<void> {
    if (reservationId.startsWith(LOCAL)) return this.local.finish(reservationId.slice(LOCAL.length), null);
    await this.finishShared("release", this.shared.release(reservationId));
  }

  private async finishShared(op: "settle" | "release", call: Promise<void>): Promise<void> {
    try {
      // settles are not on the client's critical path: a longer deadline, and no cool-down on failure
      await withDeadline(call, this.timeoutMs * 10);
    } catch (err) {
      call.catch(() => {});
      this.options.onFallback?.({ op, mode: "open", reason: reasonOf(err) });
      this.options.log?.(`shared limiter ${op} failed; the reservation expires in Redis`, { error: reasonOf(err) });
    }
  }

  private markDown(err: unknown): void {
    this.downUntil = this.now() + this.cooldownMs;
    if (!this.degradedLogged) {
      this.degradedLogged = true;
      this.options.log?.("shared limiter unavailable; applying each limit's fail mode", {
        error: reasonOf(err),
        cooldownMs: this.cooldownMs,
      });
    }
    this.lastReason = reasonOf(err);
  }

  private lastReason = "unavailable";

  private fallback(requests: readonly LimitRequest[], options?: ReserveOptions): ReserveResult {
    const closed = requests.some((r) => r.failMode === "closed" && r.enforce !== false);
    const mode = closed ? "closed" : "open";
    this.options.onFallback?.({ op: "reserve", mode, reason: this.lastReason });
    if (closed) {
      const retryAfterMs = Math.max(1, this.downUntil - this.now());
      const results: LimitResult[] = requests.map((r) => ({
        id: r.id,
        name: r.name,
        source: r.source,
        metric: r.metric,
        ok: !(r.failMode === "closed" && r.enforce !== false),
        limit: r.limit + (r.burst ?? 0),
        remaining: 0,
        resetAt: null,
        retryAfterMs: r.failMode === "closed" ? retryAfterMs : null,
      }));
      return { ok: false, reservationId: null, results, retryAfterMs, degraded: "denied" };
    }
    const r = this.local.reserveSync(requests, options);
    return { ...r, reservationId: r.reservationId === null ? null : LOCAL + r.reservationId, degraded: "local" };
  }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Timeout(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
