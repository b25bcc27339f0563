// Server-only entry of @sluice/db: the Prisma client, named queries, and crypto helpers. Browser code imports
// "@sluice/db/schemas" instead.

export * from "./analytics/csv.ts";
export * from "./analytics/filters.ts";
export type { UsageMeasures } from "./analytics/source.ts";
export { createPrisma, type Db, getDb, SECRET_OMIT } from "./client.ts";
export * from "./config/index.ts";
export * from "./config-version.ts";
export * from "./generated/prisma/client.ts";
export { Prisma } from "./generated/prisma/client.ts";
export * from "./ids.ts";
export * from "./password.ts";
export * from "./queries/finance.ts";
export * from "./queries/gateway.ts";
export * from "./queries/portal.ts";
export * from "./queries/portal-usage.ts";
export * from "./queries/usage.ts";
export * from "./queries/usage-budgets.ts";
export * from "./queries/users.ts";
