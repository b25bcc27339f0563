// Prisma's schema engine, run as WebAssembly (the native engine cannot be downloaded on these machines).
// Two jobs: `diffDatamodels` writes migration SQL between two schema texts with no database, and `applyMigrations`
// applies a Prisma-layout migrations folder and records `_prisma_migrations` exactly like `prisma migrate deploy`.

import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

interface WasmEngine {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  free(): void;
}

type EngineModule = {
  SchemaEngine: { new: (options: unknown, callback: (...args: unknown[]) => void, adapter: object) => Promise<WasmEngine> };
};

// Node has WebAssembly; the DOM-free lib set used here does not declare it.
const Wasm = (
  globalThis as unknown as {
    WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }> };
  }
).WebAssembly;

let modulePromise: Promise<EngineModule> | undefined;

async function loadWasmModule(): Promise<EngineModule> {
  modulePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const pkgDir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
    // Node 20's ESM loader refuses the package's direct .wasm import: instantiate it by hand.
    const bg = (await import(path.join(pkgDir, "schema_engine_bg.js"))) as Record<string, unknown> & {
      __wbg_set_wasm(exports: Record<string, unknown>): void;
    };
    const bytes = await readFile(path.join(pkgDir, "schema_engine_bg.wasm"));
    const { instance } = await Wasm.instantiate(bytes, { "./schema_engine_bg.js": bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bg as unknown as EngineModule;
  })();
  return modulePromise;
}

const noFilter = { externalTables: [], externalEnums: [] };

async function withEngine<T>(
  databaseUrl: string,
  datamodels: [string, string][] | undefined,
  fn: (e: WasmEngine) => Promise<T>,
): Promise<T> {
  const mod = await loadWasmModule();
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 50 });
  const bound = bindMigrationAwareSqlAdapterFactory(adapter);
  const logs: string[] = [];
  const engine = await mod.SchemaEngine.new({ datamodels }, (...args: unknown[]) => logs.push(args.map(String).join(" ")), bound);
  try {
    return await fn(engine);
  } finally {
    engine.free();
  }
}

/**
 * Migration SQL that turns schema `from` (null = empty database) into schema `to`. Empty string when equal.
 * `databaseUrl`: any reachable PostgreSQL; nothing in it is read or changed.
 */
export async function diffDatamodels(from: string | null, to: string, databaseUrl: string): Promise<string> {
  const file = (content: string) => ({ files: [{ path: "schema.prisma", content }] });
  // the engine opens a connection when it starts, even though a datamodel diff reads nothing from it
  return withEngine(databaseUrl, undefined, async (engine) => {
    const result = await engine.diff({
      from: from === null ? { tag: "empty" } : { tag: "schemaDatamodel", ...file(from) },
      to: { tag: "schemaDatamodel", ...file(to) },
      script: true,
      exitCode: null,
      filters: noFilter,
    });
    const sql = result.stdout ?? "";
    return /^\s*--\s*This is an empty migration\.?\s*$/.test(sql) || sql.trim() === "" ? "" : sql;
  });
}

async function readMigrationList(migrationsDir: string) {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const lock = await readFile(lockPath, "utf8").catch(() => null);
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8").then(
        (content) => ({ tag: "ok", value: content }),
        (err: Error) => ({ tag: "error", value: err.message }),
      );
      return { path: name, migrationFile: { path: "migration.sql", content: sql } };
    }),
  );
  return {
    names,
    list: {
      baseDir: migrationsDir,
      lockfile: { path: "migration_lock.toml", content: lock },
      shadowDbInitScript: "",
      migrationDirectories,
    },
  };
}

/** Apply every pending migration in `migrationsDir` to `databaseUrl`; returns the names applied now. */
export async function applyMigrations(databaseUrl: string, migrationsDir: string): Promise<string[]> {
  const { list } = await readMigrationList(migrationsDir);
  return withEngine(databaseUrl, undefined, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: list, filters: noFilter });
    return out.appliedMigrationNames;
  });
}

export async function listMigrationNames(migrationsDir: string): Promise<string[]> {
  return (await readMigrationList(migrationsDir)).names;
}
