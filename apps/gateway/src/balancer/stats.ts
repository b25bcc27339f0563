// Runtime statistics per target, shared by the balancers that need them (least connections, lowest latency) and the
// health snapshot. One table per gateway process (HealthRegistry.stats); target ids are unique across routes.

import type { AttemptStats } from "./types.ts";

export interface TargetRuntimeStats {
  inFlight: number;
  /** EWMA of whole-attempt latency (failures fed in as a penalty, see `end`) */
  ewmaLatencyMs: number | undefined;
  /** EWMA of time to first token, from streamed attempts */
  ewmaTtftMs: number | undefined;
  requests: number;
  failures: number;
  lastLatencyMs: number | undefined;
}

export interface TargetStatsOptions {
  /** EWMA smoothing factor: weight of the newest sample (default 0.3) */
  alpha?: number;
}

export class TargetStatsTable {
  readonly alpha: number;
  readonly #byId = new Map<string, TargetRuntimeStats>();

  constructor(options: TargetStatsOptions = {}) {
    this.alpha = options.alpha ?? 0.3;
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError("alpha must be in (0, 1]");
  }

  get(targetId: string): TargetRuntimeStats {
    let s = this.#byId.get(targetId);
    if (!s) {
      s = { inFlight: 0, ewmaLatencyMs: undefined, ewmaTtftMs: undefined, requests: 0, failures: 0, lastLatencyMs: undefined };
      this.#byId.set(targetId, s);
    }
    return s;
  }

  /** read without creating */
  peek(targetId: string): TargetRuntimeStats | undefined {
    return this.#byId.get(targetId);
  }

  start(targetId: string): void {
    const s = this.get(targetId);
    s.inFlight++;
    s.requests++;
  }

  /**
   * An attempt ended. A failure feeds max(latency, 2 x average) so a target that fails fast never looks fast.
   * Without `latencyMs` only the in-flight count moves.
   */
  end(targetId: string, stats: AttemptStats): void {
    const s = this.get(targetId);
    if (s.inFlight > 0) s.inFlight--;
    if (!stats.ok) s.failures++;
    if (stats.latencyMs !== undefined && Number.isFinite(stats.latencyMs)) {
      const prev = s.ewmaLatencyMs;
      const sample = stats.ok ? stats.latencyMs : Math.max(stats.latencyMs, (prev ?? stats.latencyMs) * 2);
      s.ewmaLatencyMs = prev === undefined ? sample : prev + this.alpha * (sample - prev);
      s.lastLatencyMs = stats.latencyMs;
    }
    if (stats.ttftMs !== undefined && Number.isFinite(stats.ttftMs)) {
      const prev = s.ewmaTtftMs;
      s.ewmaTtftMs = prev === undefined ? stats.ttftMs : prev + this.alpha * (stats.ttftMs - prev);
    }
  }

  /** forget targets no longer configured */
  retain(targetIds: ReadonlySet<string>): void {
    for (const id of this.#byId.keys()) if (!targetIds.has(id)) this.#byId.delete(id);
  }
}
