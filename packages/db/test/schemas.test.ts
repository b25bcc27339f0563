import { describe, expect, it } from "vitest";
import { isId, newId } from "../src/ids.ts";
import { parsePolicyConfig, RouteOptionsSchema, RouteRetrySchema, TargetOptionsSchema } from "../src/schemas/index.ts";

describe("config schemas shared by the web app and the gateway", () => {
  it("refuses an invalid regular expression when a guard policy is saved", () => {
    const bad = parsePolicyConfig("prompt-guard", { deny: ["(unclosed"] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain("invalid regular expression");
    expect(parsePolicyConfig("prompt-guard", { deny: ["secret\\s+plan"] }).success).toBe(true);
  });

  it("names unknown policy types and unknown keys", () => {
    expect(parsePolicyConfig("nope", {}).success).toBe(false);
    expect(parsePolicyConfig("rate-limit", { limit: 10, windowMs: 1000, typo: 1 }).success).toBe(false);
  });

  it("fills documented defaults", () => {
    const r = RouteRetrySchema.parse({});
    expect(r.attempts).toBe(1);
    expect(r.timeouts.totalMs).toBe(600_000);
    const o = RouteOptionsSchema.parse({});
    expect(o.auth).toBe("key");
    expect(o.logPayloads).toBe(false);
    const t = TargetOptionsSchema.parse({ temperature: { value: 0.2 } });
    expect(t.temperature).toEqual({ value: 0.2, mode: "default" });
  });

  it("rejects out-of-range values instead of clamping", () => {
    expect(TargetOptionsSchema.safeParse({ temperature: { value: 3 } }).success).toBe(false);
  });

  it("makes typed ids", () => {
    const id = newId("route");
    expect(id).toMatch(/^rt_[0-9A-Za-z]{20}$/);
    expect(isId("route", id)).toBe(true);
    expect(isId("key", id)).toBe(false);
  });
});
