// The current snapshot and how it is replaced. `store.snapshot` is read on every request (one property read); a new
// snapshot is built and validated off to the side and swapped in one assignment, so a request sees either the old
// or the new config, never a mix. A snapshot that fails validation is rejected and the old one stays. The last
// good raw config (credentials still encrypted) is written to disk, so a restart during a Postgres outage serves.

import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { MasterKeyRing } from "@sluice/db/crypto";
import type { FastifyBaseLogger } from "fastify";
import { type BuildOptions, buildSnapshot, emptySnapshot, type Snapshot } from "./snapshot.ts";

export interface ConfigStoreOptions {
  ring: MasterKeyRing | null;
  log: FastifyBaseLogger;
  /** where the last good config is kept; null = not kept */
  cacheFile: string | null;
  env?: Record<string, string | undefined>;
  /** custom policy modules loaded at startup, passed to every snapshot build */
  customPolicies?: BuildOptions["customPolicies"];
}

export class ConfigStore {
  snapshot!: Snapshot;
  /** the last rejected snapshot's reason (reported by heartbeat and /health) */
  lastError: string | null = null;
  private listeners: Array<(s: Snapshot) => void> = [];

  constructor(private readonly opts: ConfigStoreOptions) {}

  static async create(opts: ConfigStoreOptions): Promise<ConfigStore> {
    const store = new ConfigStore(opts);
    store.snapshot = await emptySnapshot();
    return store;
  }

  get ring(): MasterKeyRing | null {
    return this.opts.ring;
  }

  onSwap(fn: (s: Snapshot) => void): void {
    this.listeners.push(fn);
  }

  /** Build, validate and swap in a snapshot; false (old snapshot kept) when it is invalid. */
  async apply(raw: unknown, source: Snapshot["source"]): Promise<boolean> {
    let next: Snapshot;
    try {
      next = await buildSnapshot(raw, {
        ring: this.opts.ring,
        source,
        env: this.opts.env,
        customPolicies: this.opts.customPolicies,
      });
    } catch (err) {
      this.lastError = (err as Error).message;
      this.opts.log.error({ err: { message: this.lastError } }, "config snapshot rejected; keeping the previous one");
      return false;
    }
    const prev = this.snapshot;
    this.snapshot = next;
    this.lastError = null;
    for (const w of next.warnings) this.opts.log.warn(`config: ${w}`);
    this.opts.log.info(
      { version: next.version.toString(), previous: prev?.version.toString(), source, routes: next.routesById.size },
      "config snapshot applied",
    );
    for (const fn of this.listeners) fn(next);
    if (source === "database" && this.opts.cacheFile) {
      this.writeCache(next).catch((err) => this.opts.log.warn({ err }, "could not write the config cache file"));
    }
    return true;
  }

  private async writeCache(s: Snapshot): Promise<void> {
    const file = this.opts.cacheFile as string;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(s.raw), { mode: 0o600 });
    await rename(tmp, file);
  }

  /** Load the on-disk copy (used when Postgres is unreachable at start). */
  async loadCache(): Promise<boolean> {
    if (!this.opts.cacheFile) return false;
    let text: string;
    try {
      text = await readFile(this.opts.cacheFile, "utf8");
    } catch {
      return false;
    }
    try {
      return await this.apply(JSON.parse(text), "disk-cache");
    } catch (err) {
      this.opts.log.warn({ err }, "config cache file is unreadable");
      return false;
    }
  }
}
