// Dashboard benchmark: seed N usage events (default 10 million) and time every dashboard query.
//
//   pnpm exec tsx scripts/bench-dashboards.ts                       # creates database sluice_bench, seeds 10M, times
//   pnpm exec tsx scripts/bench-dashboards.ts --events 1000000      # smaller run while developing
//   DATABASE_URL=postgresql://.../mydb pnpm exec tsx scripts/bench-dashboards.ts --reuse   # time an already seeded DB
//
// Options: --events N, --reuse (skip seeding when the database already holds events), --drop (drop the created bench
// database afterwards), --runs N (timed runs per query, default 7), --limit-ms N (default 200).
//
// Seeding happens inside PostgreSQL (INSERT ... SELECT FROM generate_series in chunks of 50k rows, each chunk a
// contiguous slice of the 90 days, like the gateway's batches arriving over time) with skewed, realistic
// distributions: 50 teams, 500 consumers (applications) owned by 200 developers, 2000 keys whose traffic follows a
// power law, 30 models on 8 providers (each key mostly uses one or two models), 10 routes (an app uses one or two), ~3% errors, ~10% cache
// hits, a daily traffic cycle. The statement-level trigger maintains the rollups while seeding, exactly as in
// production. Then VACUUM ANALYZE, and every dashboard query is timed through the same functions the web app calls
// (zod parsing, planning and Prisma included). Exits 1 when any query's slowest run exceeds the limit.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportUsageCsv } from "../packages/db/src/analytics/csv.ts";
import { createPrisma, type Db } from "../packages/db/src/client.ts";
import { adminUrl, migrateDatabase } from "../packages/db/src/migrate/index.ts";
import {
  getPortalUsageOverTime,
  getPortalUsageTotals,
  listPortalRecentErrors,
  listPortalRecentRequests,
} from "../packages/db/src/queries/portal-usage.ts";
import {
  getCacheSavings,
  getChargebackReport,
  getSpendOverTime,
  getUsageTotals,
  listTopSpenders,
  listUsageEvents,
} from "../packages/db/src/queries/usage.ts";
import { getBudgetBurnDown, listBudgetStatuses, listPortalBudgets } from "../packages/db/src/queries/usage-budgets.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

const EVENTS = option("events", 10_000_000);
const RUNS = option("runs", 7);
const LIMIT_MS = option("limit-ms", 200);
const CHUNK = 50_000;
const KEEP_RATIO = 0.55 + 0.45 * (2 / Math.PI);
const DAYS = 90;
const TEAMS = 50;
const CONSUMERS = 500;
const KEYS = 2000;
const MODELS = 30;
const PROVIDERS = 8;
const ROUTES = 10;
const DEVELOPERS = 200;

const ms = (t: number) => `${t.toFixed(1)}`;

