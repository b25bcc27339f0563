// Where a usage query reads its rows from (server only). Every analytics query aggregates one "source": a UNION ALL of
//   - daily rows for whole UTC days inside the range that fall entirely into one output bucket,
//   - hourly rows for the remaining whole hours (range edges, and UTC days that straddle a bucket boundary of a
//     non-UTC time zone),
//   - usage_events for the partial hours at the edges of a range that does not start/end on the hour.
// Daily and hourly rows come from the smallest dimension slice (usage_slices_daily / usage_slices_hourly) that keeps
// every dimension the query filters or groups on, or from the full rollups (usage_rollups_daily / usage_rollups) when
// no slice does or when the filter names consumers or keys (then the (dimension, time) indexes of the full rollups
// select few rows). An unfiltered 90-day chart by team thus reads 50 x 90 slice rows, not every key x model x route.
// The parts never overlap and together cover [from, to) exactly, so a dashboard total equals the sum over the raw
// events for the same filter to the last decimal, while a 90-day view reads ~90 daily slices instead of 10M events.
//
// Buckets in a time zone: an hourly row belongs to the bucket its hour starts in. For zones with whole-hour offsets
// (every zone with DST in Europe and the Americas, and most others) that is exact. For the few half-hour zones
// (Asia/Kolkata, ...) the hour that crosses local midnight is counted in the bucket where it starts, and a range in such
// a zone is exact in total but may shift one partial hour between neighbouring buckets.

import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { UsageBucket, UsageDimension } from "./filters.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Filters applied to every part of a source. Lists mean "any of"; '' matches events without that dimension. */
export interface SourceScope {
  from: Date;
  to: Date;
  teamIds?: string[] | undefined;
  consumerIds?: string[] | undefined;
  apiKeyIds?: string[] | undefined;
  models?: string[] | undefined;
  providerIds?: string[] | undefined;
  routeIds?: string[] | undefined;
  /** developer portal: only consumers owned by this user (checked in SQL, in every part) */
  ownerUserId?: string | undefined;
}

