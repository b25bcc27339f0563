// RedisLimiter against a real Redis (REDIS_URL, default redis://127.0.0.1:6379). Every test uses its own key
// prefix and deletes its keys afterwards.

import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { BudgetConfigSchema } from "@sluice/db/schemas";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compileBudget, limitDecision, planLimits } from "../../src/policies/limits/plan.ts";
import { LIMITER_REDIS_OPTIONS, RedisLimiter } from "../../src/policies/limits/redis-limiter.ts";
import { ResilientLimiter } from "../../src/policies/limits/resilient-limiter.ts";
import type { LimitRequest } from "../../src/policies/limits/types.ts";
import { limiterContract, manualClock } from "./limiter-contract.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const nodeA = new Redis(REDIS_URL);
const nodeB = new Redis(REDIS_URL);
const prefixes: string[] = [];

function freshPrefix(): string {
  const p = `sluice-test:${randomUUID()}:`;
  prefixes.push(p);
  return p;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await nodeA.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    out.push(...batch);
  } while (cursor !== "0");
  return out;
}

afterEach(async () => {
  for (const p of prefixes.splice(0)) {
    const keys = await keysUnder(p);
    if (keys.length > 0) await nodeA.del(...keys);
  }
});

afterAll(async () => {
  nodeA.disconnect();
  nodeB.disconnect();
});

limiterContract(
  "RedisLimiter",
  async (clock) => new RedisLimiter(nodeA, { keyPrefix: freshPrefix(), now: clock.now, reservationTtlMs: 10_000 }),
);

const budgetReq = (over: Partial<LimitRequest> = {}): LimitRequest => ({
  id: "bud",
  name: "team monthly",
  source: "budget",
  metric: "cost",
  limit: 50_000,
  window: { kind: "period", start: 0, end: null },
  cost: 1_000,
  ...over,
});

describe("RedisLimiter across two nodes", () => {
  it("admits at most 50 of 200 concurrent requests against a budget worth 50, and settles exactly", async () => {
    const keyPrefix = freshPrefix();
    const a = new RedisLimiter(nodeA, { keyPrefix });
    const b = new RedisLimiter(nodeB, { keyPrefix });
    const also = {
      id: "rpm",
      name: "rpm",
      source: "rate-limit" as const,
      metric: "requests" as const,
      limit: 1000,
      window: { kind: "sliding" as const, ms: 60_000 },
      cost: 1,
    };
    const attempts = Array.from({ length: 200 }, (_, i) =>
      (i % 2 === 0 ? a : b).reserve([also, budgetReq()]).then((r) => ({ r, node: i % 2 === 0 ? a : b })),
    );
    const done = await Promise.all(attempts);
    const admitted = done.filter((d) => d.r.ok);
    expect(admitted).toHaveLength(50);
    // both nodes served some
    expect(new Set(admitted.map((d) => d.node)).size).toBe(2);
    // settle with real costs below the worst case: 1..50 x 10 nano
    let expected = 0;
    await Promise.all(
      admitted.map((d, i) => {
        const cost = (i + 1) * 10;
        expected += cost;
        return d.node.settle(d.r.reservationId as string, { promptTokens: 1, completionTokens: 1, costNano: BigInt(cost) });
      }),
    );
    const counter = await nodeA.get(`${keyPrefix}{sluice}:c:bud:0`);
    expect(Number(counter)).toBe(expected);
    expect(await nodeA.hget(`${keyPrefix}{sluice}:p:bud:0`, "_s")).toBe("0");
    const rpm = Number(await nodeA.get(`${keyPrefix}{sluice}:c:rpm:${Math.floor(Date.now() / 60_000) * 60_000}`));
    expect(rpm === 50 || rpm === 0).toBe(true); // 0 only if the minute rolled over mid-test
    // the denied 150 reserved nothing anywhere
    const probe = await a.reserve([{ ...budgetReq(), cost: 0 }]);
    expect(probe.results[0]?.remaining).toBe(50_000 - expected);
  });

  it("puts all keys of one limiter in one cluster slot and lets them expire", async () => {
    const keyPrefix = freshPrefix();
    const l = new RedisLimiter(nodeA, { keyPrefix, reservationTtlMs: 5_000 });
    const clock = Date.now();
    const r = await l.reserve([
      { id: "x", name: "x", source: "rate-limit", metric: "tokens", limit: 100, window: { kind: "sliding", ms: 1000 }, cost: 10 },
      budgetReq({ window: { kind: "period", start: clock - 1000, end: clock + 1000 } }),
    ]);
    await l.settle(r.reservationId as string, { promptTokens: 3, completionTokens: 4, costNano: 5n });
    await l.reserve([budgetReq({ window: { kind: "period", start: clock - 1000, end: clock + 1000 } })]); // left pending
    const keys = await keysUnder(keyPrefix);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    const slots = new Set(await Promise.all(keys.map((k) => nodeA.call("CLUSTER", "KEYSLOT", k).catch(() => "n/a"))));
    expect(slots.size).toBe(1);
    for (const k of keys) {
      const ttl = await nodeA.pttl(k);
      expect(ttl).toBeGreaterThan(0);
    }
  });

  it("an unsettled reservation from a dead node expires (real time)", async () => {
    const keyPrefix = freshPrefix();
    const dead = new RedisLimiter(nodeB, { keyPrefix, reservationTtlMs: 150 });
    const alive = new RedisLimiter(nodeA, { keyPrefix, reservationTtlMs: 150 });
    const r = budgetReq({ limit: 1000, cost: 1000 });
    expect((await dead.reserve([r])).ok).toBe(true);
    expect((await alive.reserve([r])).ok).toBe(false);
    await new Promise((res) => setTimeout(res, 200));
    expect((await alive.reserve([r])).ok).toBe(true);
  });

  it("a daily budget resets at local midnight across the DST change (Europe/Berlin)", async () => {
    const clock = manualClock(Date.UTC(2025, 2, 29, 22, 59, 0)); // 23:59 CET on Sat 29 March
    const l = new RedisLimiter(nodeA, { keyPrefix: freshPrefix(), now: clock.now });
    const budget = compileBudget(
      BudgetConfigSchema.parse({
        id: "b1",
        name: "daily",
        scope: "GLOBAL",
        limit: "0.000002",
        period: "DAY",
        timezone: "Europe/Berlin",
      }),
    );
    const plan = () =>
      planLimits(
        [],
        [budget],
        { consumerId: "c", keyId: "k", teamId: null, routeId: "r" },
        { worst: { promptTokens: 1, completionTokens: 1 }, worstCostNano: 1000n },
        clock.now(),
      );
    for (const ok of [true, true, false]) expect((await l.reserve(plan())).ok).toBe(ok);
    const denied = await l.reserve(plan());
    expect(denied.retryAfterMs).toBe(60_000);
    clock.t = Date.UTC(2025, 2, 29, 23, 0, 0); // 00:00 CET, Sunday 30 March: a new day
    const sunday = plan();
    expect(sunday[0]?.window).toEqual({ kind: "period", start: Date.UTC(2025, 2, 29, 23), end: Date.UTC(2025, 2, 30, 22) });
    expect((await l.reserve(sunday)).ok).toBe(true);
    expect((await l.reserve(plan())).ok).toBe(true);
    expect((await l.reserve(plan())).ok).toBe(false);
    clock.t = Date.UTC(2025, 2, 30, 22, 0, 0); // 00:00 CEST Monday: Sunday had 23 hours
    expect((await l.reserve(plan())).ok).toBe(true);
  });
});

