// Server-only entry of @sluice/db: the Prisma client, named queries, and crypto helpers. Browser code imports
// "@sluice/db/schemas" instead.

export { createPrisma, type Db, getDb, SECRET_OMIT } from "./client.ts";
export * from "./config-version.ts";
export * from "./generated/prisma/client.ts";
export { Prisma } from "./generated/prisma/client.ts";
export * from "./ids.ts";
