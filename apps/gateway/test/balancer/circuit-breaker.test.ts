import { describe, expect, it } from "vitest";
import { CircuitBreaker, DEFAULT_BREAKER } from "../../src/balancer/circuit-breaker.ts";
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

  describe("failure rate", () => {
    const rate = { maxFails: 1_000, windowMs: 10_000, failTimeoutMs: 30_000, failureRate: 0.5, minRequests: 20 };

    /** `n` outcomes, one every `stepMs`, failing where `fails(i)` */
    function feed(b: CircuitBreaker, clock: ManualClock, n: number, fails: (i: number) => boolean, stepMs = 10) {
      for (let i = 0; i < n; i++) {
        if (fails(i)) b.onFailure();
        else b.onSuccess();
        clock.advance(stepMs);
      }
    }

    it("opens when at least failureRate of the window's outcomes failed, once minRequests were seen", () => {
      const clock = new ManualClock();
      const b = new CircuitBreaker(rate, clock);
      // alternating: 50% failures, but fewer than 20 outcomes -> closed
      feed(b, clock, 19, (i) => i % 2 === 0);
      expect(b.state()).toBe("closed");
      expect(b.snapshot()).toMatchObject({ windowRequests: 19, windowFailures: 10 });
      b.onFailure(); // 20 outcomes, 11 failed
      expect(b.state()).toBe("open");
      expect(b.snapshot().opens).toBe(1);
    });

    it("a target failing 30% of a steady stream never opens (the default config)", () => {
      const clock = new ManualClock();
      const b = new CircuitBreaker(DEFAULT_BREAKER, clock);
      // 3 of every 10 fail, in a row: consecutive runs of 3 stay below maxFails
      feed(b, clock, 5_000, (i) => i % 10 < 3, 7);
      expect(b.state()).toBe("closed");
      expect(b.snapshot().opens).toBe(0);
    });

    it("only the last windowMs counts: old failures slide out", () => {
      const clock = new ManualClock();
      const b = new CircuitBreaker(rate, clock);
      feed(b, clock, 15, () => true, 10); // 15 failures early on (below minRequests)
      clock.advance(10_000); // ... which leave the window
      feed(b, clock, 15, (i) => i < 5, 10); // 5 of 15 fail now
      expect(b.state()).toBe("closed");
      expect(b.snapshot()).toMatchObject({ windowRequests: 15, windowFailures: 5 });
      // had the old ones counted, 20 of 30 would have failed
      feed(b, clock, 10, () => false);
      expect(b.state()).toBe("closed");
    });

    it("the consecutive rule still opens a dead target before minRequests", () => {
      const clock = new ManualClock();
      const b = new CircuitBreaker(DEFAULT_BREAKER, clock);
      feed(b, clock, DEFAULT_BREAKER.maxFails - 1, () => true);
      expect(b.state()).toBe("closed");
      b.onFailure();
      expect(b.state()).toBe("open");
    });

    it("after closing again (probe succeeded) the target starts with an empty window", () => {
      const clock = new ManualClock();
      const b = new CircuitBreaker(rate, clock);
      feed(b, clock, 20, (i) => i % 2 === 0);
      b.onFailure();
      expect(b.state()).toBe("open");
      clock.advance(30_000);
      expect(b.tryAcquire()).toBe("probe");
      b.onSuccess();
      expect(b.state()).toBe("closed");
      expect(b.snapshot()).toMatchObject({ windowRequests: 0, windowFailures: 0 });
      feed(b, clock, 10, () => true, 1); // 10 failures in a row: rate 100% but below minRequests, below maxFails
      expect(b.state()).toBe("closed");
    });

    it("failureRate 1 opens only when every outcome in the window failed", () => {
      const clock = new ManualClock();
      const b = new CircuitBreaker({ ...rate, failureRate: 1 }, clock);
      feed(b, clock, 100, (i) => i !== 0); // one success among 100 outcomes keeps it closed
      expect(b.state()).toBe("closed");
      clock.advance(10_000);
      feed(b, clock, 20, () => true);
      expect(b.state()).toBe("open");
    });
  });
});
