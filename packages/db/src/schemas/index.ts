// Browser-safe entry of @sluice/db: zod schemas for every JSON config shape, shared by the web app (forms, server
// actions, Admin API) and the gateway (snapshot validation). Nothing here may import Prisma or node-only modules.

export * from "./config.ts";
export * from "./declarative.ts";
export * from "./enums.ts";
export * from "./observability.ts";
export * from "./policy.ts";
export * from "./provider.ts";
export * from "./route.ts";
export * from "./safe.ts";
