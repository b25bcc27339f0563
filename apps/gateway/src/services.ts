// The long-lived things one gateway app owns, decorated on the Fastify instance as `app.gw`.

import type { DbConfigSource } from "./config/db-source.ts";
import type { Env } from "./config/env.ts";
import type { ConfigStore } from "./config/store.ts";
import type { Clock } from "./lib/clock.ts";
import type { BalancingService } from "./pipeline/balancing.ts";
import type { Observability } from "./pipeline/observe.ts";
import type { GovernanceServices } from "./plugins/governance.ts";
import type { GatewayMetrics } from "./plugins/metrics.ts";
import type { UpstreamPools } from "./upstream/pools.ts";
import type { UsageSink } from "./usage/writer.ts";

export interface GatewayServices {
  env: Env;
  store: ConfigStore;
  clock: Clock;
  nodeId: string;
  pools: UpstreamPools;
  usage: UsageSink;
  metrics: GatewayMetrics;
  /** multi-target routing: breakers, health, balancers per route (pipeline/balancing.ts) */
  balancing: BalancingService;
  dbSource: DbConfigSource | null;
  redis: { status(): "connected" | "disconnected" } | null;
  /** limiter, response cache and their metrics (plugins/governance.ts) */
  governance: GovernanceServices;
  /** log sinks and tracing (pipeline/observe.ts); NO_OBSERVABILITY when unconfigured */
  observability: Observability;
  /** SIGTERM received: new requests get 503 */
  draining: boolean;
  /** requests whose settle has not finished yet */
  inFlight: number;
}

declare module "fastify" {
  interface FastifyInstance {
    gw: GatewayServices;
  }
}