async function seedDimensions(db: Db): Promise<void> {
  await db.$executeRaw`
    INSERT INTO teams (id, name, slug, "updatedAt")
    SELECT 'team_b' || lpad(t::text, 4, '0'), 'Team ' || t, 'team-' || t, now() FROM generate_series(0, ${TEAMS - 1}) t
    ON CONFLICT DO NOTHING`;
  await db.$executeRaw`
    INSERT INTO users (id, email, roles, "teamId", "updatedAt")
    SELECT 'usr_b' || lpad(u::text, 4, '0'), 'dev' || u || '@bench.example', ARRAY['DEVELOPER']::"Role"[],
           'team_b' || lpad((u % ${TEAMS})::text, 4, '0'), now()
    FROM generate_series(0, ${DEVELOPERS - 1}) u ON CONFLICT DO NOTHING`;
  await db.$executeRaw`
    INSERT INTO consumers (id, name, "teamId", "ownerUserId", "updatedAt")
    SELECT 'cons_b' || lpad(c::text, 4, '0'), 'App ' || c, 'team_b' || lpad((c % ${TEAMS})::text, 4, '0'),
           'usr_b' || lpad((c % ${DEVELOPERS})::text, 4, '0'), now()
    FROM generate_series(0, ${CONSUMERS - 1}) c ON CONFLICT DO NOTHING`;
  await db.$executeRaw`
    INSERT INTO api_keys (id, "consumerId", name, hash, start, "updatedAt")
    SELECT 'key_b' || lpad(k::text, 4, '0'), 'cons_b' || lpad((k / 4)::text, 4, '0'), 'Key ' || k, 'benchhash' || k,
           'sk-sluice-' || k, now()
    FROM generate_series(0, ${KEYS - 1}) k ON CONFLICT DO NOTHING`;
  await db.$executeRaw`
    INSERT INTO providers (id, name, kind, "updatedAt")
    SELECT 'prov_b' || p, 'Provider ' || p, (ARRAY['openai','anthropic','gemini','bedrock','mistral','cohere','azure','vertex'])[p + 1]::"ProviderKind", now()
    FROM generate_series(0, ${PROVIDERS - 1}) p ON CONFLICT DO NOTHING`;
  await db.$executeRaw`
    INSERT INTO routes (id, name, paths, "updatedAt")
    SELECT 'rt_b' || r, 'route-' || r, ARRAY['/r' || r || '/v1'], now() FROM generate_series(0, ${ROUTES - 1}) r
    ON CONFLICT DO NOTHING`;
  // budgets: monthly cost per team, a few global/route ones, and some per consumer and per key
  await db.$executeRaw`
    INSERT INTO budgets (id, name, scope, "teamId", "limit", period, "updatedAt")
    SELECT 'bud_bt' || t, 'Team ' || t || ' monthly', 'TEAM', 'team_b' || lpad(t::text, 4, '0'), 2000, 'MONTH', now()
    FROM generate_series(0, ${TEAMS - 1}) t ON CONFLICT DO NOTHING`;
  await db.$executeRaw`
    INSERT INTO budgets (id, name, scope, "routeId", "consumerId", "apiKeyId", metric, "limit", period, timezone, "updatedAt") VALUES
      ('bud_g1', 'Company monthly', 'GLOBAL', NULL, NULL, NULL, 'COST', 50000, 'MONTH', 'UTC', now()),
      ('bud_g2', 'Company weekly', 'GLOBAL', NULL, NULL, NULL, 'COST', 12000, 'WEEK', 'Europe/Berlin', now()),
      ('bud_g3', 'Company all time tokens', 'GLOBAL', NULL, NULL, NULL, 'TOKENS', 1e12, 'TOTAL', 'UTC', now()),
      ('bud_r1', 'Route 0 daily', 'ROUTE', 'rt_b0', NULL, NULL, 'COST', 300, 'DAY', 'America/New_York', now()),
      ('bud_c0', 'App 0 monthly', 'CONSUMER', NULL, 'cons_b0000', NULL, 'COST', 800, 'MONTH', 'UTC', now()),
      ('bud_c1', 'App 1 monthly', 'CONSUMER', NULL, 'cons_b0001', NULL, 'COST', 800, 'MONTH', 'UTC', now()),
      ('bud_c200', 'App 200 monthly', 'CONSUMER', NULL, 'cons_b0200', NULL, 'COST', 100, 'MONTH', 'UTC', now()),
      ('bud_k0', 'Key 0 daily tokens', 'KEY', NULL, NULL, 'key_b0000', 'TOKENS', 5e7, 'DAY', 'UTC', now()),
      ('bud_k1', 'Key 1 weekly', 'KEY', NULL, NULL, 'key_b0001', 'COST', 150, 'WEEK', 'UTC', now())
    ON CONFLICT DO NOTHING`;
}

