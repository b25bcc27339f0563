// Limits shared by every gateway node: one Redis round trip (EVALSHA of limiter-script.ts) per reserve and per
// settle, however many limits apply.
//
// Redis Cluster: a script may only touch keys of one hash slot, and the reservation must cover all of a request's
// limits atomically, so every key of one limiter carries the same hash tag (`{sluice}` by default): all limiter keys
// live on one shard. That shard then carries all limiter traffic (two small scripts per request: plenty for
// tens of thousands of requests per second). The alternative, a tag per consumer, would spread the load but cannot
// cover limits shared across consumers (team, route, global) in the same atomic script; that trade is not made.
// Deployments that need more can run separate limiters with their own tags (e.g. per region).
//
// Time comes from the calling node (`now`, injected), not Redis TIME, so the key of a bucket/period is computed
// once in JS and declared in KEYS. Nodes are expected to run NTP; a skew of a few ms only shifts bucket edges.
//
// The node that reserved keeps the reservation's key list in memory (settle needs no Redis read first); a node that
// dies leaves its reservations in Redis, where they expire after the reservation TTL.
//
// This class rejects when Redis fails; wrap it in ResilientLimiter for the fail-open/closed behaviour.

import type { Redis } from "ioredis";
import { randomId } from "../../lib/ids.ts";
import { LIMITER_LUA } from "./limiter-script.ts";
import { DEFAULT_RESERVATION_TTL_MS } from "./memory-limiter.ts";
import type { ActualUsage, Limiter, LimitRequest, ReserveOptions, ReserveResult } from "./types.ts";
import { unitsFor } from "./types.ts";
import { COUNTER_GRACE_MS, type CounterLayout, type CounterState, layoutFor, resultFor } from "./window.ts";

export interface RedisLimiterOptions {
  /** key prefix before the hash tag; default "sl:" */
  keyPrefix?: string;
  /** the hash tag shared by all keys (without braces); default "sluice" */
  hashTag?: string;
  now?: () => number;
  reservationTtlMs?: number;
}

/** ioredis options that make a dead Redis fail fast instead of queueing commands (use for the limiter's client). */
export const LIMITER_REDIS_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 1_000,
  commandTimeout: 250,
} as const;

const COMMAND = "sluiceLimiter";
type ScriptCommand = (numKeys: number, ...args: string[]) => Promise<unknown>;

interface HeldEntry {
  counterKey: string;
  pendingKey: string;
  zsetKey: string;
  metric: LimitRequest["metric"];
  counterExpireAt: number | null;
}

export class RedisLimiter implements Limiter {
  private readonly run: ScriptCommand;
  private readonly base: string;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly held = new Map<string, { entries: HeldEntry[]; expiresAt: number }>();
  private nextSweep = 0;

  constructor(redis: Redis, options: RedisLimiterOptions = {}) {
    const tag = options.hashTag ?? "sluice";
    if (/[{}]/.test(tag)) throw new Error("hashTag must not contain braces");
    this.base = `${options.keyPrefix ?? "sl:"}{${tag}}:`;
    this.now = options.now ?? Date.now;
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    // defineCommand: EVALSHA, falling back to EVAL (which loads the script) on NOSCRIPT
    redis.defineCommand(COMMAND, { lua: LIMITER_LUA });
    const fn = (redis as unknown as Record<string, ScriptCommand>)[COMMAND];
    if (typeof fn !== "function") throw new Error("ioredis defineCommand failed");
    this.run = fn.bind(redis);
  }

