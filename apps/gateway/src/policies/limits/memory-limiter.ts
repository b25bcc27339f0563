// In-process limiter: the same counters, reservations and expiry as RedisLimiter, for a single node without Redis
// (the embedded default) and as ResilientLimiter's local fallback. JavaScript runs one reserve at a time, so the
// check-all-then-commit in `reserve` is atomic without locks.

import { randomId } from "../../lib/ids.ts";
import type { ActualUsage, Limiter, LimitRequest, ReserveOptions, ReserveResult } from "./types.ts";
import { unitsFor } from "./types.ts";
import { COUNTER_GRACE_MS, type CounterLayout, type CounterState, fits, layoutFor, resultFor } from "./window.ts";

export interface MemoryLimiterOptions {
  /** injected clock (ms epoch) */
  now?: () => number;
  /** default reservation lifetime; default 15 minutes (longer than the default total upstream timeout) */
  reservationTtlMs?: number;
}

interface Counter {
  value: number;
  expireAt: number | null;
}

interface PendingSet {
  sum: number;
  byId: Map<string, { amount: number; expiresAt: number }>;
  /** earliest expiresAt in byId (Infinity when empty): purge scans only when it has passed */
  nextExpiry: number;
}

interface HeldEntry {
  pendingKey: string;
  metric: LimitRequest["metric"];
  counterKey: string;
  counterExpireAt: number | null;
}

const SWEEP_EVERY_MS = 60_000;
export const DEFAULT_RESERVATION_TTL_MS = 15 * 60 * 1000;

export class MemoryLimiter implements Limiter {
  private readonly counters = new Map<string, Counter>();
  private readonly pending = new Map<string, PendingSet>();
  private readonly held = new Map<string, { entries: HeldEntry[]; expiresAt: number }>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private nextSweep = 0;

  constructor(options: MemoryLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  }

  async reserve(requests: readonly LimitRequest[], options: ReserveOptions = {}): Promise<ReserveResult> {
    return this.reserveSync(requests, options);
  }

  /** Synchronous core (ResilientLimiter's fallback uses it directly). */
  reserveSync(requests: readonly LimitRequest[], options: ReserveOptions = {}): ReserveResult {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    const n = requests.length;
    const layouts: CounterLayout[] = new Array(n);
    const states: CounterState[] = new Array(n);
    const oks: boolean[] = new Array(n);
    let allOk = true;
    for (let i = 0; i < n; i++) {
      const req = requests[i] as LimitRequest;
      const lay = layoutFor(req, now);
      const pend = this.pendingFor(pendingKey(req, lay), now);
      const st: CounterState = {
        cur: this.counterValue(counterKey(req.id, lay.curStart), now),
        prev: lay.prevStart === null ? 0 : this.counterValue(counterKey(req.id, lay.prevStart), now),
        pending: pend?.sum ?? 0,
      };
      layouts[i] = lay;
      states[i] = st;
      const ok = fits(req, lay, st, now);
      oks[i] = ok;
      if (!ok) allOk = false;
    }

    let reservationId: string | null = null;
    if (allOk && n > 0) {
      reservationId = randomId("res_");
      const expiresAt = now + (options.ttlMs ?? this.ttlMs);
      const entries: HeldEntry[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const req = requests[i] as LimitRequest;
        const lay = layouts[i] as CounterLayout;
        const pk = pendingKey(req, lay);
        let set = this.pending.get(pk);
        if (!set) {
          set = { sum: 0, byId: new Map(), nextExpiry: Number.POSITIVE_INFINITY };
          this.pending.set(pk, set);
        }
        set.byId.set(reservationId, { amount: req.cost, expiresAt });
        set.sum += req.cost;
        if (expiresAt < set.nextExpiry) set.nextExpiry = expiresAt;
        entries[i] = {
          pendingKey: pk,
          metric: req.metric,
          counterKey: counterKey(req.id, lay.curStart),
          counterExpireAt: lay.expireAt,
        };
      }
      this.held.set(reservationId, { entries, expiresAt });
    }

    let retryAfterMs: number | null = 0;
    const results = requests.map((req, i) => {
      const r = resultFor(req, layouts[i] as CounterLayout, states[i] as CounterState, now, oks[i] as boolean, allOk);
      if (!r.ok) retryAfterMs = r.retryAfterMs === null || retryAfterMs === null ? null : Math.max(retryAfterMs, r.retryAfterMs);
      return r;
    });
    return { ok: allOk, reservationId, results, retryAfterMs: allOk ? null : retryAfterMs };
  }

  async settle(reservationId: string, usage: ActualUsage): Promise<void> {
    this.finish(reservationId, usage);
  }

  async release(reservationId: string): Promise<void> {
    this.finish(reservationId, null);
  }

  /** Counts usage against limits without a reservation (fallback bookkeeping, tests). */
  finish(reservationId: string, usage: ActualUsage | null): void {
    const held = this.held.get(reservationId);
    if (!held) return;
    this.held.delete(reservationId);
    const now = this.now();
    for (const e of held.entries) {
      const set = this.pending.get(e.pendingKey);
      const p = set?.byId.get(reservationId);
      if (set && p) {
        set.byId.delete(reservationId);
        set.sum -= p.amount;
      }
      if (usage) {
        const units = unitsFor(e.metric, usage);
        if (units !== 0) {
          const c = this.counters.get(e.counterKey);
          if (c && (c.expireAt === null || c.expireAt > now)) c.value += units;
          else this.counters.set(e.counterKey, { value: units, expireAt: e.counterExpireAt });
        }
      }
    }
  }

  /** Test/diagnostic view of one counter: settled usage of the current bucket/period and pending reservations. */
  inspect(req: LimitRequest): { used: number; pending: number } {
    const now = this.now();
    const lay = layoutFor(req, now);
    return {
      used: this.counterValue(counterKey(req.id, lay.curStart), now),
      pending: this.pendingFor(pendingKey(req, lay), now)?.sum ?? 0,
    };
  }

  private counterValue(key: string, now: number): number {
    const c = this.counters.get(key);
    if (!c) return 0;
    if (c.expireAt !== null && c.expireAt <= now) {
      this.counters.delete(key);
      return 0;
    }
    return c.value;
  }

  private pendingFor(key: string, now: number): PendingSet | undefined {
    const set = this.pending.get(key);
    if (set && now >= set.nextExpiry) {
      let next = Number.POSITIVE_INFINITY;
      for (const [id, p] of set.byId) {
        if (p.expiresAt <= now) {
          set.byId.delete(id);
          set.sum -= p.amount;
        } else if (p.expiresAt < next) next = p.expiresAt;
      }
      set.nextExpiry = next;
    }
    return set;
  }

  private sweep(now: number): void {
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [k, c] of this.counters) if (c.expireAt !== null && c.expireAt <= now) this.counters.delete(k);
    for (const [id] of this.pending) {
      const set = this.pendingFor(id, now);
      if (set && set.byId.size === 0) this.pending.delete(id);
    }
    for (const [id, h] of this.held) if (h.expiresAt + COUNTER_GRACE_MS <= now) this.held.delete(id);
  }
}

function counterKey(limitId: string, start: number): string {
  return `${limitId}|${start}`;
}

/** Pending reservations are kept per limit (sliding) or per limit and period (calendar). */
function pendingKey(req: LimitRequest, lay: CounterLayout): string {
  return req.window.kind === "sliding" ? req.id : `${req.id}|${lay.curStart}`;
}
