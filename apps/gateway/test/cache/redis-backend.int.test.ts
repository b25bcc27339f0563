// RedisCacheBackend against a real Redis (REDIS_URL, default redis://127.0.0.1:6379). Each harness uses its own key
// prefix; everything under the test prefixes is deleted afterwards. Redis expires keys itself, so the TTL test sleeps.

import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisCacheBackend } from "../../src/cache/backends/redis.ts";
import { ResponseCache } from "../../src/cache/response-cache.ts";
import { backendContract, entryFor, keyOf } from "./backend-contract.ts";
import { cacheConfig, chatChunks, chatRequest, stripIdentity, withoutIdentity } from "./helpers.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(REDIS_URL);
const redis2 = new Redis(REDIS_URL);
const ROOT = `sluice-test:cache:${randomUUID()}:`;

afterAll(async () => {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${ROOT}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
  redis.disconnect();
  redis2.disconnect();
});

let n = 0;
const fresh = () => new RedisCacheBackend(redis, { keyPrefix: `${ROOT}${n++}:`, batchSize: 3 });

backendContract(
  "redis",
  async () => ({
    backend: fresh(),
    now: Date.now,
    advance: (ms) => new Promise((r) => setTimeout(r, ms)),
  }),
  150,
);

describe("RedisCacheBackend", () => {
  it("keys carry route and partition; purge leaves other prefixes alone", async () => {
    const a = fresh();
    const b = fresh();
    const key = keyOf("rt_1", "c:con_1");
    await a.set(key, entryFor(key, Date.now(), 60_000), 60_000);
    await b.set(key, entryFor(key, Date.now(), 60_000), 60_000);
    expect(a.keyName(key)).toMatch(/r=rt_1\|p=c%3Acon_1\|[0-9a-f]{64}$/);
    expect(await redis.pttl(a.keyName(key))).toBeGreaterThan(59_000);
    expect(await a.purge({ all: true })).toBe(1);
    expect(await b.get(key)).not.toBeNull();
  });

  it("purges many keys across SCAN pages", async () => {
    const backend = fresh();
    for (let i = 0; i < 25; i++) {
      const k = keyOf(i % 2 ? "rt_odd" : "rt_even", "shared", `q${i}`);
      await backend.set(k, entryFor(k, Date.now(), 60_000), 60_000);
    }
    expect(await backend.purge({ routeId: "rt_odd" })).toBe(12);
    expect(await backend.purge({ all: true })).toBe(13);
  });

  it("a garbage value under a cache key is a miss", async () => {
    const backend = fresh();
    const key = keyOf("rt_1", "shared");
    await redis.set(backend.keyName(key), "not an entry");
    expect(await backend.get(key)).toBeNull();
  });

  it("stream record -> replay through Redis, shared by two gateway nodes", async () => {
    const prefix = `${ROOT}nodes:`;
    const nodeA = new ResponseCache({ backends: { redis: new RedisCacheBackend(redis, { keyPrefix: prefix }) } });
    const nodeB = new ResponseCache({ backends: { redis: new RedisCacheBackend(redis2, { keyPrefix: prefix }) } });
    const input = {
      config: cacheConfig(),
      routeId: "rt_s",
      request: chatRequest({ stream: true }),
      consumerId: "con_1",
      teamId: null,
    };
    const rec = (await nodeA.lookup(input)).writer!.recordStream();
    const chunks = chatChunks(["Hel", "lo"]);
    for (const c of chunks) rec.pushData(JSON.stringify(c));
    expect(await rec.end()).toBe(true);
    const l = await nodeB.lookup(input);
    expect(l.status).toBe("hit");
    expect(l.backend).toBe("redis");
    expect(stripIdentity(l.hit!.chunks({ includeUsage: true }))).toEqual(chunks.map((c) => withoutIdentity(c)));
    expect((await nodeB.lookup({ ...input, consumerId: "con_2" })).status).toBe("miss");
    expect((await nodeA.purgeConsumer("con_1")).byBackend.redis).toBe(1);
    expect((await nodeB.lookup(input)).status).toBe("miss");
  });
});
