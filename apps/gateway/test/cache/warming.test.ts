// Cache warming: loading a list of requests, the frequency tracker, and refresh-ahead of hot keys before expiry.

import { describe, expect, it } from "vitest";
import { CountMinSketch, HotKeyTracker } from "../../src/cache/hot-keys.ts";
import { type CacheLookupInput, ResponseCache } from "../../src/cache/response-cache.ts";
import { RefreshAhead, warmCache } from "../../src/cache/warming.ts";
import { cacheConfig, chatRequest, chatResponse, manualClock } from "./helpers.ts";

function input(question: string, config: Record<string, unknown> = {}): CacheLookupInput {
  return {
    config: cacheConfig(config),
    routeId: "rt_1",
    request: chatRequest({ messages: [{ role: "user", content: question }] }),
    consumerId: "con_A",
    teamId: null,
  };
}

describe("warmCache", () => {
  it("loads answers for a list of requests, skipping those already cached unless forced", async () => {
    const cache = new ResponseCache();
    const fetched: string[] = [];
    const fetch = async (i: CacheLookupInput) => {
      const q = String(i.request.messages[0]?.content);
      fetched.push(q);
      if (q === "fails") throw new Error("upstream 500");
      if (q === "empty") return null;
      return chatResponse(`answer to ${q}`);
    };
    const list = ["a", "b", "c", "fails", "empty"].map((q) => input(q));
    expect(await warmCache(cache, list, fetch, { concurrency: 2 })).toEqual({ warmed: 3, skipped: 0, failed: 2 });
    const hit = (await cache.lookup(input("b"))).hit!;
    expect(JSON.parse(hit.body()).choices[0].message.content).toBe("answer to b");

    fetched.length = 0;
    expect(await warmCache(cache, list.slice(0, 3), fetch)).toEqual({ warmed: 0, skipped: 3, failed: 0 });
    expect(fetched).toEqual([]);
    expect(await warmCache(cache, list.slice(0, 1), fetch, { force: true })).toEqual({ warmed: 1, skipped: 0, failed: 0 });
  });
});

describe("frequency tracking", () => {
  it("count-min sketch never underestimates and stays close on a skewed stream", () => {
    const cms = new CountMinSketch(1024, 4);
    const truth = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const k = `key-${i % 7 === 0 ? i % 3 : i % 2_000}`;
      truth.set(k, (truth.get(k) ?? 0) + 1);
      cms.increment(k);
    }
    for (const [k, n] of truth) {
      const est = cms.estimate(k);
      expect(est).toBeGreaterThanOrEqual(n);
      expect(est - n).toBeLessThan(60);
    }
  });

  it("the top-K keeps the most frequent recent keys and decays old counts", () => {
    const clock = manualClock();
    const hot = new HotKeyTracker<string>({ k: 3, now: clock.now, halfLifeMs: 60_000 });
    const hits = { a: 50, b: 30, c: 20, d: 5, e: 1 };
    for (let round = 0; round < 50; round++) for (const [k, n] of Object.entries(hits)) if (round < n) hot.touch(k, `v-${k}`);
    expect(hot.hottest().map((h) => h.id)).toEqual(["a", "b", "c"]);
    expect(hot.get("a")?.value).toBe("v-a");
    // an hour later, a new burst wins over yesterday's favourites
    clock.advance(60 * 60_000);
    for (let i = 0; i < 10; i++) hot.touch("z", "v-z");
    expect(hot.hottest()[0]?.id).toBe("z");
  });
});

describe("RefreshAhead", () => {
  it("re-fetches hot keys of refresh-ahead routes shortly before they expire", async () => {
    const clock = manualClock();
    const cache = new ResponseCache({ now: clock.now });
    const cfg = { ttlSeconds: 60, refreshAhead: true };
    let version = 0;
    const fetched: string[] = [];
    const refresher = new RefreshAhead(cache, {
      leadMs: 10_000,
      minCount: 3,
      fetch: async (i) => {
        fetched.push(String(i.request.messages[0]?.content));
        return chatResponse(`v${++version}`);
      },
    });

    // "hot" requested 5 times, "cold" once, "plain" 5 times on a route without refreshAhead
    for (const [q, n, c] of [
      ["hot", 5, cfg],
      ["cold", 1, cfg],
      ["plain", 5, { ttlSeconds: 60 }],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const l = await cache.lookup(input(q, c));
        if (l.writer) await l.writer.storeResponse(200, chatResponse(`v0-${q}`));
      }
    }
    expect(cache.hotKeys().map((h) => h.count)).toEqual([5, 1]);

    clock.advance(45_000); // 15 s left: not yet due
    expect(await refresher.tick()).toBe(0);
    clock.advance(6_000); // 9 s left: due
    expect(await refresher.tick()).toBe(1);
    expect(fetched).toEqual(["hot"]);

    // the refreshed entry outlives the original expiry and has the new answer
    clock.advance(20_000);
    const hit = (await cache.lookup(input("hot", cfg))).hit!;
    expect(JSON.parse(hit.body()).choices[0].message.content).toBe("v1");
    expect(hit.entry.expiresAt).toBe(manualClock().t + 51_000 + 60_000);
    expect((await cache.lookup(input("cold", cfg))).status).toBe("miss");
    expect((await cache.lookup(input("plain", { ttlSeconds: 60 }))).status).toBe("miss");
    // nothing due right after a refresh
    expect(await refresher.tick()).toBe(0);
    // a purge stops refresh-ahead for the purged keys
    await cache.purgeRoute("rt_1");
    expect(cache.hotKeys()).toEqual([]);
  });
});
