// Turning a usage series (bucket x group points, money as decimal strings) into chart data. Pure and browser-safe.
// The numbers produced here are for plotting only; tables show the exact strings.

export type SeriesMetric = "cost" | "requests" | "tokens" | "errors";
export type SeriesBucket = "hour" | "day" | "week" | "month";

export interface SeriesPointLike {
  bucket: Date | string;
  group: string | null;
  label: string | null;
  requests: number;
  errors: number;
  totalTokens: number;
  cost: string;
}

/** A bucket start as a short label in a time zone: "2026-11-22", "11-22 14:00", "2026-11". */
export function bucketLabel(bucket: Date | string, unit: SeriesBucket, timeZone = "UTC"): string {
  const d = typeof bucket === "string" ? new Date(bucket) : bucket;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  if (unit === "month") return `${parts.year}-${parts.month}`;
  if (unit === "hour") return `${parts.month}-${parts.day} ${parts.hour}:00`;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function metricValue(p: SeriesPointLike, metric: SeriesMetric): number {
  if (metric === "cost") return Number(p.cost);
  if (metric === "requests") return p.requests;
  if (metric === "errors") return p.errors;
  return p.totalTokens;
}

/** Display name of a group value. */
export function groupName(group: string | null, label: string | null): string {
  if (group === null) return "Total";
  if (group === "__other__") return "Other";
  if (group === "") return "(none)";
  return label ?? group;
}

export interface ChartData {
  data: Array<{ label: string } & Record<string, number | string>>;
  series: Array<{ key: string; name: string }>;
}

/** One datum per bucket (gap-free), one series per group (or "total"). */
export function seriesToChartData(
  buckets: Array<Date | string>,
  points: SeriesPointLike[],
  metric: SeriesMetric,
  unit: SeriesBucket,
  timeZone = "UTC",
): ChartData {
  const keyOf = (g: string | null) => (g === null ? "total" : `g_${g}`);
  const series = new Map<string, string>();
  for (const p of points) if (!series.has(keyOf(p.group))) series.set(keyOf(p.group), groupName(p.group, p.label));
  if (series.size === 0) series.set("total", "Total");
  const byBucket = new Map<number, Record<string, number>>();
  for (const p of points) {
    const t = new Date(p.bucket).getTime();
    const row = byBucket.get(t) ?? {};
    row[keyOf(p.group)] = (row[keyOf(p.group)] ?? 0) + metricValue(p, metric);
    byBucket.set(t, row);
  }
  const data = buckets.map((b) => {
    const t = new Date(b).getTime();
    const values = byBucket.get(t) ?? {};
    const datum: { label: string } & Record<string, number | string> = { label: bucketLabel(b, unit, timeZone) };
    for (const key of series.keys()) datum[key] = values[key] ?? 0;
    return datum;
  });
  return { data, series: [...series].map(([key, name]) => ({ key, name })) };
}
