// Multi-target routing for the pipeline: the glue between the config snapshot and balancer/. One BalancingService
// per app owns what must outlive a snapshot swap (the HealthRegistry with breakers, cool-downs and runtime stats,
// the lowest-usage store: Redis when the app has one, memory otherwise) and rebuilds what belongs to a snapshot (one
// RouteBalancing per route, the active health checkers) on every swap. Per request it hands the pipeline an
// AttemptPlan over the targets that serve the requested model, after the route's rules / A/B split.

import type { CircuitBreakerConfig } from "@sluice/db/schemas";
import type { Redis } from "ioredis";
import {
  type AttemptPlan,
  AttemptPlan as AttemptPlanClass,
  type Clock,
  createRouteBalancing,
  HealthChecker,
  HealthRegistry,
  MemoryUsageWindowStore,
  RedisUsageWindowStore,
  type RouteBalancing,
  type SelectionContext,
  type TargetRegistration,
  type UsageWindowStore,
} from "../balancer/index.ts";
import type { RouteEntry, Snapshot, TargetEntry } from "../config/snapshot.ts";
import type { TransformContext } from "../providers/types.ts";
import type { UpstreamPools } from "../upstream/pools.ts";

/**
 * A single-target list has nowhere to steer traffic, so unless the route configures `balancer.circuitBreaker`, its
 * targets get a breaker that never opens (1,000 failures within 1 ms): the upstream's own answers reach the client
 * instead of a gateway 503.
 */
const NEVER_OPENS: CircuitBreakerConfig = {
  maxFails: 1_000,
  windowMs: 1,
  failTimeoutMs: 1,
  failureRate: 1,
  minRequests: Number.MAX_SAFE_INTEGER,
};

export interface BalancingLog {
  warn(obj: object, msg: string): void;
}

export interface BalancingOptions {
  clock: { now(): number };
  pools: UpstreamPools;
  log: BalancingLog;
  /** lowest-usage state shared across gateway nodes; memory (one node) without it */
  redis?: Redis | null;
  /** Redis key prefix of the usage windows (tests use a unique one) */
  usagePrefix?: string;
}

export interface RequestPlan {
  plan: AttemptPlan<TargetEntry>;
  /** the A/B arm or rule that chose the target set (usage event `arm`) */
  label: string | null;
}

/** Whether any model of the route has more than one target to balance over. */
function hasChoice(route: RouteEntry): boolean {
  if (route.wildcard.length > 1) return true;
  for (const list of route.byModel.values()) if (list.length > 1) return true;
  return false;
}

export class BalancingService {
  readonly health: HealthRegistry;
  readonly usageStore: UsageWindowStore;
  readonly #o: BalancingOptions;
  readonly #clock: Clock;
  readonly #byRoute = new WeakMap<RouteEntry, RouteBalancing<TargetEntry>>();
  /** (rule/arm subset, model list) -> their intersection, so balancers see the same array on every request */
  readonly #subsets = new WeakMap<readonly TargetEntry[], WeakMap<readonly TargetEntry[], readonly TargetEntry[]>>();
  #checkers: HealthChecker[] = [];
  #targets = new Map<string, TargetEntry>();
  #snapshot: Snapshot | null = null;

  constructor(options: BalancingOptions) {
    this.#o = options;
    this.#clock = { now: () => options.clock.now() };
    this.health = new HealthRegistry({ clock: this.#clock });
    this.usageStore = options.redis
      ? new RedisUsageWindowStore(options.redis, { prefix: options.usagePrefix })
      : new MemoryUsageWindowStore();
  }

  /** Build the routes' balancing for a new snapshot; breakers and stats of targets that stay are kept. */
  attach(snapshot: Snapshot): void {
    this.#snapshot = snapshot;
    const regs: TargetRegistration[] = [];
    const targets = new Map<string, TargetEntry>();
    for (const route of snapshot.routesById.values()) {
      for (const t of route.targets) targets.set(t.id, t);
      try {
        const rb = this.#build(route);
        regs.push(...rb.registrations);
      } catch (err) {
        this.#o.log.warn({ route: route.name, err: { message: (err as Error).message } }, "balancer: route not built");
      }
    }
    this.#targets = targets;
    this.health.sync(regs);
    this.#startChecks(snapshot);
  }

  #build(route: RouteEntry): RouteBalancing<TargetEntry> {
    const balancer =
      route.balancer.circuitBreaker === undefined && !hasChoice(route)
        ? { ...route.balancer, circuitBreaker: NEVER_OPENS }
        : route.balancer;
    const rb = createRouteBalancing<TargetEntry>(
      { routeId: route.id, targets: route.targets, balancer, retry: route.retry, options: route.options },
      {
        health: this.health,
        usageStore: this.usageStore,
        embed: balancer.algorithm === "semantic" ? (texts) => this.#embed(route, texts) : undefined,
        onError: (err, where) =>
          this.#o.log.warn({ route: route.name, where, err: { message: (err as Error).message } }, "balancer degraded"),
      },
    );
    for (const p of rb.routing.problems) this.#o.log.warn({ route: route.name }, `balancer: ${p}`);
    if (balancer.algorithm === "semantic") {
      rb.prepare().catch((err) =>
        this.#o.log.warn({ route: route.name, err: { message: (err as Error).message } }, "balancer: embedding failed"),
      );
    }
    this.#byRoute.set(route, rb);
    return rb;
  }

  /** The route's balancing (built with the snapshot; built here for a route of a snapshot never attached). */
  routeBalancing(route: RouteEntry): RouteBalancing<TargetEntry> {
    return this.#byRoute.get(route) ?? this.#build(route);
  }

  /**
   * The attempt plan of one request over `list` (the targets serving the requested model). A rule or arm whose
   * targets serve other models does not apply: the plan then covers the whole list, without a label.
   */
  plan(route: RouteEntry, list: readonly TargetEntry[], sel: SelectionContext, startedAt: number): RequestPlan {
    const rb = this.routeBalancing(route);
    const choice = rb.choose(sel);
    let targets = list;
    let label: string | null = null;
    if (choice.targets !== route.targets) {
      const subset = this.#intersect(choice.targets, list);
      if (subset.length > 0) {
        targets = subset;
        label = choice.label ?? null;
      }
    }
    const plan = new AttemptPlanClass<TargetEntry>({
      targets,
      balancer: rb.balancer,
      retry: route.retry,
      ctx: sel,
      health: this.health,
      startedAt,
    });
    return { plan, label };
  }

  #intersect(chosen: readonly TargetEntry[], list: readonly TargetEntry[]): readonly TargetEntry[] {
    let byList = this.#subsets.get(chosen);
    if (!byList) {
      byList = new WeakMap();
      this.#subsets.set(chosen, byList);
    }
    let out = byList.get(list);
    if (!out) {
      const ids = new Set(chosen.map((t) => t.id));
      const filtered = list.filter((t) => ids.has(t.id));
      out = filtered.length === list.length ? list : filtered;
      byList.set(list, out);
    }
    return out;
  }

