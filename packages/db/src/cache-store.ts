// Named queries of the gateway's response cache. Two stores, both outside Prisma's datamodel in the `sluice_cache`
// schema so the drift check of `public` never sees them:
//
// - `sluice_cache.entries`: the exact cache's PostgreSQL backend, an UNLOGGED table created by the migration
//   20261122054500_cache_store. One row per cache key; the value is the gateway's encoded entry (text). Expired rows
//   are never returned; a read that finds one deletes it in the background, and `sweepExpiredCacheEntries` runs
//   periodically.
// - `sluice_cache.semantic_d<dims>`: the semantic cache's pgvector store, one table per embedding dimension, created
//   lazily (with CREATE EXTENSION IF NOT EXISTS vector) on the server the operator points the semantic cache at —
//   usually not the config database (Debian's PostgreSQL has no pgvector).
//
// Queries take any `pg`-compatible `Queryable` (a pg.Pool): the cache is on the request hot path, one statement per
// lookup, no Prisma round-trip overhead. Time is always passed in (`now`, ms) so tests can move it.

export interface QueryResultLike<R> {
  rows: R[];
  rowCount: number | null;
}

/** What the queries need from a connection pool (pg.Pool and pg.Client satisfy it). */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<QueryResultLike<R>>;
}

/** Which entries a purge removes: everything, or those matching every given field. */
export type CacheStorePurge = { all: true } | { routeId?: string | null; partition?: string | null };

const ENTRIES = `"sluice_cache"."entries"`;

// ─── exact cache (sluice_cache.entries) ───────────────────────────────────────────────────────────────────────

/**
 * The value under `key` when it has not expired at `now`; null otherwise. An expired row is deleted in the
 * background (the lookup itself stays one round trip).
 */
export async function readCacheEntry(q: Queryable, key: string, now: number): Promise<string | null> {
  const { rows } = await q.query<{ value: string; expired: boolean }>(
    `SELECT "value", "expires_at" <= to_timestamp($2::double precision / 1000) AS "expired" FROM ${ENTRIES} WHERE "key" = $1`,
    [key, now],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.expired) {
    q.query(`DELETE FROM ${ENTRIES} WHERE "key" = $1 AND "expires_at" <= to_timestamp($2::double precision / 1000)`, [
      key,
      now,
    ]).catch(() => {});
    return null;
  }
  return row.value;
}

export interface CacheEntryRow {
  key: string;
  routeId: string;
  partition: string;
  value: string;
  /** size of `value` in bytes (for stats) */
  bytes: number;
  /** ms since epoch */
  expiresAt: number;
}

/** Insert or replace one entry. */
export async function writeCacheEntry(q: Queryable, row: CacheEntryRow): Promise<void> {
  await q.query(
    `INSERT INTO ${ENTRIES} ("key", "route_id", "partition", "value", "bytes", "expires_at")
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000))
     ON CONFLICT ("key") DO UPDATE SET "route_id" = EXCLUDED."route_id", "partition" = EXCLUDED."partition",
       "value" = EXCLUDED."value", "bytes" = EXCLUDED."bytes", "expires_at" = EXCLUDED."expires_at",
       "created_at" = CURRENT_TIMESTAMP`,
    [row.key, row.routeId, row.partition, row.value, row.bytes, row.expiresAt],
  );
}

/** Delete the matching entries; returns how many rows went. A selector with no field purges nothing. */
export async function purgeCacheEntries(q: Queryable, sel: CacheStorePurge): Promise<number> {
  if ("all" in sel) {
    const { rowCount } = await q.query(`DELETE FROM ${ENTRIES}`);
    return rowCount ?? 0;
  }
  const routeId = sel.routeId ?? null;
  const partition = sel.partition ?? null;
  if (routeId === null && partition === null) return 0;
  const { rowCount } = await q.query(
    `DELETE FROM ${ENTRIES} WHERE ($1::text IS NULL OR "route_id" = $1) AND ($2::text IS NULL OR "partition" = $2)`,
    [routeId, partition],
  );
  return rowCount ?? 0;
}

/** Delete rows expired at `now`, in batches of `batchSize` (short locks); returns how many went. */
export async function sweepExpiredCacheEntries(q: Queryable, now: number, batchSize = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await q.query(
      `DELETE FROM ${ENTRIES} WHERE "key" IN (
         SELECT "key" FROM ${ENTRIES} WHERE "expires_at" <= to_timestamp($1::double precision / 1000) LIMIT $2)`,
      [now, batchSize],
    );
    const n = rowCount ?? 0;
    total += n;
    if (n < batchSize) return total;
  }
}

/** Live (unexpired) entries and their total size. */
export async function cacheEntryStats(q: Queryable, now: number): Promise<{ entries: number; bytes: number }> {
  const { rows } = await q.query<{ entries: string; bytes: string }>(
    `SELECT count(*)::text AS "entries", coalesce(sum("bytes"), 0)::text AS "bytes" FROM ${ENTRIES}
     WHERE "expires_at" > to_timestamp($1::double precision / 1000)`,
    [now],
  );
  const row = rows[0];
  return { entries: Number(row?.entries ?? 0), bytes: Number(row?.bytes ?? 0) };
}

// ─── semantic cache (pgvector, sluice_cache.semantic_d<dims>) ─────────────────────────────────────────────────

const SCHEMA_RACE_CODES = new Set(["23505", "42P07", "42710", "XX000"]);

