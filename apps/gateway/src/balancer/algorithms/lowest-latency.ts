// Lowest latency: the target with the lowest EWMA latency (time to first token for streamed requests) wins, except
// that a `probeShare` of requests goes to one of the others (weighted random) so a slow target that became fast is
// noticed. A target never measured is tried once first (one exploring attempt at a time). Failures feed a penalty
// into the average (see TargetStatsTable.end), so a target that errors fast does not look fast.

import type { TargetRuntimeStats, TargetStatsTable } from "../stats.ts";
import type { BalancerTarget, SelectionContext } from "../types.ts";
import { BaseBalancer } from "./base.ts";

function scoreOf(s: TargetRuntimeStats | undefined, stream: boolean): number | undefined {
  if (s === undefined) return undefined;
  return stream ? (s.ewmaTtftMs ?? s.ewmaLatencyMs) : (s.ewmaLatencyMs ?? s.ewmaTtftMs);
}

export class LowestLatencyBalancer<T extends BalancerTarget> extends BaseBalancer<T> {
  readonly algorithm = "lowest-latency" as const;

  constructor(
    readonly probeShare: number,
    stats?: TargetStatsTable,
  ) {
    super(stats);
    if (!(probeShare >= 0 && probeShare < 1)) throw new RangeError("probeShare must be in [0, 1)");
  }

  async select(targets: readonly T[], ctx: SelectionContext, exclude: ReadonlySet<string>): Promise<T | undefined> {
    const stream = ctx.stream === true;
    let best: T | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    let bestInFlight = 0;
    let eligible = 0;
    let eligibleWeight = 0;
    for (const t of targets) {
      if (t.weight <= 0 || exclude.has(t.id)) continue;
      eligible++;
      eligibleWeight += t.weight;
      const s = this.stats.peek(t.id);
      const inFlight = s?.inFlight ?? 0;
      const measured = scoreOf(s, stream);
      // unmeasured: explore it now if nobody else is, otherwise rank it last
      const score = measured ?? (inFlight === 0 ? -1 : Number.POSITIVE_INFINITY);
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
    if (best === undefined || eligible < 2 || this.probeShare === 0) return best;
    if (ctx.rng() >= this.probeShare) return best;
    // probe: weighted random among the eligible targets other than the best
    const others = eligibleWeight - best.weight;
    let r = ctx.rng() * others;
    for (const t of targets) {
      if (t === best || t.weight <= 0 || exclude.has(t.id)) continue;
      r -= t.weight;
      if (r < 0) return t;
    }
    return best;
  }
}
