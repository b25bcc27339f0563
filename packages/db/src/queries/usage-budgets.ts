// Budget burn-down (server only): how much of each budget's current period is used, what is left, and a period-end
// forecast, read from the rollups in one statement for all budgets.
//
// Forecast (documented for finance): linear on the period's run rate so far.
//   elapsed  = now - periodStart (at least one hour, so the first minutes of a period do not explode the estimate)
//   forecast = used * (periodEnd - periodStart) / elapsed
//   projectedExhaustedAt = periodStart + limit / (used / elapsed), when forecast > limit > used
// Periods follow the budget's time zone (calendar day, ISO week from Monday, calendar month); TOTAL budgets have no
// period end and no forecast. TOKENS budgets count promptTokens + completionTokens.

import type { UsageBucket } from "../analytics/filters.ts";
import { queryAnalytics, type SourceScope } from "../analytics/source.ts";
import { type Db, getDb } from "../client.ts";
import type { BudgetScope } from "../generated/prisma/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { buildSeriesSql } from "./usage.ts";

export type BudgetHealth = "ok" | "at-risk" | "exceeded";

export interface BudgetStatus {
  budgetId: string;
  name: string;
  scope: BudgetScope;
  /** the team / consumer / key / route id the budget applies to; null for GLOBAL */
  scopeId: string | null;
  metric: "TOKENS" | "COST";
  period: "DAY" | "WEEK" | "MONTH" | "TOTAL";
  timezone: string;
  currency: string;
  action: string;
  enabled: boolean;
  /** exact decimals (money in `currency`, or tokens) */
  limit: string;
  used: string;
  /** limit - used, never below 0 */
  remaining: string;
  /** used / limit (display only) */
  usedRatio: number;
  /** null for TOTAL */
  periodStart: Date | null;
  periodEnd: Date | null;
  /** period-end forecast, linear on the run rate (see the file header); null for TOTAL */
  forecast: string | null;
  forecastRatio: number | null;
  projectedExhaustedAt: Date | null;
  health: BudgetHealth;
}

interface BudgetDbRow {
  id: string;
  name: string;
  scope: BudgetScope;
  scope_id: string | null;
  metric: "TOKENS" | "COST";
  period: "DAY" | "WEEK" | "MONTH" | "TOTAL";
  timezone: string;
  currency: string;
  action: string;
  enabled: boolean;
  limit: string;
  used: string;
  remaining: string;
  used_ratio: string | null;
  pstart: Date | null;
  pend: Date | null;
  forecast: string | null;
  forecast_ratio: string | null;
  exhausted_at: Date | null;
  health: BudgetHealth;
}

/** Where each scope's usage is read: a slice (few rows per hour/day) or the full rollups by an indexed column. */
const SCOPE_ARMS: Array<{ scope: BudgetScope; column: string | null; sliceDims: number | null }> = [
  { scope: "GLOBAL", column: null, sliceDims: 0 },
  { scope: "TEAM", column: '"teamId"', sliceDims: 32 },
  { scope: "ROUTE", column: '"routeId"', sliceDims: 4 },
  { scope: "CONSUMER", column: '"consumerId"', sliceDims: null },
  { scope: "KEY", column: '"apiKeyId"', sliceDims: null },
];

/**
 * Per scope one daily arm (whole UTC days of the period) and one hourly arm (the edges). The budget's scope is a
 * one-time filter of each arm (it only references the outer row), so only the matching arms run, each as an index
 * range scan for this budget's dimension value and window.
 */
function usageArmsSql(): Prisma.Sql {
  const arms: Prisma.Sql[] = [];
  for (const { scope, column, sliceDims } of SCOPE_ARMS) {
    const match = column ? Prisma.raw(` AND r.${column} = w.${column}`) : Prisma.empty;
    const slice = sliceDims === null ? Prisma.empty : Prisma.sql` AND r.dims = ${sliceDims}::smallint`;
    const daily = Prisma.raw(sliceDims === null ? "usage_rollups_daily" : "usage_slices_daily");
    const hourly = Prisma.raw(sliceDims === null ? "usage_rollups" : "usage_slices_hourly");
    arms.push(Prisma.sql`
      SELECT r.cost, r."promptTokens" + r."completionTokens" AS tokens FROM ${daily} r
      WHERE w.scope = ${scope}${slice}${match} AND r.day >= w.ds AND r.day < w.de`);
    arms.push(Prisma.sql`
      SELECT r.cost, r."promptTokens" + r."completionTokens" AS tokens FROM ${hourly} r
      WHERE w.scope = ${scope}${slice}${match} AND r.hour >= w.pstart AND r.hour < least(w.ds, w.pend)`);
    arms.push(Prisma.sql`
      SELECT r.cost, r."promptTokens" + r."completionTokens" AS tokens FROM ${hourly} r
      WHERE w.scope = ${scope}${slice}${match} AND r.hour >= greatest(w.de, w.pstart) AND r.hour < w.pend`);
  }
  return Prisma.join(arms, " UNION ALL ");
}