  get clock(): Clock {
    return this.#clock;
  }

  // ─── active health checks ────────────────────────────────────────────────────────────────────────────────────

  #startChecks(snapshot: Snapshot): void {
    for (const c of this.#checkers) c.stop();
    this.#checkers = [];
    for (const route of snapshot.routesById.values()) {
      const config = route.balancer.healthCheck;
      if (!config?.enabled) continue;
      const ids = route.targets.filter((t) => t.provider.adapter.healthCheck && !t.provider.unavailable).map((t) => t.id);
      if (ids.length === 0) continue;
      const checker = new HealthChecker(this.health, {
        config,
        check: (targetId, signal) => this.checkTarget(targetId, signal),
        onError: (targetId, err) =>
          this.#o.log.warn({ target: targetId, err: { message: (err as Error).message } }, "health check failed"),
      });
      checker.start(ids);
      this.#checkers.push(checker);
    }
  }

  /** One non-billing check (the adapter's healthCheck request, e.g. GET /v1/models): healthy on a 2xx. */
  async checkTarget(targetId: string, signal: AbortSignal): Promise<boolean> {
    const target = this.#targets.get(targetId);
    const adapter = target?.provider.adapter;
    if (!target || !adapter?.healthCheck) return true;
    const provider = target.provider;
    const tctx: TransformContext = {
      baseUrl: provider.baseUrl,
      model: target.model.parts === null ? target.model.text : target.clientModel,
      settings: provider.settings,
      credentials: provider.credentials,
      requestId: `health_${targetId}`,
      now: Math.floor(this.#clock.now() / 1000),
    };
    let up = adapter.healthCheck(tctx);
    if (adapter.sign) up = await adapter.sign(up, tctx);
    const u = new URL(up.url);
    const pool = this.#o.pools.get(u.origin, provider.connections);
    const res = await pool.request({
      path: u.pathname + u.search,
      method: up.method,
      headers: up.headers,
      body: up.body,
      signal,
    });
    await res.body.dump().catch(() => {});
    return res.statusCode >= 200 && res.statusCode < 300;
  }

  // ─── semantic routing: embeddings through the configured embeddings target ───────────────────────────────────

  async #embed(route: RouteEntry, texts: string[]): Promise<number[][]> {
    const id = route.balancer.semantic?.embeddingsTargetId;
    const target = id ? this.#targets.get(id) : undefined;
    const embeddings = target?.provider.adapter.embeddings;
    if (!target || !embeddings) throw new Error(`route ${route.name}: embeddings target ${id ?? "(none)"} is not usable`);
    const provider = target.provider;
    const tctx: TransformContext = {
      baseUrl: provider.baseUrl,
      model: target.model.parts === null ? target.model.text : target.clientModel,
      settings: provider.settings,
      credentials: provider.credentials,
      requestId: `embed_${route.id}`,
      now: Math.floor(this.#clock.now() / 1000),
    };
    let up = embeddings.buildRequest({ model: tctx.model, input: texts } as never, tctx);
    if (provider.adapter.sign) up = await provider.adapter.sign(up, tctx);
    const u = new URL(up.url);
    const pool = this.#o.pools.get(u.origin, provider.connections);
    const res = await pool.request({
      path: u.pathname + u.search,
      method: up.method,
      headers: up.headers,
      body: up.body,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`embeddings target answered HTTP ${res.statusCode}`);
    const out = embeddings.parseResponse(JSON.parse(text), tctx) as { data?: Array<{ index: number; embedding: unknown }> };
    const data = [...(out.data ?? [])].sort((a, b) => a.index - b.index);
    return data.map((d) => (Array.isArray(d.embedding) ? (d.embedding as number[]) : []));
  }

  /** JSON for GET /health/targets and the heartbeat's gateway_nodes.health */
  snapshot(): { configVersion: string | null; targets: ReturnType<HealthRegistry["snapshot"]> } {
    return { configVersion: this.#snapshot ? this.#snapshot.version.toString() : null, targets: this.health.snapshot() };
  }

  stop(): void {
    for (const c of this.#checkers) c.stop();
    this.#checkers = [];
  }
}
