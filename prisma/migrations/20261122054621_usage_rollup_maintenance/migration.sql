-- CreateTable
CREATE TABLE "usage_rollups_daily" (
    "day" TIMESTAMPTZ(3) NOT NULL,
    "teamId" TEXT NOT NULL DEFAULT '',
    "consumerId" TEXT NOT NULL DEFAULT '',
    "apiKeyId" TEXT NOT NULL DEFAULT '',
    "routeId" TEXT NOT NULL DEFAULT '',
    "providerId" TEXT NOT NULL DEFAULT '',
    "model" TEXT NOT NULL DEFAULT '',
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "cacheHits" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" BIGINT NOT NULL DEFAULT 0,
    "completionTokens" BIGINT NOT NULL DEFAULT 0,
    "cachedTokens" BIGINT NOT NULL DEFAULT 0,
    "reasoningTokens" BIGINT NOT NULL DEFAULT 0,
    "cost" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "savedCost" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "latencyMsSum" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "usage_rollups_daily_pkey" PRIMARY KEY ("day","teamId","consumerId","apiKeyId","routeId","providerId","model")
);

-- CreateTable
CREATE TABLE "usage_slices_hourly" (
    "dims" SMALLINT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "teamId" TEXT NOT NULL DEFAULT '*',
    "consumerId" TEXT NOT NULL DEFAULT '*',
    "apiKeyId" TEXT NOT NULL DEFAULT '*',
    "routeId" TEXT NOT NULL DEFAULT '*',
    "providerId" TEXT NOT NULL DEFAULT '*',
    "model" TEXT NOT NULL DEFAULT '*',
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "cacheHits" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" BIGINT NOT NULL DEFAULT 0,
    "completionTokens" BIGINT NOT NULL DEFAULT 0,
    "cachedTokens" BIGINT NOT NULL DEFAULT 0,
    "reasoningTokens" BIGINT NOT NULL DEFAULT 0,
    "cost" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "savedCost" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "latencyMsSum" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "usage_slices_hourly_pkey" PRIMARY KEY ("dims","hour","teamId","consumerId","apiKeyId","routeId","providerId","model")
);

-- CreateTable
CREATE TABLE "usage_slices_daily" (
    "dims" SMALLINT NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "teamId" TEXT NOT NULL DEFAULT '*',
    "consumerId" TEXT NOT NULL DEFAULT '*',
    "apiKeyId" TEXT NOT NULL DEFAULT '*',
    "routeId" TEXT NOT NULL DEFAULT '*',
    "providerId" TEXT NOT NULL DEFAULT '*',
    "model" TEXT NOT NULL DEFAULT '*',
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "cacheHits" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" BIGINT NOT NULL DEFAULT 0,
    "completionTokens" BIGINT NOT NULL DEFAULT 0,
    "cachedTokens" BIGINT NOT NULL DEFAULT 0,
    "reasoningTokens" BIGINT NOT NULL DEFAULT 0,
    "cost" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "savedCost" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "latencyMsSum" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "usage_slices_daily_pkey" PRIMARY KEY ("dims","day","teamId","consumerId","apiKeyId","routeId","providerId","model")
);

-- CreateIndex
CREATE INDEX "usage_rollups_daily_teamId_day_idx" ON "usage_rollups_daily"("teamId", "day");

-- CreateIndex
CREATE INDEX "usage_rollups_daily_consumerId_day_idx" ON "usage_rollups_daily"("consumerId", "day");

-- CreateIndex
CREATE INDEX "usage_rollups_daily_apiKeyId_day_idx" ON "usage_rollups_daily"("apiKeyId", "day");

-- CreateIndex
CREATE INDEX "usage_rollups_daily_routeId_day_idx" ON "usage_rollups_daily"("routeId", "day");

-- CreateIndex
CREATE INDEX "usage_rollups_daily_model_day_idx" ON "usage_rollups_daily"("model", "day");

-- CreateIndex
CREATE INDEX "usage_rollups_apiKeyId_hour_idx" ON "usage_rollups"("apiKeyId", "hour");

-- CreateIndex
CREATE INDEX "usage_rollups_routeId_hour_idx" ON "usage_rollups"("routeId", "hour");

-- CreateIndex
CREATE INDEX "usage_rollups_model_hour_idx" ON "usage_rollups"("model", "hour");

