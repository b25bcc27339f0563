// Calendar-aligned budget periods in an IANA time zone, with Intl only (no date library). A period starts at local
// midnight of its first day: DAY = today, WEEK = this week's Monday (ISO weeks), MONTH = the 1st; TOTAL never
// resets. Across a DST change a day is 23 or 25 hours long; where local midnight does not exist (zones that switch at
// 00:00, e.g. America/Santiago) the period starts at the first instant of that local date.

export type BudgetPeriod = "DAY" | "WEEK" | "MONTH" | "TOTAL";

export interface PeriodBounds {
  /** ms epoch, inclusive */
  start: number;
  /** ms epoch, exclusive; null for TOTAL */
  end: number | null;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local wall-clock fields of an instant in `timeZone`. */
export function localParts(ms: number, timeZone: string): LocalParts {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(ms)) {
    switch (p.type) {
      case "year":
        out.year = Number(p.value);
        break;
      case "month":
        out.month = Number(p.value);
        break;
      case "day":
        out.day = Number(p.value);
        break;
      case "hour":
        out.hour = Number(p.value);
        break;
      case "minute":
        out.minute = Number(p.value);
        break;
      case "second":
        out.second = Number(p.value);
        break;
    }
  }
  return out;
}

/** Offset of `timeZone` from UTC at instant `ms`, in ms (local = utc + offset). */
export function zoneOffset(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The first instant whose local date in `timeZone` is (year, month, day) (normalised like Date.UTC). */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  // two passes settle the offset except inside a gap; then step to the first instant of the date
  let t = wall - zoneOffset(wall, timeZone);
  t = wall - zoneOffset(t, timeZone);
  const target = dayNumber(wall);
  let p = localParts(t, timeZone);
  // landed on the previous local date (midnight skipped by a DST gap): move forward to the end of the gap
  if (dayNumber(Date.UTC(p.year, p.month - 1, p.day)) < target) {
    let lo = t;
    let hi = t + 3 * 3600_000;
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2 / 1000) * 1000;
      p = localParts(mid, timeZone);
      if (dayNumber(Date.UTC(p.year, p.month - 1, p.day)) < target) lo = mid;
      else hi = mid;
    }
    t = hi;
  }
  return t;
}

function dayNumber(utcMidnight: number): number {
  return Math.floor(utcMidnight / 86_400_000);
}

/** Bounds of the period containing `now`. */
export function periodBounds(period: BudgetPeriod, timeZone: string, now: number): PeriodBounds {
  if (period === "TOTAL") return { start: 0, end: null };
  const p = localParts(now, timeZone);
  if (period === "DAY") {
    return {
      start: startOfLocalDay(p.year, p.month, p.day, timeZone),
      end: startOfLocalDay(p.year, p.month, p.day + 1, timeZone),
    };
  }
  if (period === "WEEK") {
    // 0 = Sunday in getUTCDay of the local date; Monday-based offset
    const dow = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
    const back = (dow + 6) % 7;
    return {
      start: startOfLocalDay(p.year, p.month, p.day - back, timeZone),
      end: startOfLocalDay(p.year, p.month, p.day - back + 7, timeZone),
    };
  }
  return { start: startOfLocalDay(p.year, p.month, 1, timeZone), end: startOfLocalDay(p.year, p.month + 1, 1, timeZone) };
}

/**
 * Caches one budget's current bounds until they run out, so the hot path does one comparison instead of Intl
 * formatting.
 */
export class PeriodClock {
  private bounds: PeriodBounds | null = null;
  constructor(
    readonly period: BudgetPeriod,
    readonly timeZone: string,
  ) {}

  at(now: number): PeriodBounds {
    const b = this.bounds;
    if (b && now >= b.start && (b.end === null || now < b.end)) return b;
    this.bounds = periodBounds(this.period, this.timeZone, now);
    return this.bounds;
  }
}
