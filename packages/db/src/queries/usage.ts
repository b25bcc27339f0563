// Usage analytics for finance and the manager UI (server only): spend over time, totals, top spenders, cached-answer
// savings, the chargeback report, raw-event drill-downs, and the rollup repair tool. Dashboards read the rollups
// (see ../analytics/source.ts for how a range is split between daily rollups, hourly rollups and raw edge hours);
// drill-downs read usage_events with (dimension, ts) index predicates. Inputs are validated with the zod schemas in
// ../analytics/filters.ts. Money comes back as exact decimal strings, never floats.
//
// Every function takes the client last, defaulting to the process-wide one. Each `build...Sql` twin returns the
// statement the function runs, so the CSV export (../analytics/csv.ts) streams exactly what the dashboard shows.

import {
  type CacheSavingsInput,
  type ChargebackInput,
  cacheSavingsInputSchema,
  chargebackInputSchema,
  type SpendOverTimeInput,
  spendOverTimeInputSchema,
  type TopSpendersInput,
  topSpendersInputSchema,
  type UsageBucket,
  type UsageDimension,
  type UsageEventsInput,
  type UsageFilter,
  usageEventsInputSchema,
  usageFilterSchema,
} from "../analytics/filters.ts";
import {
  type BucketSpec,
  buildUsageSource,
  DIMENSION_COLUMN,
  labelSql,
  MEASURES_SQL,
  type MeasureRow,
  planUsageSource,
  queryAnalytics,
  type SourceScope,
  sourceSql,
  toMeasures,
  toNumber,
  type UsageMeasures,
} from "../analytics/source.ts";
import { type Db, getDb } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";

/** The group of rows outside the top N in a grouped series. */
export const OTHER_GROUP = "__other__";

// ─── spend over time ────────────────────────────────────────────────────────────────────────────────────────────

export interface SpendPoint extends UsageMeasures {
  /** bucket start (an instant; local midnight / Monday / 1st of the month in the requested time zone) */
  bucket: Date;
  /** the dimension value ('' = none, "__other__" = outside the top N), null when not grouped */
  group: string | null;
  /** display name of the group (team/consumer/key/provider/route name, model), null when unknown */
  label: string | null;
}

export interface SpendSeries {
  bucket: UsageBucket;
  timeZone: string;
  groupBy: UsageDimension | null;
  /** every bucket start in the range, including empty ones (for gap-free charts) */
  buckets: Date[];
  points: SpendPoint[];
}

interface SpendRow extends MeasureRow {
  bucket: Date;
  grp: string | null;
  label: string | null;
}

type ParsedSpend = ReturnType<typeof spendOverTimeInputSchema.parse>;

