// What every CacheBackend does, run against memory (memory-backend.test.ts), Redis (redis-backend.int.test.ts) and
// PostgreSQL (postgres-backend.int.test.ts). `advance(ms)` moves time: the injected clock for memory/Postgres, a
// real sleep for Redis (which expires keys itself).

import { describe, expect, it } from "vitest";
import { cacheKey, consumerPartition, teamPartition } from "../../src/cache/key.ts";
import type { CacheBackend, CacheEntry, CacheKey } from "../../src/cache/types.ts";
import { chatRequest } from "./helpers.ts";

export interface BackendHarness {
  backend: CacheBackend;
  now(): number;
  advance(ms: number): Promise<void>;
}

export function keyOf(routeId: string, partition: string, question = "q"): CacheKey {
  return cacheKey({ routeId, partition, request: chatRequest({ messages: [{ role: "user", content: question }] }) });
}

export function entryFor(
  key: CacheKey,
  now: number,
  ttlMs: number,
  payload = '{"object":"chat.completion","choices":[]}',
): CacheEntry {
  return {
    kind: "response",
    routeId: key.routeId,
    partition: key.partition,
    model: "m",
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    createdAt: now,
    expiresAt: now + ttlMs,
    payload,
  };
}

/** `make` returns a backend over an empty key space. `ttlMs` is the short TTL the expiry test uses. */
export function backendContract(name: string, make: () => Promise<BackendHarness>, ttlMs = 1_000) {
  describe(`${name}: CacheBackend contract`, () => {
    async function put(h: BackendHarness, key: CacheKey, ttl = 60_000) {
      await h.backend.set(key, entryFor(key, h.now(), ttl), ttl);
    }

    it("stores and returns an entry, payload byte for byte", async () => {
      const h = await make();
      const key = keyOf("rt_a", consumerPartition("c1"));
      const payload = '{"object":"chat.completion","choices":[{"message":{"content":"ünïcödé \\n 🚀"}}]}';
      const entry = entryFor(key, h.now(), 60_000, payload);
      await h.backend.set(key, entry, 60_000);
      const got = await h.backend.get(key);
      expect(got).toEqual(entry);
      expect(got?.payload).toBe(payload);
    });

    it("misses an absent key and another partition's key", async () => {
      const h = await make();
      const a = keyOf("rt_a", consumerPartition("c1"));
      const b = keyOf("rt_a", consumerPartition("c2"));
      expect(a.hash).toBe(b.hash);
      await put(h, a);
      expect(await h.backend.get(b)).toBeNull();
      expect(await h.backend.get(keyOf("rt_a", consumerPartition("c1"), "other"))).toBeNull();
    });

    it("expires entries after the TTL", async () => {
      const h = await make();
      const key = keyOf("rt_ttl", consumerPartition("c1"));
      await put(h, key, ttlMs);
      expect(await h.backend.get(key)).not.toBeNull();
      await h.advance(ttlMs + 50);
      expect(await h.backend.get(key)).toBeNull();
    });

    it("replaces an entry under the same key", async () => {
      const h = await make();
      const key = keyOf("rt_a", "shared");
      await h.backend.set(key, entryFor(key, h.now(), 60_000, '{"v":1}'), 60_000);
      await h.backend.set(key, entryFor(key, h.now(), 60_000, '{"v":2}'), 60_000);
      expect((await h.backend.get(key))?.payload).toBe('{"v":2}');
    });

    it("purges by route, by consumer, by team, by route + partition, and all", async () => {
      const h = await make();
      const keys = {
        a1: keyOf("rt_a", consumerPartition("c1")),
        a2: keyOf("rt_a", consumerPartition("c2")),
        b1: keyOf("rt_b", consumerPartition("c1")),
        b2: keyOf("rt_b", consumerPartition("c2")),
        bt: keyOf("rt_b", teamPartition("t1")),
        cs: keyOf("rt_c", "shared"),
      };
      for (const k of Object.values(keys)) await put(h, k);
      const alive = async () => {
        const out: string[] = [];
        for (const [n, k] of Object.entries(keys)) if (await h.backend.get(k)) out.push(n);
        return out;
      };
      expect(await h.backend.purge({})).toBe(0);
      expect(await h.backend.purge({ routeId: "rt_a" })).toBe(2);
      expect(await alive()).toEqual(["b1", "b2", "bt", "cs"]);
      expect(await h.backend.purge({ consumerId: "c1" })).toBe(1);
      expect(await alive()).toEqual(["b2", "bt", "cs"]);
      expect(await h.backend.purge({ teamId: "t1" })).toBe(1);
      expect(await h.backend.purge({ routeId: "rt_b", partition: consumerPartition("c9") })).toBe(0);
      expect(await h.backend.purge({ routeId: "rt_b", consumerId: "c2" })).toBe(1);
      expect(await alive()).toEqual(["cs"]);
      await put(h, keys.a1);
      expect(await h.backend.purge({ all: true })).toBe(2);
      expect(await alive()).toEqual([]);
    });

    it("route ids and partitions with glob and separator characters purge exactly", async () => {
      const h = await make();
      const odd = keyOf("rt_*|x", "c:a*b|p=");
      const plain = keyOf("rt_zx", "c:azb");
      await put(h, odd);
      await put(h, plain);
      expect(await h.backend.purge({ routeId: "rt_*|x" })).toBe(1);
      expect(await h.backend.get(plain)).not.toBeNull();
      await put(h, odd);
      expect(await h.backend.purge({ partition: "c:a*b|p=" })).toBe(1);
      expect(await h.backend.get(plain)).not.toBeNull();
    });

    it("counts hits, misses and sets", async () => {
      const h = await make();
      const key = keyOf("rt_s", "shared");
      await h.backend.get(key);
      await put(h, key);
      await h.backend.get(key);
      const s = await h.backend.stats();
      expect(s.backend).toBe(h.backend.kind);
      expect(s).toMatchObject({ hits: 1, misses: 1, sets: 1 });
    });
  });
}
