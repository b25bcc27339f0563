-- Exact response cache, PostgreSQL backend (apps/gateway/src/cache/backends/postgres.ts, queries in
-- packages/db/src/cache-store.ts). Hand-written: it lives in its own schema, outside Prisma's datamodel, so the drift
-- check of the `public` schema is unaffected. UNLOGGED: a cache needs no WAL (faster writes, emptied after a crash,
-- not replicated). Expired rows are skipped and deleted on read, and swept periodically by the gateway.

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "sluice_cache";

-- CreateTable
CREATE UNLOGGED TABLE "sluice_cache"."entries" (
    "key" TEXT NOT NULL,
    "route_id" TEXT NOT NULL,
    "partition" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entries_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "entries_route_id_idx" ON "sluice_cache"."entries"("route_id");

-- CreateIndex
CREATE INDEX "entries_partition_idx" ON "sluice_cache"."entries"("partition");

-- CreateIndex
CREATE INDEX "entries_expires_at_idx" ON "sluice_cache"."entries"("expires_at");
