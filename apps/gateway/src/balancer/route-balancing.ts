// The entry point for the pipeline: one RouteBalancing per route per config snapshot bundles the compiled routing
// rules / split, the route's balancer and its retry policy. Per request: `plan(ctx)` (rules -> subset -> attempts).

import type { RouteBalancer, RouteOptions } from "@sluice/db/schemas";
import { AttemptPlan, type RetryConfig } from "./attempt-plan.ts";
import { type BalancerDeps, createBalancer } from "./create-balancer.ts";
import type { HealthRegistry, TargetRegistration } from "./health.ts";
import { type RoutingChoice, RoutingTable } from "./routing-rules.ts";
import type { Balancer, BalancerTarget, SelectionContext } from "./types.ts";

export interface RouteBalancingConfig<T extends BalancerTarget> {
  routeId: string;
  /** the route's enabled targets, in position order */
  targets: readonly T[];
  balancer: RouteBalancer;
  retry: RetryConfig;
  options?: Pick<RouteOptions, "rules" | "split">;
}

export interface RouteBalancingDeps extends BalancerDeps {
  /** the process-wide health registry (its stats are used unless `stats` is given) */
  health?: HealthRegistry;
}

export interface RoutePlan<T extends BalancerTarget> extends AttemptPlan<T> {
  /** the rule / arm that chose the target subset */
  readonly routing: RoutingChoice<T>;
}

export interface PlanOptions {
  idempotent?: boolean;
  startedAt?: number;
  deadline?: number;
}

export class RouteBalancing<T extends BalancerTarget> {
  readonly routeId: string;
  readonly balancer: Balancer<T>;
  readonly routing: RoutingTable<T>;
  readonly retry: RetryConfig;
  /** what to hand to HealthRegistry.sync (all routes' registrations together) on a snapshot swap */
  readonly registrations: TargetRegistration[];
  readonly #health: HealthRegistry | undefined;
  readonly #targets: readonly T[];

  constructor(config: RouteBalancingConfig<T>, deps: RouteBalancingDeps = {}) {
    this.routeId = config.routeId;
    this.#targets = config.targets;
    this.#health = deps.health;
    this.retry = config.retry;
    this.balancer = createBalancer<T>(config.balancer, {
      ...deps,
      stats: deps.stats ?? deps.health?.stats,
      clock: deps.clock ?? deps.health?.clock,
      usageScope: deps.usageScope ?? config.routeId,
    });
    this.routing = new RoutingTable(config.targets, {
      rules: config.options?.rules,
      split: config.options?.split,
      salt: config.routeId,
    });
    this.registrations = config.targets.map((t) => {
      const reg: TargetRegistration = { targetId: t.id, routeId: config.routeId };
      if (config.balancer.circuitBreaker) reg.breaker = config.balancer.circuitBreaker;
      return reg;
    });
    if (deps.health) for (const r of this.registrations) deps.health.register(r);
  }

  get targets(): readonly T[] {
    return this.#targets;
  }

  /** warm-up after a snapshot load (semantic: embed the descriptions); failures are left to the first request */
  async prepare(): Promise<void> {
    await this.balancer.prepare?.(this.#targets);
  }

  /** rules / split only: the target subset for this request */
  choose(ctx: SelectionContext): RoutingChoice<T> {
    return this.routing.choose(ctx);
  }

  /** the per-request attempt plan over the subset the rules chose */
  plan(ctx: SelectionContext, options: PlanOptions = {}): RoutePlan<T> {
    const routing = this.routing.choose(ctx);
    const plan = new AttemptPlan<T>({
      targets: routing.targets,
      balancer: this.balancer,
      retry: this.retry,
      ctx,
      health: this.#health,
      ...options,
    });
    return Object.assign(plan, { routing });
  }
}

export function createRouteBalancing<T extends BalancerTarget>(
  config: RouteBalancingConfig<T>,
  deps: RouteBalancingDeps = {},
): RouteBalancing<T> {
  return new RouteBalancing(config, deps);
}
