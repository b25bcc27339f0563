// buildApp(deps): the whole gateway as a Fastify instance that never listens (server.ts does; tests inject or
// listen on port 0). Plugins in a fixed order: request context, errors + body parser, routing/auth, then routes.
// The config source starts in onReady and everything long-lived closes in onClose: config listener, usage flush,
// upstream pools, Redis.

import os from "node:os";
import path from "node:path";
import { createPrisma, type Db } from "@sluice/db";
import { parseMasterKeys } from "@sluice/db/crypto";
import type { ObservabilityConfig } from "@sluice/db/schemas";
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from "fastify";
import type { Redis } from "ioredis";
import { DbConfigSource } from "./config/db-source.ts";
import { type Env, masterKeySpec } from "./config/env.ts";
import { loadObservabilityConfig } from "./config/observability.ts";
import { watchSecretReads } from "./config/secret-audit.ts";
import type { RawConfigInput } from "./config/snapshot.ts";
import { ConfigStore } from "./config/store.ts";
import { loadConfigFile } from "./config/yaml.ts";
import { type Clock, systemClock } from "./lib/clock.ts";
import { newRequestId } from "./lib/ids.ts";
import { BalancingService } from "./pipeline/balancing.ts";
import { createObservability, type ObservabilityDeps } from "./pipeline/observe.ts";
import { errorsPlugin } from "./plugins/errors.plugin.ts";
import { gatewayAuthPlugin } from "./plugins/gateway-auth.plugin.ts";
import { createGovernance, loadPolicyModules } from "./plugins/governance.ts";
import { GovernanceMetrics } from "./plugins/governance-metrics.ts";
import { GatewayMetrics } from "./plugins/metrics.ts";
import { requestContextPlugin } from "./plugins/request-context.plugin.ts";
import type { Limiter } from "./policies/index.ts";
import { adminRoutes } from "./routes/admin.ts";
import { healthRoutes } from "./routes/health.ts";
import { healthTargetsRoute } from "./routes/health-targets.ts";
import { v1Routes } from "./routes/v1/index.ts";
import type { GatewayServices } from "./services.ts";
import { UpstreamPools } from "./upstream/pools.ts";
import { createUsageInserter } from "./usage/pg-insert.ts";
import { type UsageSink, UsageWriter } from "./usage/writer.ts";

export type ConfigSourceSpec =
  | { kind: "inline"; raw: RawConfigInput }
  | { kind: "file"; file: string }
  | { kind: "database"; url: string }
  | { kind: "none" };

export interface AppDeps {
  env: Env;
  /** default: SLUICE_CONFIG_FILE, else DATABASE_URL, else none */
  config?: ConfigSourceSpec;
  /** a Prisma client to reuse (tests); default: one made from the database URL */
  db?: Db;
  clock?: Clock;
  /** replaces the Postgres/file usage writer (tests) */
  usageSink?: UsageSink;
  /** pino options, or false; default: JSON logs at env.LOG_LEVEL */
  logger?: FastifyServerOptions["logger"];
  /** an already connected Redis client (server.ts checks reachability before building) */
  redis?: Redis | null;
  softwareVersion?: string;
  /** Redis key prefix of the shared lowest-usage windows (tests isolate with it) */
  usagePrefix?: string;
  /** replaces the limiter made from REDIS_URL (tests) */
  limiter?: Limiter;
  /** how long close() waits for requests in flight (default 30 s) */
  drainTimeoutMs?: number;
  /** log sinks and tracing; default from SLUICE_OBSERVABILITY_FILE / SLUICE_LOG_SINK_URL / OTEL_EXPORTER_OTLP_ENDPOINT */
  observability?: ObservabilityConfig | null;
  /** replaces the OTLP span exporter (tests) */
  spanExporter?: ObservabilityDeps["spanExporter"];
}

