// Date ranges kept in the URL (?range=30d or ?from=2026-11-01&to=2026-11-30): pure parsing, browser- and server-safe.
// Days are calendar days in `timeZone`; `to` is inclusive in the URL and exclusive in the returned instants.

export const RANGE_PRESETS = ["24h", "7d", "30d", "90d", "mtd", "last-month", "ytd"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export interface ParsedRange {
  from: Date;
  to: Date;
  /** YYYY-MM-DD of the first and last day (inclusive) */
  fromDay: string;
  toDay: string;
  preset: RangePreset | null;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function dayIn(instant: Date, timeZone = "UTC"): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

/** The instant a calendar day starts in a time zone (via the zone's offset at that day's noon). */
export function dayStart(day: string, timeZone = "UTC"): Date {
  const utcMidnight = new Date(`${day}T00:00:00Z`);
  const noon = new Date(utcMidnight.getTime() + 12 * 3_600_000);
  const local = new Date(noon.toLocaleString("en-US", { timeZone }));
  const asUtc = new Date(noon.toLocaleString("en-US", { timeZone: "UTC" }));
  const offset = local.getTime() - asUtc.getTime();
  return new Date(utcMidnight.getTime() - offset);
}

function addDays(day: string, n: number): string {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + n * DAY_MS).toISOString().slice(0, 10);
}

export function parseRange(
  params: { range?: string | null; from?: string | null; to?: string | null },
  opts: { now?: Date; timeZone?: string; defaultPreset?: RangePreset; maxDays?: number } = {},
): ParsedRange {
  const now = opts.now ?? new Date();
  const tz = opts.timeZone ?? "UTC";
  const today = dayIn(now, tz);
  const maxDays = opts.maxDays ?? 800;
  if (params.from && params.to && DAY_RE.test(params.from) && DAY_RE.test(params.to) && params.from <= params.to) {
    let fromDay = params.from;
    const toDay = params.to;
    if ((new Date(toDay).getTime() - new Date(fromDay).getTime()) / DAY_MS >= maxDays) fromDay = addDays(toDay, -(maxDays - 1));
    return { from: dayStart(fromDay, tz), to: dayStart(addDays(toDay, 1), tz), fromDay, toDay, preset: null };
  }
  const preset = (RANGE_PRESETS as readonly string[]).includes(params.range ?? "")
    ? (params.range as RangePreset)
    : (opts.defaultPreset ?? "30d");
  if (preset === "24h") {
    const from = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 23 * 3_600_000);
    const to = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
    return { from, to, fromDay: dayIn(from, tz), toDay: today, preset };
  }
  let fromDay: string;
  let toDay = today;
  if (preset === "mtd") fromDay = `${today.slice(0, 8)}01`;
  else if (preset === "ytd") fromDay = `${today.slice(0, 5)}01-01`;
  else if (preset === "last-month") {
    const firstThis = `${today.slice(0, 8)}01`;
    toDay = addDays(firstThis, -1);
    fromDay = `${toDay.slice(0, 8)}01`;
  } else fromDay = addDays(today, -(Number(preset.replace("d", "")) - 1));
  return { from: dayStart(fromDay, tz), to: dayStart(addDays(toDay, 1), tz), fromDay, toDay, preset };
}

export const RANGE_LABELS: Record<RangePreset, string> = {
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  mtd: "Month to date",
  "last-month": "Last month",
  ytd: "Year to date",
};
