// Two gateway "nodes" (two Redis connections, two balancers) share lowest-usage state through Redis.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LowestUsageBalancer } from "../../src/balancer/algorithms/lowest-usage.ts";
import { RedisUsageWindowStore } from "../../src/balancer/redis-usage-window.ts";
import { ctxWith, ManualClock, NONE, type TestTarget, target } from "./helpers.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test:usage:${randomUUID()}`;

let nodeA: Redis;
let nodeB: Redis;

beforeAll(async () => {
  nodeA = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  nodeB = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await Promise.all([nodeA.connect(), nodeB.connect()]);
});

afterAll(async () => {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await nodeA.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  if (keys.length > 0) await nodeA.del(...keys);
  await Promise.all([nodeA.quit(), nodeB.quit()]);
});

describe("lowest usage shared across nodes through Redis", () => {
  const targets = [target("a"), target("b"), target("c")];

  function node(redis: Redis, clock: ManualClock, scope: string) {
    return new LowestUsageBalancer<TestTarget>({
      store: new RedisUsageWindowStore(redis, { prefix }),
      scope,
      metric: "tokens",
      windowMs: 60_000,
      clock,
    });
  }

  it("one node's usage steers the other node's choice", async () => {
    const clock = new ManualClock();
    const scope = `rt_${randomUUID()}`;
    const a = node(nodeA, clock, scope);
    const b = node(nodeB, clock, scope);
    const ctx = ctxWith({}, 1, clock);

    await a.record("a", 1_000, clock.now());
    await a.record("b", 500, clock.now());
    expect((await b.select(targets, ctx, NONE))?.id).toBe("c");

    await b.record("c", 2_000, clock.now());
    expect((await a.select(targets, ctx, NONE))?.id).toBe("b");

    // usage ages out of the window on both nodes
    clock.advance(61_000 + 6_000);
    await b.record("a", 10, clock.now());
    expect((await a.select(targets, ctx, NONE))?.id).toBe("b");
  });

  it("balances a stream of requests served alternately by two nodes", async () => {
    const clock = new ManualClock();
    const scope = `rt_${randomUUID()}`;
    const nodes = [node(nodeA, clock, scope), node(nodeB, clock, scope)];
    const ctx = ctxWith({}, 1, clock);
    const per: Record<string, number> = { a: 100, b: 100, c: 300 };
    const counts: Record<string, number> = {};
    for (let i = 0; i < 120; i++) {
      const n = nodes[i % 2] as LowestUsageBalancer<TestTarget>;
      const t = await n.select(targets, ctx, NONE);
      if (!t) throw new Error("no target");
      counts[t.id] = (counts[t.id] ?? 0) + 1;
      await n.record(t.id, per[t.id] ?? 0, clock.now());
      clock.advance(10);
    }
    // a and b each ~3x as many requests as c (equal tokens overall)
    expect(counts.a).toBeGreaterThanOrEqual(48);
    expect(counts.b).toBeGreaterThanOrEqual(48);
    expect(counts.c).toBeLessThanOrEqual(20);
    const store = new RedisUsageWindowStore(nodeA, { prefix });
    const totals = await store.totals(scope, ["tokens:a", "tokens:b", "tokens:c"], 60_000, clock.now());
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(300);
  });

  it("store keys expire after the window", async () => {
    const clock = new ManualClock();
    const scope = `rt_${randomUUID()}`;
    const store = new RedisUsageWindowStore(nodeA, { prefix });
    await store.add(scope, "tokens:a", 5, clock.now(), 60_000);
    const [key] = await nodeA.keys(`${prefix}:{${scope}}:*`);
    expect(key).toBeDefined();
    const ttl = await nodeA.pttl(key as string);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(72_000);
    expect(await store.totals(scope, ["tokens:a", "tokens:zz"], 60_000, clock.now())).toEqual([5, 0]);
  });
});