-- ─── rollup maintenance (hand-written) ──────────────────────────────────────────────────────────────────────────
-- usage_rollups (hour), usage_rollups_daily (UTC day) and their dimension slices usage_slices_hourly / usage_slices_daily
-- (grouping sets of the same aggregates, see the UsageSliceHourly model) are maintained by statement-level triggers on usage_events,
-- so no writer can bypass them: every INSERT statement (the gateway's createMany batch) is aggregated once from its
-- transition table and added to the rollup rows with INSERT ... ON CONFLICT DO UPDATE (counts and sums are added, so
-- late events land in their own hour and day, and two concurrent batches touching the same row serialize on its row
-- lock instead of losing an update). Rows are upserted in key order, so concurrent batches take row locks in the same
-- order. Rows skipped by ON CONFLICT DO NOTHING (a retried batch) are not in the transition table and are not counted.
-- UPDATE subtracts the old rows and adds the new ones. DELETE is not propagated on purpose: retention may purge old
-- events while their rollups stay, and usage_rollups_rebuild() is the repair tool.
--
-- The aggregation is written once, in usage_rollups_merge_sql(), and used by the triggers and by the rebuild.
-- (A data-modifying CTE runs exactly once whether or not it is referenced, so the CTEs need no RETURNING.)
-- Slices kept (dims bitmask: team 32, consumer 16, key 8, route 4, provider 2, model 1): 0, 2, 4, 3, 32, 36, 7, 35, 48
-- hourly and daily, and 56 (team + consumer + key) daily only. packages/db/src/analytics/source.ts lists the same.
-- No semicolon may appear inside a statement or a comment here: the migration runner (the pg driver adapter of the WASM schema
-- engine) splits scripts on every semicolon, so the PL/pgSQL bodies are E'' strings that spell it \073.
-- Definitions: dimensions use '' for NULL, errors = status >= 400 or an error type, cache hits = exact or semantic hit,
-- hours and days are UTC.

CREATE FUNCTION usage_rollups_merge_sql(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
WITH batch AS (
  SELECT date_trunc('hour', e.ts, 'UTC') AS hour,
         coalesce(e."teamId", '') AS "teamId", coalesce(e."consumerId", '') AS "consumerId",
         coalesce(e."apiKeyId", '') AS "apiKeyId", coalesce(e."routeId", '') AS "routeId",
         coalesce(e."providerId", '') AS "providerId", coalesce(e.model, '') AS model,
         sum(e.sign)::int AS requests,
         coalesce(sum(e.sign) FILTER (WHERE e.status >= 400 OR e."errorType" IS NOT NULL), 0)::int AS errors,
         coalesce(sum(e.sign) FILTER (WHERE e."cacheStatus" IN ('hit', 'semantic_hit')), 0)::int AS "cacheHits",
         sum(e.sign * e."promptTokens"::bigint) AS "promptTokens",
         sum(e.sign * e."completionTokens"::bigint) AS "completionTokens",
         sum(e.sign * e."cachedTokens"::bigint) AS "cachedTokens",
         sum(e.sign * e."reasoningTokens"::bigint) AS "reasoningTokens",
         sum(e.sign * e.cost) AS cost,
         sum(e.sign * e."savedCost") AS "savedCost",
         sum(e.sign * e."latencyMs"::bigint) AS "latencyMsSum"
  FROM (%s) e
  GROUP BY 1, 2, 3, 4, 5, 6, 7
), hourly AS (
  INSERT INTO usage_rollups AS r (hour, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model, requests, errors, "cacheHits", "promptTokens", "completionTokens", "cachedTokens", "reasoningTokens", cost, "savedCost", "latencyMsSum", "updatedAt")
  SELECT b.*, now() FROM batch b
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (hour, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model) DO UPDATE SET
    requests = r.requests + EXCLUDED.requests,
    errors = r.errors + EXCLUDED.errors,
    "cacheHits" = r."cacheHits" + EXCLUDED."cacheHits",
    "promptTokens" = r."promptTokens" + EXCLUDED."promptTokens",
    "completionTokens" = r."completionTokens" + EXCLUDED."completionTokens",
    "cachedTokens" = r."cachedTokens" + EXCLUDED."cachedTokens",
    "reasoningTokens" = r."reasoningTokens" + EXCLUDED."reasoningTokens",
    cost = r.cost + EXCLUDED.cost,
    "savedCost" = r."savedCost" + EXCLUDED."savedCost",
    "latencyMsSum" = r."latencyMsSum" + EXCLUDED."latencyMsSum",
    "updatedAt" = EXCLUDED."updatedAt"
), daily AS (
  INSERT INTO usage_rollups_daily AS r (day, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model, requests, errors, "cacheHits", "promptTokens", "completionTokens", "cachedTokens", "reasoningTokens", cost, "savedCost", "latencyMsSum", "updatedAt")
  SELECT date_trunc('day', b.hour, 'UTC'), b."teamId", b."consumerId", b."apiKeyId", b."routeId", b."providerId", b.model, sum(b.requests)::int, sum(b.errors)::int, sum(b."cacheHits")::int, sum(b."promptTokens"), sum(b."completionTokens"), sum(b."cachedTokens"), sum(b."reasoningTokens"), sum(b.cost), sum(b."savedCost"), sum(b."latencyMsSum"), now()
  FROM batch b
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (day, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model) DO UPDATE SET
    requests = r.requests + EXCLUDED.requests,
    errors = r.errors + EXCLUDED.errors,
    "cacheHits" = r."cacheHits" + EXCLUDED."cacheHits",
    "promptTokens" = r."promptTokens" + EXCLUDED."promptTokens",
    "completionTokens" = r."completionTokens" + EXCLUDED."completionTokens",
    "cachedTokens" = r."cachedTokens" + EXCLUDED."cachedTokens",
    "reasoningTokens" = r."reasoningTokens" + EXCLUDED."reasoningTokens",
    cost = r.cost + EXCLUDED.cost,
    "savedCost" = r."savedCost" + EXCLUDED."savedCost",
    "latencyMsSum" = r."latencyMsSum" + EXCLUDED."latencyMsSum",
    "updatedAt" = EXCLUDED."updatedAt"
), slices AS (
  SELECT (63 - GROUPING(b."teamId", b."consumerId", b."apiKeyId", b."routeId", b."providerId", b.model))::smallint AS dims, b.hour,
         coalesce(b."teamId", '*') AS "teamId", coalesce(b."consumerId", '*') AS "consumerId", coalesce(b."apiKeyId", '*') AS "apiKeyId", coalesce(b."routeId", '*') AS "routeId", coalesce(b."providerId", '*') AS "providerId", coalesce(b.model, '*') AS model,
         sum(b.requests)::int AS requests, sum(b.errors)::int AS errors, sum(b."cacheHits")::int AS "cacheHits", sum(b."promptTokens") AS "promptTokens", sum(b."completionTokens") AS "completionTokens", sum(b."cachedTokens") AS "cachedTokens", sum(b."reasoningTokens") AS "reasoningTokens", sum(b.cost) AS cost, sum(b."savedCost") AS "savedCost", sum(b."latencyMsSum") AS "latencyMsSum"
  FROM batch b
  GROUP BY b.hour, GROUPING SETS ((), (b."providerId"), (b."routeId"), (b.model, b."providerId"), (b."teamId"), (b."teamId", b."routeId"), (b."routeId", b.model, b."providerId"), (b."teamId", b.model, b."providerId"), (b."teamId", b."consumerId"), (b."teamId", b."consumerId", b."apiKeyId"))
), slices_hourly AS (
  INSERT INTO usage_slices_hourly AS r (dims, hour, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model, requests, errors, "cacheHits", "promptTokens", "completionTokens", "cachedTokens", "reasoningTokens", cost, "savedCost", "latencyMsSum", "updatedAt")
  SELECT s.*, now() FROM slices s WHERE s.dims <> 56
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (dims, hour, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model) DO UPDATE SET
    requests = r.requests + EXCLUDED.requests,
    errors = r.errors + EXCLUDED.errors,
    "cacheHits" = r."cacheHits" + EXCLUDED."cacheHits",
    "promptTokens" = r."promptTokens" + EXCLUDED."promptTokens",
    "completionTokens" = r."completionTokens" + EXCLUDED."completionTokens",
    "cachedTokens" = r."cachedTokens" + EXCLUDED."cachedTokens",
    "reasoningTokens" = r."reasoningTokens" + EXCLUDED."reasoningTokens",
    cost = r.cost + EXCLUDED.cost,
    "savedCost" = r."savedCost" + EXCLUDED."savedCost",
    "latencyMsSum" = r."latencyMsSum" + EXCLUDED."latencyMsSum",
    "updatedAt" = EXCLUDED."updatedAt"
)
INSERT INTO usage_slices_daily AS r (dims, day, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model, requests, errors, "cacheHits", "promptTokens", "completionTokens", "cachedTokens", "reasoningTokens", cost, "savedCost", "latencyMsSum", "updatedAt")
SELECT s.dims, date_trunc('day', s.hour, 'UTC'), s."teamId", s."consumerId", s."apiKeyId", s."routeId", s."providerId", s.model, sum(s.requests)::int, sum(s.errors)::int, sum(s."cacheHits")::int, sum(s."promptTokens"), sum(s."completionTokens"), sum(s."cachedTokens"), sum(s."reasoningTokens"), sum(s.cost), sum(s."savedCost"), sum(s."latencyMsSum"), now()
FROM slices s
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (dims, day, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model) DO UPDATE SET
  requests = r.requests + EXCLUDED.requests,
  errors = r.errors + EXCLUDED.errors,
  "cacheHits" = r."cacheHits" + EXCLUDED."cacheHits",
  "promptTokens" = r."promptTokens" + EXCLUDED."promptTokens",
  "completionTokens" = r."completionTokens" + EXCLUDED."completionTokens",
  "cachedTokens" = r."cachedTokens" + EXCLUDED."cachedTokens",
  "reasoningTokens" = r."reasoningTokens" + EXCLUDED."reasoningTokens",
  cost = r.cost + EXCLUDED.cost,
  "savedCost" = r."savedCost" + EXCLUDED."savedCost",
  "latencyMsSum" = r."latencyMsSum" + EXCLUDED."latencyMsSum",
  "updatedAt" = EXCLUDED."updatedAt"
$q$, source)
$fn$;

CREATE FUNCTION usage_events_rollup_insert() RETURNS trigger
LANGUAGE plpgsql
AS E'
BEGIN
  EXECUTE usage_rollups_merge_sql(''SELECT n.*, 1 AS sign FROM new_rows n'')\073
  RETURN NULL\073
END
';

CREATE FUNCTION usage_events_rollup_update() RETURNS trigger
LANGUAGE plpgsql
AS E'
BEGIN
  EXECUTE usage_rollups_merge_sql(''SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o'')\073
  RETURN NULL\073
END
';

CREATE TRIGGER usage_events_rollup_insert
  AFTER INSERT ON usage_events
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION usage_events_rollup_insert();

CREATE TRIGGER usage_events_rollup_update
  AFTER UPDATE ON usage_events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION usage_events_rollup_update();

-- Repair only (never part of normal operation): recompute the rollups of the whole UTC days covering [p_from, p_to)
-- from usage_events. Takes a SHARE lock on usage_events for the rest of the transaction, so concurrent batches wait
-- (the gateway's writer buffers them) and nothing is counted twice or missed. Returns the number of events counted.
CREATE FUNCTION usage_rollups_rebuild(p_from timestamptz, p_to timestamptz) RETURNS bigint
LANGUAGE plpgsql
AS E'
DECLARE
  d_from timestamptz := date_trunc(''day'', p_from, ''UTC'')\073
  d_to timestamptz := date_trunc(''day'', p_to - interval ''1 microsecond'', ''UTC'') + interval ''1 day''\073
  counted bigint\073
BEGIN
  IF p_to <= p_from THEN
    RETURN 0\073
  END IF\073
  LOCK TABLE usage_events IN SHARE MODE\073
  DELETE FROM usage_rollups WHERE hour >= d_from AND hour < d_to\073
  DELETE FROM usage_rollups_daily WHERE day >= d_from AND day < d_to\073
  DELETE FROM usage_slices_hourly WHERE hour >= d_from AND hour < d_to\073
  DELETE FROM usage_slices_daily WHERE day >= d_from AND day < d_to\073
  EXECUTE usage_rollups_merge_sql(''SELECT e.*, 1 AS sign FROM usage_events e WHERE e.ts >= $1 AND e.ts < $2'') USING d_from, d_to\073
  SELECT count(*) INTO counted FROM usage_events WHERE ts >= d_from AND ts < d_to\073
  RETURN counted\073
END
';