export function configSourceFromEnv(env: Env): ConfigSourceSpec {
  if (env.SLUICE_CONFIG_FILE) return { kind: "file", file: env.SLUICE_CONFIG_FILE };
  if (env.DATABASE_URL) return { kind: "database", url: env.DATABASE_URL };
  return { kind: "none" };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const env = deps.env;
  const app = Fastify({
    logger: deps.logger ?? { level: env.LOG_LEVEL },
    // one log line per request, written by settle (usage/settle.ts), instead of Fastify's two
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "reqId" }),
    genReqId: newRequestId,
    bodyLimit: env.SLUICE_BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    keepAliveTimeout: 65_000,
    routerOptions: { ignoreTrailingSlash: true },
  });

  const source = deps.config ?? configSourceFromEnv(env);
  const spec = masterKeySpec(env);
  const ring = spec ? parseMasterKeys(spec) : null;
  const dataDir = path.resolve(env.SLUICE_DATA_DIR);
  const store = await ConfigStore.create({
    ring,
    log: app.log,
    cacheFile: source.kind === "database" ? path.join(dataDir, "config-snapshot.json") : null,
    customPolicies: await loadPolicyModules(env.SLUICE_POLICY_MODULES, app.log),
  });
  const nodeId = env.SLUICE_NODE_ID ?? `${os.hostname()}-${process.pid}`;
  const db = source.kind === "database" ? (deps.db ?? createPrisma(source.url, { max: 4 })) : null;
  const ownDb = db !== null && deps.db === undefined;

  // usage events go through plain pg, not Prisma (usage/pg-insert.ts: Prisma's createMany was most of the load's CPU
  // and memory)
  const usageInserter = !deps.usageSink && source.kind === "database" ? createUsageInserter(source.url) : null;
  const usage =
    deps.usageSink ??
    new UsageWriter({
      insert: usageInserter ? (events) => usageInserter.insert(events) : null,
      file: path.join(dataDir, db ? "usage-spill.ndjson" : "usage.ndjson"),
      log: app.log,
    });

  const clock = deps.clock ?? systemClock;
  const pools = new UpstreamPools();
  const redis = deps.redis ?? null;
  // built before the first snapshot is applied, so every snapshot gets its routes' balancing on swap
  const balancing = new BalancingService({ clock, pools, log: app.log, redis, usagePrefix: deps.usagePrefix });
  store.onSwap((s) => balancing.attach(s));

  const dbSource =
    source.kind === "database" && db
      ? new DbConfigSource({
          db,
          databaseUrl: source.url,
          store,
          log: app.log,
          nodeId,
          pollMs: env.SLUICE_CONFIG_POLL_MS,
          heartbeatMs: env.SLUICE_HEARTBEAT_MS,
          softwareVersion: deps.softwareVersion,
          health: () => balancing.snapshot(),
        })
      : null;

  const observability = createObservability(
    deps.observability !== undefined ? deps.observability : await loadObservabilityConfig(env),
    { log: app.log, spanExporter: deps.spanExporter },
  );
  const metrics = new GatewayMetrics();
  watchSecretReads({ store, registry: metrics.registry, db: dbSource ? db : null, nodeId, log: app.log });
  const governance = createGovernance({
    env,
    log: app.log,
    store: () => store,
    pools,
    metrics: new GovernanceMetrics(metrics.registry),
    databaseUrl: source.kind === "database" ? source.url : null,
    limiter: deps.limiter,
    now: () => clock.now(),
  });
  const services: GatewayServices = {
    env,
    store,
    clock,
    nodeId,
    pools,
    usage,
    metrics,
    governance,
    balancing,
    observability,
    dbSource,
    redis: redis ? { status: () => (redis.status === "ready" ? "connected" : "disconnected") } : null,
    draining: false,
    inFlight: 0,
  };
  app.decorate("gw", services);

  app.addHook("onReady", async () => {
    await governance.ready();
    if (source.kind === "inline") {
      if (!(await store.apply(source.raw, "file"))) throw new Error(`invalid inline config: ${store.lastError}`);
    } else if (source.kind === "file") {
      const raw = await loadConfigFile(source.file);
      if (!(await store.apply(raw, "file"))) throw new Error(`invalid config file ${source.file}: ${store.lastError}`);
    } else if (dbSource) {
      await dbSource.start();
    } else {
      app.log.warn("no DATABASE_URL and no config file: the gateway serves no routes");
    }
  });

  // graceful shutdown: new requests are refused (503), requests in flight finish and settle, then the remaining
  // (idle) client connections are closed so close() does not wait for their keep-alive timeout
  app.addHook("preClose", async () => {
    services.draining = true;
    const deadline = Date.now() + (deps.drainTimeoutMs ?? 30_000);
    while (services.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    app.server.closeAllConnections?.();
  });

  app.addHook("onClose", async () => {
    services.draining = true;
    await governance.close();
    balancing.stop();
    await dbSource?.stop();
    await usage.close();
    await usageInserter?.close();
    // settles are done (preClose drained the requests): the last records and spans go out before exit
    await observability.close();
    await services.pools.close();
    if (redis) await redis.quit().catch(() => redis.disconnect());
    if (ownDb && db) await db.$disconnect().catch(() => {});
  });

  await app.register(requestContextPlugin);
  await app.register(errorsPlugin);
  await app.register(gatewayAuthPlugin);
  await app.register(healthRoutes);
  await app.register(healthTargetsRoute);
  await app.register(adminRoutes);
  await app.register(v1Routes);
  return app;
}

/** Reload the YAML config (SIGHUP in DB-less mode). */
export async function reloadConfigFile(app: FastifyInstance, file: string): Promise<boolean> {
  try {
    return await app.gw.store.apply(await loadConfigFile(file), "file");
  } catch (err) {
    app.log.error({ err: { message: (err as Error).message } }, "config file reload failed; keeping the current config");
    return false;
  }
}
