// Redis backend: one key per entry, `SET ... PX ttl` on store and one `GET` per lookup; Redis expires entries itself.
//
// Key layout: `<prefix>r=<routeId>|p=<partition>|<hash>`, route and partition URI-encoded (so `|` cannot appear
// inside them) and glob-escaped when matched. Purge by route, partition or both is `SCAN MATCH` over that pattern
// plus `UNLINK` (non-blocking delete) in batches; on a Cluster every master is scanned.
//
// Why SCAN rather than per-route / per-partition index sets: sets would cost an extra write per store on the hot
// path, and grow stale members as entries expire unless every read cleaned them. A purge is a rare admin action; a
// SCAN of the keyspace (incremental, non-blocking) is the right place to pay. Use a dedicated Redis database or a
// distinct prefix when the keyspace is shared with large unrelated data.
//
// Redis errors propagate; the ResponseCache treats them as misses (caches fail open). Give the client fail-fast
// options (CACHE_REDIS_OPTIONS) so a dead Redis costs milliseconds, not a queued request.

import type { Cluster, Redis } from "ioredis";
import { decodeEntry, encodeEntry } from "../entry.ts";
import type { CacheBackend, CacheBackendStats, CacheEntry, CacheKey, PurgeSelector } from "../types.ts";
import { purgeFilter } from "./purge.ts";

export const CACHE_REDIS_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 1_000,
  commandTimeout: 250,
} as const;

export interface RedisBackendOptions {
  /** default "sluice:cache:" */
  keyPrefix?: string;
  /** keys per SCAN page and per UNLINK batch, default 500 */
  batchSize?: number;
}

const seg = (s: string) => encodeURIComponent(s);
const glob = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");

export class RedisCacheBackend implements CacheBackend {
  readonly kind = "redis" as const;
  private readonly prefix: string;
  private readonly batchSize: number;
  private readonly counters = { hits: 0, misses: 0, sets: 0, errors: 0 };

  constructor(
    private readonly redis: Redis | Cluster,
    options: RedisBackendOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? "sluice:cache:";
    this.batchSize = options.batchSize ?? 500;
  }

  keyName(key: CacheKey): string {
    return `${this.prefix}r=${seg(key.routeId)}|p=${seg(key.partition)}|${key.hash}`;
  }

  async get(key: CacheKey): Promise<CacheEntry | null> {
    let text: string | null;
    try {
      text = await this.redis.get(this.keyName(key));
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
    const ms = Math.max(1, Math.floor(ttlMs));
    try {
      await this.redis.set(this.keyName(key), encodeEntry(entry), "PX", ms);
      this.counters.sets++;
    } catch (err) {
      this.counters.errors++;
      throw err;
    }
  }

  async purge(selector: PurgeSelector): Promise<number> {
    const f = purgeFilter(selector);
    if (!f) return 0;
    const route = f.routeId === null ? "*" : glob(seg(f.routeId));
    const partition = f.partition === null ? "*" : glob(seg(f.partition));
    const pattern = f.all ? `${glob(this.prefix)}*` : `${glob(this.prefix)}r=${route}|p=${partition}|*`;
    const nodes: Redis[] =
      "nodes" in this.redis && typeof this.redis.nodes === "function" ? this.redis.nodes("master") : [this.redis as Redis];
    let total = 0;
    for (const node of nodes) total += await this.purgeNode(node, pattern);
    return total;
  }

  private async purgeNode(node: Redis, pattern: string): Promise<number> {
    let total = 0;
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", this.batchSize);
      cursor = next;
      if (keys.length > 0) {
        // one key per UNLINK: keys of one SCAN page may live in different cluster slots
        const pipeline = node.pipeline();
        for (const k of keys) pipeline.unlink(k);
        const results = (await pipeline.exec()) ?? [];
        for (const [err, n] of results) if (!err && typeof n === "number") total += n;
      }
    } while (cursor !== "0");
    return total;
  }

  async stats(): Promise<CacheBackendStats> {
    return { backend: this.kind, ...this.counters };
  }
}
