// The acceptance scenario, simulated without HTTP: three targets that each fail 30% of attempts (500s, 429s
// with retry-after, first-byte timeouts, connection resets), a retry budget of four attempts, 2,000 requests.
import { RouteBalancerSchema, RouteRetrySchema } from "@sluice/db/schemas";
import { describe, expect, it } from "vitest";
import type { AttemptResult } from "../../src/balancer/failover.ts";
import { HealthRegistry } from "../../src/balancer/health.ts";
import { createSeededRng } from "../../src/balancer/random.ts";
import { createRouteBalancing } from "../../src/balancer/route-balancing.ts";
import { ctxWith, ManualClock, target } from "./helpers.ts";

describe("three flaky targets, four attempts", () => {
  for (const algorithm of ["round-robin", "least-connections", "lowest-latency", "priority"] as const) {
    it(`answers about 1 - 0.3^4 of requests within the deadline (${algorithm})`, async () => {
      const clock = new ManualClock();
      const health = new HealthRegistry({ clock });
      const retry = RouteRetrySchema.parse({
        attempts: 4,
        on: ["error", "timeout", "http_429", "http_5xx", "non_idempotent"],
        backoffMs: 50,
        maxBackoffMs: 500,
        timeouts: { connectMs: 500, firstByteMs: 2_000, totalMs: 15_000 },
      });
      const targets = [target("a", 100, 0), target("b", 100, 1), target("c", 100, 2)];
      const route = createRouteBalancing(
        { routeId: "rt_sim", targets, balancer: RouteBalancerSchema.parse({ algorithm }), retry },
        { health },
      );
      const upstream = createSeededRng(2024);
      const outcome = (): { result: AttemptResult; latencyMs: number } => {
        const r = upstream();
        if (r >= 0.3) return { result: { kind: "ok" }, latencyMs: 200 + Math.floor(upstream() * 300) };
        const k = Math.floor((r / 0.3) * 4);
        if (k === 0) return { result: { kind: "http", status: 500 }, latencyMs: 50 };
        if (k === 1) return { result: { kind: "http", status: 429, retryAfterMs: 1_000 }, latencyMs: 20 };
        if (k === 2) return { result: { kind: "timeout", phase: "first_byte" }, latencyMs: 2_000 };
        return { result: { kind: "error", code: "ECONNRESET" }, latencyMs: 10 };
      };

      let answered = 0;
      let attempts = 0;
      for (let i = 0; i < 2_000; i++) {
        const started = clock.now();
        const plan = route.plan(ctxWith({}, i, clock));
        for (let step = await plan.next(); !step.done; step = await plan.next()) {
          clock.advance(step.delayMs);
          const o = outcome();
          const latency = Math.min(o.latencyMs, step.timeoutMs);
          clock.advance(latency);
          const d = plan.report(latency < o.latencyMs ? { kind: "timeout", phase: "total" } : o.result, { latencyMs: latency });
          if (!d.failover) break;
        }
        expect(clock.now() - started).toBeLessThanOrEqual(retry.timeouts.totalMs);
        if (plan.done === "succeeded") answered++;
        expect(plan.attempts.length).toBeGreaterThanOrEqual(1);
        expect(plan.attempts.length).toBeLessThanOrEqual(4);
        attempts += plan.attempts.length;
        clock.advance(100);
      }
      expect(answered / 2_000).toBeGreaterThan(1 - 0.3 ** 4 - 0.006);
      expect(attempts).toBeGreaterThan(2_000);
    });
  }
});