/**
 * One chunk of events in [sliceStart, sliceStart + sliceMs). Key popularity follows a power law (key k has weight
 * ~ 1/(k+1)^0.6 in rank), each key has a primary model (70%), a secondary (25%) and occasionally any model; provider
 * and route follow the model and the key. Hours of the day are weighted by a daily cycle.
 */
async function insertChunk(db: Db, offset: number, n: number, sliceStart: Date, sliceMs: number): Promise<number> {
  return db.$executeRaw`
    INSERT INTO usage_events (id, "requestId", ts, "nodeId", "consumerId", "apiKeyId", "teamId", "routeId", "providerId", "providerKind",
      model, "upstreamModel", status, "upstreamStatus", "errorType", "errorCode", stream, "promptTokens", "completionTokens",
      "cachedTokens", "reasoningTokens", "totalTokens", cost, "savedCost", "latencyMs", "cacheStatus")
    SELECT 'use_b' || (${offset}::bigint + g), 'req_b' || (${offset}::bigint + g), ts, 'node-' || (g % 3),
           CASE WHEN unauth THEN NULL ELSE 'cons_b' || lpad((k / 4)::text, 4, '0') END,
           CASE WHEN unauth THEN NULL ELSE 'key_b' || lpad(k::text, 4, '0') END,
           CASE WHEN unauth THEN NULL ELSE 'team_b' || lpad(((k / 4) % ${TEAMS})::text, 4, '0') END,
           'rt_b' || CASE WHEN r3 < 0.85 THEN k % ${ROUTES} ELSE (k + 1) % ${ROUTES} END,
           'prov_b' || (m % ${PROVIDERS}), 'openai', 'model-' || lpad(m::text, 2, '0'), 'model-' || lpad(m::text, 2, '0'),
           status, CASE WHEN status >= 500 THEN 502 END,
           CASE WHEN status >= 500 THEN 'provider'::"ErrorType" WHEN status = 429 THEN 'policy'::"ErrorType"
                WHEN status >= 400 THEN 'caller'::"ErrorType" END,
           CASE WHEN status >= 400 THEN 'e' || status END, r4 < 0.6,
           pt, ct, CASE WHEN hit THEN pt ELSE (pt * r4 * 0.3)::int END, (ct * r4 * 0.1)::int, pt + ct,
           CASE WHEN hit OR status >= 400 THEN 0 ELSE round((pt * (0.10 + m * 0.35) + ct * (0.40 + m * 1.40)) / 1000000.0, 12) END,
           CASE WHEN hit THEN round((pt * (0.10 + m * 0.35) + ct * (0.40 + m * 1.40)) / 1000000.0, 12) ELSE 0 END,
           CASE WHEN hit THEN 5 + (r4 * 20)::int ELSE 200 + (r4 * r4 * 6000)::int END,
           CASE WHEN hit THEN 'hit'::"CacheStatus" ELSE 'miss'::"CacheStatus" END
    FROM (
      SELECT g, k, unauth, r3, r4, hit, ts,
             CASE WHEN r2 < 0.70 THEN (k * 7) % ${MODELS} WHEN r2 < 0.95 THEN (k * 13 + 5) % ${MODELS}
                  ELSE floor(r2 * 1000)::int % ${MODELS} END AS m,
             CASE WHEN unauth THEN 401 WHEN r5 < 0.012 THEN 429 WHEN r5 < 0.022 THEN 500 WHEN r5 < 0.03 THEN 400 ELSE 200 END AS status,
             200 + floor(r6 * r6 * 4000)::int AS pt, 20 + floor(r4 * r4 * 1200)::int AS ct
      FROM (
        SELECT g, least(floor(${KEYS} * power(random(), 2.5))::int, ${KEYS - 1}) AS k, random() < 0.005 AS unauth,
               random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() < 0.10 AS hit,
               ${sliceStart}::timestamptz + (${sliceMs}::float8 * (g - 1 + random()) / ${n}) * interval '1 millisecond' AS ts
        FROM generate_series(1, ${n}) AS g
      ) a
    ) b
    -- a daily cycle: keeps ~55% of the night's rows and all of the early afternoon's (UTC), ~84% overall
    WHERE random() < 0.55 + 0.45 * sin(pi() * extract(hour FROM ts AT TIME ZONE 'UTC') / 24)`;
}

