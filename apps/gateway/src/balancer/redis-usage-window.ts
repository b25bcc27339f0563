// Redis-backed sliding-window usage, shared by every gateway node: one Redis hash per (scope, bucket), one field per
// member, HINCRBYFLOAT to add and a pipelined HMGET per bucket to read (one round trip). Keys carry a hash tag on the
// scope so a route's buckets live in one Redis Cluster slot, and expire a little after they leave the window.

import type { Redis } from "ioredis";
import { bucketSizeMs, DEFAULT_BUCKETS, forEachWindowBucket, type UsageWindowStore } from "./usage-window.ts";

export interface RedisUsageWindowOptions {
  /** key prefix (default `sluice:usage`); tests use a unique one */
  prefix?: string;
  buckets?: number;
}

export class RedisUsageWindowStore implements UsageWindowStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #buckets: number;

  constructor(redis: Redis, options: RedisUsageWindowOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? "sluice:usage";
    this.#buckets = options.buckets ?? DEFAULT_BUCKETS;
  }

  #key(scope: string, bucketMs: number, index: number): string {
    return `${this.#prefix}:{${scope}}:${bucketMs}:${index}`;
  }

  async add(scope: string, member: string, amount: number, atMs: number, windowMs: number): Promise<void> {
    if (!(amount > 0)) return;
    const bucketMs = bucketSizeMs(windowMs, this.#buckets);
    const key = this.#key(scope, bucketMs, Math.floor(atMs / bucketMs));
    await this.#redis
      .multi()
      .hincrbyfloat(key, member, amount)
      .pexpire(key, windowMs + 2 * bucketMs)
      .exec();
  }

  async totals(scope: string, members: readonly string[], windowMs: number, nowMs: number): Promise<number[]> {
    const out = new Array<number>(members.length).fill(0);
    if (members.length === 0) return out;
    const bucketMs = bucketSizeMs(windowMs, this.#buckets);
    const weights: number[] = [];
    const pipeline = this.#redis.pipeline();
    forEachWindowBucket(windowMs, bucketMs, nowMs, (i, w) => {
      weights.push(w);
      pipeline.hmget(this.#key(scope, bucketMs, i), ...members);
    });
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([err, values], b) => {
      if (err) throw err;
      const w = weights[b] ?? 0;
      (values as Array<string | null>).forEach((v, m) => {
        if (v !== null) out[m] = (out[m] ?? 0) + Number(v) * w;
      });
    });
    return out;
  }
}
