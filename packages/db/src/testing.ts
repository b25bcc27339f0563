// Test helpers (server only): a throwaway database per test file on the server of TEST_DATABASE_URL (default the
// local PostgreSQL), migrated and seeded exactly as production is, dropped afterwards.
//
//   const t = await createTestDatabase();   // t.url, t.db (Prisma client)
//   afterAll(() => t.drop());

import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPrisma, type Db } from "./client.ts";
import { adminUrl, dropDatabase, migrateDatabase } from "./migrate/index.ts";
import { ensureConfigState, seedPrices } from "./seed/index.ts";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../prisma/migrations");

export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/sluice_test";
}

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

let counter = 0;

export async function createTestDatabase(opts: { seed?: boolean; prefix?: string } = {}): Promise<TestDatabase> {
  const name = `${opts.prefix ?? "sluice_t"}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const url = adminUrl(testServerUrl(), name);
  await migrateDatabase(url, MIGRATIONS_DIR);
  const db = createPrisma(url, { max: 4 });
  await ensureConfigState(db);
  if (opts.seed !== false) await seedPrices(db);
  return {
    url,
    db,
    async drop() {
      await db.$disconnect().catch(() => {});
      await dropDatabase(url);
    },
  };
}
