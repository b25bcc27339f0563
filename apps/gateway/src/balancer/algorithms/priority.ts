// Priority tiers: targets are grouped by `priority` (lower first). A tier is used while any of its targets is
// eligible (not excluded: breaker open, cooling down, or already tried); only when the whole tier is unavailable does
// selection fall to the next tier. Within a tier, smooth weighted round-robin.

import type { TargetStatsTable } from "../stats.ts";
import type { BalancerTarget, SelectionContext } from "../types.ts";
import { BaseBalancer, memoByArray } from "./base.ts";
import { SmoothWeightedRoundRobin } from "./weighted-round-robin.ts";

export function groupByPriority<T extends BalancerTarget>(targets: readonly T[]): T[][] {
  const tiers = new Map<number, T[]>();
  for (const t of targets) {
    const tier = tiers.get(t.priority);
    if (tier) tier.push(t);
    else tiers.set(t.priority, [t]);
  }
  return [...tiers.entries()].sort((a, b) => a[0] - b[0]).map(([, members]) => members);
}

export class PriorityBalancer<T extends BalancerTarget> extends BaseBalancer<T> {
  readonly algorithm = "priority" as const;
  readonly #wrr = new SmoothWeightedRoundRobin();
  readonly #tiers = memoByArray<T, T[][]>(groupByPriority);

  constructor(stats?: TargetStatsTable) {
    super(stats);
  }

  async select(targets: readonly T[], _ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined> {
    for (const tier of this.#tiers(targets)) {
      const picked = this.#wrr.pick(tier, exclude);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
}
