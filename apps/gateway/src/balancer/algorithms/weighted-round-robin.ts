// Smooth weighted round-robin (nginx): every pick adds each eligible target's weight to its running score, takes
// the highest, and subtracts the round's total from the winner. Deterministic, spreads picks evenly (weights 5,1,1
// give a a b a c a a, not a a a a a b c), O(targets) per pick, no allocation.

import type { TargetStatsTable } from "../stats.ts";
import type { BalancerTarget, SelectionContext } from "../types.ts";
import { BaseBalancer } from "./base.ts";

export class SmoothWeightedRoundRobin {
  readonly #current = new Map<string, number>();

  /**
   * Pick among `targets` minus `exclude` (and minus those `accept` refuses). Targets of weight 0 are never picked.
   */
  pick<T extends BalancerTarget>(targets: readonly T[], exclude: ReadonlySet<string>, accept?: (t: T) => boolean): T | undefined {
    let total = 0;
    let best: T | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const t of targets) {
      if (t.weight <= 0 || exclude.has(t.id) || (accept !== undefined && !accept(t))) continue;
      const score = (this.#current.get(t.id) ?? 0) + t.weight;
      this.#current.set(t.id, score);
      total += t.weight;
      if (score > bestScore) {
        best = t;
        bestScore = score;
      }
    }
    if (best !== undefined) this.#current.set(best.id, bestScore - total);
    return best;
  }
}

export class WeightedRoundRobinBalancer<T extends BalancerTarget> extends BaseBalancer<T> {
  readonly algorithm = "round-robin" as const;
  readonly #wrr = new SmoothWeightedRoundRobin();

  constructor(stats?: TargetStatsTable) {
    super(stats);
  }

  async select(targets: readonly T[], _ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined> {
    return this.#wrr.pick(targets, exclude);
  }
}