/** Internal: the grouped-series statement over any scope (the portal adds its owner to the scope). */
export async function buildSeriesSql(
  db: Db,
  scope: SourceScope,
  bucket: BucketSpec,
  groupBy: UsageDimension | null,
  topGroups: number,
): Promise<Prisma.Sql> {
  const plan = await planUsageSource(db, scope, bucket);
  if (!groupBy) {
    return Prisma.sql`
      SELECT s.b AS bucket, NULL::text AS grp, NULL::text AS label, ${MEASURES_SQL}
      FROM ${sourceSql(plan, scope, bucket)} s GROUP BY s.b ORDER BY s.b`;
  }
  // Three cheap passes instead of one wide aggregation over (bucket x every group): rank the groups over the whole
  // range (one sum per group), aggregate per bucket only the top N (for keys and consumers an indexed filter), and
  // derive "__other__" per bucket as the bucket's total minus the top groups (exact: decimals subtract exactly).
  const col = Prisma.raw(`s.${DIMENSION_COLUMN[groupBy]}`);
  const top = await queryAnalytics<Array<{ g: string }>>(
    db,
    Prisma.sql`SELECT ${col} AS g FROM ${sourceSql(plan, scope, null, [groupBy])} s GROUP BY 1
               ORDER BY sum(s.cost) DESC, 1 LIMIT ${topGroups}`,
  );
  if (top.length === 0) {
    return Prisma.sql`SELECT NULL::timestamptz AS bucket, NULL::text AS grp, NULL::text AS label, ${MEASURES_SQL}
                      FROM ${sourceSql(plan, scope, bucket)} s WHERE false GROUP BY 1`;
  }
  const topScope: SourceScope = { ...scope, [FILTER_KEY[groupBy]]: top.map((r) => r.g) };
  const diff = (m: string) => Prisma.raw(`(t.${m} - coalesce(sum(p.${m}), 0))::bigint`);
  return Prisma.sql`
    WITH per_group AS (
      SELECT s.b AS bucket, ${col} AS grp, ${MEASURES_SQL}
      FROM ${sourceSql(plan, topScope, bucket, [groupBy])} s GROUP BY 1, 2
    ), total AS (
      SELECT s.b AS bucket, ${MEASURES_SQL} FROM ${sourceSql(plan, scope, bucket)} s GROUP BY 1
    ), other AS (
      SELECT t.bucket, ${OTHER_GROUP}::text AS grp,
             ${diff("requests")} AS requests, ${diff("errors")} AS errors, ${diff('"cacheHits"')} AS "cacheHits",
             ${diff('"promptTokens"')} AS "promptTokens", ${diff('"completionTokens"')} AS "completionTokens",
             ${diff('"cachedTokens"')} AS "cachedTokens", ${diff('"reasoningTokens"')} AS "reasoningTokens",
             ${diff('"latencyMsSum"')} AS "latencyMsSum",
             (t.cost::numeric - coalesce(sum(p.cost::numeric), 0))::numeric(30, 12)::text AS cost,
             (t."savedCost"::numeric - coalesce(sum(p."savedCost"::numeric), 0))::numeric(30, 12)::text AS "savedCost"
      FROM total t LEFT JOIN per_group p ON p.bucket = t.bucket
      GROUP BY t.bucket, t.requests, t.errors, t."cacheHits", t."promptTokens", t."completionTokens", t."cachedTokens",
               t."reasoningTokens", t."latencyMsSum", t.cost, t."savedCost"
    )
    SELECT x.*, CASE WHEN x.grp = ${OTHER_GROUP} THEN NULL ELSE ${labelSql(groupBy, Prisma.raw("x.grp"))} END AS label
    FROM (SELECT * FROM per_group UNION ALL SELECT * FROM other WHERE requests <> 0) x
    ORDER BY x.bucket, x.cost::numeric DESC, x.grp`;
}

const FILTER_KEY: Record<UsageDimension, keyof SourceScope> = {
  team: "teamIds",
  consumer: "consumerIds",
  key: "apiKeyIds",
  model: "models",
  provider: "providerIds",
  route: "routeIds",
};

/** Every bucket start in [from, to) for a time zone (stepping in local time, so DST days are 23 or 25 hours). */
export async function listBucketStarts(db: Db, from: Date, to: Date, bucket: BucketSpec): Promise<Date[]> {
  const rows = await db.$queryRaw<Array<{ b: Date }>>`
    SELECT (g AT TIME ZONE ${bucket.timeZone}) AS b
    FROM generate_series(date_trunc(${bucket.unit}, ${from}::timestamptz, ${bucket.timeZone}) AT TIME ZONE ${bucket.timeZone},
                         ${to}::timestamptz AT TIME ZONE ${bucket.timeZone}, ('1 ' || ${bucket.unit})::interval) AS g
    WHERE (g AT TIME ZONE ${bucket.timeZone}) < ${to}::timestamptz`;
  return rows.map((r) => r.b);
}

export function toSpendPoint(r: SpendRow): SpendPoint {
  return { bucket: r.bucket, group: r.grp, label: r.label, ...toMeasures(r) };
}

export async function buildSpendOverTimeSql(input: SpendOverTimeInput, db: Db = getDb()): Promise<Prisma.Sql> {
  const p: ParsedSpend = spendOverTimeInputSchema.parse(input);
  return buildSeriesSql(db, p.filter, { unit: p.bucket, timeZone: p.timeZone }, p.groupBy, p.topGroups);
}

/**
 * Spend (and requests, tokens, errors, savings) per bucket, optionally split by one dimension: the `topGroups` groups
 * with the highest cost in the range keep their own series, the rest are summed into "__other__".
 */
export async function getSpendOverTime(input: SpendOverTimeInput, db: Db = getDb()): Promise<SpendSeries> {
  const p: ParsedSpend = spendOverTimeInputSchema.parse(input);
  const bucket: BucketSpec = { unit: p.bucket, timeZone: p.timeZone };
  const [rows, buckets] = await Promise.all([
    buildSeriesSql(db, p.filter, bucket, p.groupBy, p.topGroups).then((sql) => queryAnalytics<SpendRow[]>(db, sql)),
    listBucketStarts(db, p.filter.from, p.filter.to, bucket),
  ]);
  return { bucket: p.bucket, timeZone: p.timeZone, groupBy: p.groupBy, buckets, points: rows.map(toSpendPoint) };
}

