// Lowest usage: the target with the fewest tokens (or least cost) over a recent sliding window, relative to its
// weight, wins; ties go to fewer in-flight attempts, then the higher weight. Usage lives in a UsageWindowStore (Redis
// to share it across nodes). Reads may be cached for `readCacheMs` to spare a round trip per request; this node's own
// usage is added to the cached totals at once. A store failure never fails the request: the last totals (or zeros)
// are used and `onError` is told.

import type { TargetStatsTable } from "../stats.ts";
import type { AttemptStats, BalancerTarget, Clock, SelectionContext } from "../types.ts";
import type { UsageWindowStore } from "../usage-window.ts";
import { BaseBalancer, memoByArray } from "./base.ts";

export interface LowestUsageOptions {
  store: UsageWindowStore;
  /** usage counters are kept per scope (the route id) */
  scope: string;
  metric: "tokens" | "cost";
  windowMs: number;
  /** reuse totals read less than this long ago (default 0: read on every selection) */
  readCacheMs?: number;
  /** clock for recording usage in onEnd (selection uses the context's clock) */
  clock: Clock;
  onError?: (err: unknown) => void;
  stats?: TargetStatsTable;
}

interface MemberIndex {
  members: string[];
  indexById: Map<string, number>;
}

interface CachedTotals {
  targets: readonly BalancerTarget[];
  at: number;
  totals: number[];
}

export class LowestUsageBalancer<T extends BalancerTarget> extends BaseBalancer<T> {
  readonly algorithm = "lowest-usage" as const;
  readonly #o: LowestUsageOptions;
  readonly #index: (targets: readonly T[]) => MemberIndex;
  #cache: CachedTotals | undefined;

  constructor(options: LowestUsageOptions) {
    super(options.stats);
    this.#o = options;
    this.#index = memoByArray((targets) => ({
      members: targets.map((t) => this.member(t.id)),
      indexById: new Map(targets.map((t, i) => [t.id, i])),
    }));
  }

  member(targetId: string): string {
    return `${this.#o.metric}:${targetId}`;
  }

  async #totals(targets: readonly T[], now: number): Promise<number[]> {
    const cached = this.#cache;
    const readCacheMs = this.#o.readCacheMs ?? 0;
    if (cached !== undefined && cached.targets === targets && now - cached.at < readCacheMs) return cached.totals;
    try {
      const totals = await this.#o.store.totals(this.#o.scope, this.#index(targets).members, this.#o.windowMs, now);
      this.#cache = { targets, at: now, totals };
      return totals;
    } catch (err) {
      this.#o.onError?.(err);
      return cached !== undefined && cached.targets === targets ? cached.totals : new Array<number>(targets.length).fill(0);
    }
  }

  async select(targets: readonly T[], ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined> {
    const totals = await this.#totals(targets, ctx.clock.now());
    let best: T | undefined;
    let bestScore = 0;
    let bestInFlight = 0;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i] as T;
      if (t.weight <= 0 || exclude.has(t.id)) continue;
      const score = (totals[i] ?? 0) / t.weight;
      const inFlight = this.stats.peek(t.id)?.inFlight ?? 0;
      if (
        best === undefined ||
        score < bestScore ||
        (score === bestScore && (inFlight < bestInFlight || (inFlight === bestInFlight && t.weight > best.weight)))
      ) {
        best = t;
        bestScore = score;
        bestInFlight = inFlight;
      }
    }
    return best;
  }

  override onEnd(targetId: string, stats: AttemptStats): void {
    super.onEnd(targetId, stats);
    const amount = this.#o.metric === "tokens" ? stats.tokens : stats.cost;
    if (amount === undefined || !(amount > 0)) return;
    const cached = this.#cache;
    if (cached !== undefined) {
      const i = this.#index(cached.targets as readonly T[]).indexById.get(targetId);
      if (i !== undefined) cached.totals[i] = (cached.totals[i] ?? 0) + amount;
    }
    this.#o.store
      .add(this.#o.scope, this.member(targetId), amount, this.#o.clock.now(), this.#o.windowMs)
      .catch((err: unknown) => this.#o.onError?.(err));
  }

  /** for tests and graceful shutdown: wait until recorded usage reached the store */
  async record(targetId: string, amount: number, atMs: number): Promise<void> {
    await this.#o.store.add(this.#o.scope, this.member(targetId), amount, atMs, this.#o.windowMs);
  }
}
