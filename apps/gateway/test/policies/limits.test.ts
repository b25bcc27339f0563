import { BudgetConfigSchema, RateLimitConfigSchema } from "@sluice/db/schemas";
import { describe, expect, it } from "vitest";
import { EXACT_ABOVE_BYTES, estimatePromptTokens, worstCaseTokens } from "../../src/policies/budget/estimate.ts";
import { compilePrice } from "../../src/policies/budget/money.ts";
import { actualUsage, reserveLimits } from "../../src/policies/limits/engine.ts";
import { formatResetDuration, rateLimitHeaders, retryAfterHeaders } from "../../src/policies/limits/headers.ts";
import { MemoryLimiter } from "../../src/policies/limits/memory-limiter.ts";
import { compileBudget, limitDecision, planLimits } from "../../src/policies/limits/plan.ts";
import type { LimitResult } from "../../src/policies/limits/types.ts";
import { chat } from "./helpers.ts";
import { manualClock } from "./limiter-contract.ts";

const subject = { consumerId: "con_1", keyId: "key_1", teamId: "team_1", routeId: "rt_1" };
const rl = (id: string, config: unknown) => ({ id, name: id, config: RateLimitConfigSchema.parse(config) });
const budget = (config: Record<string, unknown>) =>
  compileBudget(BudgetConfigSchema.parse({ id: "b1", name: "Team monthly", scope: "TEAM", teamId: "team_1", ...config }));

describe("headers", () => {
  it("formats durations like OpenAI", () => {
    expect(formatResetDuration(20)).toBe("20ms");
    expect(formatResetDuration(1000)).toBe("1s");
    expect(formatResetDuration(360_000)).toBe("6m0s");
    expect(formatResetDuration(3_605_000)).toBe("1h0m5s");
  });

  it("reports the tightest request and token limits", () => {
    const base = { source: "rate-limit" as const, ok: true, retryAfterMs: null };
    const results: LimitResult[] = [
      { ...base, id: "a", name: "a", metric: "requests", limit: 100, remaining: 50, resetAt: 61_000 },
      { ...base, id: "b", name: "b", metric: "requests", limit: 10, remaining: 3, resetAt: 2_000 },
      { ...base, id: "c", name: "c", metric: "tokens", limit: 1000, remaining: 900, resetAt: 30_000 },
      { ...base, id: "d", name: "d", metric: "cost", limit: 5, remaining: 0, resetAt: 30_000, source: "budget" },
    ];
    expect(rateLimitHeaders(results, 1_000)).toEqual({
      "x-ratelimit-limit-requests": "10",
      "x-ratelimit-remaining-requests": "3",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-limit-tokens": "1000",
      "x-ratelimit-remaining-tokens": "900",
      "x-ratelimit-reset-tokens": "29s",
    });
    expect(retryAfterHeaders(1500)).toEqual({ "retry-after": "2", "retry-after-ms": "1500" });
  });
});

describe("worst case", () => {
  it("prompt estimate plus the completion ceiling times n", () => {
    const req = { ...chat({ role: "user", content: "Hello there, how are you?" }), max_tokens: 100, n: 2 };
    const p = estimatePromptTokens(req);
    // a small prompt reserves its UTF-8 byte count (an upper bound on o200k tokens) plus the chat framing
    expect(p).toBe(3 + 3 + "Hello there, how are you?".length);
    expect(worstCaseTokens(req)).toEqual({ promptTokens: p, completionTokens: 200 });
    expect(worstCaseTokens(chat({ role: "user", content: "x" }), { defaultMaxTokens: 256 }).completionTokens).toBe(256);
    expect(worstCaseTokens(chat({ role: "user", content: "x" })).completionTokens).toBe(4096);
  });

  it("counts prompts above EXACT_ABOVE_BYTES exactly, below the byte bound", () => {
    const text = "The quick brown fox jumps over the lazy dog. ".repeat(200); // 9 KB, ~2k tokens
    const p = estimatePromptTokens(chat({ role: "user", content: text }));
    expect(p).toBeGreaterThan(1500);
    expect(p).toBeLessThan(2500);
    const small = "The quick brown fox jumps over the lazy dog. ".repeat(80); // 3.6 KB
    expect(estimatePromptTokens(chat({ role: "user", content: small }))).toBe(6 + small.length);
    expect(EXACT_ABOVE_BYTES).toBe(4096);
  });
});

describe("planLimits", () => {
  it("keeps counters per subject and skips limits without one", () => {
    const planned = planLimits(
      [rl("p1", { limit: 10, windowMs: 60_000 }), rl("p2", { limit: 5, windowMs: 1000, per: "team", metric: "tokens" })],
      [],
      { ...subject, teamId: null },
      { worst: { promptTokens: 10, completionTokens: 90 }, worstCostNano: null },
      0,
    );
    expect(planned.map((p) => [p.id, p.cost])).toEqual([["rl:p1:consumer:con_1", 1]]);
  });

  it("budgets: applicability, calendar window, cost in nano", () => {
    const b = budget({ limit: "5", period: "MONTH", timezone: "Europe/Berlin" });
    const now = Date.UTC(2025, 5, 15);
    const [p] = planLimits([], [b], subject, { worst: { promptTokens: 1, completionTokens: 1 }, worstCostNano: 123n }, now);
    expect(p).toMatchObject({
      id: "bg:b1",
      metric: "cost",
      limit: 5_000_000_000,
      cost: 123,
      window: { kind: "period", start: Date.UTC(2025, 4, 31, 22), end: Date.UTC(2025, 5, 30, 22) },
    });
    expect(
      planLimits(
        [],
        [b],
        { ...subject, teamId: "other" },
        { worst: { promptTokens: 1, completionTokens: 1 }, worstCostNano: 1n },
        now,
      ),
    ).toEqual([]);
  });
});

