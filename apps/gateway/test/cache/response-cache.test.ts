// The ResponseCache as the pipeline drives it: partitions, what is never cached, client Cache-Control, TTL with an
// injected clock, purge, backend choice, hooks and header values, failing open.

import { describe, expect, it } from "vitest";
import { MemoryCacheBackend } from "../../src/cache/backends/memory.ts";
import { CACHE_HEADER, cacheHeaderValue, clientCacheDirectives, usageCacheStatus } from "../../src/cache/http.ts";
import { type CacheLookupInput, ResponseCache } from "../../src/cache/response-cache.ts";
import type { CacheBackend, CacheHooks } from "../../src/cache/types.ts";
import type { ChatResponse } from "../../src/providers/types.ts";
import { cacheConfig, chatRequest, chatResponse, manualClock } from "./helpers.ts";

/** A second in-process backend posing as Redis (the real one is in redis-backend.int.test.ts). */
function fakeRedis(): CacheBackend {
  const mem = new MemoryCacheBackend();
  return {
    kind: "redis",
    get: (k) => mem.get(k),
    set: (k, e, ttl) => mem.set(k, e, ttl),
    purge: (s) => mem.purge(s),
    stats: async () => ({ ...(await mem.stats()), backend: "redis" }),
  };
}

function input(over: Partial<CacheLookupInput> = {}, config: Record<string, unknown> = {}): CacheLookupInput {
  return { config: cacheConfig(config), routeId: "rt_1", request: chatRequest(), consumerId: "con_A", teamId: "team_1", ...over };
}

async function fill(cache: ResponseCache, i: CacheLookupInput, answer: ChatResponse = chatResponse()) {
  const l = await cache.lookup(i);
  expect(l.status).toBe("miss");
  expect(await l.writer!.storeResponse(200, answer)).toBe(true);
}

describe("partition isolation", () => {
  it("consumer A's answer is never served to consumer B (default partition: consumer)", async () => {
    const cache = new ResponseCache();
    await fill(cache, input({ consumerId: "con_A" }), chatResponse("secret of A"));
    expect((await cache.lookup(input({ consumerId: "con_A" }))).status).toBe("hit");
    const b = await cache.lookup(input({ consumerId: "con_B" }));
    expect(b.status).toBe("miss");
    expect(b.hit).toBeNull();
    // same team does not matter with consumer partitioning
    expect((await cache.lookup(input({ consumerId: "con_B", teamId: "team_1" }))).status).toBe("miss");
  });

  it("team partitioning shares within a team only", async () => {
    const cache = new ResponseCache();
    await fill(cache, input({ consumerId: "con_A" }, { partition: "team" }));
    expect((await cache.lookup(input({ consumerId: "con_B" }, { partition: "team" }))).status).toBe("hit");
    expect((await cache.lookup(input({ consumerId: "con_C", teamId: "team_2" }, { partition: "team" }))).status).toBe("miss");
    expect((await cache.lookup(input({ consumerId: "con_D", teamId: null }, { partition: "team" }))).status).toBe("miss");
  });

  it("shared partitioning shares across tenants, but never with a consumer-partitioned route's entries", async () => {
    const cache = new ResponseCache();
    await fill(cache, input({ consumerId: "con_A" }, { partition: "shared" }));
    expect((await cache.lookup(input({ consumerId: "con_Z", teamId: "team_9" }, { partition: "shared" }))).status).toBe("hit");
    expect((await cache.lookup(input({ consumerId: "con_Z" }))).status).toBe("miss");
  });

  it("another route or model never shares an entry", async () => {
    const cache = new ResponseCache();
    await fill(cache, input());
    expect((await cache.lookup(input({ routeId: "rt_2" }))).status).toBe("miss");
    expect((await cache.lookup(input({ model: "other-upstream-model" }))).status).toBe("miss");
  });
});

