// The usage writer's batch insert as one SQL statement on a small pg pool of its own: the batch goes to Postgres as
// a single JSON parameter and `jsonb_populate_recordset` turns it into rows. Same semantics as Prisma's
// `createMany({ skipDuplicates: true })` (one INSERT statement, so the statement-level rollup triggers fire once per
// batch; a row whose id or requestId is already stored is skipped), at a fraction of the cost: under load Prisma's
// query compiler and interpreter made ~70% of all the gateway's allocations (about 150 KB per event, much of it
// living long enough to be promoted to the old space: RSS grew to 600-900 MB) and ~75% of its CPU. Even
// `$executeRawUnsafe` copies the parameter through Prisma's engine. See README "Performance notes".

import type { UsageEventInput } from "@sluice/db";
import pg from "pg";

/** Columns with a database default: a missing key gets the same default here. */
const DEFAULTS: Record<string, string> = {
  stream: "false",
  aborted: "false",
  promptTokens: "0",
  completionTokens: "0",
  cachedTokens: "0",
  reasoningTokens: "0",
  totalTokens: "0",
  estimated: "false",
  cost: "0",
  savedCost: "0",
  currency: "'USD'",
  cacheStatus: "'none'",
};

const COLUMNS = [
  "id",
  "requestId",
  "ts",
  "nodeId",
  "consumerId",
  "apiKeyId",
  "teamId",
  "routeId",
  "providerId",
  "providerKind",
  "targetId",
  "model",
  "upstreamModel",
  "status",
  "upstreamStatus",
  "errorType",
  "errorCode",
  "stream",
  "aborted",
  "promptTokens",
  "completionTokens",
  "cachedTokens",
  "reasoningTokens",
  "totalTokens",
  "estimated",
  "cost",
  "savedCost",
  "currency",
  "latencyMs",
  "ttftMs",
  "upstreamLatencyMs",
  "cacheStatus",
  "attempts",
  "arm",
  "metadata",
] as const;

export const INSERT_USAGE_SQL = `INSERT INTO usage_events (${COLUMNS.map((c) => `"${c}"`).join(", ")}) SELECT ${COLUMNS.map(
  (c) => {
    const d = DEFAULTS[c];
    if (!d) return `r."${c}"`;
    return c === "cacheStatus" ? `COALESCE(r."${c}", ${d}::"CacheStatus")` : `COALESCE(r."${c}", ${d})`;
  },
).join(", ")} FROM jsonb_populate_recordset(NULL::usage_events, $1::jsonb) AS r ON CONFLICT DO NOTHING`;

/**
 * The batch as the statement's one parameter. Dates become ISO strings and Prisma decimals their exact decimal
 * text (their toJSON), so nothing passes through binary floating point.
 */
export function usageBatchJson(events: UsageEventInput[]): string {
  return JSON.stringify(events);
}

export interface UsageInserter {
  insert(events: UsageEventInput[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * Two connections at most (a flush is sequential; the second serves the spill drain). A failed connect or query
 * rejects, and the writer spills the batch to disk; query_timeout keeps a hung connection from stalling flushes.
 */
export function createUsageInserter(databaseUrl: string): UsageInserter {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    application_name: "sluice-gateway-usage",
  });
  pool.on("error", () => {}); // an idle client's error: the next query reconnects
  let closed = false;
  return {
    async insert(events) {
      if (events.length === 0) return 0;
      const r = await pool.query(INSERT_USAGE_SQL, [usageBatchJson(events)]);
      return r.rowCount ?? 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => {});
    },
  };
}
