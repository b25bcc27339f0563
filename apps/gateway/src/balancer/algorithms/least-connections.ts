// Least connections: the target with the fewest in-flight attempts relative to its weight (in-flight / weight,
// compared by cross-multiplication). Ties go to the higher weight, then rotate by smooth weighted round-robin so
// idle targets share sequential traffic.

import type { TargetStatsTable } from "../stats.ts";
import type { BalancerTarget, SelectionContext } from "../types.ts";
import { BaseBalancer } from "./base.ts";
import { SmoothWeightedRoundRobin } from "./weighted-round-robin.ts";

export class LeastConnectionsBalancer<T extends BalancerTarget> extends BaseBalancer<T> {
  readonly algorithm = "least-connections" as const;
  readonly #wrr = new SmoothWeightedRoundRobin();

  constructor(stats?: TargetStatsTable) {
    super(stats);
  }

  async select(targets: readonly T[], _ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined> {
    let best: T | undefined;
    let bestConns = 0;
    for (const t of targets) {
      if (t.weight <= 0 || exclude.has(t.id)) continue;
      const conns = this.stats.peek(t.id)?.inFlight ?? 0;
      if (best === undefined) {
        best = t;
        bestConns = conns;
        continue;
      }
      const lhs = conns * best.weight;
      const rhs = bestConns * t.weight;
      if (lhs < rhs || (lhs === rhs && t.weight > best.weight)) {
        best = t;
        bestConns = conns;
      }
    }
    if (best === undefined) return undefined;
    const bw = best.weight;
    const bc = bestConns;
    return this.#wrr.pick(targets, exclude, (t) => t.weight === bw && (this.stats.peek(t.id)?.inFlight ?? 0) === bc);
  }
}