// ─── totals ─────────────────────────────────────────────────────────────────────────────────────────────────────

export async function buildTotalsSql(db: Db, scope: SourceScope): Promise<Prisma.Sql> {
  const source = await buildUsageSource(db, scope, null);
  return Prisma.sql`SELECT ${MEASURES_SQL} FROM ${source} s`;
}

/** Totals for a filter: equal to the sum over the raw usage events for the same filter, to the last decimal. */
export async function getUsageTotals(filter: UsageFilter, db: Db = getDb()): Promise<UsageMeasures> {
  const f = usageFilterSchema.parse(filter);
  const rows = await queryAnalytics<MeasureRow[]>(db, await buildTotalsSql(db, f));
  return toMeasures(rows[0] as MeasureRow);
}

// ─── top spenders ───────────────────────────────────────────────────────────────────────────────────────────────

export interface TopSpender extends UsageMeasures {
  by: UsageDimension;
  /** dimension value ('' = none) */
  id: string;
  label: string | null;
  /** this row's share of the filter's total cost, 0..1 (rounded to 6 places; display only) */
  share: number;
}

interface TopSpenderRow extends MeasureRow {
  id: string;
  label: string | null;
  share: string;
}

export async function buildTopSpendersSql(input: TopSpendersInput, db: Db = getDb()): Promise<Prisma.Sql> {
  const p = topSpendersInputSchema.parse(input);
  const source = await buildUsageSource(db, p.filter, null, [p.by]);
  const col = Prisma.raw(`s.${DIMENSION_COLUMN[p.by]}`);
  return Prisma.sql`
    WITH agg AS (SELECT ${col} AS id, ${MEASURES_SQL} FROM ${source} s GROUP BY 1),
         total AS (SELECT sum(a.cost::numeric) AS cost FROM agg a)
    SELECT a.*, ${labelSql(p.by, Prisma.raw("a.id"))} AS label,
           CASE WHEN total.cost > 0 THEN round(a.cost::numeric / total.cost, 6) ELSE 0 END::text AS share
    FROM agg a, total ORDER BY a.cost::numeric DESC, a.id LIMIT ${p.limit}`;
}

/** The biggest spenders by team, consumer, key, model, provider or route in a range. */
export async function listTopSpenders(input: TopSpendersInput, db: Db = getDb()): Promise<TopSpender[]> {
  const p = topSpendersInputSchema.parse(input);
  const rows = await queryAnalytics<TopSpenderRow[]>(db, await buildTopSpendersSql(p, db));
  return rows.map((r) => ({ by: p.by, id: r.id, label: r.label, share: Number(r.share), ...toMeasures(r) }));
}

// ─── cached-answer savings ──────────────────────────────────────────────────────────────────────────────────────

export interface CacheSavingsPoint {
  bucket: Date;
  requests: number;
  cacheHits: number;
  /** cacheHits / requests, 0..1 (display only) */
  hitRate: number;
  /** what the cache hits would have cost upstream (exact decimal) */
  savedCost: string;
  /** what was actually spent (exact decimal) */
  cost: string;
}

export interface CacheSavings {
  totals: Omit<CacheSavingsPoint, "bucket">;
  points: CacheSavingsPoint[];
}

interface SavingsRow {
  bucket: Date | null;
  is_total: boolean;
  requests: bigint;
  cacheHits: bigint;
  savedCost: string;
  cost: string;
}

export async function buildCacheSavingsSql(input: CacheSavingsInput, db: Db = getDb()): Promise<Prisma.Sql> {
  const p = cacheSavingsInputSchema.parse(input);
  const source = await buildUsageSource(db, p.filter, { unit: p.bucket, timeZone: p.timeZone });
  return Prisma.sql`
    SELECT s.b AS bucket, GROUPING(s.b) = 1 AS is_total, coalesce(sum(s.requests), 0)::bigint AS requests,
           coalesce(sum(s."cacheHits"), 0)::bigint AS "cacheHits",
           coalesce(sum(s."savedCost"), 0)::numeric(30, 12)::text AS "savedCost",
           coalesce(sum(s.cost), 0)::numeric(30, 12)::text AS cost
    FROM ${source} s GROUP BY GROUPING SETS ((s.b), ()) ORDER BY is_total, s.b`;
}

