// Postgres as the config source: the first load at start, LISTEN sluice_config for changes (a dedicated pg client,
// reconnected with backoff), polling the version as a safety net, and the node heartbeat. When Postgres is down the
// store keeps serving the last good snapshot; when it comes back the source reloads.

import os from "node:os";
import { CONFIG_CHANNEL, type Db, getConfigVersion, heartbeatGatewayNode, loadGatewayConfig } from "@sluice/db";
import type { FastifyBaseLogger } from "fastify";
import pg from "pg";
import type { ConfigStore } from "./store.ts";

export interface DbSourceOptions {
  db: Db;
  databaseUrl: string;
  store: ConfigStore;
  log: FastifyBaseLogger;
  nodeId: string;
  pollMs: number;
  heartbeatMs: number;
  softwareVersion?: string;
  /** target health and breaker states for gateway_nodes.health (the manager UI shows them) */
  health?: () => unknown;
}

export class DbConfigSource {
  connected = false;
  private listener: pg.Client | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly o: DbSourceOptions) {}

  async start(): Promise<void> {
    try {
      await this.reload(true);
    } catch (err) {
      this.o.log.error({ err: { message: (err as Error).message } }, "config: Postgres unreachable at start");
    }
    if (this.o.store.snapshot.source === "empty") {
      if (await this.o.store.loadCache()) this.o.log.warn("config: serving the last good config from the local cache file");
    }
    this.listen();
    this.pollTimer = setInterval(() => void this.poll(), this.o.pollMs);
    this.pollTimer.unref();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.o.heartbeatMs);
    this.heartbeatTimer.unref();
    void this.heartbeat();
  }

  /** Load and apply the config now (coalesces concurrent calls; a call during a load triggers one more load). */
  reload(force = false): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        do {
          this.again = false;
          const rows = await loadGatewayConfig(this.o.db);
          this.connected = true;
          const current = this.o.store.snapshot;
          if (force || current.source !== "database" || BigInt(rows.version) !== current.version) {
            await this.o.store.apply(rows, "database");
          }
          force = false;
        } while (this.again && !this.stopped);
      } catch (err) {
        this.connected = false;
        throw err;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private async poll(): Promise<void> {
    try {
      const version = await getConfigVersion(this.o.db);
      this.connected = true;
      const current = this.o.store.snapshot;
      if (current.source !== "database" || version !== current.version) await this.reload();
    } catch (err) {
      if (this.connected) this.o.log.warn({ err: { message: (err as Error).message } }, "config: Postgres unreachable");
      this.connected = false;
    }
  }

  private listen(): void {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.o.databaseUrl });
    this.listener = client;
    const retry = () => {
      if (this.stopped || this.listener !== client) return;
      this.connected = false;
      this.listener = null;
      client.end().catch(() => {});
      this.reconnectTimer = setTimeout(() => this.listen(), 1000);
      this.reconnectTimer.unref();
    };
    client.on("error", retry);
    client.on("end", retry);
    client.on("notification", (msg) => {
      if (msg.channel !== CONFIG_CHANNEL) return;
      this.reload().catch((err) => this.o.log.warn({ err: { message: (err as Error).message } }, "config reload failed"));
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${CONFIG_CHANNEL}`))
      .then(() => {
        this.connected = true;
        // a change may have happened while we were not listening
        const current = this.o.store.snapshot;
        if (current.source !== "database") return this.reload().catch(() => {});
        return this.poll();
      })
      .catch(retry);
  }

  private async heartbeat(): Promise<void> {
    try {
      await heartbeatGatewayNode(this.o.db, {
        id: this.o.nodeId,
        hostname: os.hostname(),
        softwareVersion: this.o.softwareVersion ?? null,
        appliedVersion: this.o.store.snapshot.version,
        health: this.o.health ? (JSON.parse(JSON.stringify(this.o.health())) as never) : undefined,
        lastError: this.o.store.lastError,
      });
    } catch {
      // reported through /health (database: disconnected) by poll
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const l = this.listener;
    this.listener = null;
    if (l) {
      l.removeAllListeners("end");
      l.removeAllListeners("error");
      l.on("error", () => {});
      await l.end().catch(() => {});
    }
    await this.loading?.catch(() => {});
  }
}
