// PostgreSQL backend: the UNLOGGED table `sluice_cache.entries` (migration 20261122054500_cache_store), queried through
// packages/db's named functions. One SELECT per lookup; expired rows are never returned, deleted in the background
// when a lookup finds one, and swept every `sweepIntervalMs` (default one minute) by a timer that does not hold the
// process open. For when Redis is not wanted but several nodes should share answers.

import {
  cacheEntryStats,
  purgeCacheEntries,
  type Queryable,
  readCacheEntry,
  sweepExpiredCacheEntries,
  writeCacheEntry,
} from "../db.ts";
import { decodeEntry, encodeEntry } from "../entry.ts";
import type { CacheBackend, CacheBackendStats, CacheEntry, CacheKey, Now, PurgeSelector } from "../types.ts";
import { purgeFilter } from "./purge.ts";

export interface PostgresBackendOptions {
  now?: Now;
  /** 0 disables the timer (tests call sweep()) */
  sweepIntervalMs?: number;
  onSweepError?(error: unknown): void;
}

export class PostgresCacheBackend implements CacheBackend {
  readonly kind = "postgres" as const;
  private readonly now: Now;
  private readonly timer: NodeJS.Timeout | null;
  private readonly counters = { hits: 0, misses: 0, sets: 0, errors: 0 };

  constructor(
    private readonly db: Queryable,
    options: PostgresBackendOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const every = options.sweepIntervalMs ?? 60_000;
    this.timer =
      every > 0
        ? setInterval(() => {
            this.sweep().catch((err: unknown) => options.onSweepError?.(err));
          }, every)
        : null;
    this.timer?.unref();
  }

  async get(key: CacheKey): Promise<CacheEntry | null> {
    let text: string | null;
    try {
      text = await readCacheEntry(this.db, key.id, this.now());
    } catch (err) {
      this.counters.errors++;
      throw err;
    }
    const entry = text === null ? null : decodeEntry(text);
    if (entry) this.counters.hits++;
    else this.counters.misses++;
    return entry;
  }

  async set(key: CacheKey, entry: CacheEntry, ttlMs: number): Promise<void> {
    const value = encodeEntry(entry);
    try {
      await writeCacheEntry(this.db, {
        key: key.id,
        routeId: key.routeId,
        partition: key.partition,
        value,
        bytes: Buffer.byteLength(value),
        expiresAt: Math.min(entry.expiresAt, this.now() + ttlMs),
      });
      this.counters.sets++;
    } catch (err) {
      this.counters.errors++;
      throw err;
    }
  }

  async purge(selector: PurgeSelector): Promise<number> {
    const f = purgeFilter(selector);
    if (!f) return 0;
    return purgeCacheEntries(this.db, f.all ? { all: true } : { routeId: f.routeId, partition: f.partition });
  }

  /** Delete expired rows now; returns how many. */
  sweep(): Promise<number> {
    return sweepExpiredCacheEntries(this.db, this.now());
  }

  async stats(): Promise<CacheBackendStats> {
    const live = await cacheEntryStats(this.db, this.now());
    return { backend: this.kind, ...this.counters, ...live };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}