export interface BucketSpec {
  unit: UsageBucket;
  timeZone: string;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

export interface SourcePlan {
  daily: TimeRange[];
  hourly: TimeRange[];
  raw: TimeRange[];
}

/** Bit of each dimension in a slice's `dims` mask (GROUPING() order in the rollup migration). */
export const DIMENSION_BIT: Record<UsageDimension, number> = { team: 32, consumer: 16, key: 8, route: 4, provider: 2, model: 1 };

export interface SliceSpec {
  dims: number;
  /** also kept per hour (usage_slices_hourly); otherwise hourly parts read usage_rollups */
  hourly: boolean;
}

/** The slices the trigger maintains (usage_rollups_merge_sql in the rollup migration), smallest first. */
export const SLICES: SliceSpec[] = [
  { dims: 0, hourly: true },
  { dims: 2, hourly: true }, // provider
  { dims: 4, hourly: true }, // route
  { dims: 3, hourly: true }, // model + provider
  { dims: 32, hourly: true }, // team
  { dims: 36, hourly: true }, // team + route
  { dims: 7, hourly: true }, // route + model + provider
  { dims: 35, hourly: true }, // team + model + provider
  { dims: 48, hourly: true }, // team + consumer
  { dims: 56, hourly: false }, // team + consumer + key
];

/** The rollup column of each dimension (also the column name in the source). Constants only: never user input. */
export const DIMENSION_COLUMN: Record<UsageDimension, string> = {
  team: '"teamId"',
  consumer: '"consumerId"',
  key: '"apiKeyId"',
  model: "model",
  provider: '"providerId"',
  route: '"routeId"',
};

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

function pushRange(list: TimeRange[], from: number, to: number): void {
  if (to <= from) return;
  const last = list.at(-1);
  if (last && last.to.getTime() === from) last.to = new Date(to);
  else list.push({ from: new Date(from), to: new Date(to) });
}

/**
 * Split [from, to) into daily, hourly and raw ranges. `straddleDays` are the UTC day starts (ms) whose hours fall
 * into two output buckets; they are read hourly. `useDaily` false (hour buckets) reads no daily rows.
 */
export function planSource(from: Date, to: Date, opts: { useDaily: boolean; straddleDays?: number[] }): SourcePlan {
  const plan: SourcePlan = { daily: [], hourly: [], raw: [] };
  const f = from.getTime();
  const t = to.getTime();
  if (t <= f) return plan;
  const hFrom = ceilTo(f, HOUR_MS);
  const hTo = floorTo(t, HOUR_MS);
  if (hFrom >= hTo) {
    pushRange(plan.raw, f, t);
    return plan;
  }
  pushRange(plan.raw, f, hFrom);
  pushRange(plan.raw, hTo, t);
  const dFrom = ceilTo(hFrom, DAY_MS);
  const dTo = floorTo(hTo, DAY_MS);
  if (!opts.useDaily || dFrom >= dTo) {
    pushRange(plan.hourly, hFrom, hTo);
    return plan;
  }
  pushRange(plan.hourly, hFrom, dFrom);
  const straddle = new Set(opts.straddleDays ?? []);
  let segment = dFrom;
  for (let d = dFrom; d < dTo; d += DAY_MS) {
    if (!straddle.has(d)) continue;
    pushRange(plan.daily, segment, d);
    pushRange(plan.hourly, d, d + DAY_MS);
    segment = d + DAY_MS;
  }
  pushRange(plan.daily, segment, dTo);
  pushRange(plan.hourly, dTo, hTo);
  return plan;
}

/** UTC days in [from, to) whose first and last hour land in different buckets of `bucket` (none for UTC). */
export async function findStraddleDays(db: Db, from: Date, to: Date, bucket: BucketSpec): Promise<number[]> {
  if (bucket.unit === "hour" || bucket.timeZone === "UTC") return [];
  const dFrom = new Date(ceilTo(from.getTime(), DAY_MS));
  const dTo = new Date(floorTo(to.getTime(), DAY_MS));
  if (dFrom >= dTo) return [];
  const rows = await db.$queryRaw<Array<{ d: Date }>>`
    SELECT d FROM generate_series(${dFrom}::timestamptz, ${dTo}::timestamptz - interval '1 day', interval '1 day') AS d
    WHERE date_trunc(${bucket.unit}, d, ${bucket.timeZone}) <> date_trunc(${bucket.unit}, d + interval '23 hours', ${bucket.timeZone})`;
  return rows.map((r) => r.d.getTime());
}

/** Build the plan for a scope: one small query for non-UTC buckets, none otherwise. */
export async function planUsageSource(db: Db, scope: SourceScope, bucket: BucketSpec | null): Promise<SourcePlan> {
  const useDaily = bucket?.unit !== "hour";
  const straddleDays = bucket && useDaily ? await findStraddleDays(db, scope.from, scope.to, bucket) : [];
  return planSource(scope.from, scope.to, { useDaily, straddleDays });
}

function rangesSql(column: Prisma.Sql, ranges: TimeRange[]): Prisma.Sql {
  return Prisma.sql`(${Prisma.join(
    ranges.map((r) => Prisma.sql`(${column} >= ${r.from}::timestamptz AND ${column} < ${r.to}::timestamptz)`),
    " OR ",
  )})`;
}

const FILTER_DIMENSIONS: Array<[keyof SourceScope, UsageDimension]> = [
  ["teamIds", "team"],
  ["consumerIds", "consumer"],
  ["apiKeyIds", "key"],
  ["models", "model"],
  ["providerIds", "provider"],
  ["routeIds", "route"],
];

/**
 * The smallest slice holding every dimension a query filters or groups on (`needs`), or null for the full rollups:
 * also null for owner-scoped (portal) queries and consumer/key filters, which the full rollups' indexes serve best.
 */
export function chooseSlice(scope: SourceScope, needs: UsageDimension[]): SliceSpec | null {
  if (scope.ownerUserId !== undefined || scope.consumerIds?.length || scope.apiKeyIds?.length) return null;
  let needed = 0;
  for (const d of needs) needed |= DIMENSION_BIT[d];
  for (const [key, dim] of FILTER_DIMENSIONS) {
    const list = scope[key];
    if (Array.isArray(list) && list.length > 0) needed |= DIMENSION_BIT[dim];
  }
  return SLICES.find((s) => (s.dims & needed) === needed) ?? null;
}

const FILTER_COLUMNS: Array<[keyof SourceScope, string]> = [
  ["teamIds", '"teamId"'],
  ["consumerIds", '"consumerId"'],
  ["apiKeyIds", '"apiKeyId"'],
  ["models", "model"],
  ["providerIds", '"providerId"'],
  ["routeIds", '"routeId"'],
];

/** Dimension predicates for alias `a`; `nullable` (raw events) maps NULL to '' like the rollups. */
export function scopePredicates(scope: SourceScope, a: string, nullable: boolean): Prisma.Sql[] {
  const preds: Prisma.Sql[] = [];
  for (const [key, column] of FILTER_COLUMNS) {
    const list = scope[key];
    if (!Array.isArray(list) || list.length === 0) continue;
    const col = Prisma.raw(nullable ? `coalesce(${a}.${column}, '')` : `${a}.${column}`);
    preds.push(Prisma.sql`${col} = ANY(${list}::text[])`);
  }
  if (scope.ownerUserId !== undefined) {
    preds.push(
      Prisma.sql`${Prisma.raw(`${a}."consumerId"`)} IN (SELECT c.id FROM consumers c WHERE c."ownerUserId" = ${scope.ownerUserId})`,
    );
  }
  return preds;
}

function whereSql(preds: Prisma.Sql[]): Prisma.Sql {
  return Prisma.join(preds, " AND ");
}

export function bucketSql(column: Prisma.Sql, bucket: BucketSpec | null): Prisma.Sql {
  if (!bucket) return Prisma.sql`NULL::timestamptz`;
  if (bucket.unit === "hour") return column;
  return Prisma.sql`date_trunc(${bucket.unit}, ${column}, ${bucket.timeZone})`;
}

const ROLLUP_COLUMNS = Prisma.raw(
  `r."teamId", r."consumerId", r."apiKeyId", r."routeId", r."providerId", r.model, r.requests, r.errors, r."cacheHits",
   r."promptTokens", r."completionTokens", r."cachedTokens", r."reasoningTokens", r.cost, r."savedCost", r."latencyMsSum"`,
);

/** The same definitions as usage_rollups_merge_sql() in the rollup migration. */
const RAW_COLUMNS = Prisma.raw(
  `coalesce(e."teamId", '') AS "teamId", coalesce(e."consumerId", '') AS "consumerId", coalesce(e."apiKeyId", '') AS "apiKeyId",
   coalesce(e."routeId", '') AS "routeId", coalesce(e."providerId", '') AS "providerId", coalesce(e.model, '') AS model,
   1 AS requests, CASE WHEN e.status >= 400 OR e."errorType" IS NOT NULL THEN 1 ELSE 0 END AS errors,
   CASE WHEN e."cacheStatus" IN ('hit', 'semantic_hit') THEN 1 ELSE 0 END AS "cacheHits",
   e."promptTokens"::bigint AS "promptTokens", e."completionTokens"::bigint AS "completionTokens",
   e."cachedTokens"::bigint AS "cachedTokens", e."reasoningTokens"::bigint AS "reasoningTokens",
   e.cost::numeric(24, 12) AS cost, e."savedCost"::numeric(24, 12) AS "savedCost", e."latencyMs"::bigint AS "latencyMsSum"`,
);

/**
 * The source as a subquery with columns b (bucket start, or NULL without a bucket), the six dimensions ('' for none)
 * and the rollup measures.
 */
export function sourceSql(
  plan: SourcePlan,
  scope: SourceScope,
  bucket: BucketSpec | null,
  needs: UsageDimension[] = [],
): Prisma.Sql {
  const slice = chooseSlice(scope, needs);
  const parts: Prisma.Sql[] = [];
  const rollupPart = (table: string, time: string, ranges: TimeRange[], dims: number | null) => {
    const col = Prisma.raw(`r.${time}`);
    const preds = [
      ...(dims === null ? [] : [Prisma.sql`r.dims = ${dims}::smallint`]),
      rangesSql(col, ranges),
      ...scopePredicates(scope, "r", false),
    ];
    return Prisma.sql`SELECT ${bucketSql(col, bucket)} AS b, ${ROLLUP_COLUMNS} FROM ${Prisma.raw(table)} r WHERE ${whereSql(preds)}`;
  };
  if (plan.daily.length) {
    parts.push(
      slice
        ? rollupPart("usage_slices_daily", "day", plan.daily, slice.dims)
        : rollupPart("usage_rollups_daily", "day", plan.daily, null),
    );
  }
  if (plan.hourly.length) {
    parts.push(
      slice?.hourly
        ? rollupPart("usage_slices_hourly", "hour", plan.hourly, slice.dims)
        : rollupPart("usage_rollups", "hour", plan.hourly, null),
    );
  }
  if (plan.raw.length) {
    const preds = [rangesSql(Prisma.raw("e.ts"), plan.raw), ...scopePredicates(scope, "e", true)];
    parts.push(
      Prisma.sql`SELECT ${bucketSql(Prisma.raw(`date_trunc('hour', e.ts, 'UTC')`), bucket)} AS b, ${RAW_COLUMNS}
                 FROM usage_events e WHERE ${whereSql(preds)}`,
    );
  }
  if (parts.length === 0) {
    // an empty range: one typed row-less source keeps every caller's SQL valid
    parts.push(Prisma.sql`SELECT NULL::timestamptz AS b, ${ROLLUP_COLUMNS} FROM usage_rollups r WHERE false`);
  }
  return Prisma.sql`(${Prisma.join(parts, " UNION ALL ")})`;
}

/** Plan and build in one step; `needs` are the dimensions the caller groups on. */
export async function buildUsageSource(
  db: Db,
  scope: SourceScope,
  bucket: BucketSpec | null,
  needs: UsageDimension[] = [],
): Promise<Prisma.Sql> {
  return sourceSql(await planUsageSource(db, scope, bucket), scope, bucket, needs);
}

// ─── running ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Session settings for dashboard statements, applied per transaction (SET LOCAL semantics): enough work_mem that
 * grouping a few hundred thousand rollup rows stays in memory, and no JIT, whose compile time (~100 ms) costs more
 * than it saves on statements that run in tens of milliseconds.
 */
export const ANALYTICS_SETTINGS_SQL = Prisma.sql`SELECT set_config('work_mem', '32MB', true), set_config('jit', 'off', true)`;

/** Run a dashboard statement with ANALYTICS_SETTINGS_SQL in one short transaction. */
export async function queryAnalytics<R extends unknown[]>(db: Db, sql: Prisma.Sql): Promise<R> {
  const [, rows] = await db.$transaction([db.$queryRaw(ANALYTICS_SETTINGS_SQL), db.$queryRaw<R>(sql)]);
  return rows;
}

// ─── measures ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Aggregated measures over a source aliased `s`: counts as bigint, money as exact decimal text (scale 12). */
export const MEASURES_SQL = Prisma.raw(
  `coalesce(sum(s.requests), 0)::bigint AS requests, coalesce(sum(s.errors), 0)::bigint AS errors,
   coalesce(sum(s."cacheHits"), 0)::bigint AS "cacheHits", coalesce(sum(s."promptTokens"), 0)::bigint AS "promptTokens",
   coalesce(sum(s."completionTokens"), 0)::bigint AS "completionTokens", coalesce(sum(s."cachedTokens"), 0)::bigint AS "cachedTokens",
   coalesce(sum(s."reasoningTokens"), 0)::bigint AS "reasoningTokens", coalesce(sum(s."latencyMsSum"), 0)::bigint AS "latencyMsSum",
   coalesce(sum(s.cost), 0)::numeric(30, 12)::text AS cost, coalesce(sum(s."savedCost"), 0)::numeric(30, 12)::text AS "savedCost"`,
);

export interface MeasureRow {
  requests: bigint | number;
  errors: bigint | number;
  cacheHits: bigint | number;
  promptTokens: bigint | number;
  completionTokens: bigint | number;
  cachedTokens: bigint | number;
  reasoningTokens: bigint | number;
  latencyMsSum: bigint | number;
  cost: string;
  savedCost: string;
}

/** Counts and token sums as numbers (exact below 2^53, i.e. far beyond any realistic range), money as strings. */
export interface UsageMeasures {
  requests: number;
  errors: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** promptTokens + completionTokens */
  totalTokens: number;
  /** mean latency in ms over the requests (0 when none) */
  avgLatencyMs: number;
  /** exact decimal, scale 12, e.g. "12.345000000000" */
  cost: string;
  /** what cache hits would have cost upstream; exact decimal */
  savedCost: string;
}

export function toNumber(v: bigint | number | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "bigint" ? Number(v) : v;
}

export function toMeasures(r: MeasureRow): UsageMeasures {
  const requests = toNumber(r.requests);
  const promptTokens = toNumber(r.promptTokens);
  const completionTokens = toNumber(r.completionTokens);
  return {
    requests,
    errors: toNumber(r.errors),
    cacheHits: toNumber(r.cacheHits),
    promptTokens,
    completionTokens,
    cachedTokens: toNumber(r.cachedTokens),
    reasoningTokens: toNumber(r.reasoningTokens),
    totalTokens: promptTokens + completionTokens,
    avgLatencyMs: requests > 0 ? Math.round(toNumber(r.latencyMsSum) / requests) : 0,
    cost: r.cost,
    savedCost: r.savedCost,
  };
}

/** A display label for a dimension value `g` (a SQL expression); null when the entity no longer exists. */
export function labelSql(dim: UsageDimension, g: Prisma.Sql): Prisma.Sql {
  switch (dim) {
    case "team":
      return Prisma.sql`(SELECT t.name FROM teams t WHERE t.id = ${g})`;
    case "consumer":
      return Prisma.sql`(SELECT c.name FROM consumers c WHERE c.id = ${g})`;
    case "key":
      return Prisma.sql`(SELECT k.name || ' (' || k.start || '…)' FROM api_keys k WHERE k.id = ${g})`;
    case "provider":
      return Prisma.sql`(SELECT p.name FROM providers p WHERE p.id = ${g})`;
    case "route":
      return Prisma.sql`(SELECT rt.name FROM routes rt WHERE rt.id = ${g})`;
    case "model":
      return Prisma.sql`NULLIF(${g}, '')`;
  }
}
