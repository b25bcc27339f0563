import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HealthChecker, HealthRegistry, type Timers } from "../../src/balancer/health.ts";
import { createSeededRng } from "../../src/balancer/random.ts";

const checkConfig = { intervalMs: 10_000, jitter: 0.1, timeoutMs: 1_000, unhealthyAfter: 2, healthyAfter: 1 };

// vitest's fake timers drive both the schedule and Date.now(), so the registry uses the real clock object.
const clock = { now: () => Date.now() };
const fakeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

describe("active health checks", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens the breaker after consecutive failed checks and closes it when the target recovers", async () => {
    const registry = new HealthRegistry({ clock });
    let up = false;
    const calls: string[] = [];
    const checker = new HealthChecker(registry, {
      check: async (id) => {
        calls.push(id);
        return up;
      },
      config: checkConfig,
      rng: createSeededRng(5),
      timers: fakeTimers,
    });
    checker.start(["tgt_a"]);
    await vi.advanceTimersByTimeAsync(10_000); // first check within one interval
    expect(calls).toHaveLength(1);
    expect(registry.breaker("tgt_a").state()).toBe("closed");
    await vi.advanceTimersByTimeAsync(11_000); // second failure (interval +-10%)
    expect(calls).toHaveLength(2);
    expect(registry.breaker("tgt_a").state()).toBe("open");
    expect(registry.isAvailable("tgt_a")).toBe(false);
    const snap = registry.snapshotOf("tgt_a");
    expect(snap).toMatchObject({ available: false, consecutiveCheckFailures: 2, lastCheck: { ok: false } });

    up = true;
    await vi.advanceTimersByTimeAsync(11_000);
    expect(calls).toHaveLength(3);
    expect(registry.breaker("tgt_a").state()).toBe("closed");
    expect(registry.snapshotOf("tgt_a")).toMatchObject({ available: true, consecutiveCheckFailures: 0, lastCheck: { ok: true } });
    checker.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(3);
  });

  it("spreads checks by the jitter and counts a hung check as failed after timeoutMs", async () => {
    const registry = new HealthRegistry({ clock });
    const signals: AbortSignal[] = [];
    const checker = new HealthChecker(registry, {
      check: (_id, signal) => {
        signals.push(signal);
        return new Promise<boolean>(() => {});
      },
      config: checkConfig,
      rng: createSeededRng(1),
      timers: fakeTimers,
    });
    for (let i = 0; i < 50; i++) {
      const d = checker.nextDelayMs();
      expect(d).toBeGreaterThanOrEqual(9_000);
      expect(d).toBeLessThanOrEqual(11_000);
    }
    const verdict = checker.checkNow("tgt_b");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await verdict).toBe(false);
    expect(signals[0]?.aborted).toBe(true);
    expect(registry.snapshotOf("tgt_b").lastCheck).toMatchObject({ ok: false, latencyMs: 1_000 });
    expect(registry.snapshotOf("tgt_b").lastCheck?.error).toMatch(/timed out/);
  });

  it("counts a check that throws as failed", async () => {
    const registry = new HealthRegistry({ clock });
    const errors: unknown[] = [];
    const checker = new HealthChecker(registry, {
      check: () => Promise.reject(new Error("ECONNREFUSED")),
      config: { ...checkConfig, unhealthyAfter: 1 },
      timers: fakeTimers,
      onError: (_id, e) => errors.push(e),
    });
    expect(await checker.checkNow("tgt_c")).toBe(false);
    expect(errors).toHaveLength(1);
    expect(registry.breaker("tgt_c").state()).toBe("open");
  });
});

describe("health registry", () => {
  it("combines passive outcomes, cool-downs and stats in one snapshot", () => {
    let now = 1_000_000;
    const registry = new HealthRegistry({
      clock: { now: () => now },
      breaker: { maxFails: 2, windowMs: 5_000, failTimeoutMs: 10_000 },
    });
    registry.register({ targetId: "tgt_a", routeId: "rt_1" });
    registry.stats.start("tgt_a");
    registry.stats.start("tgt_a");
    registry.stats.end("tgt_a", { ok: true, latencyMs: 300, ttftMs: 120 });
    registry.recordOutcome("tgt_a", "failure");
    expect(registry.snapshotOf("tgt_a")).toMatchObject({
      targetId: "tgt_a",
      routeId: "rt_1",
      available: true,
      inFlight: 1,
      ewmaLatencyMs: 300,
      ewmaTtftMs: 120,
      requests: 2,
      breaker: { state: "closed", recentFailures: 1 },
    });
    registry.recordOutcome("tgt_a", "neutral", 3_000);
    expect(registry.isAvailable("tgt_a")).toBe(false);
    expect(registry.snapshotOf("tgt_a").cooldownUntil).toBe(now + 3_000);
    now += 3_000;
    expect(registry.isAvailable("tgt_a")).toBe(true);
    registry.recordOutcome("tgt_a", "failure");
    expect(registry.snapshotOf("tgt_a").breaker.state).toBe("open");
    expect(JSON.parse(JSON.stringify(registry.snapshot()))).toHaveLength(1);
  });

  it("sync drops targets no longer configured and keeps the state of the others", () => {
    const registry = new HealthRegistry();
    registry.sync([{ targetId: "a" }, { targetId: "b" }]);
    registry.breaker("a").trip();
    registry.sync([{ targetId: "a", breaker: { maxFails: 1, windowMs: 1000, failTimeoutMs: 60_000 } }]);
    expect(registry.snapshot().map((s) => s.targetId)).toEqual(["a"]);
    expect(registry.breaker("a").state()).toBe("open");
    expect(registry.breaker("a").config.failTimeoutMs).toBe(60_000);
  });
});
