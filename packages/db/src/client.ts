// The Prisma client singleton (server only). Secret columns are omitted from every query by default; code that
// truly needs a secret (the gateway's snapshot loader, credential rotation) asks for it explicitly with
// `omit: { credentialsEncrypted: false }` through a named function in ./queries.

import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export const SECRET_OMIT = {
  provider: {
    credentialsEncrypted: true,
    previousCredentialsEncrypted: true,
  },
  user: { passwordHash: true },
  userInvite: { tokenHash: true },
} as const;

export function createPrisma(connectionString = process.env.DATABASE_URL, options: { max?: number } = {}) {
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  const adapter = new PrismaPg({ connectionString, max: options.max ?? 10 });
  return new PrismaClient({ adapter, omit: SECRET_OMIT });
}

export type Db = ReturnType<typeof createPrisma>;

const globalForDb = globalThis as unknown as { __sluiceDb?: Db };

/** The process-wide client (one pool per process; reused across Next.js hot reloads). */
export function getDb(): Db {
  if (!globalForDb.__sluiceDb) globalForDb.__sluiceDb = createPrisma();
  return globalForDb.__sluiceDb;
}
