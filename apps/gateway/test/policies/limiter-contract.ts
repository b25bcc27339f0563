// The semantics every Limiter implementation shares, run against MemoryLimiter (limiter-memory.test.ts) and
// RedisLimiter on a real Redis (limiter-redis.int.test.ts), both with a hand-moved clock.

import { describe, expect, it } from "vitest";
import type { Limiter, LimitRequest } from "../../src/policies/limits/types.ts";

export interface ManualClock {
  t: number;
  now: () => number;
}

export function manualClock(t = Date.UTC(2025, 0, 6, 12, 0, 0)): ManualClock {
  const c: ManualClock = { t, now: () => c.t };
  return c;
}

/** `make` returns a fresh limiter (fresh key space) on the given clock, with a reservation TTL of 10 s. */
export function limiterContract(name: string, make: (clock: ManualClock) => Promise<Limiter>) {
  const req = (over: Partial<LimitRequest> & { id: string }): LimitRequest => ({
    name: over.id,
    source: "rate-limit",
    metric: "requests",
    limit: 10,
    window: { kind: "sliding", ms: 60_000 },
    cost: 1,
    ...over,
  });

  describe(`${name}: Limiter contract`, () => {
    it("admits up to the limit, then denies with retry-after", async () => {
      const clock = manualClock();
      const l = await make(clock);
      const r = req({ id: "a", limit: 3 });
      for (let i = 0; i < 3; i++) {
        const res = await l.reserve([r]);
        expect(res.ok).toBe(true);
        expect(res.results[0]?.remaining).toBe(2 - i);
      }
      const denied = await l.reserve([r]);
      expect(denied.ok).toBe(false);
      expect(denied.reservationId).toBeNull();
      expect(denied.results[0]?.ok).toBe(false);
      expect(denied.retryAfterMs).toBeGreaterThan(0);
    });

    it("is all or nothing across several limits", async () => {
      const clock = manualClock();
      const l = await make(clock);
      const roomy = req({ id: "roomy", limit: 100, metric: "tokens", cost: 10 });
      const tight = req({ id: "tight", limit: 1 });
      expect((await l.reserve([roomy, tight])).ok).toBe(true);
      const second = await l.reserve([roomy, tight]);
      expect(second.ok).toBe(false);
      expect(second.results.map((x) => x.ok)).toEqual([true, false]);
      // the roomy limit was not charged by the denied attempt: 100 - 10 (first) - 10 (this probe) = 80 left
      const probe = await l.reserve([roomy]);
      expect(probe.results[0]?.remaining).toBe(80);
    });

    it("settle replaces the worst case by real usage; release refunds", async () => {
      const clock = manualClock();
      const l = await make(clock);
      const tok = req({ id: "tok", metric: "tokens", limit: 1000, cost: 600 });
      const first = await l.reserve([tok]);
      expect(first.results[0]?.remaining).toBe(400);
      expect((await l.reserve([tok])).ok).toBe(false); // 600 + 600 > 1000
      await l.settle(first.reservationId as string, { promptTokens: 100, completionTokens: 50 });
      const second = await l.reserve([tok]);
      expect(second.ok).toBe(true);
      expect(second.results[0]?.remaining).toBe(1000 - 150 - 600);
      await l.release(second.reservationId as string);
      const probe = await l.reserve([{ ...tok, cost: 0 }]);
      expect(probe.results[0]?.remaining).toBe(850);
    });

    it("counts prompt-only, completion-only and cost metrics from the settled usage", async () => {
      const clock = manualClock();
      const l = await make(clock);
      const p = req({ id: "p", metric: "prompt_tokens", limit: 1000, cost: 10 });
      const c = req({ id: "c", metric: "completion_tokens", limit: 1000, cost: 10 });
      const m = req({ id: "m", metric: "cost", limit: 5_000_000_000, cost: 10 });
      const r = await l.reserve([p, c, m]);
      await l.settle(r.reservationId as string, { promptTokens: 7, completionTokens: 30, costNano: 1_234_567n });
      const probe = await l.reserve([
        { ...p, cost: 0 },
        { ...c, cost: 0 },
        { ...m, cost: 0 },
      ]);
      expect(probe.results.map((x) => x.remaining)).toEqual([993, 970, 5_000_000_000 - 1_234_567]);
    });

    it("burst admits extra units above the limit", async () => {
      const clock = manualClock();
      const l = await make(clock);
      const r = req({ id: "b", limit: 3, burst: 2 });
      let admitted = 0;
      for (let i = 0; i < 10; i++) if ((await l.reserve([r])).ok) admitted++;
      expect(admitted).toBe(5);
    });

    it("sliding window: the previous bucket decays linearly", async () => {
      const clock = manualClock(Date.UTC(2025, 0, 6, 12, 0, 0)); // a bucket edge for 60 s windows
      const l = await make(clock);
      const r = req({ id: "s", limit: 10 });
      for (let i = 0; i < 10; i++) {
        const res = await l.reserve([r]);
        await l.settle(res.reservationId as string, { promptTokens: 0, completionTokens: 0 });
      }
      expect((await l.reserve([r])).ok).toBe(false);
      clock.t += 60_000 + 30_000; // half-way through the next bucket: 10 x 0.5 = 5 still count
      let admitted = 0;
      for (let i = 0; i < 10; i++) if ((await l.reserve([r])).ok) admitted++;
      expect(admitted).toBe(5);
      clock.t += 60_000 * 3;
      expect((await l.reserve([r])).ok).toBe(true);
    });

    it("calendar periods reset at their end", async () => {
      const clock = manualClock(1_000_000);
      const l = await make(clock);
      const r = req({
        id: "per",
        source: "budget",
        metric: "cost",
        limit: 100,
        cost: 60,
        window: { kind: "period", start: 0, end: 2_000_000 },
      });
      expect((await l.reserve([r])).ok).toBe(true);
      const denied = await l.reserve([r]);
      expect(denied.ok).toBe(false);
      expect(denied.retryAfterMs).toBe(1_000_000);
      clock.t = 2_000_000;
      const next = { ...r, window: { kind: "period" as const, start: 2_000_000, end: 3_000_000 } };
      // the old period's pending reservation belongs to the old period
      expect((await l.reserve([next])).ok).toBe(true);
      expect((await l.reserve([next])).ok).toBe(false);
    });

    it("unsettled reservations expire after their TTL; a late settle still counts the usage", async () => {
      const clock = manualClock();
      const l = await make(clock);
      const r = req({ id: "exp", metric: "tokens", limit: 100, cost: 100 });
      const held = await l.reserve([r]);
      expect(held.ok).toBe(true);
      expect((await l.reserve([r])).ok).toBe(false);
      clock.t += 10_001;
      const after = await l.reserve([{ ...r, cost: 10 }]);
      expect(after.ok).toBe(true);
      expect(after.results[0]?.remaining).toBe(90);
      await l.settle(held.reservationId as string, { promptTokens: 20, completionTokens: 20 });
      const probe = await l.reserve([{ ...r, cost: 0 }]);
      expect(probe.results[0]?.remaining).toBe(100 - 10 - 40);
    });

    it("a count-only limit never denies but still counts", async () => {
      const clock = manualClock();
      const l = await make(clock);
      const r = req({ id: "co", limit: 1, enforce: false });
      for (let i = 0; i < 3; i++) expect((await l.reserve([r])).ok).toBe(true);
      expect((await l.reserve([{ ...r, enforce: true }])).ok).toBe(false);
    });

    it("a zero-cost probe is denied when the counter is already full", async () => {
      const clock = manualClock();
      const l = await make(clock);
      const r = req({ id: "z", metric: "tokens", limit: 10, cost: 10 });
      const res = await l.reserve([r]);
      await l.settle(res.reservationId as string, { promptTokens: 10, completionTokens: 0 });
      expect((await l.reserve([{ ...r, cost: 0 }])).ok).toBe(false);
    });

    it("an empty request list is admitted without a reservation", async () => {
      const l = await make(manualClock());
      const r = await l.reserve([]);
      expect(r.ok).toBe(true);
    });
  });
}