  async reserve(requests: readonly LimitRequest[], options: ReserveOptions = {}): Promise<ReserveResult> {
    const now = this.now();
    const n = requests.length;
    if (n === 0) return { ok: true, reservationId: null, results: [], retryAfterMs: null };
    if (now >= this.nextSweep) this.sweep(now);
    const ttl = options.ttlMs ?? this.ttlMs;
    const rid = randomId("res_");
    const keys: string[] = new Array(n * 4);
    const args: string[] = ["reserve", String(now), rid, String(ttl), String(n)];
    const layouts: CounterLayout[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const req = requests[i] as LimitRequest;
      if (/[{}]/.test(req.id)) throw new Error(`limit id must not contain braces: ${req.id}`);
      const lay = layoutFor(req, now);
      layouts[i] = lay;
      const cur = `${this.base}c:${req.id}:${lay.curStart}`;
      keys[i * 4] = cur;
      keys[i * 4 + 1] = lay.prevStart === null ? cur : `${this.base}c:${req.id}:${lay.prevStart}`;
      const per = req.window.kind === "sliding" ? req.id : `${req.id}:${lay.curStart}`;
      keys[i * 4 + 2] = `${this.base}p:${per}`;
      keys[i * 4 + 3] = `${this.base}z:${per}`;
      args.push(
        req.window.kind === "sliding" ? "s" : "p",
        req.window.kind === "sliding" ? String(req.window.ms) : "0",
        String(lay.curStart),
        String(req.limit + (req.burst ?? 0)),
        intString(req.cost),
        req.enforce === false ? "0" : "1",
      );
    }
    const reply = (await this.run(keys.length, ...keys, ...args)) as number[];
    const allOk = reply[0] === 1;
    let retryAfterMs: number | null = 0;
    const results = requests.map((req, i) => {
      const st: CounterState = { cur: reply[2 + i * 4] ?? 0, prev: reply[3 + i * 4] ?? 0, pending: reply[4 + i * 4] ?? 0 };
      const r = resultFor(req, layouts[i] as CounterLayout, st, now, reply[1 + i * 4] === 1, allOk);
      if (!r.ok) retryAfterMs = r.retryAfterMs === null || retryAfterMs === null ? null : Math.max(retryAfterMs, r.retryAfterMs);
      return r;
    });
    if (!allOk) return { ok: false, reservationId: null, results, retryAfterMs };
    const entries: HeldEntry[] = requests.map((req, i) => {
      const lay = layouts[i] as CounterLayout;
      return {
        counterKey: keys[i * 4] as string,
        pendingKey: keys[i * 4 + 2] as string,
        zsetKey: keys[i * 4 + 3] as string,
        metric: req.metric,
        counterExpireAt: lay.expireAt,
      };
    });
    this.held.set(rid, { entries, expiresAt: now + ttl });
    return { ok: true, reservationId: rid, results, retryAfterMs: null };
  }

  async settle(reservationId: string, usage: ActualUsage): Promise<void> {
    await this.finish(reservationId, usage);
  }

  async release(reservationId: string): Promise<void> {
    await this.finish(reservationId, null);
  }

  private async finish(reservationId: string, usage: ActualUsage | null): Promise<void> {
    const held = this.held.get(reservationId);
    if (!held) return;
    this.held.delete(reservationId);
    const n = held.entries.length;
    const keys: string[] = new Array(n * 3);
    const now = this.now();
    const args: string[] = ["settle", String(now), reservationId, String(n)];
    for (let i = 0; i < n; i++) {
      const e = held.entries[i] as HeldEntry;
      keys[i * 3] = e.counterKey;
      keys[i * 3 + 1] = e.pendingKey;
      keys[i * 3 + 2] = e.zsetKey;
      // relative TTL: expiry follows the node clock like everything else
      args.push(
        usage ? intString(unitsFor(e.metric, usage)) : "0",
        e.counterExpireAt === null ? "" : String(Math.max(1000, e.counterExpireAt - now)),
      );
    }
    try {
      await this.run(keys.length, ...keys, ...args);
    } catch (err) {
      // keep it so a retry (or nothing: it expires in Redis) can follow; the caller decides
      this.held.set(reservationId, held);
      throw err;
    }
  }

  private sweep(now: number): void {
    this.nextSweep = now + 60_000;
    for (const [id, h] of this.held) if (h.expiresAt + COUNTER_GRACE_MS <= now) this.held.delete(id);
  }
}

/** A non-negative integer as decimal text (costs are rounded up: reservations must not under-count). */
function intString(v: number): string {
  if (!Number.isFinite(v) || v <= 0) return "0";
  const c = Math.ceil(v);
  return Number.isSafeInteger(c) ? String(c) : BigInt(Math.floor(c)).toString();
}