function semanticTable(dims: number): string {
  if (!Number.isInteger(dims) || dims <= 0 || dims > 16_000) throw new Error(`invalid embedding dimension ${dims}`);
  return `"sluice_cache"."semantic_d${dims}"`;
}

/**
 * Create the vector extension, the schema and the table for `dims`-dimensional embeddings (with an hnsw cosine index)
 * when missing. Idempotent; concurrent first calls from several nodes may race on the catalog, so one retry.
 */
export async function ensureSemanticTable(q: Queryable, dims: number): Promise<void> {
  const table = semanticTable(dims);
  const ddl = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    `CREATE SCHEMA IF NOT EXISTS "sluice_cache"`,
    `CREATE TABLE IF NOT EXISTS ${table} (
       "id" TEXT PRIMARY KEY,
       "partition" TEXT NOT NULL,
       "route_id" TEXT NOT NULL,
       "bucket" TEXT NOT NULL,
       "embedding" vector(${dims}) NOT NULL,
       "value" TEXT NOT NULL,
       "expires_at" TIMESTAMPTZ(3) NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS "semantic_d${dims}_embedding_idx" ON ${table} USING hnsw ("embedding" vector_cosine_ops)`,
    `CREATE INDEX IF NOT EXISTS "semantic_d${dims}_scope_idx" ON ${table} ("partition", "bucket")`,
    `CREATE INDEX IF NOT EXISTS "semantic_d${dims}_route_idx" ON ${table} ("route_id")`,
    `CREATE INDEX IF NOT EXISTS "semantic_d${dims}_expires_idx" ON ${table} ("expires_at")`,
  ];
  for (const stmt of ddl) {
    try {
      await q.query(stmt);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!code || !SCHEMA_RACE_CODES.has(code)) throw err;
      await q.query(stmt);
    }
  }
}

const vectorLiteral = (v: readonly number[]) => `[${v.join(",")}]`;

export interface SemanticRow {
  id: string;
  partition: string;
  routeId: string;
  /** what else must match besides the prompt (route, model, parameters): a hash */
  bucket: string;
  embedding: readonly number[];
  value: string;
  expiresAt: number;
}

export async function upsertSemanticEntry(q: Queryable, row: SemanticRow): Promise<void> {
  await q.query(
    `INSERT INTO ${semanticTable(row.embedding.length)} ("id", "partition", "route_id", "bucket", "embedding", "value", "expires_at")
     VALUES ($1, $2, $3, $4, $5::vector, $6, to_timestamp($7::double precision / 1000))
     ON CONFLICT ("id") DO UPDATE SET "embedding" = EXCLUDED."embedding", "value" = EXCLUDED."value",
       "expires_at" = EXCLUDED."expires_at"`,
    [row.id, row.partition, row.routeId, row.bucket, vectorLiteral(row.embedding), row.value, row.expiresAt],
  );
}

/**
 * The nearest unexpired row (cosine distance, `<=>`) in one partition and bucket, with its similarity
 * (1 - distance); null when there is none.
 */
export async function searchSemanticEntry(
  q: Queryable,
  query: { partition: string; bucket: string; embedding: readonly number[]; now: number },
): Promise<{ id: string; value: string; similarity: number } | null> {
  const { rows } = await q.query<{ id: string; value: string; distance: number }>(
    `SELECT "id", "value", ("embedding" <=> $1::vector)::float8 AS "distance" FROM ${semanticTable(query.embedding.length)}
     WHERE "partition" = $2 AND "bucket" = $3 AND "expires_at" > to_timestamp($4::double precision / 1000)
     ORDER BY "embedding" <=> $1::vector LIMIT 1`,
    [vectorLiteral(query.embedding), query.partition, query.bucket, query.now],
  );
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, value: row.value, similarity: 1 - Number(row.distance) };
}

/** The semantic tables that exist (their dimensions). */
async function semanticDimensions(q: Queryable): Promise<number[]> {
  const { rows } = await q.query<{ name: string }>(
    `SELECT c.relname AS "name" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'sluice_cache' AND c.relkind = 'r' AND c.relname ~ '^semantic_d[0-9]+$'`,
  );
  return rows.map((r) => Number(r.name.slice("semantic_d".length)));
}

export async function purgeSemanticEntries(q: Queryable, sel: CacheStorePurge): Promise<number> {
  let total = 0;
  for (const dims of await semanticDimensions(q)) {
    const table = semanticTable(dims);
    if ("all" in sel) {
      total += (await q.query(`DELETE FROM ${table}`)).rowCount ?? 0;
      continue;
    }
    const routeId = sel.routeId ?? null;
    const partition = sel.partition ?? null;
    if (routeId === null && partition === null) return 0;
    const { rowCount } = await q.query(
      `DELETE FROM ${table} WHERE ($1::text IS NULL OR "route_id" = $1) AND ($2::text IS NULL OR "partition" = $2)`,
      [routeId, partition],
    );
    total += rowCount ?? 0;
  }
  return total;
}

export async function sweepExpiredSemanticEntries(q: Queryable, now: number): Promise<number> {
  let total = 0;
  for (const dims of await semanticDimensions(q)) {
    const { rowCount } = await q.query(
      `DELETE FROM ${semanticTable(dims)} WHERE "expires_at" <= to_timestamp($1::double precision / 1000)`,
      [now],
    );
    total += rowCount ?? 0;
  }
  return total;
}
