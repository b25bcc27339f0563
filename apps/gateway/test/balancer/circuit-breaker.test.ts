import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/balancer/circuit-breaker.ts";
import { ManualClock } from "./helpers.ts";

const config = { maxFails: 3, windowMs: 10_000, failTimeoutMs: 30_000 };

describe("circuit breaker", () => {
  it("opens after maxFails failures within the window and rejects instantly while open", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker(config, clock);
    b.onFailure();
    b.onFailure();
    expect(b.state()).toBe("closed");
    expect(b.tryAcquire()).toBe("normal");
    b.onFailure();
    expect(b.state()).toBe("open");
    expect(b.canAttempt()).toBe(false);
    expect(b.tryAcquire()).toBe(false);
    clock.advance(29_999);
    expect(b.tryAcquire()).toBe(false);
    expect(b.snapshot()).toMatchObject({ state: "open", retryAt: clock.now() + 1, opens: 1 });
  });

  it("does not open when the failures are spread wider than the window", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker(config, clock);
    for (let i = 0; i < 10; i++) {
      b.onFailure();
      clock.advance(6_000);
    }
    expect(b.state()).toBe("closed");
  });

  it("a success starts the count over", () => {
    const b = new CircuitBreaker(config, new ManualClock());
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.state()).toBe("closed");
    b.onFailure();
    expect(b.state()).toBe("open");
  });

  it("half-opens after failTimeout, admits exactly one probe, and closes when it succeeds", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker(config, clock);
    b.trip();
    clock.advance(30_000);
    expect(b.state()).toBe("half-open");
    expect(b.canAttempt()).toBe(true);
    expect(b.tryAcquire()).toBe("probe");
    expect(b.canAttempt()).toBe(false);
    expect(b.tryAcquire()).toBe(false);
    expect(b.tryAcquire()).toBe(false);
    b.onSuccess();
    expect(b.state()).toBe("closed");
    expect(b.tryAcquire()).toBe("normal");
    expect(b.tryAcquire()).toBe("normal");
  });

  it("re-opens when the probe fails, for another full failTimeout", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker(config, clock);
    b.trip();
    clock.advance(30_000);
    expect(b.tryAcquire()).toBe("probe");
    clock.advance(500);
    b.onFailure();
    expect(b.state()).toBe("open");
    clock.advance(29_999);
    expect(b.state()).toBe("open");
    clock.advance(1);
    expect(b.tryAcquire()).toBe("probe");
    expect(b.snapshot().opens).toBe(1);
  });

  it("frees a probe slot that is released or never reported", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker(config, clock);
    b.trip();
    clock.advance(30_000);
    expect(b.tryAcquire()).toBe("probe");
    b.release();
    expect(b.tryAcquire()).toBe("probe");
    clock.advance(30_000);
    expect(b.tryAcquire()).toBe("probe");
  });

  it("ignores a late success while open", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker(config, clock);
    b.trip();
    b.onSuccess();
    expect(b.state()).toBe("open");
  });

  it("keeps its state across reconfiguration", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker(config, clock);
    b.trip();
    b.reconfigure({ ...config, failTimeoutMs: 1_000 });
    expect(b.state()).toBe("open");
    clock.advance(1_000);
    expect(b.state()).toBe("half-open");
  });
});