describe("limitDecision", () => {
  it("429 naming the budget, with retry-after", async () => {
    const clock = manualClock(Date.UTC(2025, 5, 15, 12));
    const l = new MemoryLimiter({ now: clock.now });
    const planned = planLimits(
      [],
      [budget({ limit: "0.000002", period: "DAY" })],
      subject,
      { worst: { promptTokens: 1, completionTokens: 1 }, worstCostNano: 2000n },
      clock.t,
    );
    expect(limitDecision(planned, await l.reserve(planned), clock.t).ok).toBe(true);
    const d = limitDecision(planned, await l.reserve(planned), clock.t);
    expect(d).toMatchObject({ ok: false, status: 429, code: "budget_exceeded", retryAfterMs: 12 * 3600_000 });
    expect(!d.ok && d.message).toContain('Budget "Team monthly" is exhausted');
    expect(!d.ok && d.headers?.["retry-after"]).toBe(String(12 * 3600));
  });

  it("a request larger than the whole budget is denied without retry-after", async () => {
    const l = new MemoryLimiter({ now: () => 0 });
    const planned = planLimits(
      [],
      [budget({ limit: "0.000001", period: "DAY" })],
      subject,
      { worst: { promptTokens: 1, completionTokens: 1 }, worstCostNano: 2000n },
      0,
    );
    const d = limitDecision(planned, await l.reserve(planned), 0);
    expect(d).toMatchObject({ ok: false, code: "budget_exceeded" });
    expect(!d.ok && d.retryAfterMs).toBeUndefined();
  });

  it("429 rate_limit_exceeded with x-ratelimit headers", async () => {
    const l = new MemoryLimiter({ now: () => 0 });
    const planned = planLimits(
      [rl("p", { limit: 1, windowMs: 60_000 })],
      [],
      subject,
      { worst: { promptTokens: 0, completionTokens: 0 }, worstCostNano: null },
      0,
    );
    const ok = limitDecision(planned, await l.reserve(planned), 0);
    expect(ok).toMatchObject({ ok: true, headers: { "x-ratelimit-limit-requests": "1", "x-ratelimit-remaining-requests": "0" } });
    const denied = limitDecision(planned, await l.reserve(planned), 0);
    expect(denied).toMatchObject({ ok: false, status: 429, code: "rate_limit_exceeded" });
    expect(!denied.ok && denied.retryAfterMs).toBeGreaterThan(0);
  });
});

describe("reserveLimits", () => {
  const price = compilePrice({ input: "10", output: "30" });
  const cheap = compilePrice({ input: "0.1", output: "0.3" });

  it("downgrades when a downgrade budget is exhausted, still counting the spend", async () => {
    const clock = manualClock();
    const limiter = new MemoryLimiter({ now: clock.now });
    const b = budget({ limit: "0.01", period: "TOTAL", action: "DOWNGRADE", downgradeTargetId: "tgt_cheap" });
    const input = {
      limiter,
      rateLimits: [],
      budgets: [b],
      subject,
      request: { ...chat({ role: "user", content: "hi" }), max_tokens: 100 },
      priceFor: (t: string | null) => (t === "tgt_cheap" ? cheap : price),
      now: clock.t,
    };
    const first = await reserveLimits(input);
    expect(first.decision.ok).toBe(true);
    expect(first.downgradeTargetId).toBeNull();
    await limiter.settle(first.reservationId as string, actualUsage({ promptTokens: 1000, completionTokens: 1000 }, price)); // 0.04
    const second = await reserveLimits(input);
    expect(second.decision).toMatchObject({ ok: true, downgradeTargetId: "tgt_cheap" });
    expect(second.downgradeTargetId).toBe("tgt_cheap");
    expect(second.reservationId).not.toBeNull();
  });

  it("does nothing (and estimates nothing) without limits", async () => {
    const r = await reserveLimits({
      limiter: new MemoryLimiter(),
      rateLimits: [],
      budgets: [],
      subject,
      request: null,
      priceFor: () => null,
      now: 0,
    });
    expect(r).toMatchObject({ decision: { ok: true }, reservationId: null });
  });

  it("a reject budget denies with budget_exceeded", async () => {
    const limiter = new MemoryLimiter();
    const r = await reserveLimits({
      limiter,
      rateLimits: [],
      budgets: [budget({ limit: "0.000001" })],
      subject,
      request: chat({ role: "user", content: "hi" }),
      priceFor: () => price,
      now: Date.now(),
    });
    expect(r.decision).toMatchObject({ ok: false, code: "budget_exceeded" });
  });
});
