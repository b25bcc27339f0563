// The finance dashboards' state lives in the URL: one parser turns search params into the analytics inputs, shared
// by the pages (server components) and the CSV export route, so an export is exactly the view on screen.

import { isValidTimeZone, USAGE_DIMENSIONS, type UsageCsvRequest, type UsageDimension, type UsageFilter } from "@sluice/db";
import { type ParsedRange, parseRange } from "@sluice/ui";

export type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

export const FINANCE_BUCKETS = ["day", "week", "month"] as const;
export type FinanceBucket = (typeof FINANCE_BUCKETS)[number];

/** Filter params that narrow every view, and the URL key of each. */
export const FILTER_KEYS = {
  team: "teamIds",
  consumer: "consumerIds",
  key: "apiKeyIds",
  model: "models",
  provider: "providerIds",
  route: "routeIds",
} as const satisfies Record<UsageDimension, keyof UsageFilter>;

/** The URL spelling of "no team / no consumer / ..." (usage without that dimension). */
export const NONE_VALUE = "__none__";

export interface FinanceParams {
  range: ParsedRange;
  timeZone: string;
  bucket: FinanceBucket;
  groupBy: UsageDimension | null;
  /** the dimension of the top-spenders view */
  top: UsageDimension;
  filter: UsageFilter;
  /** the filter lists as they came (for the form) */
  selected: Partial<Record<UsageDimension, string[]>>;
}

function all(sp: SearchParamsLike, key: string): string[] {
  if (sp instanceof URLSearchParams) return sp.getAll(key);
  const v = sp[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
const first = (sp: SearchParamsLike, key: string) => all(sp, key)[0] ?? null;

const isDimension = (v: string | null): v is UsageDimension => (USAGE_DIMENSIONS as readonly string[]).includes(v ?? "");

export function parseFinanceParams(sp: SearchParamsLike, now: Date = new Date()): FinanceParams {
  const tzParam = first(sp, "tz");
  const timeZone = tzParam && isValidTimeZone(tzParam) ? tzParam : "UTC";
  const range = parseRange(
    { range: first(sp, "range"), from: first(sp, "from"), to: first(sp, "to") },
    { now, timeZone, defaultPreset: "30d" },
  );
  const b = first(sp, "bucket");
  const bucket: FinanceBucket = (FINANCE_BUCKETS as readonly string[]).includes(b ?? "") ? (b as FinanceBucket) : "day";
  const g = first(sp, "group");
  const groupBy = g === "none" ? null : isDimension(g) ? g : "team";
  const t = first(sp, "top");
  const top = isDimension(t) ? t : "team";
  const filter: UsageFilter = { from: range.from, to: range.to };
  const selected: FinanceParams["selected"] = {};
  for (const [dim, field] of Object.entries(FILTER_KEYS) as Array<[UsageDimension, string]>) {
    // "" from an empty select means "all"; NONE_VALUE means "events without this dimension" ('' in the analytics layer)
    const values = all(sp, dim)
      .filter((v) => v !== "")
      .map((v) => (v === NONE_VALUE ? "" : v.slice(0, 200)))
      .filter((v, i, a) => a.indexOf(v) === i)
      .slice(0, 50);
    if (values.length) {
      (filter as unknown as Record<string, string[]>)[field] = values;
      selected[dim] = values;
    }
  }
  return { range, timeZone, bucket, groupBy, top, filter, selected };
}

/** The query string of a view (for links: the CSV export, drill-downs), with some params changed. */
export function financeQuery(p: FinanceParams, overrides: Record<string, string | null> = {}): string {
  const q = new URLSearchParams();
  if (p.range.preset) q.set("range", p.range.preset);
  else {
    q.set("from", p.range.fromDay);
    q.set("to", p.range.toDay);
  }
  if (p.timeZone !== "UTC") q.set("tz", p.timeZone);
  q.set("bucket", p.bucket);
  q.set("group", p.groupBy ?? "none");
  q.set("top", p.top);
  for (const [dim, values] of Object.entries(p.selected)) for (const v of values ?? []) q.append(dim, v === "" ? NONE_VALUE : v);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) q.delete(k);
    else q.set(k, v);
  }
  return q.toString();
}

export const FINANCE_CSV_VIEWS = ["spend-over-time", "top-spenders", "cache-savings", "chargeback", "events", "budgets"] as const;
export type FinanceCsvView = (typeof FINANCE_CSV_VIEWS)[number];

/** The analytics layer's CSV request for a finance view and the URL's params. */
export function financeCsvRequest(view: FinanceCsvView, p: FinanceParams): UsageCsvRequest {
  switch (view) {
    case "spend-over-time":
      return { view, input: { filter: p.filter, bucket: p.bucket, timeZone: p.timeZone, groupBy: p.groupBy, topGroups: 1000 } };
    case "top-spenders":
      return { view, input: { filter: p.filter, by: p.top, limit: 1000 } };
    case "cache-savings":
      return { view, input: { filter: p.filter, bucket: p.bucket, timeZone: p.timeZone } };
    case "chargeback":
      return { view, input: { from: p.range.from, to: p.range.to, timeZone: p.timeZone } };
    case "events":
      return { view, input: { filter: p.filter } };
    case "budgets":
      return { view };
  }
}
