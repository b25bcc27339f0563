// One undici Pool per upstream origin, built on first use and reused across snapshots (keep-alive connections
// survive config reloads), all closed in the app's onClose. undici.request on a Pool: no fetch, no web streams.

import { Pool } from "undici";

export interface PoolOptions {
  connectTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  constructor(private readonly opts: PoolOptions = { connectTimeoutMs: 5_000, keepAliveTimeoutMs: 30_000 }) {}

  /** The pool for an origin (one per origin and connect timeout: routes with the same timeout share connections). */
  get(origin: string, connections: number, connectTimeoutMs = this.opts.connectTimeoutMs): Pool {
    const key = connectTimeoutMs === this.opts.connectTimeoutMs ? origin : `${origin}|${connectTimeoutMs}`;
    let pool = this.pools.get(key);
    if (!pool) {
      if (this.closed) throw new Error("upstream pools are closed");
      pool = new Pool(origin, {
        connections,
        pipelining: 1,
        keepAliveTimeout: this.opts.keepAliveTimeoutMs,
        keepAliveMaxTimeout: 10 * 60_000,
        connect: { timeout: connectTimeoutMs },
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}
