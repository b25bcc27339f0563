import { describe, expect, it } from "vitest";
import { AttemptLimiter, signInLimitKey } from "@/lib/rate-limit";

function limiter(max = 3, windowMs = 60_000) {
  let now = 1_000_000;
  const l = new AttemptLimiter({ max, windowMs, now: () => now });
  return { l, advance: (ms: number) => (now += ms) };
}

describe("AttemptLimiter", () => {
  it("allows max failures per window, then refuses until the window ends", () => {
    const { l, advance } = limiter(3, 60_000);
    expect(l.check("k")).toMatchObject({ ok: true, remaining: 3 });
    l.recordFailure("k");
    l.recordFailure("k");
    expect(l.recordFailure("k")).toMatchObject({ ok: false, remaining: 0, resetAt: 1_060_000 });
    advance(59_999);
    expect(l.check("k").ok).toBe(false);
    advance(1);
    expect(l.check("k")).toMatchObject({ ok: true, remaining: 3 });
  });

  it("keeps keys apart and clears a key on success", () => {
    const { l } = limiter(2);
    l.recordFailure("a");
    l.recordFailure("a");
    expect(l.check("a").ok).toBe(false);
    expect(l.check("b").ok).toBe(true);
    l.reset("a");
    expect(l.check("a")).toMatchObject({ ok: true, remaining: 2 });
  });

  it("stays bounded in memory", () => {
    let now = 0;
    const l = new AttemptLimiter({ max: 1, windowMs: 1_000, now: () => now, maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) {
      l.recordFailure(`k${i}`);
      now += 1;
    }
    // the newest key is still limited, the oldest was dropped
    expect(l.check("k999").ok).toBe(false);
    expect(l.check("k0").ok).toBe(true);
  });

  it("keys by normalised email and IP", () => {
    expect(signInLimitKey("  Admin@Example.COM ", "10.0.0.1")).toBe("admin@example.com|10.0.0.1");
  });
});
