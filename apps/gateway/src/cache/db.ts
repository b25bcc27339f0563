// The cache's door to PostgreSQL: the named queries live in packages/db (src/cache-store.ts).
export * from "@sluice/db/cache-store";
