// One factory from a route's stored balancer config (RouteBalancer, zod-parsed) to a Balancer instance. Build it
// once per config snapshot; per-request work is then `select` only.

import type { RouteBalancer } from "@sluice/db/schemas";
import { ConsistentHashBalancer, DEFAULT_VNODES } from "./algorithms/consistent-hash.ts";
import { LeastConnectionsBalancer } from "./algorithms/least-connections.ts";
import { LowestLatencyBalancer } from "./algorithms/lowest-latency.ts";
import { LowestUsageBalancer } from "./algorithms/lowest-usage.ts";
import { PriorityBalancer } from "./algorithms/priority.ts";
import { type EmbedFn, SemanticBalancer } from "./algorithms/semantic.ts";
import { WeightedRoundRobinBalancer } from "./algorithms/weighted-round-robin.ts";
import { systemClock } from "./random.ts";
import type { TargetStatsTable } from "./stats.ts";
import type { Balancer, BalancerTarget, Clock } from "./types.ts";
import { MemoryUsageWindowStore, type UsageWindowStore } from "./usage-window.ts";

export interface BalancerDeps {
  /** shared runtime stats (pass HealthRegistry.stats so the health snapshot sees in-flight and latency) */
  stats?: TargetStatsTable;
  /** lowest-usage: where usage is counted (Redis to share across nodes); default an in-memory store (one node) */
  usageStore?: UsageWindowStore;
  /** lowest-usage: counter scope, normally the route id */
  usageScope?: string;
  /** lowest-usage: reuse totals read less than this long ago (default 0) */
  usageReadCacheMs?: number;
  /** semantic: embeds texts with the route's embeddings target (required for the semantic algorithm) */
  embed?: EmbedFn;
  clock?: Clock;
  /** store / embedder failures (selection degrades instead of failing) */
  onError?: (err: unknown, where: "usage-store" | "embed") => void;
}

export class BalancerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BalancerConfigError";
  }
}

export function createBalancer<T extends BalancerTarget>(config: RouteBalancer, deps: BalancerDeps = {}): Balancer<T> {
  const { stats } = deps;
  switch (config.algorithm) {
    case "round-robin":
      return new WeightedRoundRobinBalancer<T>(stats);
    case "consistent-hash":
      return new ConsistentHashBalancer<T>(config.hashOn, config.vnodes ?? DEFAULT_VNODES, stats);
    case "least-connections":
      return new LeastConnectionsBalancer<T>(stats);
    case "lowest-latency":
      return new LowestLatencyBalancer<T>(config.probeShare, stats);
    case "lowest-usage":
      return new LowestUsageBalancer<T>({
        store: deps.usageStore ?? new MemoryUsageWindowStore(),
        scope: deps.usageScope ?? "default",
        metric: config.usageMetric,
        windowMs: config.usageWindowMs,
        readCacheMs: deps.usageReadCacheMs,
        clock: deps.clock ?? systemClock,
        onError: deps.onError ? (err) => deps.onError?.(err, "usage-store") : undefined,
        stats,
      });
    case "priority":
      return new PriorityBalancer<T>(stats);
    case "semantic": {
      if (!deps.embed) throw new BalancerConfigError("the semantic algorithm needs an embed function");
      return new SemanticBalancer<T>({
        embed: deps.embed,
        threshold: config.semantic?.threshold ?? 0.5,
        fallbackTargetId: config.semantic?.fallbackTargetId,
        onError: deps.onError ? (err) => deps.onError?.(err, "embed") : undefined,
        stats,
      });
    }
  }
}
