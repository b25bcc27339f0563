import { RouteBalancerSchema, RouteRetrySchema } from "@sluice/db/schemas";
import { describe, expect, it } from "vitest";
import { WeightedRoundRobinBalancer } from "../../src/balancer/algorithms/weighted-round-robin.ts";
import { AttemptPlan, type AttemptStep } from "../../src/balancer/attempt-plan.ts";
import { DEFAULT_BREAKER } from "../../src/balancer/circuit-breaker.ts";
import type { AttemptResult } from "../../src/balancer/failover.ts";
import { HealthRegistry } from "../../src/balancer/health.ts";
import { createRouteBalancing } from "../../src/balancer/route-balancing.ts";
import { ctxWith, ManualClock, type TestTarget, target } from "./helpers.ts";

const targets = [target("a"), target("b"), target("c")];

function retry(over: Record<string, unknown> = {}) {
  return RouteRetrySchema.parse({
    attempts: 4,
    on: ["error", "timeout", "http_429", "http_5xx", "non_idempotent"],
    backoffMs: 100,
    maxBackoffMs: 1000,
    timeouts: { connectMs: 1000, firstByteMs: 5000, totalMs: 10_000 },
    ...over,
  });
}

function setup(over: Record<string, unknown> = {}, health?: HealthRegistry, clock = new ManualClock()) {
  const ctx = ctxWith({}, 9, clock);
  const plan = new AttemptPlan<TestTarget>({
    targets,
    balancer: new WeightedRoundRobinBalancer(health?.stats),
    retry: retry(over),
    ctx,
    health,
  });
  return { plan, clock };
}

function expectStep(step: AttemptStep<TestTarget>): Extract<AttemptStep<TestTarget>, { done: false }> {
  if (step.done) throw new Error(`plan ended: ${step.reason}`);
  return step;
}

/** run the plan with a scripted outcome per attempt, advancing the clock by delay + latency */
async function run(plan: AttemptPlan<TestTarget>, clock: ManualClock, outcomes: AttemptResult[], latencyMs = 100) {
  let i = 0;
  for (let step = await plan.next(); !step.done; step = await plan.next()) {
    clock.advance(step.delayMs);
    const result = outcomes[i++] ?? { kind: "ok" };
    clock.advance(Math.min(latencyMs, step.timeoutMs));
    plan.report(result, { latencyMs });
  }
  return (await plan.next()) as Extract<AttemptStep<TestTarget>, { done: true }>;
}