/** Money with 12 decimals like every cost, token amounts without trailing zeros. */
function amount(expr: string): Prisma.Sql {
  return Prisma.raw(`CASE WHEN f.metric = 'TOKENS' THEN trim_scale(${expr})::text ELSE (${expr})::numeric(30, 12)::text END`);
}

function budgetStatusSql(where: Prisma.Sql, now: Date): Prisma.Sql {
  return Prisma.sql`
    WITH b AS (
      SELECT bu.id, bu.name, bu.scope::text AS scope, bu.metric::text AS metric, bu.period::text AS period, bu.timezone,
             bu.currency, bu.action::text AS action, bu.enabled, bu."limit", bu."teamId", bu."consumerId", bu."apiKeyId", bu."routeId",
             CASE WHEN bu.period = 'TOTAL' THEN '-infinity'::timestamptz
                  ELSE date_trunc(lower(bu.period::text), ${now}::timestamptz AT TIME ZONE bu.timezone) AT TIME ZONE bu.timezone END AS pstart,
             CASE WHEN bu.period = 'TOTAL' THEN 'infinity'::timestamptz
                  ELSE (date_trunc(lower(bu.period::text), ${now}::timestamptz AT TIME ZONE bu.timezone)
                        + ('1 ' || lower(bu.period::text))::interval) AT TIME ZONE bu.timezone END AS pend
      FROM budgets bu WHERE ${where}
    ), d AS (
      SELECT b.*,
             CASE WHEN b.period = 'TOTAL' THEN '-infinity'::timestamptz
                  ELSE date_trunc('day', b.pstart + interval '1 day' - interval '1 millisecond', 'UTC') END AS ds,
             CASE WHEN b.period = 'TOTAL' THEN 'infinity'::timestamptz ELSE date_trunc('day', b.pend, 'UTC') END AS de0
      FROM b
    ), w AS (
      SELECT d.*, greatest(d.de0, d.ds) AS de,
             extract(epoch FROM ${now}::timestamptz - d.pstart) AS elapsed_s, extract(epoch FROM d.pend - d.pstart) AS length_s
      FROM d
    ), u AS (
      SELECT w.*, CASE WHEN w.metric = 'TOKENS' THEN x.tokens ELSE x.cost END AS used
      FROM w CROSS JOIN LATERAL (
        SELECT coalesce(sum(a.cost), 0)::numeric(30, 12) AS cost, coalesce(sum(a.tokens), 0)::numeric AS tokens
        FROM (${usageArmsSql()}) a
      ) x
    ), f AS (
      SELECT u.*,
             CASE WHEN u.period = 'TOTAL' THEN NULL
                  ELSE round(u.used * u.length_s / greatest(u.elapsed_s, 3600), 12) END AS forecast
      FROM u
    )
    SELECT f.id, f.name, f.scope, coalesce(f."teamId", f."consumerId", f."apiKeyId", f."routeId") AS scope_id, f.metric, f.period,
           f.timezone, f.currency, f.action, f.enabled, ${amount('f."limit"')} AS "limit", ${amount("f.used")} AS used,
           ${amount('greatest(f."limit" - f.used, 0)')} AS remaining,
           CASE WHEN f."limit" > 0 THEN round(f.used / f."limit", 6)::text END AS used_ratio,
           CASE WHEN f.period = 'TOTAL' THEN NULL ELSE f.pstart END AS pstart,
           CASE WHEN f.period = 'TOTAL' THEN NULL ELSE f.pend END AS pend,
           ${amount("f.forecast")} AS forecast,
           CASE WHEN f."limit" > 0 AND f.forecast IS NOT NULL THEN round(f.forecast / f."limit", 6)::text END AS forecast_ratio,
           CASE WHEN f.forecast > f."limit" AND f.used > 0 AND f.used < f."limit"
                THEN f.pstart + (f."limit" / f.used * greatest(f.elapsed_s, 3600)) * interval '1 second' END AS exhausted_at,
           CASE WHEN f.used >= f."limit" THEN 'exceeded' WHEN f.forecast > f."limit" THEN 'at-risk' ELSE 'ok' END AS health
    FROM f ORDER BY f.name, f.id`;
}

