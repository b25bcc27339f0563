// The counting rules shared by MemoryLimiter and RedisLimiter (whose Lua script mirrors `fits` line for line).
//
// Sliding windows use the two-bucket sliding-window counter (as Cloudflare and Kong do): fixed buckets of the window's
// length; the estimate at time t inside bucket [s, s + w) is
//     used(t) = prev * (w - (t - s)) / w + cur
// i.e. the previous bucket weighted by how much of it still overlaps the window. O(1) memory per counter, exact at
// bucket edges, and at most the previous bucket's unevenness off in between. Calendar periods (budgets) are one
// counter per period.
//
// Each counter also has pending reservations (worst cases not yet settled). A request fits when
//     used + pending + cost <= limit + burst
// (and, for a zero-cost request, when the counter is not already full). Settled usage goes into the bucket/period
// the reservation was made in.

import type { LimitRequest, LimitResult } from "./types.ts";

export interface CounterLayout {
  /** start of the current bucket (sliding) or period */
  curStart: number;
  /** sliding: the previous bucket's start; null for periods */
  prevStart: number | null;
  /** when the counter of the current bucket/period may be deleted (ms epoch); null = never */
  expireAt: number | null;
}

export interface CounterState {
  cur: number;
  prev: number;
  pending: number;
}

/** Grace after a bucket/period ends before its counter is dropped (late settles still land in it). */
export const COUNTER_GRACE_MS = 60 * 60 * 1000;

export function layoutFor(req: LimitRequest, now: number): CounterLayout {
  if (req.window.kind === "sliding") {
    const w = req.window.ms;
    const curStart = Math.floor(now / w) * w;
    return { curStart, prevStart: curStart - w, expireAt: curStart + 2 * w + COUNTER_GRACE_MS };
  }
  return {
    curStart: req.window.start,
    prevStart: null,
    expireAt: req.window.end === null ? null : req.window.end + COUNTER_GRACE_MS,
  };
}

export function capacityOf(req: LimitRequest): number {
  return req.limit + (req.burst ?? 0);
}

/** Estimated settled usage of the window at `now`. */
export function usedAt(req: LimitRequest, lay: CounterLayout, st: CounterState, now: number): number {
  if (req.window.kind !== "sliding") return st.cur;
  const w = req.window.ms;
  return (st.prev * (w - (now - lay.curStart))) / w + st.cur;
}

export function fits(req: LimitRequest, lay: CounterLayout, st: CounterState, now: number): boolean {
  if (req.enforce === false) return true;
  const cap = capacityOf(req);
  const taken = usedAt(req, lay, st, now) + st.pending;
  return taken + req.cost <= cap && (req.cost > 0 || taken < cap);
}

/** The result for one limit, given the counter state read before the reservation and whether it was admitted. */
export function resultFor(
  req: LimitRequest,
  lay: CounterLayout,
  st: CounterState,
  now: number,
  ok: boolean,
  admitted: boolean,
): LimitResult {
  const cap = capacityOf(req);
  const taken = usedAt(req, lay, st, now) + st.pending + (admitted ? req.cost : 0);
  const remaining = Math.max(0, Math.floor(cap - taken));
  let resetAt: number | null;
  if (req.window.kind === "sliding") {
    const w = req.window.ms;
    resetAt = st.cur > 0 || admitted ? lay.curStart + 2 * w : st.prev > 0 ? lay.curStart + w : now;
  } else {
    resetAt = req.window.end;
  }
  return {
    id: req.id,
    name: req.name,
    source: req.source,
    metric: req.metric,
    ok,
    limit: cap,
    remaining,
    resetAt,
    retryAfterMs: ok ? null : retryAfterFor(req, lay, st, now),
  };
}

/** ms until `req.cost` would fit if nothing else arrived (pending reservations assumed to stay); null = never. */
export function retryAfterFor(req: LimitRequest, lay: CounterLayout, st: CounterState, now: number): number | null {
  const cap = capacityOf(req);
  if (req.cost > cap) return null;
  if (req.window.kind === "period") {
    return req.window.end === null ? null : Math.max(1, req.window.end - now);
  }
  const w = req.window.ms;
  // a zero-cost request needs at least one free unit
  const need = Math.max(req.cost, 1);
  const room = cap - st.cur - st.pending - need;
  let at: number;
  if (room >= 0) {
    // wait until prev's weight has decayed enough within the current bucket
    at = st.prev > 0 ? lay.curStart + w * (1 - room / st.prev) : now;
  } else {
    // wait for the bucket roll-over; then the current bucket becomes the decaying previous one
    const room2 = cap - st.pending - need;
    if (room2 < 0) return lay.curStart + 2 * w - now; // pending reservations block: the worst case
    at = lay.curStart + w + (st.cur > 0 ? w * Math.max(0, 1 - room2 / st.cur) : 0);
  }
  return Math.max(1, Math.ceil(at - now));
}
