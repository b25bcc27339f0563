// The long-lived parts of policies and caching, created once per app: the limiter (ResilientLimiter around a
// RedisLimiter on a dedicated fail-fast ioredis client when REDIS_URL is set, else an in-process MemoryLimiter), the
// response cache (Redis / PostgreSQL / memory backends, an in-memory semantic store embedding through the configured
// target), refresh-ahead, the custom policy modules (SLUICE_POLICY_MODULES), and their Prometheus counters.

import type { FastifyBaseLogger } from "fastify";
import { Redis } from "ioredis";
import pg from "pg";
import {
  CACHE_REDIS_OPTIONS,
  MemoryVectorStore,
  PostgresCacheBackend,
  RedisCacheBackend,
  RefreshAhead,
  ResponseCache,
} from "../cache/index.ts";
import type { CacheBackend, CacheBackendKind } from "../cache/types.ts";
import type { Env } from "../config/env.ts";
import type { ConfigStore } from "../config/store.ts";
import { embedTexts, fetchChatAnswer } from "../pipeline/direct-call.ts";
import {
  type AnyPolicy,
  LIMITER_REDIS_OPTIONS,
  type Limiter,
  loadCustomPolicies,
  MemoryLimiter,
  RedisLimiter,
  ResilientLimiter,
} from "../policies/index.ts";
import type { UpstreamPools } from "../upstream/pools.ts";
import type { GovernanceMetrics } from "./governance-metrics.ts";

export interface GovernanceServices {
  limiter: Limiter;
  /** "redis" (shared, with fail-open/closed fallback) or "memory" (this node only) */
  limiterKind: "redis" | "memory";
  cache: ResponseCache;
  metrics: GovernanceMetrics;
  refresh: RefreshAhead;
  /** wait (briefly) for the limiter's and cache's Redis connections */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface GovernanceDeps {
  env: Env;
  log: FastifyBaseLogger;
  store: () => ConfigStore;
  pools: UpstreamPools;
  metrics: GovernanceMetrics;
  /** Redis URL for the limiter and the cache; default env.REDIS_URL */
  redisUrl?: string | null;
  /** PostgreSQL URL for the cache's `postgres` backend; null = none */
  databaseUrl?: string | null;
  /** injected limiter (tests) */
  limiter?: Limiter;
  now?: () => number;
}

/** Loads SLUICE_POLICY_MODULES; each module is registered under its path and its policy type. */
export async function loadPolicyModules(
  spec: string | undefined,
  log: FastifyBaseLogger,
): Promise<Map<string, AnyPolicy> | undefined> {
  const paths = (spec ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (paths.length === 0) return undefined;
  const { loaded, errors } = await loadCustomPolicies(paths);
  for (const e of errors) log.error(`custom policy module not loaded: ${e}`);
  const out = new Map<string, AnyPolicy>();
  for (const [path, policy] of loaded) {
    out.set(path, policy);
    out.set(policy.type, policy);
    log.info({ module: path, type: policy.type, phase: policy.phase }, "custom policy module loaded");
  }
  return out;
}

function waitReady(client: Redis, ms: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once("ready", done);
  });
}

export function createGovernance(deps: GovernanceDeps): GovernanceServices {
  const { env, log, metrics } = deps;
  const redisUrl = deps.redisUrl === undefined ? (env.REDIS_URL ?? null) : deps.redisUrl;
  const prefix = env.SLUICE_REDIS_PREFIX;
  const clients: Redis[] = [];
  const now = deps.now ?? Date.now;

  let limiter: Limiter;
  let limiterKind: GovernanceServices["limiterKind"] = "memory";
  if (deps.limiter) limiter = deps.limiter;
  else if (redisUrl) {
    // a dedicated client: commands fail fast instead of queueing while Redis is away
    const client = new Redis(redisUrl, { ...LIMITER_REDIS_OPTIONS, connectionName: "sluice-limiter" });
    client.on("error", () => {});
    clients.push(client);
    limiter = new ResilientLimiter(new RedisLimiter(client, { keyPrefix: prefix, now }), {
      timeoutMs: env.SLUICE_LIMITER_TIMEOUT_MS,
      now,
      onFallback: (e) => metrics.limiterFallback(e.op, e.mode),
      log: (message, fields) => log.warn(fields, message),
    });
    limiterKind = "redis";
  } else limiter = new MemoryLimiter({ now });

  const backends: Partial<Record<CacheBackendKind, CacheBackend>> = {};
  if (redisUrl) {
    const client = new Redis(redisUrl, { ...CACHE_REDIS_OPTIONS, connectionName: "sluice-cache" });
    client.on("error", () => {});
    clients.push(client);
    backends.redis = new RedisCacheBackend(client, { keyPrefix: `${prefix}cache:` });
  }
  let pool: pg.Pool | null = null;
  if (deps.databaseUrl) {
    pool = new pg.Pool({ connectionString: deps.databaseUrl, max: 2 });
    pool.on("error", () => {});
    backends.postgres = new PostgresCacheBackend(pool, {
      now,
      onSweepError: (err) => log.warn({ err: { message: (err as Error).message } }, "cache sweep failed"),
    });
  }

  const cache = new ResponseCache({
    backends,
    now,
    semantic: {
      store: new MemoryVectorStore(),
      embed: (texts, target) => embedTexts(deps.pools, deps.store().snapshot, target.embeddingsTargetId, texts),
    },
    hooks: {
      onLookup: (e) => metrics.cacheLookup(e.backend, e.status),
      onStore: (e) => metrics.cacheStore(e.backend),
      onError: (e) => {
        metrics.cacheError(e.backend, e.op);
        log.warn({ backend: e.backend, op: e.op, err: { message: (e.error as Error)?.message } }, "cache operation failed");
      },
    },
  });

  const refresh = new RefreshAhead(cache, {
    fetch: (input) => fetchChatAnswer(deps.pools, deps.store().snapshot, input.routeId, input.request),
    onError: (err) => log.warn({ err: { message: (err as Error).message } }, "cache refresh-ahead failed"),
  });

  return {
    limiter,
    limiterKind,
    cache,
    metrics,
    refresh,
    async ready() {
      // server.ts already checked that Redis answers; give the dedicated clients time to connect, so the first
      // requests do not meet a "Redis down" fallback
      await Promise.all(clients.map((c) => waitReady(c, 5_000)));
      for (const c of clients) {
        if (c.status !== "ready") log.warn({ client: c.options.connectionName }, "Redis client not connected yet");
      }
      refresh.start();
    },
    async close() {
      refresh.stop();
      await cache.close();
      for (const c of clients) c.disconnect();
      await pool?.end().catch(() => {});
    },
  };
}
