import { describe, expect, it } from "vitest";
import { LowestLatencyBalancer } from "../../src/balancer/algorithms/lowest-latency.ts";
import { LowestUsageBalancer } from "../../src/balancer/algorithms/lowest-usage.ts";
import { createSeededRng } from "../../src/balancer/random.ts";
import type { Balancer } from "../../src/balancer/types.ts";
import { MemoryUsageWindowStore, type UsageWindowStore } from "../../src/balancer/usage-window.ts";
import { ctxWith, ManualClock, NONE, type TestTarget, tally, target } from "./helpers.ts";

/** sequential traffic: select, start, end with the target's current latency / tokens */
async function drive(
  b: Balancer<TestTarget>,
  targets: readonly TestTarget[],
  n: number,
  observe: (id: string) => { latencyMs?: number; ttftMs?: number; tokens?: number },
  ctx = ctxWith(),
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = await b.select(targets, ctx, NONE);
    if (!t) throw new Error("no target");
    b.onStart(t.id);
    b.onEnd(t.id, { ok: true, ...observe(t.id) });
    ids.push(t.id);
  }
  return ids;
}

describe("lowest latency (EWMA with a probe share)", () => {
  const targets = [target("fast"), target("slow")];

  it("sends most traffic to the faster target and still probes the slower one", async () => {
    const b = new LowestLatencyBalancer<TestTarget>(0.05);
    const ids = await drive(b, targets, 2000, (id) => ({ latencyMs: id === "fast" ? 50 : 500 }));
    const c = tally(ids);
    expect(c.fast! / 2000).toBeGreaterThan(0.93);
    expect(c.slow! / 2000).toBeGreaterThan(0.01);
  });

  it("adapts when the slow target becomes fast", async () => {
    const b = new LowestLatencyBalancer<TestTarget>(0.05);
    let slowLatency = 800;
    const observe = (id: string) => ({ latencyMs: id === "fast" ? 100 : slowLatency });
    await drive(b, targets, 1000, observe);
    slowLatency = 20;
    const ids = await drive(b, targets, 2000, observe);
    const late = tally(ids.slice(1000));
    expect(late.slow! / 1000).toBeGreaterThan(0.9);
    expect(b.stats.get("slow").ewmaLatencyMs).toBeLessThan(30);
  });

  it("ranks streamed requests by time to first token", async () => {
    const b = new LowestLatencyBalancer<TestTarget>(0);
    // a: quick first token, long answers; b: slow first token, short answers
    await drive(b, targets, 20, (id) => (id === "fast" ? { latencyMs: 5000, ttftMs: 100 } : { latencyMs: 1000, ttftMs: 900 }));
    expect((await b.select(targets, ctxWith({ stream: true }), NONE))?.id).toBe("fast");
    expect((await b.select(targets, ctxWith({ stream: false }), NONE))?.id).toBe("slow");
  });

  it("penalises failures so a target that errors fast does not look fast", () => {
    const b = new LowestLatencyBalancer<TestTarget>(0);
    b.onStart("x");
    b.onEnd("x", { ok: true, latencyMs: 100 });
    b.onStart("x");
    b.onEnd("x", { ok: false, latencyMs: 2 });
    expect(b.stats.get("x").ewmaLatencyMs).toBeGreaterThan(100);
  });
});

describe("lowest usage (sliding window)", () => {
  function balancer(store: UsageWindowStore, clock: ManualClock, metric: "tokens" | "cost" = "tokens") {
    return new LowestUsageBalancer<TestTarget>({ store, scope: "rt_test", metric, windowMs: 60_000, clock });
  }

  it("evens out token usage: a target with costlier answers gets fewer requests", async () => {
    const clock = new ManualClock();
    const b = balancer(new MemoryUsageWindowStore(), clock);
    const targets = [target("a"), target("b"), target("c")];
    const per: Record<string, number> = { a: 100, b: 200, c: 400 };
    const ids = await drive(b, targets, 700, (id) => ({ tokens: per[id] }), ctxWith({}, 1, clock));
    const c = tally(ids);
    expect(c.a).toBeGreaterThanOrEqual(395);
    expect(c.a).toBeLessThanOrEqual(405);
    expect(c.b).toBeGreaterThanOrEqual(195);
    expect(c.b).toBeLessThanOrEqual(205);
    expect(c.c).toBeGreaterThanOrEqual(95);
    expect(c.c).toBeLessThanOrEqual(105);
  });

  it("weights usage by target weight and forgets usage that left the window", async () => {
    const clock = new ManualClock();
    const store = new MemoryUsageWindowStore();
    const b = balancer(store, clock, "cost");
    const targets = [target("big", 200), target("small", 100)];
    const ids = await drive(b, targets, 300, () => ({ tokens: 1, cost: 0.5 }), ctxWith({}, 1, clock));
    expect(tally(ids)).toEqual({ big: 200, small: 100 });
    // heavy use of big, then it ages out of the window
    await store.add("rt_test", "cost:big", 1000, clock.now(), 60_000);
    expect((await b.select(targets, ctxWith({}, 1, clock), NONE))?.id).toBe("small");
    clock.advance(70_000);
    const totals = await store.totals("rt_test", ["cost:big", "cost:small"], 60_000, clock.now());
    expect(totals).toEqual([0, 0]);
  });

  it("weights the oldest bucket by its overlap with the window", async () => {
    const store = new MemoryUsageWindowStore({ buckets: 10 });
    // bucket size 6 s; usage at t=0 (bucket 0). At t=63 s the window starts at 3 s: half of bucket 0 overlaps
    await store.add("s", "m", 100, 0, 60_000);
    expect(await store.totals("s", ["m"], 60_000, 59_000)).toEqual([100]);
    expect((await store.totals("s", ["m"], 60_000, 63_000))[0]).toBeCloseTo(50);
    expect(await store.totals("s", ["m"], 60_000, 66_000)).toEqual([0]);
  });

  it("keeps selecting when the store fails, and reports the error", async () => {
    const errors: unknown[] = [];
    const broken: UsageWindowStore = {
      add: () => Promise.reject(new Error("down")),
      totals: () => Promise.reject(new Error("down")),
    };
    const clock = new ManualClock();
    const b = new LowestUsageBalancer<TestTarget>({
      store: broken,
      scope: "s",
      metric: "tokens",
      windowMs: 1000,
      clock,
      onError: (e) => errors.push(e),
    });
    expect((await b.select([target("a"), target("b")], ctxWith({}, 1, clock), NONE))?.id).toBeDefined();
    b.onEnd("a", { ok: true, tokens: 5 });
    await new Promise((r) => setTimeout(r, 0));
    expect(errors.length).toBe(2);
  });
});

describe("seeded randomness", () => {
  it("repeats the same sequence for the same seed", () => {
    const a = createSeededRng(7);
    const b = createSeededRng(7);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});
