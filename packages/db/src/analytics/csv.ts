// CSV export of every usage view (server only). `exportUsageCsv` is an async generator of CSV lines (header first,
// each line ending in CRLF, RFC 4180 quoting): it runs the same statement as the dashboard function of the view
// through a server-side cursor, so an export of millions of events never holds more than two chunks in memory.
// Money is written as the exact decimal text from PostgreSQL, instants as ISO 8601 UTC.
//
// Spreadsheet safety: text cells (names, ids, error codes) that begin with = + - @ or a control character are
// prefixed with an apostrophe so a spreadsheet does not evaluate them as formulas. Numeric cells are never altered.
//
// A route handler streams it with e.g. `new Response(ReadableStream.from(exportUsageCsv(req)), { headers })`.

import { type Db, getDb } from "../client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { buildPortalEventsSql, buildPortalUsageOverTimeSql } from "../queries/portal-usage.ts";
import {
  buildCacheSavingsSql,
  buildChargebackSql,
  buildEventsSql,
  buildSpendOverTimeSql,
  buildTopSpendersSql,
  type SpendPoint,
  toSpendPoint,
  type UsageEventRow,
} from "../queries/usage.ts";
import { type BudgetStatus, listBudgetStatuses, listPortalBudgets } from "../queries/usage-budgets.ts";
import {
  type CacheSavingsInput,
  type ChargebackInput,
  type PortalRecentErrorsInput,
  type PortalUsageOverTimeInput,
  portalRecentErrorsInputSchema,
  type SpendOverTimeInput,
  type TopSpendersInput,
  type UsageFilter,
  usageFilterSchema,
} from "./filters.ts";
import { type MeasureRow, toMeasures, toNumber, type UsageMeasures } from "./source.ts";
import { type StreamQueryOptions, streamQueryRows } from "./stream.ts";

export type UsageCsvRequest =
  | { view: "spend-over-time"; input: SpendOverTimeInput }
  | { view: "top-spenders"; input: TopSpendersInput }
  | { view: "cache-savings"; input: CacheSavingsInput }
  | { view: "chargeback"; input: ChargebackInput }
  | { view: "events"; input: { filter: UsageFilter; errorsOnly?: boolean } }
  | { view: "budgets"; input?: { now?: Date } }
  | { view: "portal-usage"; ownerUserId: string; input: PortalUsageOverTimeInput }
  | { view: "portal-events"; ownerUserId: string; input: PortalRecentErrorsInput & { errorsOnly?: boolean } }
  | { view: "portal-budgets"; ownerUserId: string; input?: { now?: Date } };

export type UsageCsvView = UsageCsvRequest["view"];

type Cell = string | number | bigint | boolean | Date | null | undefined;