describe("what is never cached", () => {
  it("non-200 answers and error bodies", async () => {
    const cache = new ResponseCache();
    const l = await cache.lookup(input());
    expect(await l.writer!.storeResponse(500, chatResponse())).toBe(false);
    expect(await l.writer!.storeResponse(429, chatResponse())).toBe(false);
    const errorBody = { error: { message: "x", type: "server_error", code: null, param: null } } as unknown as ChatResponse;
    expect(await l.writer!.storeResponse(200, errorBody)).toBe(false);
    const unfinished = chatResponse("half", {
      choices: [{ index: 0, message: { role: "assistant", content: "half" }, finish_reason: null }],
    });
    expect(await l.writer!.storeResponse(200, unfinished)).toBe(false);
    expect((await cache.lookup(input())).status).toBe("miss");
  });

  it("answers above the size limit", async () => {
    const cache = new ResponseCache({ maxEntryChars: 500 });
    const l = await cache.lookup(input());
    expect(await l.writer!.storeResponse(200, chatResponse("x".repeat(1_000)))).toBe(false);
    expect((await cache.lookup(input())).status).toBe("miss");
  });
});

describe("client Cache-Control", () => {
  it("parses no-cache, no-store and pragma", () => {
    expect(clientCacheDirectives({ "cache-control": "No-Cache" })).toEqual({ noCache: true, noStore: false });
    expect(clientCacheDirectives({ "cache-control": "max-age=0, no-store" })).toEqual({ noCache: true, noStore: true });
    expect(clientCacheDirectives({ pragma: "no-cache" })).toEqual({ noCache: true, noStore: false });
    expect(clientCacheDirectives({ "cache-control": ["private", "no-cache"] })).toEqual({ noCache: true, noStore: false });
    expect(clientCacheDirectives({})).toEqual({ noCache: false, noStore: false });
  });

  it("no-cache bypasses the lookup but stores the fresh answer", async () => {
    const cache = new ResponseCache();
    await fill(cache, input(), chatResponse("old"));
    const l = await cache.lookup(input({ headers: { "cache-control": "no-cache" } }));
    expect(l.status).toBe("bypass");
    expect(l.header).toBe("bypass");
    expect(l.hit).toBeNull();
    expect(await l.writer!.storeResponse(200, chatResponse("new"))).toBe(true);
    const hit = (await cache.lookup(input())).hit!;
    expect(JSON.parse(hit.body()).choices[0].message.content).toBe("new");
  });

  it("no-store bypasses the lookup and does not store", async () => {
    const cache = new ResponseCache();
    const l = await cache.lookup(input({ headers: { "cache-control": "no-store" } }));
    expect(l.status).toBe("bypass");
    expect(l.writer).toBeNull();
    expect((await cache.lookup(input())).status).toBe("miss");
  });
});

describe("TTL", () => {
  it("an entry lives ttlSeconds on the injected clock", async () => {
    const clock = manualClock();
    const cache = new ResponseCache({ now: clock.now });
    await fill(cache, input({}, { ttlSeconds: 60 }));
    clock.advance(59_999);
    const hit = await cache.lookup(input({}, { ttlSeconds: 60 }));
    expect(hit.status).toBe("hit");
    expect(hit.hit!.entry.expiresAt).toBe(manualClock().t + 60_000);
    clock.advance(1);
    expect((await cache.lookup(input({}, { ttlSeconds: 60 }))).status).toBe("miss");
  });
});

describe("hits", () => {
  it("report the original usage for savedCost, a fresh id, and the header value", async () => {
    const cache = new ResponseCache();
    const original = chatResponse();
    await fill(cache, input(), original);
    const l = await cache.lookup(input({ request: { ...chatRequest(), user: "someone-else", stream: false } }));
    expect(l.status).toBe("hit");
    expect(l.header).toBe("hit");
    expect(CACHE_HEADER).toBe("x-sluice-cache");
    expect(cacheHeaderValue("semantic-hit")).toBe("semantic-hit");
    expect(usageCacheStatus("semantic-hit")).toBe("semantic_hit");
    expect(usageCacheStatus(null)).toBe("none");
    expect(l.hit!.usage).toEqual(original.usage);
    const body = JSON.parse(l.hit!.body()) as ChatResponse;
    expect(body.id).not.toBe(original.id);
    expect(body.choices).toEqual(original.choices);
    expect(body.usage).toEqual(original.usage);
    expect(l.writer).toBeNull();
  });
});