/** Cache hits and what they saved, per bucket and in total. */
export async function getCacheSavings(input: CacheSavingsInput, db: Db = getDb()): Promise<CacheSavings> {
  const rows = await queryAnalytics<SavingsRow[]>(db, await buildCacheSavingsSql(input, db));
  const toPoint = (r: SavingsRow) => {
    const requests = toNumber(r.requests);
    const cacheHits = toNumber(r.cacheHits);
    return { requests, cacheHits, hitRate: requests ? cacheHits / requests : 0, savedCost: r.savedCost, cost: r.cost };
  };
  const total = rows.find((r) => r.is_total);
  return {
    totals: total ? toPoint(total) : { requests: 0, cacheHits: 0, hitRate: 0, savedCost: "0", cost: "0" },
    points: rows.filter((r) => !r.is_total && r.bucket).map((r) => ({ bucket: r.bucket as Date, ...toPoint(r) })),
  };
}

// ─── chargeback ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface ChargebackRow {
  /** first instant of the month in the report's time zone */
  month: Date;
  /** "YYYY-MM" in the report's time zone */
  monthLabel: string;
  /** '' = usage with no team */
  teamId: string;
  teamName: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cacheHits: number;
  cost: string;
  savedCost: string;
}

interface ChargebackDbRow extends MeasureRow {
  month: Date;
  month_label: string;
  team_id: string;
  team_name: string | null;
}

export async function buildChargebackSql(input: ChargebackInput, db: Db = getDb()): Promise<Prisma.Sql> {
  const p = chargebackInputSchema.parse(input);
  const source = await buildUsageSource(db, { from: p.from, to: p.to }, { unit: "month", timeZone: p.timeZone }, ["team"]);
  return Prisma.sql`
    SELECT s.b AS month, to_char(s.b AT TIME ZONE ${p.timeZone}, 'YYYY-MM') AS month_label, s."teamId" AS team_id,
           (SELECT t.name FROM teams t WHERE t.id = s."teamId") AS team_name, ${MEASURES_SQL}
    FROM ${source} s GROUP BY s.b, s."teamId" ORDER BY s.b, sum(s.cost) DESC, s."teamId"`;
}

/** Spend per team per calendar month (in `timeZone`) for charging AI spend back to teams. */
export async function getChargebackReport(input: ChargebackInput, db: Db = getDb()): Promise<ChargebackRow[]> {
  const rows = await queryAnalytics<ChargebackDbRow[]>(db, await buildChargebackSql(input, db));
  return rows.map((r) => {
    const m = toMeasures(r);
    return {
      month: r.month,
      monthLabel: r.month_label,
      teamId: r.team_id,
      teamName: r.team_name,
      requests: m.requests,
      promptTokens: m.promptTokens,
      completionTokens: m.completionTokens,
      totalTokens: m.totalTokens,
      cacheHits: m.cacheHits,
      cost: m.cost,
      savedCost: m.savedCost,
    };
  });
}

// ─── raw events (drill-down) ────────────────────────────────────────────────────────────────────────────────────

export interface UsageEventRow {
  id: string;
  requestId: string;
  ts: Date;
  teamId: string | null;
  consumerId: string | null;
  apiKeyId: string | null;
  routeId: string | null;
  providerId: string | null;
  model: string | null;
  upstreamModel: string | null;
  status: number;
  errorType: string | null;
  errorCode: string | null;
  cacheStatus: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  estimated: boolean;
  /** exact decimal */
  cost: string;
  savedCost: string;
  latencyMs: number;
}

export interface UsageEventsPage {
  events: UsageEventRow[];
  /** pass back as `cursor` for the next (older) page; null at the end */
  nextCursor: string | null;
}

export const EVENT_COLUMNS = Prisma.raw(
  `e.id, e."requestId", e.ts, e."teamId", e."consumerId", e."apiKeyId", e."routeId", e."providerId", e.model, e."upstreamModel",
   e.status, e."errorType"::text AS "errorType", e."errorCode", e."cacheStatus"::text AS "cacheStatus", e."promptTokens",
   e."completionTokens", e."cachedTokens", e."reasoningTokens", e.estimated, e.cost::text AS cost, e."savedCost"::text AS "savedCost",
   e."latencyMs"`,
);

export const ERROR_PREDICATE = Prisma.raw(`(e.status >= 400 OR e."errorType" IS NOT NULL)`);

/** Cursor "<iso ts>|<id>" of the last row of a page. */
export function encodeEventCursor(row: { ts: Date; id: string }): string {
  return `${row.ts.toISOString()}|${row.id}`;
}