async function seed(db: Db, end: Date): Promise<void> {
  const start = new Date(end.getTime() - DAYS * 86_400_000);
  await seedDimensions(db);
  const chunks = Math.ceil(EVENTS / CHUNK);
  const sliceMs = (end.getTime() - start.getTime()) / chunks;
  const t0 = performance.now();
  let inserted = 0;
  for (let c = 0; c < chunks; c++) {
    // the daily-cycle filter keeps ~84% of generated rows: generate enough to land near the target
    const want = Math.min(CHUNK, EVENTS - inserted);
    if (want <= 0) break;
    const generate = Math.ceil(want / KEEP_RATIO);
    inserted += await insertChunk(db, c * 100_000 + 1, generate, new Date(start.getTime() + c * sliceMs), sliceMs);
    if (c % 20 === 0 || c === chunks - 1) {
      const s = (performance.now() - t0) / 1000;
      console.log(`  ${inserted.toLocaleString()} events in ${s.toFixed(0)} s (${Math.round(inserted / s).toLocaleString()}/s)`);
    }
  }
}

interface Timing {
  name: string;
  p50: number;
  max: number;
  rows: number;
}

async function time(name: string, fn: () => Promise<number>): Promise<Timing> {
  const rows = await fn(); // warm-up (plans, caches)
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { name, p50: samples[Math.floor(samples.length / 2)] as number, max: samples.at(-1) as number, rows };
}