describe("purge", () => {
  it("by route, consumer, team and all, across backends", async () => {
    const cache = new ResponseCache({ backends: { redis: fakeRedis() } });
    await fill(cache, input({ consumerId: "con_A" }));
    await fill(cache, input({ consumerId: "con_B" }));
    await fill(cache, input({ consumerId: "con_A", routeId: "rt_2" }));
    await fill(cache, input({ consumerId: "con_A" }, { backend: "memory" }));
    await fill(cache, input({ consumerId: "con_A" }, { partition: "team" }));

    expect((await cache.purgeRoute("rt_2")).total).toBe(1);
    expect((await cache.lookup(input({ routeId: "rt_2" }))).status).toBe("miss");
    const byConsumer = await cache.purgeConsumer("con_A");
    expect(byConsumer.total).toBe(2); // one in "redis", one in memory
    expect(byConsumer.byBackend).toEqual({ memory: 1, redis: 1 });
    expect((await cache.lookup(input({ consumerId: "con_B" }))).status).toBe("hit");
    expect((await cache.purgeTeam("team_1")).total).toBe(1);
    expect((await cache.purgeAll()).total).toBe(1);
    expect((await cache.lookup(input({ consumerId: "con_B" }))).status).toBe("miss");
  });
});

describe("backends, hooks, failing open", () => {
  it("auto = redis when configured, else memory; an unconfigured choice falls back to auto", () => {
    const mem = new MemoryCacheBackend();
    const redis = fakeRedis();
    const only = new ResponseCache({ backends: { memory: mem } });
    expect(only.backendFor({ backend: "auto" })).toBe(mem);
    expect(only.backendFor({ backend: "postgres" })).toBe(mem);
    const both = new ResponseCache({ backends: { memory: mem, redis } });
    expect(both.backendFor({ backend: "auto" })).toBe(redis);
    expect(both.backendFor({ backend: "memory" })).toBe(mem);
    expect(both.backendFor({ backend: "postgres" })).toBe(redis);
  });

  it("counts hits, misses and bypasses per backend and route through hooks", async () => {
    const events: string[] = [];
    const hooks: CacheHooks = {
      onLookup: (e) => events.push(`${e.backend}:${e.routeId}:${e.status}`),
      onStore: (e) => events.push(`store:${e.backend}:${e.routeId}`),
    };
    const cache = new ResponseCache({ hooks });
    await fill(cache, input());
    await cache.lookup(input());
    await cache.lookup(input({ headers: { "cache-control": "no-cache" } }));
    expect(events).toEqual(["memory:rt_1:miss", "store:memory:rt_1", "memory:rt_1:hit", "memory:rt_1:bypass"]);
  });

  it("a failing backend is a miss (and a dropped store), reported through onError, never a thrown error", async () => {
    const errors: string[] = [];
    const broken: CacheBackend = {
      kind: "redis",
      get: async () => {
        throw new Error("ECONNREFUSED");
      },
      set: async () => {
        throw new Error("ECONNREFUSED");
      },
      purge: async () => 0,
      stats: async () => ({ backend: "redis", hits: 0, misses: 0, sets: 0, errors: 0 }),
    };
    const cache = new ResponseCache({
      backends: { redis: broken },
      hooks: {
        onError: (e) => errors.push(`${e.backend}:${e.op}`),
        onLookup: () => {
          throw new Error("a broken hook");
        },
      },
    });
    const l = await cache.lookup(input());
    expect(l.status).toBe("miss");
    expect(await l.writer!.storeResponse(200, chatResponse())).toBe(false);
    expect(errors).toEqual(["redis:get", "redis:set"]);
  });
});