describe("attempt plan", () => {
  it("fails over to untried targets first without backoff, and records every attempt", async () => {
    const { plan, clock } = setup();
    const end = await run(plan, clock, [{ kind: "http", status: 503 }, { kind: "error", code: "ECONNRESET" }, { kind: "ok" }]);
    expect(end.reason).toBe("succeeded");
    expect(plan.attempts.map((a) => a.targetId)).toEqual(["a", "b", "c"]);
    expect(plan.attempts.map((a) => a.delayMs)).toEqual([0, 0, 0]);
    expect(plan.attempts.map((a) => [a.kind, a.status, a.error, a.decision])).toEqual([
      ["http", 503, "http_5xx", "http_5xx"],
      ["error", undefined, "ECONNRESET", "error"],
      ["ok", undefined, undefined, "ok"],
    ]);
    expect(plan.servedBy?.id).toBe("c");
    expect(plan.attempts[0]).toMatchObject({ providerId: "prov_a", latencyMs: 100, startedAtMs: 0, failover: true });
  });

  it("stops at the retry budget (attempts in total)", async () => {
    const { plan, clock } = setup({ attempts: 2 });
    const end = await run(plan, clock, Array(5).fill({ kind: "http", status: 500 }));
    expect(end.reason).toBe("budget_exhausted");
    expect(plan.attempts).toHaveLength(2);
  });

  it("retries an already tried target once all were tried, with full-jitter backoff", async () => {
    const { plan, clock } = setup({ attempts: 6 });
    const end = await run(plan, clock, Array(6).fill({ kind: "http", status: 502 }));
    expect(end.reason).toBe("budget_exhausted");
    expect(
      plan.attempts
        .map((a) => a.targetId)
        .slice(0, 3)
        .sort(),
    ).toEqual(["a", "b", "c"]);
    const later = plan.attempts.slice(3);
    later.forEach((a, i) => {
      expect(a.delayMs).toBeGreaterThanOrEqual(0);
      expect(a.delayMs).toBeLessThan(Math.min(1000, 100 * 2 ** (i + 2)));
    });
    expect(later.some((a) => a.delayMs > 0)).toBe(true);
  });

  it("backs off before failovers too when backoffOnFailover is set", async () => {
    const { plan, clock } = setup({ backoffOnFailover: true, backoffMs: 1000, maxBackoffMs: 1000 });
    await run(plan, clock, [
      { kind: "http", status: 500 },
      { kind: "http", status: 500 },
    ]);
    expect(plan.attempts[0]?.delayMs).toBe(0);
    expect(plan.attempts[1]?.delayMs).toBeGreaterThan(0);
  });

  it("does not fail over what the criteria exclude", async () => {
    const { plan, clock } = setup({ on: ["http_5xx"] });
    expect((await run(plan, clock, [{ kind: "http", status: 429 }])).reason).toBe("not_retryable");
    const p2 = setup();
    expect((await run(p2.plan, p2.clock, [{ kind: "http", status: 400 }])).reason).toBe("not_retryable");
    expect(p2.plan.attempts).toHaveLength(1);
    expect(p2.plan.attempts[0]).toMatchObject({ status: 400, error: "http_400", decision: "client_error" });
  });

  it("never schedules an attempt past the deadline and bounds each attempt by what is left", async () => {
    const { plan, clock } = setup({ attempts: 10 });
    const steps: number[] = [];
    for (let step = await plan.next(); !step.done; step = await plan.next()) {
      clock.advance(step.delayMs);
      expect(clock.now() + step.timeoutMs).toBeLessThanOrEqual(plan.deadline);
      steps.push(step.timeoutMs);
      clock.advance(step.firstByteTimeoutMs); // every attempt waits for its first byte in vain
      plan.report({ kind: "timeout", phase: "first_byte" }, { latencyMs: step.firstByteTimeoutMs });
    }
    expect(plan.done).toBe("deadline");
    expect(clock.now()).toBeLessThanOrEqual(plan.deadline);
    expect(steps[0]).toBe(10_000);
    expect(steps.length).toBeGreaterThanOrEqual(2);
  });

  it("gives up with `deadline` when the only wait left would cross it", async () => {
    const clock = new ManualClock();
    const plan = new AttemptPlan<TestTarget>({
      targets: [target("solo")],
      balancer: new WeightedRoundRobinBalancer(),
      retry: retry(),
      ctx: ctxWith({}, 1, clock),
    });
    expectStep(await plan.next());
    clock.advance(100);
    plan.report({ kind: "http", status: 429, retryAfterMs: 60_000 });
    const end = await plan.next();
    expect(end).toMatchObject({ done: true, reason: "deadline" });
    expect(end.done && end.retryAfterMs).toBe(60_000);
  });

  it("honours retry-after: the 429ing target is avoided, and waited for when it is the only one", async () => {
    const clock = new ManualClock();
    const health = new HealthRegistry({ clock });
    const solo = new AttemptPlan<TestTarget>({
      targets: [target("solo")],
      balancer: new WeightedRoundRobinBalancer(health.stats),
      retry: retry(),
      ctx: ctxWith({}, 1, clock),
      health,
    });
    expectStep(await solo.next());
    plan429(solo, 2_000);
    const again = expectStep(await solo.next());
    expect(again.target.id).toBe("solo");
    expect(again.delayMs).toBe(2_000);
    expect(again.timeoutMs).toBe(10_000 - 2_000);
    clock.advance(again.delayMs);
    solo.report({ kind: "ok" });

    // with others available, the cooling target is skipped by other requests too (shared registry)
    const { plan } = setup({}, health, clock);
    const first = expectStep(await plan.next());
    plan.report({ kind: "http", status: 429, retryAfterMs: 5_000 });
    const cooled = first.target.id;
    const second = expectStep(await plan.next());
    expect(second.target.id).not.toBe(cooled);
    expect(second.delayMs).toBe(0);
    plan.report({ kind: "ok" });
    const other = setup({}, health, clock).plan;
    for (let i = 0; i < 3; i++) {
      const s = expectStep(await other.next());
      expect(s.target.id).not.toBe(cooled);
      other.report({ kind: "http", status: 500 });
    }
  });

  it("skips open breakers, sends exactly one half-open probe, and closes on its success", async () => {
    const clock = new ManualClock();
    const health = new HealthRegistry({ clock, breaker: { maxFails: 2, windowMs: 10_000, failTimeoutMs: 5_000 } });
    health.breaker("a").trip();
    const { plan } = setup({}, health, clock);
    const s1 = expectStep(await plan.next());
    expect(s1.target.id).not.toBe("a");
    plan.report({ kind: "ok" });

    clock.advance(5_000);
    const p1 = setup({}, health, clock).plan;
    const p2 = setup({}, health, clock).plan;
    const probes: string[] = [];
    for (const p of [p1, p2]) {
      for (let i = 0; i < 3; i++) {
        const s = expectStep(await p.next());
        probes.push(s.target.id);
        if (s.target.id === "a") break;
        p.report({ kind: "http", status: 500 });
      }
    }
    expect(probes.filter((id) => id === "a")).toHaveLength(1);
    expect(p1.attempts.concat(p2.attempts).find((a) => a.targetId === "a")?.probe).toBe(true);
    const prober = p1.attempts.some((a) => a.targetId === "a") ? p1 : p2;
    prober.report({ kind: "ok" });
    expect(health.breaker("a").state()).toBe("closed");
  });

  it("ends with no_target when every target's breaker is open and panic mode is off", async () => {
    const clock = new ManualClock();
    const health = new HealthRegistry({ clock, breaker: { ...DEFAULT_BREAKER, panic: false } });
    for (const t of targets) health.breaker(t.id).trip();
    const { plan } = setup({}, health, clock);
    expect(await plan.next()).toEqual({ done: true, reason: "no_target" });
  });

  it("panic mode (default): when every breaker refuses, tries the targets anyway and records panic: true", async () => {
    const clock = new ManualClock();
    const health = new HealthRegistry({ clock });
    for (const t of targets) health.breaker(t.id).trip();
    const { plan } = setup({}, health, clock);
    const end = await run(plan, clock, [{ kind: "http", status: 500 }, { kind: "http", status: 503 }, { kind: "ok" }]);
    expect(end.reason).toBe("succeeded");
    // the usual order: untried targets first, no backoff; every attempt flagged, none a probe
    expect(plan.attempts.map((a) => [a.targetId, a.panic, a.probe])).toEqual([
      ["a", true, undefined],
      ["b", true, undefined],
      ["c", true, undefined],
    ]);
    // a success while open proves nothing (the breaker waits for its half-open probe); nothing re-opened
    expect(targets.map((t) => health.breaker(t.id).state())).toEqual(["open", "open", "open"]);
    expect(health.breaker("a").snapshot().opens).toBe(1);
  });

  it("no panic while one target is admitted: it takes the traffic, the open ones are skipped", async () => {
    const clock = new ManualClock();
    const health = new HealthRegistry({ clock });
    health.breaker("a").trip();
    health.breaker("b").trip();
    const { plan } = setup({}, health, clock);
    const end = await run(plan, clock, [{ kind: "http", status: 500 }, { kind: "ok" }]);
    expect(end.reason).toBe("succeeded");
    expect(plan.attempts.map((a) => [a.targetId, a.panic])).toEqual([
      ["c", undefined],
      ["c", undefined],
    ]);
    expect(plan.attempts[1]?.delayMs).toBeGreaterThanOrEqual(0);
  });

  it("panic ignores breakers, not retry-after cool-downs", async () => {
    const clock = new ManualClock();
    const health = new HealthRegistry({ clock });
    for (const t of targets) health.breaker(t.id).trip();
    health.setCooldown("a", clock.now() + 60_000);
    health.setCooldown("b", clock.now() + 60_000);
    const { plan } = setup({}, health, clock);
    const s = expectStep(await plan.next());
    expect(s.target.id).toBe("c");
    expect(plan.attempts[0]?.panic).toBe(true);
  });

  it("refuses misuse: next before report, report without a step", async () => {
    const { plan } = setup();
    expect(() => plan.report({ kind: "ok" })).toThrow(/without an attempt/);
    await plan.next();
    await expect(plan.next()).rejects.toThrow(/before the previous attempt/);
  });

  it("hands a stream continuation to the next attempt when the route opted in", async () => {
    const { plan } = setup({ streamContinuation: true });
    expectStep(await plan.next());
    const d = plan.report({ kind: "error", code: "ECONNRESET" }, { streamStarted: true });
    expect(d).toEqual({ failover: true, reason: "error", continuation: true });
    const s = expectStep(await plan.next());
    expect(s.continuation).toBe(true);
    plan.report({ kind: "ok" });
    expect(plan.attempts[1]?.continuation).toBe(true);
  });

  it("a route plan applies rules first and carries the rule / arm for the usage event", async () => {
    const route = createRouteBalancing(
      {
        routeId: "rt_x",
        targets,
        balancer: RouteBalancerSchema.parse({}),
        retry: retry(),
        options: { rules: [{ name: "fast", when: { header: { name: "x-model-tier", equals: "fast" } }, targets: ["c"] }] },
      },
      { health: new HealthRegistry() },
    );
    const plan = route.plan(ctxWith({ headers: { "x-model-tier": "fast" } }));
    expect(plan.routing.label).toBe("fast");
    expect(expectStep(await plan.next()).target.id).toBe("c");
    plan.report({ kind: "http", status: 500 });
    // the subset is the whole world: retry c itself
    expect(expectStep(await plan.next()).target.id).toBe("c");
  });
});

function plan429(plan: AttemptPlan<TestTarget>, retryAfterMs: number) {
  plan.report({ kind: "http", status: 429, retryAfterMs });
}
