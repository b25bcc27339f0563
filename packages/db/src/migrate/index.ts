// Migrations in Prisma's folder layout (prisma/migrations/<timestamp>_<name>/migration.sql + migration_lock.toml),
// applied through the WASM schema engine so `_prisma_migrations` is exactly what `prisma migrate deploy` writes.
// Each migration folder also keeps `schema.prisma`, the datamodel it leads to, so the next migration can be
// generated as a diff with no database. The drift check needs no snapshot trust: it builds one database from the
// migrations and one straight from schema.prisma and compares their catalogs.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { applyMigrations, diffDatamodels, listMigrationNames } from "./engine.ts";

export { applyMigrations, diffDatamodels, listMigrationNames };

export function adminUrl(databaseUrl: string, database = "postgres"): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
  if (!name) throw new Error("DATABASE_URL names no database");
  return name;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Create the database named in `databaseUrl` when it does not exist. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  const client = new pg.Client({ connectionString: adminUrl(databaseUrl) });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl(databaseUrl) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseName(databaseUrl))} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function executeSql(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface RepoPaths {
  schemaPath: string;
  migrationsDir: string;
}

export function repoPaths(root: string): RepoPaths {
  return { schemaPath: path.join(root, "prisma", "schema.prisma"), migrationsDir: path.join(root, "prisma", "migrations") };
}

/** Create the database if needed and apply pending migrations. */
export async function migrateDatabase(databaseUrl: string, migrationsDir: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  return applyMigrations(databaseUrl, migrationsDir);
}

async function latestSnapshot(migrationsDir: string): Promise<string | null> {
  const names = await listMigrationNames(migrationsDir);
  const last = names.at(-1);
  if (!last) return null;
  return readFile(path.join(migrationsDir, last, "schema.prisma"), "utf8");
}

/** Write a new migration folder for the difference between the last snapshot and schema.prisma. */
export async function createMigration(
  paths: RepoPaths,
  name: string,
  anyDatabaseUrl: string,
  now = new Date(),
): Promise<string | null> {
  const schema = await readFile(paths.schemaPath, "utf8");
  const sql = await diffDatamodels(await latestSnapshot(paths.migrationsDir), schema, adminUrl(anyDatabaseUrl, "postgres"));
  if (!sql) return null;
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const folder = `${stamp}_${name.replace(/[^a-z0-9_]+/gi, "_").toLowerCase()}`;
  await mkdir(path.join(paths.migrationsDir, folder), { recursive: true });
  await writeFile(path.join(paths.migrationsDir, folder, "migration.sql"), sql);
  await writeFile(path.join(paths.migrationsDir, folder, "schema.prisma"), schema);
  return folder;
}

/** A comparable description of a database's schema: tables, columns, indexes, constraints, enums. */
export async function catalogFingerprint(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows.map((r) => Object.values(r).join(" | "));
    return [
      ...(await q(`SELECT 'column', table_name, column_name, data_type, udt_name, is_nullable, coalesce(column_default, ''),
                          coalesce(character_maximum_length::text, ''), coalesce(numeric_precision::text, ''), coalesce(numeric_scale::text, '')
                   FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
                   ORDER BY table_name, column_name`)),
      ...(await q(
        `SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexdef`,
      )),
      ...(await q(`SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                   WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 2, 3`)),
      ...(await q(`SELECT 'enum', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_type t
                   JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`)),
      ...(await q(`SELECT 'persistence', relname, relpersistence FROM pg_class WHERE relnamespace = 'public'::regnamespace
                   AND relkind = 'r' AND relname <> '_prisma_migrations' ORDER BY relname`)),
    ];
  } finally {
    await client.end();
  }
}

export interface DriftReport {
  ok: boolean;
  /** schema.prisma differs from the last migration's snapshot */
  snapshotDiff: string;
  /** catalog lines only in the database built from migrations / only in the one built from schema.prisma */
  onlyInMigrations: string[];
  onlyInSchema: string[];
}

/**
 * Fails when schema.prisma and the migrations disagree. `serverUrl` is any database URL on a server where
 * throwaway databases may be created.
 */
export async function checkDrift(paths: RepoPaths, serverUrl: string): Promise<DriftReport> {
  const schema = await readFile(paths.schemaPath, "utf8");
  // the engine needs a reachable database to start: the server's maintenance database always exists
  const engineUrl = adminUrl(serverUrl, "postgres");
  const snapshotDiff = await diffDatamodels(await latestSnapshot(paths.migrationsDir), schema, engineUrl);
  const suffix = `${process.pid}_${Date.now()}`;
  const fromMigrations = adminUrl(serverUrl, `sluice_drift_m_${suffix}`);
  const fromSchema = adminUrl(serverUrl, `sluice_drift_s_${suffix}`);
  try {
    await ensureDatabase(fromMigrations);
    await ensureDatabase(fromSchema);
    await applyMigrations(fromMigrations, paths.migrationsDir);
    await executeSql(fromSchema, await diffDatamodels(null, schema, engineUrl));
    const a = await catalogFingerprint(fromMigrations);
    const b = await catalogFingerprint(fromSchema);
    const setB = new Set(b);
    const setA = new Set(a);
    // tables that migrations add on purpose outside Prisma's model (e.g. UNLOGGED cache tables) are listed here
    const onlyInMigrations = a.filter((l) => !setB.has(l));
    const onlyInSchema = b.filter((l) => !setA.has(l));
    return {
      ok: !snapshotDiff && onlyInMigrations.length === 0 && onlyInSchema.length === 0,
      snapshotDiff,
      onlyInMigrations,
      onlyInSchema,
    };
  } finally {
    await dropDatabase(fromMigrations).catch(() => {});
    await dropDatabase(fromSchema).catch(() => {});
  }
}