describe("Redis unavailable", () => {
  let hanging: Server;
  let hangingPort = 0;
  const clients: Redis[] = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // accepts connections and never answers: every command times out
    hanging = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((res) => hanging.listen(0, "127.0.0.1", () => res()));
    const addr = hanging.address();
    hangingPort = typeof addr === "object" && addr ? addr.port : 0;
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    // a client's reconnect may already be under way: close the server side of every socket, or close() waits forever
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((res) => hanging.close(() => res()));
  });

  function client(port: number): Redis {
    const c = new Redis({ host: "127.0.0.1", port, ...LIMITER_REDIS_OPTIONS, retryStrategy: () => 50 });
    c.on("error", () => {});
    clients.push(c);
    return c;
  }

  const limits = (failMode: "open" | "closed"): LimitRequest[] => [
    {
      id: "rl",
      name: "per minute",
      source: "rate-limit",
      metric: "requests",
      limit: 2,
      window: { kind: "sliding", ms: 60_000 },
      cost: 1,
      failMode,
    },
  ];

  for (const [what, port] of [
    ["a closed port", () => 1],
    ["a server that never answers", () => hangingPort],
  ] as const) {
    it(`${what}: fail-open admits and counts locally, fail-closed denies with 429, nothing throws`, async () => {
      const events: string[] = [];
      const logs: string[] = [];
      const redis = client(port());
      const shared = new RedisLimiter(redis, { keyPrefix: freshPrefix() });
      const limiter = new ResilientLimiter(shared, {
        timeoutMs: 50,
        cooldownMs: 0,
        onFallback: (e) => events.push(`${e.op}:${e.mode}`),
        log: (m) => logs.push(m),
      });
      const started = Date.now();
      const first = await limiter.reserve(limits("open"));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(first.ok).toBe(true);
      expect(first.degraded).toBe("local");
      const second = await limiter.reserve(limits("open"));
      expect(second.ok).toBe(true);
      const third = await limiter.reserve(limits("open"));
      expect(third.ok).toBe(false); // counted locally: the local limit of 2 holds
      await limiter.settle(first.reservationId as string, { promptTokens: 1, completionTokens: 1 });
      await limiter.release(second.reservationId as string);

      const closed = await limiter.reserve(limits("closed"));
      expect(closed.ok).toBe(false);
      expect(closed.degraded).toBe("denied");
      const decision = limitDecision(limits("closed"), closed, Date.now());
      expect(decision.ok).toBe(false);
      if (!decision.ok) {
        expect(decision.status).toBe(429);
        expect(decision.code).toBe("rate_limit_unavailable");
        expect(decision.headers?.["retry-after"]).toBeDefined();
      }
      expect(events).toContain("reserve:open");
      expect(events).toContain("reserve:closed");
      expect(logs.length).toBeGreaterThan(0);
    });
  }
});
