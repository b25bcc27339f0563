// The developer portal's "My usage" (server only): requests, tokens and cost over time per application (consumer),
// key or model, totals, recent requests and errors. Every statement carries the owner: rollup parts and raw events
// are restricted with `"consumerId" IN (SELECT id FROM consumers WHERE "ownerUserId" = <owner>)`, so a developer's
// filter can only narrow their own data (another owner's consumer id in the filter simply matches nothing).
// Budgets on the owner's applications and keys: listPortalBudgets in ./usage-budgets.ts.

import {
  type PortalFilter,
  type PortalRecentErrorsInput,
  type PortalUsageOverTimeInput,
  portalFilterSchema,
  portalRecentErrorsInputSchema,
  portalUsageOverTimeInputSchema,
} from "../analytics/filters.ts";
import { type MeasureRow, queryAnalytics, type SourceScope, toMeasures, type UsageMeasures } from "../analytics/source.ts";
import { type Db, getDb } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import {
  buildSeriesSql,
  buildTotalsSql,
  decodeEventCursor,
  ERROR_PREDICATE,
  EVENT_COLUMNS,
  encodeEventCursor,
  listBucketStarts,
  type SpendSeries,
  toSpendPoint,
  type UsageEventRow,
  type UsageEventsPage,
} from "./usage.ts";

const DAY_MS = 86_400_000;

function portalScope(ownerUserId: string, f: PortalFilter): SourceScope {
  if (!ownerUserId) throw new Error("ownerUserId is required");
  return { from: f.from, to: f.to, consumerIds: f.consumerIds, apiKeyIds: f.apiKeyIds, models: f.models, ownerUserId };
}

export async function buildPortalUsageOverTimeSql(
  ownerUserId: string,
  input: PortalUsageOverTimeInput,
  db: Db = getDb(),
): Promise<Prisma.Sql> {
  const p = portalUsageOverTimeInputSchema.parse(input);
  return buildSeriesSql(db, portalScope(ownerUserId, p.filter), { unit: p.bucket, timeZone: p.timeZone }, p.groupBy, p.topGroups);
}

/** Requests, tokens and cost over time for the owner's applications, optionally per application, key or model. */
export async function getPortalUsageOverTime(
  ownerUserId: string,
  input: PortalUsageOverTimeInput,
  db: Db = getDb(),
): Promise<SpendSeries> {
  const p = portalUsageOverTimeInputSchema.parse(input);
  const bucket = { unit: p.bucket, timeZone: p.timeZone };
  const [rows, buckets] = await Promise.all([
    buildPortalUsageOverTimeSql(ownerUserId, p, db).then((sql) => queryAnalytics<Parameters<typeof toSpendPoint>[0][]>(db, sql)),
    listBucketStarts(db, p.filter.from, p.filter.to, bucket),
  ]);
  return { bucket: p.bucket, timeZone: p.timeZone, groupBy: p.groupBy, buckets, points: rows.map(toSpendPoint) };
}

/** Totals over the owner's applications for a filter. */
export async function getPortalUsageTotals(ownerUserId: string, filter: PortalFilter, db: Db = getDb()): Promise<UsageMeasures> {
  const f = portalFilterSchema.parse(filter);
  const rows = await queryAnalytics<MeasureRow[]>(db, await buildTotalsSql(db, portalScope(ownerUserId, f)));
  return toMeasures(rows[0] as MeasureRow);
}

type ParsedEventsInput = ReturnType<typeof portalRecentErrorsInputSchema.parse>;

/**
 * Internal: the owner's events newest first. One index range scan per owned consumer on (consumerId, ts), each
 * stopping after `limit` rows, merged: the cost depends on the page size, not on how much traffic an application has.
 */
export function buildPortalEventsSql(
  ownerUserId: string,
  p: ParsedEventsInput,
  opts: { errorsOnly: boolean; now: Date; limit: number | null },
): Prisma.Sql {
  if (!ownerUserId) throw new Error("ownerUserId is required");
  const after = decodeEventCursor(p.cursor);
  const since = p.since ?? new Date(opts.now.getTime() - 30 * DAY_MS);
  const preds: Prisma.Sql[] = [Prisma.sql`e."consumerId" = c.id AND e.ts >= ${since}::timestamptz`];
  if (after) preds.push(Prisma.sql`(e.ts, e.id) < (${after.ts}::timestamptz, ${after.id})`);
  if (opts.errorsOnly) preds.push(ERROR_PREDICATE);
  if (p.apiKeyIds?.length) preds.push(Prisma.sql`e."apiKeyId" = ANY(${p.apiKeyIds}::text[])`);
  const consumerPreds: Prisma.Sql[] = [Prisma.sql`c."ownerUserId" = ${ownerUserId}`];
  if (p.consumerIds?.length) consumerPreds.push(Prisma.sql`c.id = ANY(${p.consumerIds}::text[])`);
  const limit = opts.limit === null ? Prisma.empty : Prisma.sql`LIMIT ${opts.limit}`;
  return Prisma.sql`
    SELECT x.* FROM consumers c CROSS JOIN LATERAL (
      SELECT ${EVENT_COLUMNS}, e."errorType" IS NOT NULL OR e.status >= 400 AS is_error
      FROM usage_events e WHERE ${Prisma.join(preds, " AND ")}
      ORDER BY e.ts DESC, e.id DESC ${limit}
    ) x
    WHERE ${Prisma.join(consumerPreds, " AND ")}
    ORDER BY x.ts DESC, x.id DESC ${limit}`;
}

async function listPortalEvents(
  ownerUserId: string,
  input: PortalRecentErrorsInput,
  errorsOnly: boolean,
  db: Db,
  now: Date,
): Promise<UsageEventsPage> {
  const p = portalRecentErrorsInputSchema.parse(input);
  const rows = await queryAnalytics<Array<UsageEventRow & { is_error: boolean }>>(
    db,
    buildPortalEventsSql(ownerUserId, p, { errorsOnly, now, limit: p.limit + 1 }),
  );
  const events: UsageEventRow[] = rows.slice(0, p.limit).map(({ is_error: _e, ...r }) => r);
  const last = events.at(-1);
  return { events, nextCursor: rows.length > p.limit && last ? encodeEventCursor(last) : null };
}

/** The owner's most recent failed requests (status >= 400 or an error type), newest first, with their error type. */
export async function listPortalRecentErrors(
  ownerUserId: string,
  input: PortalRecentErrorsInput = {},
  db: Db = getDb(),
  now: Date = new Date(),
): Promise<UsageEventsPage> {
  return listPortalEvents(ownerUserId, input, true, db, now);
}

/** The owner's most recent requests of any outcome, newest first. */
export async function listPortalRecentRequests(
  ownerUserId: string,
  input: PortalRecentErrorsInput = {},
  db: Db = getDb(),
  now: Date = new Date(),
): Promise<UsageEventsPage> {
  return listPortalEvents(ownerUserId, input, false, db, now);
}
