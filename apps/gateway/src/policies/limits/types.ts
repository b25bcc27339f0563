// The limiter contract (STYLE.md convention 6, widened to reservations): one call reserves a request's worst case
// against EVERY applicable limit at once, all or nothing; `settle` replaces the reservation by the real usage;
// `release` gives it back. Implementations: RedisLimiter (one Lua script, shared by all gateway nodes),
// MemoryLimiter (one process, identical semantics), ResilientLimiter (Redis with a fail-open/closed fallback).
//
// Units are integers: requests, tokens, or money in nano-units (1e-9 of the currency; see ../budget/money.ts).
// A denied limit is a returned value. The pipeline holds a limiter whose methods never reject (MemoryLimiter, or
// ResilientLimiter around RedisLimiter); RedisLimiter alone rejects when Redis fails, so that the wrapper can apply
// each limit's fail mode.

export type LimitMetric = "requests" | "tokens" | "prompt_tokens" | "completion_tokens" | "cost";

/** How a counter's window is laid out. */
export type LimitWindow =
  /** two-bucket sliding-window counter of `ms` (see window.ts for the estimate) */
  | { kind: "sliding"; ms: number }
  /** fixed calendar period [start, end); `end` null = never resets (budget period "total") */
  | { kind: "period"; start: number; end: number | null };

export interface LimitRequest {
  /**
   * Stable id of the counter, unique per limit and subject: e.g. `pol_1:consumer:con_9` or `bud_3:team:team_2`.
   * Becomes part of the storage key; must not contain `{` or `}`.
   */
  id: string;
  /** human name for messages: the policy's or budget's name */
  name: string;
  /** "rate-limit" policies answer `rate_limit_exceeded`; budgets answer `budget_exceeded` */
  source: "rate-limit" | "budget";
  metric: LimitMetric;
  /** the limit in units (integer) */
  limit: number;
  /** extra units admitted above `limit` for spikes; capacity = limit + burst (default 0) */
  burst?: number;
  window: LimitWindow;
  /** worst-case units to reserve for this request (integer >= 0) */
  cost: number;
  /** false: count usage but never deny (a downgraded request still spends the budget that downgraded it) */
  enforce?: boolean;
  /** what to do when the shared store is unreachable (ResilientLimiter) */
  failMode?: "open" | "closed";
}

export interface LimitResult {
  id: string;
  name: string;
  source: LimitRequest["source"];
  metric: LimitMetric;
  /** whether this limit admitted the request */
  ok: boolean;
  /** capacity: limit + burst */
  limit: number;
  /** units left after this reservation (0 when denied and full) */
  remaining: number;
  /** ms epoch when the counter is back to full capacity if nothing else arrives; null = never (total budgets) */
  resetAt: number | null;
  /** denied only: ms until this request's cost would fit; null when it never will (cost > capacity, total budget) */
  retryAfterMs: number | null;
}

export interface ReserveResult {
  /** true when every enforced limit admitted the request (then all were reserved; else none was) */
  ok: boolean;
  /** present when ok (and there was at least one request); pass to settle/release */
  reservationId: string | null;
  /** one per request, same order */
  results: LimitResult[];
  /** the largest retry-after among denied limits (null: a denied limit never frees up) */
  retryAfterMs: number | null;
  /** set by ResilientLimiter when the shared store was bypassed: "local" = counted in process, "denied" = fail-closed */
  degraded?: "local" | "denied";
}

/** Real usage of one request; each limit takes what its metric counts. */
export interface ActualUsage {
  /** requests to count (1, or 0 for a request that should not count: e.g. rejected before reaching a provider) */
  requests?: number;
  promptTokens: number;
  completionTokens: number;
  /** nano-units; null/undefined counts 0 */
  costNano?: bigint | number | null;
}

export interface ReserveOptions {
  /** how long an unsettled reservation holds capacity before it is dropped (a dead node); default from the limiter */
  ttlMs?: number;
}

export interface Limiter {
  reserve(requests: readonly LimitRequest[], options?: ReserveOptions): Promise<ReserveResult>;
  /** replace the reservation by the real usage; unknown/expired ids still count the usage */
  settle(reservationId: string, usage: ActualUsage): Promise<void>;
  /** give the reservation back (errors before any token was produced) */
  release(reservationId: string): Promise<void>;
}

/** Hooks for what operators must see when the limiter degrades. */
export interface LimiterHooks {
  /** metric hook: a counter `sluice_limiter_fallback_total{op,mode}` in the pipeline */
  onFallback?(event: { op: "reserve" | "settle" | "release"; mode: "open" | "closed"; reason: string }): void;
  /** log hook (pino's `warn` fits) */
  log?(message: string, fields: Record<string, unknown>): void;
}

/** Units of `usage` a limit with `metric` counts. */
export function unitsFor(metric: LimitMetric, usage: ActualUsage): number {
  switch (metric) {
    case "requests":
      return usage.requests ?? 1;
    case "tokens":
      return usage.promptTokens + usage.completionTokens;
    case "prompt_tokens":
      return usage.promptTokens;
    case "completion_tokens":
      return usage.completionTokens;
    case "cost":
      return usage.costNano == null ? 0 : Number(usage.costNano);
  }
}
