import { describe, expect, it } from "vitest";
import { PeriodClock, periodBounds, startOfLocalDay, zoneOffset } from "../../src/policies/budget/calendar.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("calendar periods", () => {
  it("UTC days, Monday weeks and months", () => {
    const now = Date.UTC(2025, 0, 8, 15, 30); // Wednesday 8 Jan 2025
    expect(periodBounds("DAY", "UTC", now)).toEqual({ start: Date.UTC(2025, 0, 8), end: Date.UTC(2025, 0, 9) });
    expect(periodBounds("WEEK", "UTC", now)).toEqual({ start: Date.UTC(2025, 0, 6), end: Date.UTC(2025, 0, 13) });
    expect(periodBounds("MONTH", "UTC", now)).toEqual({ start: Date.UTC(2025, 0, 1), end: Date.UTC(2025, 1, 1) });
    expect(periodBounds("TOTAL", "UTC", now)).toEqual({ start: 0, end: null });
  });

  it("a week that starts on Sunday evening UTC is still Monday-based locally", () => {
    // Monday 00:30 in Tokyo is Sunday 15:30 UTC
    const now = Date.UTC(2025, 0, 12, 15, 30);
    const b = periodBounds("WEEK", "Asia/Tokyo", now);
    expect(iso(b.start)).toBe("2025-01-12T15:00:00.000Z");
    expect(iso(b.end)).toBe("2025-01-19T15:00:00.000Z");
  });

  it("Europe/Berlin spring forward: the day is 23 hours, the month still starts at local midnight", () => {
    const now = Date.UTC(2025, 2, 30, 12); // Sun 30 March 2025, CEST after 02:00
    const day = periodBounds("DAY", "Europe/Berlin", now);
    expect(iso(day.start)).toBe("2025-03-29T23:00:00.000Z");
    expect(iso(day.end)).toBe("2025-03-30T22:00:00.000Z");
    expect((day.end as number) - day.start).toBe(23 * 3600_000);
    const week = periodBounds("WEEK", "Europe/Berlin", now);
    expect(iso(week.start)).toBe("2025-03-23T23:00:00.000Z"); // Monday 24 March 00:00 CET
    expect(iso(week.end)).toBe("2025-03-30T22:00:00.000Z"); // Monday 31 March 00:00 CEST
    const month = periodBounds("MONTH", "Europe/Berlin", now);
    expect(iso(month.start)).toBe("2025-02-28T23:00:00.000Z");
    expect(iso(month.end)).toBe("2025-03-31T22:00:00.000Z");
  });

  it("America/New_York fall back: the day is 25 hours", () => {
    const now = Date.UTC(2025, 10, 2, 12); // Sun 2 Nov 2025
    const day = periodBounds("DAY", "America/New_York", now);
    expect(iso(day.start)).toBe("2025-11-02T04:00:00.000Z");
    expect(iso(day.end)).toBe("2025-11-03T05:00:00.000Z");
  });

  it("a zone whose DST starts at midnight begins the day at 01:00 local (America/Santiago)", () => {
    // 7 Sep 2025: clocks go from 00:00 -04 to 01:00 -03
    const s = startOfLocalDay(2025, 9, 7, "America/Santiago");
    expect(iso(s)).toBe("2025-09-07T04:00:00.000Z");
    const prev = periodBounds("DAY", "America/Santiago", Date.UTC(2025, 8, 7, 3, 59));
    expect(iso(prev.end)).toBe("2025-09-07T04:00:00.000Z");
  });

  it("bounds are contiguous over a year of days in a DST zone", () => {
    let t = Date.UTC(2025, 0, 1, 12);
    let prevEnd: number | null = null;
    for (let i = 0; i < 366; i++) {
      const b = periodBounds("DAY", "Europe/Berlin", t);
      expect(t >= b.start && t < (b.end as number)).toBe(true);
      if (prevEnd !== null) expect(b.start).toBe(prevEnd);
      prevEnd = b.end;
      t = b.end as number;
    }
  });

  it("zoneOffset reads the offset in force", () => {
    expect(zoneOffset(Date.UTC(2025, 0, 1), "Europe/Berlin")).toBe(3600_000);
    expect(zoneOffset(Date.UTC(2025, 6, 1), "Europe/Berlin")).toBe(7200_000);
  });

  it("PeriodClock recomputes only when the period ends", () => {
    const c = new PeriodClock("DAY", "Europe/Paris");
    const a = c.at(Date.UTC(2025, 4, 1, 10));
    expect(c.at(Date.UTC(2025, 4, 1, 20))).toBe(a);
    const b = c.at(Date.UTC(2025, 4, 1, 22)); // 00:00 CEST on 2 May
    expect(b).not.toBe(a);
    expect(b.start).toBe(a.end);
  });
});
