import { TargetStatsTable } from "../stats.ts";
import type { AttemptStats, Balancer, BalancerAlgorithm, BalancerTarget, SelectionContext } from "../types.ts";

/** Shared plumbing: every balancer keeps in-flight counts and latency averages in a (possibly shared) stats table. */
export abstract class BaseBalancer<T extends BalancerTarget> implements Balancer<T> {
  abstract readonly algorithm: BalancerAlgorithm;
  readonly stats: TargetStatsTable;

  constructor(stats?: TargetStatsTable) {
    this.stats = stats ?? new TargetStatsTable();
  }

  abstract select(targets: readonly T[], ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined>;

  onStart(targetId: string): void {
    this.stats.start(targetId);
  }

  onEnd(targetId: string, stats: AttemptStats): void {
    this.stats.end(targetId, stats);
  }
}

/** Per-target-array memo: routes pass the same (snapshot-owned) arrays on every request, so derived structures are
 * built once per config swap. A new array (new snapshot) simply gets a new entry; the old one is collected. */
export function memoByArray<T extends object, R>(build: (targets: readonly T[]) => R): (targets: readonly T[]) => R {
  const cache = new WeakMap<readonly T[], R>();
  return (targets) => {
    let r = cache.get(targets);
    if (r === undefined) {
      r = build(targets);
      cache.set(targets, r);
    }
    return r;
  };
}
