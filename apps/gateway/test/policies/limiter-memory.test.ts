import { describe, expect, it } from "vitest";
import { MemoryLimiter } from "../../src/policies/limits/memory-limiter.ts";
import { limiterContract, manualClock } from "./limiter-contract.ts";

limiterContract("MemoryLimiter", async (clock) => new MemoryLimiter({ now: clock.now, reservationTtlMs: 10_000 }));

describe("MemoryLimiter", () => {
  it("never admits more than the capacity under many concurrent reservations", async () => {
    const clock = manualClock();
    const l = new MemoryLimiter({ now: clock.now });
    const r = {
      id: "c",
      name: "c",
      source: "budget" as const,
      metric: "cost" as const,
      limit: 50,
      window: { kind: "period" as const, start: 0, end: null },
      cost: 1,
    };
    const results = await Promise.all(Array.from({ length: 200 }, () => l.reserve([r])));
    expect(results.filter((x) => x.ok)).toHaveLength(50);
    expect(l.inspect(r)).toEqual({ used: 0, pending: 50 });
    await Promise.all(
      results
        .filter((x) => x.ok)
        .map((x) => l.settle(x.reservationId as string, { promptTokens: 0, completionTokens: 0, costNano: 1 })),
    );
    expect(l.inspect(r)).toEqual({ used: 50, pending: 0 });
  });

  it("drops expired counters and reservations on its periodic sweep", async () => {
    const clock = manualClock();
    const l = new MemoryLimiter({ now: clock.now, reservationTtlMs: 1000 });
    const r = {
      id: "sw",
      name: "sw",
      source: "rate-limit" as const,
      metric: "requests" as const,
      limit: 5,
      window: { kind: "sliding" as const, ms: 1000 },
      cost: 1,
    };
    const res = await l.reserve([r]);
    await l.settle(res.reservationId as string, { promptTokens: 0, completionTokens: 0 });
    await l.reserve([r]); // left unsettled
    clock.t += 24 * 3600_000;
    await l.reserve([r]);
    expect(l.inspect(r)).toEqual({ used: 0, pending: 1 });
  });
});