function toBudgetStatus(r: BudgetDbRow): BudgetStatus {
  return {
    budgetId: r.id,
    name: r.name,
    scope: r.scope,
    scopeId: r.scope === "GLOBAL" ? null : r.scope_id,
    metric: r.metric,
    period: r.period,
    timezone: r.timezone,
    currency: r.currency,
    action: r.action,
    enabled: r.enabled,
    limit: r.limit,
    used: r.used,
    remaining: r.remaining,
    usedRatio: r.used_ratio === null ? 0 : Number(r.used_ratio),
    periodStart: r.pstart,
    periodEnd: r.pend,
    forecast: r.forecast,
    forecastRatio: r.forecast_ratio === null ? null : Number(r.forecast_ratio),
    projectedExhaustedAt: r.exhausted_at,
    health: r.health,
  };
}

/** Every budget (or the listed ones) with its current period's usage, remaining amount and period-end forecast. */
export async function listBudgetStatuses(
  opts: { budgetIds?: string[]; includeDisabled?: boolean; now?: Date } = {},
  db: Db = getDb(),
): Promise<BudgetStatus[]> {
  const preds: Prisma.Sql[] = [Prisma.sql`true`];
  if (!opts.includeDisabled) preds.push(Prisma.sql`bu.enabled`);
  if (opts.budgetIds) preds.push(Prisma.sql`bu.id = ANY(${opts.budgetIds}::text[])`);
  const rows = await queryAnalytics<BudgetDbRow[]>(db, budgetStatusSql(Prisma.join(preds, " AND "), opts.now ?? new Date()));
  return rows.map(toBudgetStatus);
}

/**
 * Developer portal: budgets on the owner's applications (consumers) and on their keys, nothing else. The owner id
 * is in the statement's WHERE, not filtered afterwards.
 */
export async function listPortalBudgets(
  ownerUserId: string,
  opts: { now?: Date } = {},
  db: Db = getDb(),
): Promise<BudgetStatus[]> {
  const where = Prisma.sql`bu.enabled AND (
      bu."consumerId" IN (SELECT c.id FROM consumers c WHERE c."ownerUserId" = ${ownerUserId})
      OR bu."apiKeyId" IN (SELECT k.id FROM api_keys k JOIN consumers c ON c.id = k."consumerId" WHERE c."ownerUserId" = ${ownerUserId}))`;
  const rows = await queryAnalytics<BudgetDbRow[]>(db, budgetStatusSql(where, opts.now ?? new Date()));
  return rows.map(toBudgetStatus);
}

export interface BurnDownPoint {
  bucket: Date;
  /** used in this bucket (exact decimal: money or tokens) */
  used: string;
  /** used since the period start, through this bucket */
  cumulative: string;
}

export interface BudgetBurnDown {
  status: BudgetStatus;
  /** "hour" for DAY budgets, "day" otherwise */
  bucket: UsageBucket;
  points: BurnDownPoint[];
}

function budgetScope(status: BudgetStatus, from: Date, to: Date): SourceScope {
  const id = status.scopeId ? [status.scopeId] : undefined;
  switch (status.scope) {
    case "TEAM":
      return { from, to, teamIds: id };
    case "CONSUMER":
      return { from, to, consumerIds: id };
    case "KEY":
      return { from, to, apiKeyIds: id };
    case "ROUTE":
      return { from, to, routeIds: id };
    default:
      return { from, to };
  }
}

/**
 * One budget's burn-down in its current period: usage per day (per hour for DAY budgets) with the running total, plus
 * the status with the forecast. TOTAL budgets have no period: their points are empty. Null when the budget is unknown.
 */
export async function getBudgetBurnDown(
  budgetId: string,
  opts: { now?: Date } = {},
  db: Db = getDb(),
): Promise<BudgetBurnDown | null> {
  const now = opts.now ?? new Date();
  const [status] = await listBudgetStatuses({ budgetIds: [budgetId], includeDisabled: true, now }, db);
  if (!status) return null;
  const bucket: UsageBucket = status.period === "DAY" ? "hour" : "day";
  if (!status.periodStart || !status.periodEnd) return { status, bucket, points: [] };
  const scope = budgetScope(status, status.periodStart, status.periodEnd);
  const series = await buildSeriesSql(db, scope, { unit: bucket, timeZone: status.timezone }, null, 1);
  const used = Prisma.raw(status.metric === "TOKENS" ? `(x."promptTokens" + x."completionTokens")::numeric` : "x.cost::numeric");
  const rows = await queryAnalytics<Array<{ bucket: Date; used: string; cumulative: string }>>(
    db,
    Prisma.sql`SELECT x.bucket, ${used}::text AS used, sum(${used}) OVER (ORDER BY x.bucket)::text AS cumulative
               FROM (${series}) x ORDER BY x.bucket`,
  );
  return { status, bucket, points: rows };
}
