// Prometheus counters of policies and caching, on the app's registry (plugins/metrics.ts):
//   sluice_cache_lookups_total{backend,status}      hit | semantic-hit | miss | bypass
//   sluice_cache_stores_total{backend}              answers stored
//   sluice_cache_errors_total{backend,op}           backend / embed failures (lookups fail open as misses)
//   sluice_limiter_fallback_total{op,mode}          shared limiter unreachable: open = counted locally, closed = 429
//   sluice_policy_denials_total{route,code}         requests refused by a policy, limit or budget
// Labels are bounded: backends, statuses and ops are fixed sets; codes come from the policy code table (custom
// policies add their own few); route names come from the config.

import { Counter, type Registry } from "prom-client";

export class GovernanceMetrics {
  private readonly lookups: Counter;
  private readonly stores: Counter;
  private readonly errors: Counter;
  private readonly fallbacks: Counter;
  private readonly denials: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.lookups = new Counter({
      name: "sluice_cache_lookups_total",
      help: "Response cache lookups by outcome (hit, semantic-hit, miss, bypass)",
      labelNames: ["backend", "status"],
      registers,
    });
    this.stores = new Counter({
      name: "sluice_cache_stores_total",
      help: "Answers stored in the response cache",
      labelNames: ["backend"],
      registers,
    });
    this.errors = new Counter({
      name: "sluice_cache_errors_total",
      help: "Cache backend, vector store and embedding failures (the request continues as a miss)",
      labelNames: ["backend", "op"],
      registers,
    });
    this.fallbacks = new Counter({
      name: "sluice_limiter_fallback_total",
      help: "Shared limiter unreachable: mode open = admitted and counted in process, closed = refused",
      labelNames: ["op", "mode"],
      registers,
    });
    this.denials = new Counter({
      name: "sluice_policy_denials_total",
      help: "Requests refused by a policy, rate limit or budget, by code",
      labelNames: ["route", "code"],
      registers,
    });
  }

  cacheLookup(backend: string, status: string): void {
    this.lookups.inc({ backend, status });
  }
  cacheStore(backend: string): void {
    this.stores.inc({ backend });
  }
  cacheError(backend: string, op: string): void {
    this.errors.inc({ backend, op });
  }
  limiterFallback(op: string, mode: string): void {
    this.fallbacks.inc({ op, mode });
  }
  denial(route: string, code: string): void {
    this.denials.inc({ route, code });
  }
}