export function decodeEventCursor(cursor: string | null): { ts: Date; id: string } | null {
  if (!cursor) return null;
  const i = cursor.indexOf("|");
  const ts = new Date(cursor.slice(0, i));
  if (i < 0 || Number.isNaN(ts.getTime())) throw new Error("invalid cursor");
  return { ts, id: cursor.slice(i + 1) };
}

/** Dimension predicates for raw events that keep the (dimension, ts) indexes usable ('' matches NULL). */
export function eventScopePredicates(scope: SourceScope): Prisma.Sql[] {
  const lists: Array<[string[] | undefined, string]> = [
    [scope.teamIds, '"teamId"'],
    [scope.consumerIds, '"consumerId"'],
    [scope.apiKeyIds, '"apiKeyId"'],
    [scope.models, "model"],
    [scope.providerIds, '"providerId"'],
    [scope.routeIds, '"routeId"'],
  ];
  const preds: Prisma.Sql[] = [];
  for (const [list, column] of lists) {
    if (!list || list.length === 0) continue;
    const col = Prisma.raw(`e.${column}`);
    const values = list.filter((v) => v !== "");
    preds.push(
      list.includes("")
        ? Prisma.sql`(${col} = ANY(${values}::text[]) OR ${col} IS NULL)`
        : Prisma.sql`${col} = ANY(${values}::text[])`,
    );
  }
  if (scope.ownerUserId !== undefined) {
    preds.push(Prisma.sql`e."consumerId" IN (SELECT c.id FROM consumers c WHERE c."ownerUserId" = ${scope.ownerUserId})`);
  }
  return preds;
}

/** Internal: raw events in a scope, newest first, after a keyset cursor; no LIMIT when `limit` is null (export). */
export function buildEventsSql(
  scope: SourceScope,
  opts: { errorsOnly: boolean; cursor: string | null; limit: number | null },
): Prisma.Sql {
  const after = decodeEventCursor(opts.cursor);
  const preds = [
    Prisma.sql`e.ts >= ${scope.from}::timestamptz AND e.ts < ${scope.to}::timestamptz`,
    ...eventScopePredicates(scope),
  ];
  if (opts.errorsOnly) preds.push(ERROR_PREDICATE);
  if (after) preds.push(Prisma.sql`(e.ts, e.id) < (${after.ts}::timestamptz, ${after.id})`);
  return Prisma.sql`SELECT ${EVENT_COLUMNS} FROM usage_events e WHERE ${Prisma.join(preds, " AND ")}
    ORDER BY e.ts DESC, e.id DESC ${opts.limit === null ? Prisma.empty : Prisma.sql`LIMIT ${opts.limit}`}`;
}

/** Raw usage events for a drill-down, newest first, one page at a time. */
export async function listUsageEvents(input: UsageEventsInput, db: Db = getDb()): Promise<UsageEventsPage> {
  const p = usageEventsInputSchema.parse(input);
  const rows = await queryAnalytics<UsageEventRow[]>(
    db,
    buildEventsSql(p.filter, { errorsOnly: p.errorsOnly, cursor: p.cursor, limit: p.limit + 1 }),
  );
  const events = rows.slice(0, p.limit);
  const last = events.at(-1);
  return { events, nextCursor: rows.length > p.limit && last ? encodeEventCursor(last) : null };
}

// ─── repair ─────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * REPAIR ONLY, never part of normal operation (the triggers keep the rollups current): recompute the hourly and daily
 * rollups of the whole UTC days covering [from, to) from usage_events, one day per transaction. Each day holds a
 * SHARE lock on usage_events while it runs, so gateway batches wait for it (the writer buffers) and nothing is counted
 * twice. Use after restoring events from a backup, after deleting events on purpose, or if rollups are suspected
 * wrong. Returns the number of events counted.
 */
export async function rebuildRollups(from: Date, to: Date, db: Db = getDb()): Promise<number> {
  const DAY = 86_400_000;
  let counted = 0;
  for (let d = Math.floor(from.getTime() / DAY) * DAY; d < to.getTime(); d += DAY) {
    const rows = await db.$transaction(
      (tx) =>
        tx.$queryRaw<
          Array<{ n: bigint }>
        >`SELECT usage_rollups_rebuild(${new Date(d)}::timestamptz, ${new Date(d + DAY)}::timestamptz) AS n`,
      { timeout: 10 * 60_000 },
    );
    counted += toNumber(rows[0]?.n);
  }
  return counted;
}
