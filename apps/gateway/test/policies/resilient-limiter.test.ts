import { describe, expect, it } from "vitest";
import { ResilientLimiter } from "../../src/policies/limits/resilient-limiter.ts";
import type { Limiter, LimitRequest, ReserveResult } from "../../src/policies/limits/types.ts";
import { manualClock } from "./limiter-contract.ts";

const limit = (failMode: "open" | "closed", over: Partial<LimitRequest> = {}): LimitRequest => ({
  id: `l-${failMode}`,
  name: failMode,
  source: "rate-limit",
  metric: "requests",
  limit: 1,
  window: { kind: "sliding", ms: 60_000 },
  cost: 1,
  failMode,
  ...over,
});

const okResult: ReserveResult = { ok: true, reservationId: "res_shared", results: [], retryAfterMs: null };

function fakeShared(behaviour: "reject" | "hang" | "late" | "ok") {
  const calls: string[] = [];
  let resolveLate: ((r: ReserveResult) => void) | null = null;
  const shared: Limiter = {
    reserve: () => {
      calls.push("reserve");
      if (behaviour === "reject") return Promise.reject(new Error("ECONNREFUSED"));
      if (behaviour === "hang") return new Promise(() => {});
      if (behaviour === "late") return new Promise((res) => (resolveLate = res));
      return Promise.resolve(okResult);
    },
    settle: (id) => {
      calls.push(`settle:${id}`);
      return behaviour === "ok" ? Promise.resolve() : Promise.reject(new Error("down"));
    },
    release: (id) => {
      calls.push(`release:${id}`);
      return Promise.resolve();
    },
  };
  return { shared, calls, finishLate: () => resolveLate?.(okResult) };
}

describe("ResilientLimiter", () => {
  it("passes through when the shared limiter answers", async () => {
    const { shared, calls } = fakeShared("ok");
    const l = new ResilientLimiter(shared);
    expect(await l.reserve([limit("closed")])).toBe(okResult);
    await l.settle("res_shared", { promptTokens: 1, completionTokens: 1 });
    expect(calls).toEqual(["reserve", "settle:res_shared"]);
  });

  it("fail-open counts locally; fail-closed denies; mixed requests deny", async () => {
    const { shared } = fakeShared("reject");
    const events: string[] = [];
    const l = new ResilientLimiter(shared, { onFallback: (e) => events.push(e.mode), cooldownMs: 0 });
    const a = await l.reserve([limit("open")]);
    expect(a).toMatchObject({ ok: true, degraded: "local" });
    expect(a.reservationId?.startsWith("local:")).toBe(true);
    expect((await l.reserve([limit("open")])).ok).toBe(false); // local limit of 1
    await l.release(a.reservationId as string);
    expect((await l.reserve([limit("open")])).ok).toBe(true);
    const mixed = await l.reserve([limit("open", { id: "o2" }), limit("closed")]);
    expect(mixed).toMatchObject({ ok: false, degraded: "denied" });
    expect(mixed.results.map((r) => r.ok)).toEqual([true, false]);
    expect(events).toEqual(["open", "open", "open", "closed"]);
  });

  it("times out a hanging store within the deadline", async () => {
    const { shared } = fakeShared("hang");
    const l = new ResilientLimiter(shared, { timeoutMs: 20 });
    const t = Date.now();
    expect(await l.reserve([limit("open")])).toMatchObject({ ok: true, degraded: "local" });
    expect(Date.now() - t).toBeLessThan(500);
  });

  it("skips the store during the cool-down, then tries again", async () => {
    const clock = manualClock();
    const { shared, calls } = fakeShared("reject");
    const logs: string[] = [];
    const l = new ResilientLimiter(shared, { now: clock.now, cooldownMs: 1000, log: (m) => logs.push(m) });
    await l.reserve([limit("open")]);
    expect(l.degraded).toBe(true);
    await l.reserve([limit("open", { id: "b" })]);
    expect(calls).toEqual(["reserve"]);
    clock.t += 1000;
    await l.reserve([limit("open", { id: "c" })]);
    expect(calls).toEqual(["reserve", "reserve"]);
    expect(logs).toHaveLength(1); // one log line per outage, not per request
  });

  it("releases a reservation whose reply arrived after the deadline", async () => {
    const { shared, calls, finishLate } = fakeShared("late");
    const l = new ResilientLimiter(shared, { timeoutMs: 10 });
    await l.reserve([limit("open")]);
    finishLate();
    await new Promise((r) => setTimeout(r, 5));
    expect(calls).toEqual(["reserve", "release:res_shared"]);
  });

  it("a failing settle is reported, not thrown", async () => {
    const { shared } = fakeShared("late");
    const events: string[] = [];
    const l = new ResilientLimiter(shared, { onFallback: (e) => events.push(`${e.op}:${e.mode}`) });
    await expect(l.settle("res_x", { promptTokens: 1, completionTokens: 1 })).resolves.toBeUndefined();
    expect(events).toEqual(["settle:open"]);
  });
});
