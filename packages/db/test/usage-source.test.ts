import { describe, expect, it } from "vitest";
import { csvField } from "../src/analytics/csv.ts";
import { spendOverTimeInputSchema, usageFilterSchema } from "../src/analytics/filters.ts";
import { planSource, type TimeRange } from "../src/analytics/source.ts";

const d = (s: string) => new Date(s);
const iso = (ranges: TimeRange[]) => ranges.map((r) => `${r.from.toISOString()}..${r.to.toISOString()}`);

describe("planSource splits a range into daily, hourly and raw parts that cover it exactly once", () => {
  it("reads whole UTC days daily, edge hours hourly and partial hours raw", () => {
    const p = planSource(d("2026-01-01T10:15:00Z"), d("2026-01-04T03:20:00Z"), { useDaily: true });
    expect(iso(p.raw)).toEqual([
      "2026-01-01T10:15:00.000Z..2026-01-01T11:00:00.000Z",
      "2026-01-04T03:00:00.000Z..2026-01-04T03:20:00.000Z",
    ]);
    expect(iso(p.hourly)).toEqual([
      "2026-01-01T11:00:00.000Z..2026-01-02T00:00:00.000Z",
      "2026-01-04T00:00:00.000Z..2026-01-04T03:00:00.000Z",
    ]);
    expect(iso(p.daily)).toEqual(["2026-01-02T00:00:00.000Z..2026-01-04T00:00:00.000Z"]);
  });

  it("reads days that straddle a bucket boundary hourly, and merges adjacent hourly ranges", () => {
    const straddle = [d("2026-01-03T00:00:00Z").getTime(), d("2026-01-04T00:00:00Z").getTime()];
    const p = planSource(d("2026-01-01T00:00:00Z"), d("2026-01-06T00:00:00Z"), { useDaily: true, straddleDays: straddle });
    expect(iso(p.daily)).toEqual([
      "2026-01-01T00:00:00.000Z..2026-01-03T00:00:00.000Z",
      "2026-01-05T00:00:00.000Z..2026-01-06T00:00:00.000Z",
    ]);
    expect(iso(p.hourly)).toEqual(["2026-01-03T00:00:00.000Z..2026-01-05T00:00:00.000Z"]);
    expect(p.raw).toEqual([]);
  });

  it("uses only raw events inside one hour and no daily rows for hour buckets", () => {
    const inHour = planSource(d("2026-01-01T10:15:00Z"), d("2026-01-01T10:45:00Z"), { useDaily: true });
    expect(inHour.daily.length + inHour.hourly.length).toBe(0);
    expect(iso(inHour.raw)).toEqual(["2026-01-01T10:15:00.000Z..2026-01-01T10:45:00.000Z"]);
    const hourly = planSource(d("2026-01-01T00:00:00Z"), d("2026-01-05T00:00:00Z"), { useDaily: false });
    expect(iso(hourly.hourly)).toEqual(["2026-01-01T00:00:00.000Z..2026-01-05T00:00:00.000Z"]);
    expect(hourly.daily).toEqual([]);
  });
});

describe("analytics input schemas", () => {
  it("rejects inverted ranges, unknown time zones and hour buckets over long ranges", () => {
    expect(() => usageFilterSchema.parse({ from: "2026-02-01", to: "2026-01-01" })).toThrow();
    const filter = { from: "2026-01-01", to: "2026-03-01" };
    expect(() => spendOverTimeInputSchema.parse({ filter, timeZone: "Mars/Olympus" })).toThrow();
    expect(() => spendOverTimeInputSchema.parse({ filter, bucket: "hour" })).toThrow();
    const ok = spendOverTimeInputSchema.parse({ filter, bucket: "week", timeZone: "Europe/Berlin", groupBy: "team" });
    expect(ok.filter.from).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(ok.topGroups).toBe(10);
  });
});

describe("csvField", () => {
  it("quotes per RFC 4180 and neutralizes formulas in text cells only", () => {
    expect(csvField('Data, "Science"')).toBe('"Data, ""Science"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("=HYPERLINK(1)", { text: true })).toBe("'=HYPERLINK(1)");
    expect(csvField("-0.500000000000")).toBe("-0.500000000000");
    expect(csvField(null)).toBe("");
    expect(csvField(new Date("2026-01-01T00:00:00Z"))).toBe("2026-01-01T00:00:00.000Z");
  });
});