async function main(): Promise<number> {
  const serverUrl =
    process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres";
  const url = process.env.DATABASE_URL ?? adminUrl(serverUrl, "sluice_bench");
  console.log(`bench database: ${new URL(url).pathname.slice(1)}`);
  await migrateDatabase(url, path.join(root, "prisma", "migrations"));
  const db = createPrisma(url, { max: 4 });
  try {
    const existing = await db.usageEvent.count();
    const endHour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    let end = new Date(endHour);
    if (existing > 0 && flag("reuse")) {
      const last = await db.usageEvent.aggregate({ _max: { ts: true } });
      end = new Date(Math.ceil((last._max.ts?.getTime() ?? endHour) / 3_600_000) * 3_600_000);
      console.log(`reusing ${existing.toLocaleString()} events`);
    } else {
      if (existing > 0) throw new Error("the bench database already holds events: pass --reuse, or drop it");
      console.log(`seeding ${EVENTS.toLocaleString()} events over ${DAYS} days ...`);
      const t0 = performance.now();
      await seed(db, end);
      console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s; VACUUM ANALYZE ...`);
      const t1 = performance.now();
      await db.$executeRawUnsafe("VACUUM ANALYZE usage_events");
      await db.$executeRawUnsafe("VACUUM ANALYZE usage_rollups");
      await db.$executeRawUnsafe("VACUUM ANALYZE usage_rollups_daily");
      await db.$executeRawUnsafe("VACUUM ANALYZE usage_slices_hourly");
      await db.$executeRawUnsafe("VACUUM ANALYZE usage_slices_daily");
      await db.$executeRawUnsafe("VACUUM ANALYZE budgets");
      console.log(`vacuum analyze: ${((performance.now() - t1) / 1000).toFixed(0)} s`);
    }
    const [sizes] = await db.$queryRaw<Array<{ events: bigint; hourly: bigint; daily: bigint }>>`
      SELECT (SELECT count(*) FROM usage_events) AS events, (SELECT count(*) FROM usage_rollups) AS hourly,
             (SELECT count(*) FROM usage_rollups_daily) AS daily`;
    console.log(
      `usage_events ${sizes?.events.toLocaleString()} rows, usage_rollups ${sizes?.hourly.toLocaleString()} rows, usage_rollups_daily ${sizes?.daily.toLocaleString()} rows`,
    );

    const day = 86_400_000;
    const last30 = { from: new Date(end.getTime() - 30 * day), to: end };
    const last90 = { from: new Date(end.getTime() - DAYS * day), to: end };
    const last7 = { from: new Date(end.getTime() - 7 * day), to: end };
    const unaligned = { from: new Date(end.getTime() - 30 * day + 1_234_567), to: new Date(end.getTime() - 2_345_678) };
    const heavyTeam = "team_b0000";
    const heavyDev = "usr_b0000"; // owns cons_b0000 (the most popular keys), cons_b0200, cons_b0400
    const n = <T>(xs: T[]) => xs.length;
    const queries: Array<[string, () => Promise<number>]> = [
      ["totals, last 30 days", async () => (await getUsageTotals(last30, db)).requests && 1],
      ["totals, 90 days", async () => (await getUsageTotals(last90, db)).requests && 1],
      ["totals, unaligned 30 days (raw edge hours)", async () => (await getUsageTotals(unaligned, db)).requests && 1],
      ["totals, 90 days, one team", async () => (await getUsageTotals({ ...last90, teamIds: [heavyTeam] }, db)).requests && 1],
      ["spend/day UTC 90d", async () => n((await getSpendOverTime({ filter: last90, bucket: "day" }, db)).points)],
      [
        "spend/day UTC 90d by team (top 10)",
        async () => n((await getSpendOverTime({ filter: last90, bucket: "day", groupBy: "team" }, db)).points),
      ],
      [
        "spend/day UTC 90d by key (top 10)",
        async () => n((await getSpendOverTime({ filter: last90, bucket: "day", groupBy: "key" }, db)).points),
      ],
      [
        "spend/day UTC 30d by model (top 30)",
        async () => n((await getSpendOverTime({ filter: last30, bucket: "day", groupBy: "model", topGroups: 30 }, db)).points),
      ],
      [
        "spend/week Europe/Berlin 90d by provider",
        async () =>
          n(
            (await getSpendOverTime({ filter: last90, bucket: "week", timeZone: "Europe/Berlin", groupBy: "provider" }, db))
              .points,
          ),
      ],
      [
        "spend/month America/New_York 90d by route",
        async () =>
          n(
            (await getSpendOverTime({ filter: last90, bucket: "month", timeZone: "America/New_York", groupBy: "route" }, db))
              .points,
          ),
      ],
      [
        "spend/day America/New_York 7d by team",
        async () =>
          n((await getSpendOverTime({ filter: last7, bucket: "day", timeZone: "America/New_York", groupBy: "team" }, db)).points),
      ],
      [
        "spend/day 90d team filter by consumer",
        async () =>
          n(
            (await getSpendOverTime({ filter: { ...last90, teamIds: [heavyTeam] }, bucket: "day", groupBy: "consumer" }, db))
              .points,
          ),
      ],
      [
        "spend/day 30d model filter by key",
        async () =>
          n((await getSpendOverTime({ filter: { ...last30, models: ["model-07"] }, bucket: "day", groupBy: "key" }, db)).points),
      ],
      [
        "spend/hour last 24h by model",
        async () =>
          n(
            (
              await getSpendOverTime(
                { filter: { from: new Date(end.getTime() - day), to: end }, bucket: "hour", groupBy: "model" },
                db,
              )
            ).points,
          ),
      ],
      ["top teams 30d", async () => n(await listTopSpenders({ filter: last30, by: "team" }, db))],
      ["top consumers 90d", async () => n(await listTopSpenders({ filter: last90, by: "consumer", limit: 20 }, db))],
      ["top keys 30d", async () => n(await listTopSpenders({ filter: last30, by: "key", limit: 20 }, db))],
      ["top models 90d", async () => n(await listTopSpenders({ filter: last90, by: "model", limit: 30 }, db))],
      ["cache savings/week 90d", async () => n((await getCacheSavings({ filter: last90, bucket: "week" }, db)).points)],
      ["chargeback 90d by month", async () => n(await getChargebackReport({ ...last90, timeZone: "UTC" }, db))],
      ["budget statuses (all)", async () => n(await listBudgetStatuses({ now: end }, db))],
      ["budget burn-down (team monthly)", async () => n((await getBudgetBurnDown("bud_bt0", { now: end }, db))?.points ?? [])],
      ["budget burn-down (global monthly)", async () => n((await getBudgetBurnDown("bud_g1", { now: end }, db))?.points ?? [])],
      [
        "drill-down events, one team, page 1",
        async () => n((await listUsageEvents({ filter: { ...last30, teamIds: [heavyTeam] }, limit: 100 }, db)).events),
      ],
      [
        "drill-down errors, one key, page 1",
        async () =>
          n(
            (await listUsageEvents({ filter: { ...last30, apiKeyIds: ["key_b0001"] }, errorsOnly: true, limit: 100 }, db)).events,
          ),
      ],
      [
        "portal: usage/day 30d by key",
        async () => n((await getPortalUsageOverTime(heavyDev, { filter: last30, bucket: "day", groupBy: "key" }, db)).points),
      ],
      [
        "portal: usage/day 90d by model",
        async () => n((await getPortalUsageOverTime(heavyDev, { filter: last90, bucket: "day", groupBy: "model" }, db)).points),
      ],
      ["portal: totals 30d", async () => (await getPortalUsageTotals(heavyDev, last30, db)).requests && 1],
      ["portal: recent errors", async () => n((await listPortalRecentErrors(heavyDev, { limit: 50 }, db, end)).events)],
      ["portal: recent requests", async () => n((await listPortalRecentRequests(heavyDev, { limit: 50 }, db, end)).events)],
      ["portal: budgets", async () => n(await listPortalBudgets(heavyDev, { now: end }, db))],
      [
        "csv: chargeback (streamed)",
        async () => {
          let lines = 0;
          for await (const chunk of exportUsageCsv({ view: "chargeback", input: { ...last90, timeZone: "UTC" } }, db)) {
            lines += chunk.split("\r\n").length - 1;
          }
          return lines;
        },
      ],
    ];

    const results: Timing[] = [];
    for (const [name, fn] of queries) results.push(await time(name, fn));
    const width = Math.max(...results.map((r) => r.name.length));
    console.log(`\n| ${"query".padEnd(width)} | p50 ms | max ms | rows |`);
    console.log(`|${"-".repeat(width + 2)}|-------:|-------:|-----:|`);
    for (const r of results) {
      const mark = r.max > LIMIT_MS ? " !" : "";
      console.log(
        `| ${r.name.padEnd(width)} | ${ms(r.p50).padStart(6)} | ${ms(r.max).padStart(6)} | ${String(r.rows).padStart(4)} |${mark}`,
      );
    }
    const slow = results.filter((r) => r.max > LIMIT_MS);
    console.log(
      slow.length
        ? `\n${slow.length} of ${results.length} queries exceeded ${LIMIT_MS} ms (slowest run of ${RUNS})`
        : `\nall ${results.length} queries answered within ${LIMIT_MS} ms (slowest of ${RUNS} runs each, after one warm-up)`,
    );
    console.log(`${results.length - slow.length} passed, ${slow.length} failed`);
    return slow.length ? 1 : 0;
  } finally {
    await db.$disconnect();
    if (flag("drop") && !process.env.DATABASE_URL) {
      const { dropDatabase } = await import("../packages/db/src/migrate/index.ts");
      await dropDatabase(url);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`bench-dashboards: ${err.message}`);
    process.exit(1);
  },
);
