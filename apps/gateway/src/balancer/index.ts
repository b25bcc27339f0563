// Public surface of the balancer for the gateway pipeline. Pure: no Fastify, no HTTP. See route-balancing.ts for the
// per-route entry point and attempt-plan.ts for the attempt loop.

export { buildHashRing, ConsistentHashBalancer, extractHashKey, lookupRing } from "./algorithms/consistent-hash.ts";
export { LeastConnectionsBalancer } from "./algorithms/least-connections.ts";
export { LowestLatencyBalancer } from "./algorithms/lowest-latency.ts";
export { LowestUsageBalancer } from "./algorithms/lowest-usage.ts";
export { PriorityBalancer } from "./algorithms/priority.ts";
export { type EmbedFn, SemanticBalancer } from "./algorithms/semantic.ts";
export { SmoothWeightedRoundRobin, WeightedRoundRobinBalancer } from "./algorithms/weighted-round-robin.ts";
export * from "./attempt-plan.ts";
export * from "./circuit-breaker.ts";
export * from "./create-balancer.ts";
export * from "./failover.ts";
export * from "./health.ts";
export { createSeededRng, hash32, systemClock, systemRng } from "./random.ts";
export { RedisUsageWindowStore } from "./redis-usage-window.ts";
export * from "./route-balancing.ts";
export * from "./routing-rules.ts";
export * from "./stats.ts";
export type * from "./types.ts";
export { MemoryUsageWindowStore, type UsageWindowStore } from "./usage-window.ts";
