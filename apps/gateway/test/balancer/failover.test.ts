import { RouteRetrySchema } from "@sluice/db/schemas";
import { describe, expect, it } from "vitest";
import {
  type AttemptResult,
  backoffDelayMs,
  type FailoverContext,
  healthVerdict,
  parseRetryAfter,
  retryAfterFromHeaders,
  shouldFailover,
} from "../../src/balancer/failover.ts";
import { createSeededRng } from "../../src/balancer/random.ts";

const all = RouteRetrySchema.parse({ on: ["error", "timeout", "http_429", "http_5xx", "non_idempotent"] });
const none = RouteRetrySchema.parse({ on: [] });
const defaults = RouteRetrySchema.parse({});
const before = { streamStarted: false };

function decide(result: AttemptResult, config = all, ctx: FailoverContext = before) {
  return shouldFailover(result, config, ctx);
}

describe("shouldFailover: each criterion", () => {
  it("error", () => {
    expect(decide({ kind: "error", code: "ECONNRESET" })).toEqual({ failover: true, reason: "error" });
    expect(decide({ kind: "error", code: "ECONNRESET" }, none).failover).toBe(false);
  });

  it("timeout", () => {
    expect(decide({ kind: "timeout", phase: "first_byte" })).toEqual({ failover: true, reason: "timeout" });
    expect(decide({ kind: "timeout", phase: "connect" }, none)).toEqual({ failover: false, reason: "not_configured" });
  });

  it("http_429", () => {
    expect(decide({ kind: "http", status: 429 })).toEqual({ failover: true, reason: "http_429" });
    expect(decide({ kind: "http", status: 429 }, RouteRetrySchema.parse({ on: [429] })).failover).toBe(true);
    expect(decide({ kind: "http", status: 429 }, RouteRetrySchema.parse({ on: ["http_5xx"] })).failover).toBe(false);
  });

  it("http_5xx and specific codes", () => {
    for (const status of [500, 502, 503, 504, 529]) expect(decide({ kind: "http", status }).reason).toBe("http_5xx");
    const only503 = RouteRetrySchema.parse({ on: [503] });
    expect(decide({ kind: "http", status: 503 }, only503)).toEqual({ failover: true, reason: "http_503" });
    expect(decide({ kind: "http", status: 500 }, only503).failover).toBe(false);
    expect(decide({ kind: "http", status: 408 }, RouteRetrySchema.parse({ on: [408] })).reason).toBe("http_408");
  });

  it("non_idempotent: an ambiguous failure after the request was sent needs it", () => {
    const sentFailures: AttemptResult[] = [
      { kind: "timeout", phase: "first_byte" },
      { kind: "timeout", phase: "total" },
      { kind: "error", code: "ECONNRESET" },
      { kind: "error", code: "ECONNRESET", requestSent: true },
    ];
    for (const r of sentFailures) {
      expect(decide(r, defaults)).toEqual({ failover: false, reason: "non_idempotent" });
      expect(decide(r, all).failover).toBe(true);
      // the caller may declare the request idempotent
      expect(decide(r, defaults, { streamStarted: false, idempotent: true }).failover).toBe(true);
    }
    // never sent: safe to retry with the default criteria
    expect(decide({ kind: "timeout", phase: "connect" }, defaults).failover).toBe(true);
    expect(decide({ kind: "error", code: "ECONNREFUSED", requestSent: false }, defaults).failover).toBe(true);
    // an explicit status answer is not ambiguous
    expect(decide({ kind: "http", status: 503 }, defaults).failover).toBe(true);
  });

  it("never fails over a client error of the client's own making", () => {
    const everything = RouteRetrySchema.parse({ on: ["error", "timeout", "http_5xx", "http_429", 400, 401, 403, 404, 413, 422] });
    for (const status of [400, 401, 403, 404, 413, 422])
      expect(decide({ kind: "http", status }, everything)).toEqual({ failover: false, reason: "client_error" });
    // an upstream 401 for the gateway's own provider credential is not the client's doing
    expect(decide({ kind: "http", status: 401, clientFault: false }, everything)).toEqual({ failover: true, reason: "http_401" });
    expect(decide({ kind: "http", status: 401, clientFault: false }, all).failover).toBe(false);
  });

  it("success and client aborts never fail over", () => {
    expect(decide({ kind: "ok", status: 200 })).toEqual({ failover: false, reason: "ok" });
    expect(decide({ kind: "aborted" })).toEqual({ failover: false, reason: "aborted" });
  });

  it("after the first byte reached the client: off by default, continuation when opted in", () => {
    const started = { streamStarted: true };
    expect(decide({ kind: "error", code: "ECONNRESET" }, all, started)).toEqual({ failover: false, reason: "stream_started" });
    const cont = RouteRetrySchema.parse({ on: ["error", "non_idempotent"], streamContinuation: true });
    expect(decide({ kind: "error" }, cont, started)).toEqual({ failover: true, reason: "error", continuation: true });
    // before the first byte a stream fails over like any request
    expect(decide({ kind: "error" }, all, before)).toEqual({ failover: true, reason: "error" });
  });
});

describe("health verdicts", () => {
  it("counts errors, timeouts, 5xx and bare 429s against the target; client errors and aborts do not", () => {
    expect(healthVerdict({ kind: "ok" })).toBe("success");
    expect(healthVerdict({ kind: "http", status: 502 })).toBe("failure");
    expect(healthVerdict({ kind: "http", status: 429 })).toBe("failure");
    expect(healthVerdict({ kind: "http", status: 429, retryAfterMs: 1000 })).toBe("neutral");
    expect(healthVerdict({ kind: "http", status: 400 })).toBe("success");
    expect(healthVerdict({ kind: "timeout", phase: "first_byte" })).toBe("failure");
    expect(healthVerdict({ kind: "aborted" })).toBe("neutral");
  });
});

describe("backoff and retry-after", () => {
  it("full jitter: uniform below min(max, base * 2^n)", () => {
    const rng = createSeededRng(3);
    const cfg = { backoffMs: 100, maxBackoffMs: 1000 };
    for (let n = 0; n < 8; n++) {
      const cap = Math.min(1000, 100 * 2 ** n);
      let max = 0;
      for (let i = 0; i < 500; i++) {
        const d = backoffDelayMs(n, cfg, rng);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(cap);
        max = Math.max(max, d);
      }
      expect(max).toBeGreaterThan(cap * 0.9);
    }
    expect(backoffDelayMs(3, { backoffMs: 0, maxBackoffMs: 1000 }, rng)).toBe(0);
  });

  it("parses seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(retryAfterFromHeaders({ "retry-after-ms": "250", "retry-after": "9" }, now)).toBe(250);
    expect(retryAfterFromHeaders({ "retry-after": ["2"] }, now)).toBe(2000);
  });
});