/** One CSV field: quoted when it holds a comma, quote, CR or LF, or leading/trailing spaces. */
export function csvField(value: Cell, opts: { text?: boolean } = {}): string {
  if (value === null || value === undefined) return "";
  let s = value instanceof Date ? value.toISOString() : String(value);
  if (opts.text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

interface Column<R> {
  header: string;
  get: (row: R) => Cell;
  /** free text from users (names, codes): formula-neutralized */
  text?: boolean;
}

export function csvLine<R>(columns: Column<R>[], row: R): string {
  return `${columns.map((c) => csvField(c.get(row), { text: c.text })).join(",")}\r\n`;
}

function headerLine<R>(columns: Column<R>[]): string {
  return `${columns.map((c) => csvField(c.header)).join(",")}\r\n`;
}

const MEASURE_COLUMNS: Column<UsageMeasures>[] = [
  { header: "requests", get: (r) => r.requests },
  { header: "errors", get: (r) => r.errors },
  { header: "cache_hits", get: (r) => r.cacheHits },
  { header: "prompt_tokens", get: (r) => r.promptTokens },
  { header: "completion_tokens", get: (r) => r.completionTokens },
  { header: "total_tokens", get: (r) => r.totalTokens },
  { header: "cached_tokens", get: (r) => r.cachedTokens },
  { header: "reasoning_tokens", get: (r) => r.reasoningTokens },
  { header: "avg_latency_ms", get: (r) => r.avgLatencyMs },
  { header: "cost", get: (r) => r.cost },
  { header: "saved_cost", get: (r) => r.savedCost },
];

const SERIES_COLUMNS: Column<SpendPoint>[] = [
  { header: "bucket", get: (r) => r.bucket },
  { header: "group", get: (r) => r.group, text: true },
  { header: "label", get: (r) => r.label, text: true },
  ...MEASURE_COLUMNS,
];

interface TopRow extends MeasureRow {
  id: string;
  label: string | null;
  share: string;
}
type TopCsvRow = UsageMeasures & { id: string; label: string | null; share: string };
const toTopCsvRow = (r: TopRow): TopCsvRow => ({ id: r.id, label: r.label, share: r.share, ...toMeasures(r) });
const TOP_COLUMNS: Column<TopCsvRow>[] = [
  { header: "id", get: (r) => r.id, text: true },
  { header: "label", get: (r) => r.label, text: true },
  { header: "share", get: (r) => r.share },
  ...MEASURE_COLUMNS,
];

interface SavingsRow {
  bucket: Date | null;
  is_total: boolean;
  requests: bigint;
  cacheHits: bigint;
  savedCost: string;
  cost: string;
}
const SAVINGS_COLUMNS: Column<SavingsRow>[] = [
  { header: "bucket", get: (r) => (r.is_total ? "total" : r.bucket) },
  { header: "requests", get: (r) => toNumber(r.requests) },
  { header: "cache_hits", get: (r) => toNumber(r.cacheHits) },
  { header: "saved_cost", get: (r) => r.savedCost },
  { header: "cost", get: (r) => r.cost },
];

interface ChargebackRow extends MeasureRow {
  month: Date;
  month_label: string;
  team_id: string;
  team_name: string | null;
}
const CHARGEBACK_COLUMNS: Column<ChargebackRow>[] = [
  { header: "month", get: (r) => r.month_label },
  { header: "team_id", get: (r) => r.team_id, text: true },
  { header: "team", get: (r) => r.team_name, text: true },
  { header: "requests", get: (r) => toNumber(r.requests) },
  { header: "prompt_tokens", get: (r) => toNumber(r.promptTokens) },
  { header: "completion_tokens", get: (r) => toNumber(r.completionTokens) },
  { header: "cache_hits", get: (r) => toNumber(r.cacheHits) },
  { header: "cost", get: (r) => r.cost },
  { header: "saved_cost", get: (r) => r.savedCost },
];

const EVENT_CSV_COLUMNS: Column<UsageEventRow>[] = [
  { header: "ts", get: (r) => r.ts },
  { header: "request_id", get: (r) => r.requestId, text: true },
  { header: "team_id", get: (r) => r.teamId, text: true },
  { header: "consumer_id", get: (r) => r.consumerId, text: true },
  { header: "api_key_id", get: (r) => r.apiKeyId, text: true },
  { header: "route_id", get: (r) => r.routeId, text: true },
  { header: "provider_id", get: (r) => r.providerId, text: true },
  { header: "model", get: (r) => r.model, text: true },
  { header: "upstream_model", get: (r) => r.upstreamModel, text: true },
  { header: "status", get: (r) => r.status },
  { header: "error_type", get: (r) => r.errorType, text: true },
  { header: "error_code", get: (r) => r.errorCode, text: true },
  { header: "cache_status", get: (r) => r.cacheStatus },
  { header: "prompt_tokens", get: (r) => r.promptTokens },
  { header: "completion_tokens", get: (r) => r.completionTokens },
  { header: "cached_tokens", get: (r) => r.cachedTokens },
  { header: "reasoning_tokens", get: (r) => r.reasoningTokens },
  { header: "estimated", get: (r) => r.estimated },
  { header: "cost", get: (r) => r.cost },
  { header: "saved_cost", get: (r) => r.savedCost },
  { header: "latency_ms", get: (r) => r.latencyMs },
];

const BUDGET_COLUMNS: Column<BudgetStatus>[] = [
  { header: "budget_id", get: (r) => r.budgetId, text: true },
  { header: "name", get: (r) => r.name, text: true },
  { header: "scope", get: (r) => r.scope },
  { header: "scope_id", get: (r) => r.scopeId, text: true },
  { header: "metric", get: (r) => r.metric },
  { header: "period", get: (r) => r.period },
  { header: "timezone", get: (r) => r.timezone },
  { header: "currency", get: (r) => r.currency },
  { header: "period_start", get: (r) => r.periodStart },
  { header: "period_end", get: (r) => r.periodEnd },
  { header: "limit", get: (r) => r.limit },
  { header: "used", get: (r) => r.used },
  { header: "remaining", get: (r) => r.remaining },
  { header: "forecast", get: (r) => r.forecast },
  { header: "projected_exhausted_at", get: (r) => r.projectedExhaustedAt },
  { header: "health", get: (r) => r.health },
];

async function* streamView<Raw, R>(
  db: Db,
  sql: Prisma.Sql,
  columns: Column<R>[],
  map: (raw: Raw) => R,
  opts: StreamQueryOptions,
): AsyncGenerator<string> {
  yield headerLine(columns);
  for await (const chunk of streamQueryRows<Raw>(db, sql, opts)) {
    let out = "";
    for (const raw of chunk) out += csvLine(columns, map(raw));
    yield out;
  }
}

/**
 * CSV of any usage view, as chunks of complete lines (the first chunk is the header). Portal views take the owner
 * from the session, exactly like the portal queries.
 */
export async function* exportUsageCsv(
  request: UsageCsvRequest,
  db: Db = getDb(),
  opts: StreamQueryOptions = {},
): AsyncGenerator<string> {
  const same = <T>(r: T) => r;
  switch (request.view) {
    case "spend-over-time":
      yield* streamView(db, await buildSpendOverTimeSql(request.input, db), SERIES_COLUMNS, toSpendPoint, opts);
      return;
    case "portal-usage":
      yield* streamView(
        db,
        await buildPortalUsageOverTimeSql(request.ownerUserId, request.input, db),
        SERIES_COLUMNS,
        toSpendPoint,
        opts,
      );
      return;
    case "top-spenders":
      yield* streamView(db, await buildTopSpendersSql(request.input, db), TOP_COLUMNS, toTopCsvRow, opts);
      return;
    case "cache-savings":
      yield* streamView(db, await buildCacheSavingsSql(request.input, db), SAVINGS_COLUMNS, same<SavingsRow>, opts);
      return;
    case "chargeback":
      yield* streamView(db, await buildChargebackSql(request.input, db), CHARGEBACK_COLUMNS, same<ChargebackRow>, opts);
      return;
    case "events": {
      const filter = usageFilterSchema.parse(request.input.filter);
      const sql = buildEventsSql(filter, { errorsOnly: request.input.errorsOnly ?? false, cursor: null, limit: null });
      yield* streamView(db, sql, EVENT_CSV_COLUMNS, same<UsageEventRow>, opts);
      return;
    }
    case "portal-events": {
      const p = portalRecentErrorsInputSchema.parse(request.input);
      const sql = buildPortalEventsSql(request.ownerUserId, p, {
        errorsOnly: request.input.errorsOnly ?? false,
        now: new Date(),
        limit: null,
      });
      yield* streamView(db, sql, EVENT_CSV_COLUMNS, same<UsageEventRow>, opts);
      return;
    }
    case "budgets": {
      const rows = await listBudgetStatuses({ now: request.input?.now }, db);
      yield headerLine(BUDGET_COLUMNS);
      for (const r of rows) yield csvLine(BUDGET_COLUMNS, r);
      return;
    }
    case "portal-budgets": {
      const rows = await listPortalBudgets(request.ownerUserId, { now: request.input?.now }, db);
      yield headerLine(BUDGET_COLUMNS);
      for (const r of rows) yield csvLine(BUDGET_COLUMNS, r);
      return;
    }
  }
}
