import { describe, expect, it } from "vitest";
import { LeastConnectionsBalancer } from "../../src/balancer/algorithms/least-connections.ts";
import { PriorityBalancer } from "../../src/balancer/algorithms/priority.ts";
import { WeightedRoundRobinBalancer } from "../../src/balancer/algorithms/weighted-round-robin.ts";
import { createBalancer } from "../../src/balancer/create-balancer.ts";
import type { Balancer } from "../../src/balancer/types.ts";
import { ctxWith, NONE, type TestTarget, tally, target } from "./helpers.ts";

async function picks(b: Balancer<TestTarget>, targets: readonly TestTarget[], n: number, exclude = NONE) {
  const ctx = ctxWith();
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await b.select(targets, ctx, exclude))?.id ?? "none");
  return out;
}

describe("weighted round-robin (smooth, nginx)", () => {
  it("interleaves by weight instead of bursting: 5,1,1 gives a a b a c a a", async () => {
    const targets = [target("a", 5), target("b", 1), target("c", 1)];
    expect((await picks(new WeightedRoundRobinBalancer(), targets, 7)).join(" ")).toBe("a a b a c a a");
  });

  it("distributes exactly by weight over full cycles and is deterministic", async () => {
    const targets = [target("a", 50), target("b", 30), target("c", 20)];
    const one = await picks(new WeightedRoundRobinBalancer(), targets, 1000);
    const two = await picks(new WeightedRoundRobinBalancer(), targets, 1000);
    expect(one).toEqual(two);
    expect(tally(one)).toEqual({ a: 500, b: 300, c: 200 });
  });

  it("skips excluded and zero-weight targets; undefined when nothing is eligible", async () => {
    const targets = [target("a", 100), target("b", 100), target("c", 0)];
    const b = new WeightedRoundRobinBalancer<TestTarget>();
    expect(tally(await picks(b, targets, 10, new Set(["a"])))).toEqual({ b: 10 });
    expect(await b.select(targets, ctxWith(), new Set(["a", "b"]))).toBeUndefined();
  });
});

describe("least connections", () => {
  it("sends to the target with the fewest in-flight attempts relative to weight", async () => {
    const targets = [target("a", 100), target("b", 100), target("c", 200)];
    const b = new LeastConnectionsBalancer<TestTarget>();
    const ctx = ctxWith();
    // hold every pick open: in-flight stays 1:1:2 by weight
    const held: string[] = [];
    for (let i = 0; i < 40; i++) {
      const t = await b.select(targets, ctx, NONE);
      if (!t) throw new Error("no target");
      b.onStart(t.id);
      held.push(t.id);
    }
    expect(tally(held)).toEqual({ a: 10, b: 10, c: 20 });
    // free two on a: a is now the least loaded
    b.onEnd("a", { ok: true, latencyMs: 10 });
    b.onEnd("a", { ok: true, latencyMs: 10 });
    expect((await b.select(targets, ctx, NONE))?.id).toBe("a");
  });

  it("breaks ties by weight, then rotates among equals", async () => {
    const b = new LeastConnectionsBalancer<TestTarget>();
    expect((await b.select([target("a", 50), target("b", 80)], ctxWith(), NONE))?.id).toBe("b");
    // idle sequential traffic is shared, not all sent to the first target
    expect(tally(await picks(b, [target("x"), target("y"), target("z")], 9))).toEqual({ x: 3, y: 3, z: 3 });
  });
});

describe("priority tiers", () => {
  const targets = [target("p0a", 100, 0), target("p0b", 100, 0), target("p1", 100, 1), target("p2", 100, 2)];

  it("uses only the first tier while any of it is available, balancing inside it", async () => {
    expect(tally(await picks(new PriorityBalancer(), targets, 10))).toEqual({ p0a: 5, p0b: 5 });
    expect(tally(await picks(new PriorityBalancer(), targets, 10, new Set(["p0a"])))).toEqual({ p0b: 10 });
  });

  it("falls to the next tier only when the whole tier is unavailable", async () => {
    const b = new PriorityBalancer<TestTarget>();
    expect((await b.select(targets, ctxWith(), new Set(["p0a", "p0b"])))?.id).toBe("p1");
    expect((await b.select(targets, ctxWith(), new Set(["p0a", "p0b", "p1"])))?.id).toBe("p2");
    expect(await b.select(targets, ctxWith(), new Set(targets.map((t) => t.id)))).toBeUndefined();
  });

  it("is what createBalancer builds for algorithm=priority", () => {
    expect(
      createBalancer({ algorithm: "priority", probeShare: 0.05, usageMetric: "tokens", usageWindowMs: 60_000 }).algorithm,
    ).toBe("priority");
  });
});
