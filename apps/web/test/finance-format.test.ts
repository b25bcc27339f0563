// Exact money display and URL date ranges used by the finance dashboards and the portal (pure functions).

import { formatDecimal, formatMoney, parseRange, roundDecimal, seriesToChartData, sumDecimals } from "@sluice/ui";
import { describe, expect, it } from "vitest";

describe("exact decimals", () => {
  it("rounds half-up on the digits, never through a float", () => {
    expect(roundDecimal("0.125", 2)).toBe("0.13");
    expect(roundDecimal("1.005", 2)).toBe("1.01"); // 1.005 as a float rounds to 1.00
    expect(roundDecimal("-2.345", 2)).toBe("-2.35");
    expect(roundDecimal("-0.001", 2)).toBe("0.00");
    expect(roundDecimal("999.995", 2)).toBe("1000.00");
  });

  it("sums decimal strings exactly (0.1 + 0.2 is 0.3)", () => {
    expect(sumDecimals(["0.1", "0.2"])).toBe("0.300000000000");
    expect(sumDecimals(["0.000000000001", "1234567890.999999999999"])).toBe("1234567891.000000000000");
    expect(sumDecimals(["-1.5", "0.25"])).toBe("-1.250000000000");
    expect(sumDecimals([])).toBe("0.000000000000");
    // a million tiny costs add up exactly
    expect(sumDecimals(Array.from({ length: 1_000_000 }, () => "0.000000123456"))).toBe("0.123456000000");
  });

  it("formats money with 2 decimals, or 6 below a cent", () => {
    expect(formatMoney("1234.5678")).toBe("1,234.57 USD");
    expect(formatMoney("0.000110000000")).toBe("0.000110 USD");
    expect(formatMoney("0", "EUR")).toBe("0.00 EUR");
    expect(formatDecimal("1234567.891", 1)).toBe("1,234,567.9");
    expect(formatMoney(null)).toBe("—");
  });
});

describe("date ranges in the URL", () => {
  const now = new Date("2026-11-22T15:30:00Z");
  it("presets and custom days, `to` inclusive", () => {
    expect(parseRange({ range: "7d" }, { now })).toMatchObject({
      from: new Date("2026-11-16T00:00:00Z"),
      to: new Date("2026-11-23T00:00:00Z"),
      preset: "7d",
    });
    expect(parseRange({ range: "mtd" }, { now }).from).toEqual(new Date("2026-11-01T00:00:00Z"));
    expect(parseRange({ range: "last-month" }, { now })).toMatchObject({ fromDay: "2026-10-01", toDay: "2026-10-31" });
    expect(parseRange({ from: "2026-02-01", to: "2026-02-28" }, { now })).toMatchObject({
      from: new Date("2026-02-01T00:00:00Z"),
      to: new Date("2026-03-01T00:00:00Z"),
      preset: null,
    });
  });

  it("follows a time zone's calendar days", () => {
    const r = parseRange({ from: "2026-07-01", to: "2026-07-01" }, { now, timeZone: "Europe/Berlin" });
    expect(r.from).toEqual(new Date("2026-06-30T22:00:00Z"));
    expect(r.to).toEqual(new Date("2026-07-01T22:00:00Z"));
  });

  it("falls back to the default for garbage and reversed ranges", () => {
    expect(parseRange({ range: "x", from: "2026-02-02", to: "2026-02-01" }, { now, defaultPreset: "30d" }).preset).toBe("30d");
    expect(parseRange({ from: "not-a-day", to: "2026-02-01" }, { now }).preset).toBe("30d");
  });
});

describe("chart data", () => {
  it("one datum per bucket (gaps filled with 0), one series per group", () => {
    const b1 = new Date("2026-11-20T00:00:00Z");
    const b2 = new Date("2026-11-21T00:00:00Z");
    const p = (bucket: Date, group: string, cost: string) => ({
      bucket,
      group,
      label: group.toUpperCase(),
      requests: 1,
      errors: 0,
      totalTokens: 5,
      cost,
    });
    const { data, series } = seriesToChartData([b1, b2], [p(b1, "a", "1.5"), p(b1, "b", "0.5")], "cost", "day");
    expect(series).toEqual([
      { key: "g_a", name: "A" },
      { key: "g_b", name: "B" },
    ]);
    expect(data).toEqual([
      { label: "2026-11-20", g_a: 1.5, g_b: 0.5 },
      { label: "2026-11-21", g_a: 0, g_b: 0 },
    ]);
  });
});
