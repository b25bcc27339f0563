// Usage analytics against real PostgreSQL: rollups maintained by the trigger reconcile exactly with the raw events
// (late events, NULL dimensions, concurrent batches), CSV exports round-trip, portal queries never cross owners,
// and the budget forecast matches a hand-computed case.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportUsageCsv, type UsageCsvRequest } from "../src/analytics/csv.ts";
import type { UsageFilter } from "../src/analytics/filters.ts";
import { SLICES } from "../src/analytics/source.ts";
import { createPrisma, type Db } from "../src/client.ts";
import { Prisma } from "../src/generated/prisma/client.ts";
import { newId } from "../src/ids.ts";
import { insertUsageEvents, type UsageEventInput } from "../src/queries/gateway.ts";
import {
  getPortalUsageOverTime,
  getPortalUsageTotals,
  listPortalRecentErrors,
  listPortalRecentRequests,
} from "../src/queries/portal-usage.ts";
import {
  getCacheSavings,
  getChargebackReport,
  getSpendOverTime,
  getUsageTotals,
  listTopSpenders,
  listUsageEvents,
  rebuildRollups,
} from "../src/queries/usage.ts";
import { getBudgetBurnDown, listBudgetStatuses, listPortalBudgets } from "../src/queries/usage-budgets.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

let t: TestDatabase;

// ─── fixtures ───────────────────────────────────────────────────────────────────────────────────────────────────

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const maybeNull = <T>(v: T, p = 0.1): T | null => (rand() < p ? null : v);

/** a decimal with 12 places from an integer number of 1e-12 units */
function decimal12(units: bigint): string {
  const neg = units < 0n;
  const a = neg ? -units : units;
  const s = a.toString().padStart(13, "0");
  return `${neg ? "-" : ""}${s.slice(0, -12)}.${s.slice(-12)}`;
}
/** exact value of a decimal string in 1e-12 units */
function units12(s: string): bigint {
  const neg = s.startsWith("-");
  const [i = "0", f = ""] = s.replace("-", "").split(".");
  const v = BigInt(i) * 10n ** 12n + BigInt(f.padEnd(12, "0").slice(0, 12) || "0");
  return neg ? -v : v;
}
const randomCost = () => decimal12(BigInt(Math.floor(rand() * 2e6)) * 1_000_000n + BigInt(Math.floor(rand() * 1e6)));

const RANGE_START = Date.parse("2026-01-01T00:00:00Z");
const RANGE_DAYS = 60;

interface World {
  teams: string[];
  devA: string;
  devB: string;
  consumersA: string[];
  consumersB: string[];
  consumerOther: string;
  keysByConsumer: Map<string, string[]>;
  teamOfConsumer: Map<string, string>;
}
let w: World;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet", "gemini-pro"] as const;
const ROUTES = ["rt_chat", "rt_embed"] as const;
const PROVIDERS = ["prov_openai", "prov_anthropic", "prov_gemini"] as const;

async function createWorld(db: Db): Promise<World> {
  const teams = [newId("team"), newId("team"), newId("team")];
  const names = ['Data, "Science"', "=Platform", "Growth"];
  for (const [i, id] of teams.entries()) {
    await db.team.create({ data: { id, name: names[i] as string, slug: `team-${i}` } });
  }
  const devA = newId("user");
  const devB = newId("user");
  await db.user.create({ data: { id: devA, email: "a@example.com", roles: ["DEVELOPER"] } });
  await db.user.create({ data: { id: devB, email: "b@example.com", roles: ["DEVELOPER"] } });
  const keysByConsumer = new Map<string, string[]>();
  const teamOfConsumer = new Map<string, string>();
  const makeConsumer = async (owner: string | null, team: string, name: string) => {
    const id = newId("consumer");
    await db.consumer.create({ data: { id, name, teamId: team, ownerUserId: owner } });
    const keys = [newId("key"), newId("key")];
    for (const k of keys) {
      await db.apiKey.create({ data: { id: k, consumerId: id, name: `key ${k.slice(-4)}`, hash: k, start: "sk-sluice-ab" } });
    }
    keysByConsumer.set(id, keys);
    teamOfConsumer.set(id, team);
    return id;
  };
  const consumersA = [
    await makeConsumer(devA, teams[0] as string, "A app 1"),
    await makeConsumer(devA, teams[1] as string, "A app 2"),
  ];
  const consumersB = [await makeConsumer(devB, teams[1] as string, "B app")];
  const consumerOther = await makeConsumer(null, teams[2] as string, "batch jobs");
  return { teams, devA, devB, consumersA, consumersB, consumerOther, keysByConsumer, teamOfConsumer };
}

function randomEvent(tsMs: number): UsageEventInput {
  const consumer = maybeNull(pick([...w.consumersA, ...w.consumersB, w.consumerOther]), 0.08);
  const key = consumer ? maybeNull(pick(w.keysByConsumer.get(consumer) ?? []), 0.05) : null;
  const team = consumer ? maybeNull(w.teamOfConsumer.get(consumer) ?? null, 0.05) : null;
  const r = rand();
  const status = r < 0.06 ? pick([400, 401, 429, 500, 502, 504]) : 200;
  const errorType =
    status >= 500 ? pick(["provider", "gateway"] as const) : status >= 400 ? pick(["caller", "policy"] as const) : null;
  const cacheHit = status === 200 && rand() < 0.15;
  return {
    id: newId("usage"),
    requestId: newId("request"),
    ts: new Date(tsMs),
    consumerId: consumer,
    apiKeyId: key,
    teamId: team,
    routeId: maybeNull(pick(ROUTES), 0.05),
    providerId: maybeNull(pick(PROVIDERS), 0.05),
    model: maybeNull(pick(MODELS), 0.05),
    status,
    errorType,
    errorCode: errorType ? `${errorType}_error` : null,
    promptTokens: Math.floor(rand() * 4000),
    completionTokens: Math.floor(rand() * 1000),
    cachedTokens: Math.floor(rand() * 100),
    reasoningTokens: Math.floor(rand() * 50),
    cost: cacheHit ? "0" : randomCost(),
    savedCost: cacheHit ? randomCost() : "0",
    cacheStatus: cacheHit ? "hit" : "miss",
    latencyMs: 50 + Math.floor(rand() * 3000),
  };
}

const randomTs = () => RANGE_START + Math.floor(rand() * RANGE_DAYS * 86_400_000);

// ─── raw ground truth (independent of the library's SQL) ───────────────────────────────────────────────────────

interface RawTotals {
  requests: number;
  errors: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  cost: string;
  savedCost: string;
}

function rawWhere(f: UsageFilter & { ownerUserId?: string }): Prisma.Sql {
  const preds = [Prisma.sql`ts >= ${f.from}::timestamptz AND ts < ${f.to}::timestamptz`];
  const add = (list: string[] | undefined, col: string) => {
    if (list) preds.push(Prisma.sql`coalesce(${Prisma.raw(col)}, '') = ANY(${list}::text[])`);
  };
  add(f.teamIds, '"teamId"');
  add(f.consumerIds, '"consumerId"');
  add(f.apiKeyIds, '"apiKeyId"');
  add(f.models, "model");
  add(f.providerIds, '"providerId"');
  add(f.routeIds, '"routeId"');
  if (f.ownerUserId) {
    preds.push(Prisma.sql`"consumerId" IN (SELECT id FROM consumers WHERE "ownerUserId" = ${f.ownerUserId})`);
  }
  return Prisma.join(preds, " AND ");
}

async function rawTotals(f: UsageFilter & { ownerUserId?: string }): Promise<RawTotals> {
  const [r] = await t.db.$queryRaw<RawTotals[]>`
    SELECT count(*)::int AS requests,
           (count(*) FILTER (WHERE status >= 400 OR "errorType" IS NOT NULL))::int AS errors,
           (count(*) FILTER (WHERE "cacheStatus" IN ('hit', 'semantic_hit')))::int AS "cacheHits",
           coalesce(sum("promptTokens"), 0)::int AS "promptTokens", coalesce(sum("completionTokens"), 0)::int AS "completionTokens",
           coalesce(sum(cost), 0)::numeric(30, 12)::text AS cost, coalesce(sum("savedCost"), 0)::numeric(30, 12)::text AS "savedCost"
    FROM usage_events WHERE ${rawWhere(f)}`;
  return r as RawTotals;
}

/** rows of usage_rollups that differ from a fresh aggregation of usage_events (should be none) */
async function rollupMismatches(): Promise<number> {
  const [r] = await t.db.$queryRaw<Array<{ n: number }>>`
    WITH fresh AS (
      SELECT date_trunc('hour', ts, 'UTC') AS hour, coalesce("teamId", '') AS "teamId", coalesce("consumerId", '') AS "consumerId",
             coalesce("apiKeyId", '') AS "apiKeyId", coalesce("routeId", '') AS "routeId", coalesce("providerId", '') AS "providerId",
             coalesce(model, '') AS model, count(*)::int AS requests, sum(cost) AS cost, sum("promptTokens")::bigint AS pt,
             sum("latencyMs")::bigint AS lat
      FROM usage_events GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), fresh_daily AS (
      SELECT date_trunc('day', hour, 'UTC') AS day, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model,
             sum(requests)::int AS requests, sum(cost) AS cost, sum(pt)::bigint AS pt, sum(lat)::bigint AS lat
      FROM fresh GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), h AS (SELECT * FROM usage_rollups WHERE requests <> 0), dd AS (SELECT * FROM usage_rollups_daily WHERE requests <> 0)
    SELECT ((SELECT count(*) FROM fresh f FULL JOIN h USING (hour, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model)
             WHERE f.requests IS DISTINCT FROM h.requests OR f.cost IS DISTINCT FROM h.cost OR f.pt IS DISTINCT FROM h."promptTokens"
                OR f.lat IS DISTINCT FROM h."latencyMsSum")
          + (SELECT count(*) FROM fresh_daily f FULL JOIN dd USING (day, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model)
             WHERE f.requests IS DISTINCT FROM dd.requests OR f.cost IS DISTINCT FROM dd.cost OR f.pt IS DISTINCT FROM dd."promptTokens"
                OR f.lat IS DISTINCT FROM dd."latencyMsSum"))::int AS n`;
  return (r?.n ?? -1) + (await sliceMismatches());
}

/** slice rows that differ from grouping the full rollups by the slice's dimensions (should be none) */
async function sliceMismatches(): Promise<number> {
  const dims: Array<[string, number]> = [
    ['"teamId"', 32],
    ['"consumerId"', 16],
    ['"apiKeyId"', 8],
    ['"routeId"', 4],
    ['"providerId"', 2],
    ["model", 1],
  ];
  let total = 0;
  for (const slice of SLICES) {
    for (const [grain, time, full, sliced] of [
      ["day", "day", "usage_rollups_daily", "usage_slices_daily"],
      ["hour", "hour", "usage_rollups", "usage_slices_hourly"],
    ] as const) {
      if (grain === "hour" && !slice.hourly) continue;
      const cols = dims.map(([c, bit]) => ((slice.dims & bit) !== 0 ? `${c}` : `'*'::text AS ${c}`)).join(", ");
      const groupCols = dims.filter(([, bit]) => (slice.dims & bit) !== 0).map(([c]) => c);
      const sql = `
        WITH f AS (SELECT ${time}, ${cols}, sum(requests)::int AS requests, sum(cost) AS cost, sum("promptTokens")::bigint AS pt
                   FROM ${full} WHERE requests <> 0 GROUP BY ${[time, ...groupCols].join(", ")}),
             s AS (SELECT * FROM ${sliced} WHERE dims = ${slice.dims} AND requests <> 0)
        SELECT count(*)::int AS n FROM f FULL JOIN s USING (${time}, "teamId", "consumerId", "apiKeyId", "routeId", "providerId", model)
        WHERE f.requests IS DISTINCT FROM s.requests OR f.cost IS DISTINCT FROM s.cost OR f.pt IS DISTINCT FROM s."promptTokens"`;
      const [r] = await t.db.$queryRawUnsafe<Array<{ n: number }>>(sql);
      total += r?.n ?? 1;
    }
  }
  return total;
}

/** A tiny RFC 4180 parser (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

async function collectCsv(req: UsageCsvRequest, chunkSize = 97): Promise<{ header: string[]; rows: Record<string, string>[] }> {
  let text = "";
  for await (const chunk of exportUsageCsv(req, t.db, { chunkSize })) text += chunk;
  const [header = [], ...body] = parseCsv(text);
  return { header, rows: body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]))) };
}

const sumUnits = (values: string[]) => values.reduce((a, v) => a + units12(v), 0n);

// ─── setup ──────────────────────────────────────────────────────────────────────────────────────────────────────

const BATCHES = 8;
const BATCH_SIZE = 400;

beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
  w = await createWorld(t.db);
  // batches in time order over the first 50 days, then late batches with events from anywhere in the range
  for (let b = 0; b < BATCHES; b++) {
    const lo = RANGE_START + (b * 50 * 86_400_000) / BATCHES;
    const span = (50 * 86_400_000) / BATCHES;
    const batch = Array.from({ length: BATCH_SIZE }, () => randomEvent(lo + Math.floor(rand() * span)));
    expect(await insertUsageEvents(t.db, batch)).toBe(BATCH_SIZE);
  }
  for (let b = 0; b < 3; b++) {
    const late = Array.from({ length: 300 }, () => randomEvent(randomTs()));
    await insertUsageEvents(t.db, late);
  }
}, 120_000);
afterAll(() => t?.drop());

const FROM = new Date(RANGE_START);
const TO = new Date(RANGE_START + RANGE_DAYS * 86_400_000);

describe("rollups maintained by the trigger", () => {
  it("match a fresh aggregation of the raw events exactly, row by row (hourly and daily)", async () => {
    expect(await t.db.usageEvent.count()).toBe(BATCHES * BATCH_SIZE + 900);
    expect(await rollupMismatches()).toBe(0);
  });

  it("ignore rows skipped by a retried batch (skipDuplicates) and follow updates", async () => {
    const ev = randomEvent(randomTs());
    await insertUsageEvents(t.db, [ev]);
    await insertUsageEvents(t.db, [{ ...ev, id: newId("usage") }]); // same requestId: skipped
    await t.db.usageEvent.update({ where: { requestId: ev.requestId }, data: { cost: "1.5", teamId: null } });
    expect(await rollupMismatches()).toBe(0);
  });

  it("stay exact under concurrent batches from two connections touching the same rollup rows", async () => {
    const c1 = createPrisma(t.url, { max: 2 });
    const c2 = createPrisma(t.url, { max: 2 });
    try {
      // every event lands in the same two hours and few dimension combinations: maximal contention
      const hot = Date.parse("2026-01-20T10:00:00Z");
      const hotBatch = () =>
        Array.from({ length: 150 }, () => ({ ...randomEvent(hot + Math.floor(rand() * 7_200_000)), routeId: "rt_chat" }));
      const before = await rawTotals({ from: FROM, to: TO });
      await Promise.all(
        [c1, c2].map(async (c) => {
          for (let i = 0; i < 10; i++) await insertUsageEvents(c, hotBatch());
        }),
      );
      expect(await rollupMismatches()).toBe(0);
      const after = await getUsageTotals({ from: FROM, to: TO }, t.db);
      expect(after.requests).toBe(before.requests + 2 * 10 * 150);
      expect(after.cost).toBe((await rawTotals({ from: FROM, to: TO })).cost);
    } finally {
      await c1.$disconnect();
      await c2.$disconnect();
    }
  });

  it("rebuildRollups (repair) reproduces what the trigger maintained", async () => {
    const before = await t.db.$queryRaw<Array<{ n: number; c: string }>>`
      SELECT count(*)::int AS n, sum(cost)::text AS c FROM usage_rollups WHERE requests <> 0`;
    // damage a day, then repair the whole range
    await t.db.$executeRaw`UPDATE usage_rollups SET cost = cost + 1 WHERE hour >= '2026-01-10' AND hour < '2026-01-11'`;
    await t.db.$executeRaw`DELETE FROM usage_rollups_daily WHERE day = '2026-01-12'`;
    expect(await rollupMismatches()).toBeGreaterThan(0);
    const counted = await rebuildRollups(FROM, TO, t.db);
    expect(counted).toBe(await t.db.usageEvent.count());
    expect(await rollupMismatches()).toBe(0);
    const after = await t.db.$queryRaw<Array<{ n: number; c: string }>>`
      SELECT count(*)::int AS n, sum(cost)::text AS c FROM usage_rollups WHERE requests <> 0`;
    expect(after).toEqual(before);
  });
});

describe("reconciliation: dashboard numbers equal the raw events for the same filter, exactly", () => {
  const filters = (): Array<[string, UsageFilter]> => [
    ["everything", { from: FROM, to: TO }],
    ["unaligned range", { from: new Date("2026-01-03T05:17:23.456Z"), to: new Date("2026-02-11T19:59:59.999Z") }],
    ["inside one hour", { from: new Date("2026-01-05T10:10:00Z"), to: new Date("2026-01-05T10:50:00Z") }],
    ["one team", { from: FROM, to: TO, teamIds: [w.teams[0] as string] }],
    ["no team (NULL)", { from: FROM, to: TO, teamIds: [""] }],
    ["consumer + model", { from: FROM, to: TO, consumerIds: [w.consumersA[0] as string], models: ["gpt-4o", ""] }],
    ["keys", { from: new Date("2026-01-15T12:30:00Z"), to: TO, apiKeyIds: w.keysByConsumer.get(w.consumersB[0] as string) }],
    [
      "provider + route",
      { from: FROM, to: new Date("2026-02-01T00:00:00Z"), providerIds: ["prov_openai"], routeIds: ["rt_chat"] },
    ],
  ];

  it("totals", async () => {
    for (const [name, f] of filters()) {
      const raw = await rawTotals(f);
      const got = await getUsageTotals(f, t.db);
      expect({ name, ...got }, name).toMatchObject({ name, ...raw });
    }
  });

  it("spend over time: per-bucket sums add up to the raw total in every time zone and bucket", async () => {
    for (const [name, f] of filters()) {
      const raw = await rawTotals(f);
      for (const [bucket, timeZone] of [
        ["day", "UTC"],
        ["day", "America/New_York"],
        ["week", "Europe/Berlin"],
        ["month", "Asia/Tokyo"],
      ] as const) {
        const s = await getSpendOverTime({ filter: f, bucket, timeZone, groupBy: "team", topGroups: 2 }, t.db);
        const label = `${name} ${bucket} ${timeZone}`;
        expect(decimal12(sumUnits(s.points.map((p) => p.cost))), label).toBe(raw.cost);
        expect(
          s.points.reduce((a, p) => a + p.requests, 0),
          label,
        ).toBe(raw.requests);
        for (const p of s.points)
          expect(
            s.buckets.map((b) => b.getTime()),
            label,
          ).toContain(p.bucket.getTime());
      }
    }
  });

  it("day buckets in a non-UTC time zone equal the raw events grouped by local day", async () => {
    const f: UsageFilter = { from: new Date("2026-01-01T05:00:00Z"), to: new Date("2026-03-01T05:00:00Z") };
    const s = await getSpendOverTime({ filter: f, bucket: "day", timeZone: "America/New_York" }, t.db);
    const raw = await t.db.$queryRaw<Array<{ b: Date; cost: string; n: number }>>`
      SELECT date_trunc('day', ts, 'America/New_York') AS b, sum(cost)::numeric(30, 12)::text AS cost, count(*)::int AS n
      FROM usage_events WHERE ${rawWhere(f)} GROUP BY 1 ORDER BY 1`;
    expect(s.points.map((p) => [p.bucket.toISOString(), p.cost, p.requests])).toEqual(
      raw.map((r) => [r.b.toISOString(), r.cost, r.n]),
    );
    expect(s.buckets).toHaveLength(59);
  });

  it("top spenders, cache savings and the chargeback report reconcile too", async () => {
    const f: UsageFilter = { from: FROM, to: TO };
    const raw = await rawTotals(f);
    const top = await listTopSpenders({ filter: f, by: "team", limit: 10 }, t.db);
    expect(decimal12(sumUnits(top.map((r) => r.cost)))).toBe(raw.cost);
    expect(top.map((r) => r.cost)).toEqual([...top.map((r) => r.cost)].sort((a, b) => (units12(b) > units12(a) ? 1 : -1)));
    expect(top.find((r) => r.id === w.teams[0])?.label).toBe('Data, "Science"');
    const perTeam = await rawTotals({ ...f, teamIds: [w.teams[1] as string] });
    expect(top.find((r) => r.id === w.teams[1])?.cost).toBe(perTeam.cost);

    const savings = await getCacheSavings({ filter: f, bucket: "week" }, t.db);
    expect(savings.totals.savedCost).toBe(raw.savedCost);
    expect(savings.totals.cacheHits).toBe(raw.cacheHits);
    expect(decimal12(sumUnits(savings.points.map((p) => p.savedCost)))).toBe(raw.savedCost);

    const cb = await getChargebackReport({ from: FROM, to: TO, timeZone: "UTC" }, t.db);
    expect(new Set(cb.map((r) => r.monthLabel))).toEqual(new Set(["2026-01", "2026-02", "2026-03"]));
    expect(decimal12(sumUnits(cb.map((r) => r.cost)))).toBe(raw.cost);
    const janTeam0 = cb.find((r) => r.monthLabel === "2026-01" && r.teamId === w.teams[0]);
    const rawJanTeam0 = await rawTotals({ from: FROM, to: new Date("2026-02-01T00:00:00Z"), teamIds: [w.teams[0] as string] });
    expect(janTeam0?.cost).toBe(rawJanTeam0.cost);
    expect(janTeam0?.teamName).toBe('Data, "Science"');
  });

  it("drill-down pages through raw events newest first without gaps or repeats", async () => {
    const f: UsageFilter = { from: FROM, to: TO, teamIds: [w.teams[2] as string] };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listUsageEvents({ filter: f, limit: 250, cursor }, t.db);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await rawTotals(f)).requests);
  });
});

describe("CSV export", () => {
  it("streams raw events in chunks; parsed back, the totals match", async () => {
    const f: UsageFilter = { from: new Date("2026-01-02T03:04:05Z"), to: new Date("2026-02-20T00:00:00Z") };
    const raw = await rawTotals(f);
    const { header, rows } = await collectCsv({ view: "events", input: { filter: f } });
    expect(header).toContain("cost");
    expect(rows).toHaveLength(raw.requests);
    expect(decimal12(sumUnits(rows.map((r) => r.cost as string)))).toBe(raw.cost);
    expect(rows.reduce((a, r) => a + Number(r.prompt_tokens), 0)).toBe(raw.promptTokens);
  });

  it("exports grouped views with quoted, formula-safe labels", async () => {
    const f: UsageFilter = { from: FROM, to: TO };
    const raw = await rawTotals(f);
    const series = await collectCsv(
      { view: "spend-over-time", input: { filter: f, bucket: "day", groupBy: "team", topGroups: 10 } },
      7,
    );
    expect(decimal12(sumUnits(series.rows.map((r) => r.cost as string)))).toBe(raw.cost);
    expect(series.rows.some((r) => r.label === 'Data, "Science"')).toBe(true);
    expect(series.rows.some((r) => r.label === "'=Platform")).toBe(true);
    const cb = await collectCsv({ view: "chargeback", input: { from: FROM, to: TO } });
    expect(decimal12(sumUnits(cb.rows.map((r) => r.cost as string)))).toBe(raw.cost);
  });

  it("releases its connection when the consumer stops early", async () => {
    for (let i = 0; i < 6; i++) {
      for await (const chunk of exportUsageCsv({ view: "events", input: { filter: { from: FROM, to: TO } } }, t.db, {
        chunkSize: 10,
      })) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
    }
    // the test client has 4 connections: leaked cursors would make this hang
    expect((await getUsageTotals({ from: FROM, to: TO }, t.db)).requests).toBeGreaterThan(0);
  });
});

describe("developer portal isolation", () => {
  it("totals and series cover exactly the owner's consumers", async () => {
    const f = { from: FROM, to: TO };
    for (const owner of [w.devA, w.devB]) {
      const raw = await rawTotals({ ...f, ownerUserId: owner });
      const got = await getPortalUsageTotals(owner, f, t.db);
      expect(got).toMatchObject(raw);
      const series = await getPortalUsageOverTime(owner, { filter: f, groupBy: "consumer", bucket: "week" }, t.db);
      const own = owner === w.devA ? w.consumersA : w.consumersB;
      for (const p of series.points) expect(own).toContain(p.group);
      expect(decimal12(sumUnits(series.points.map((p) => p.cost)))).toBe(raw.cost);
    }
  });

  it("naming another owner's consumer or key in a filter returns nothing", async () => {
    const f = { from: FROM, to: TO };
    const bConsumer = w.consumersB[0] as string;
    const viaConsumer = await getPortalUsageTotals(w.devA, { ...f, consumerIds: [bConsumer] }, t.db);
    expect(viaConsumer.requests).toBe(0);
    const viaKey = await getPortalUsageTotals(w.devA, { ...f, apiKeyIds: w.keysByConsumer.get(bConsumer) }, t.db);
    expect(viaKey.requests).toBe(0);
    const errs = await listPortalRecentErrors(w.devA, { consumerIds: [bConsumer], since: FROM }, t.db, TO);
    expect(errs.events).toEqual([]);
    const series = await getPortalUsageOverTime(w.devA, { filter: { ...f, consumerIds: [w.consumerOther] } }, t.db);
    expect(series.points).toEqual([]);
  });

  it("recent errors and requests: only the owner's, newest first, with error types, paginated", async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listPortalRecentErrors(w.devA, { since: FROM, limit: 40, cursor }, t.db, TO);
      for (const e of page.events) {
        expect(w.consumersA).toContain(e.consumerId);
        expect(e.status >= 400 || e.errorType !== null).toBe(true);
        all.push(e.id);
      }
      const ts = page.events.map((e) => e.ts.getTime());
      expect(ts).toEqual([...ts].sort((a, b) => b - a));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe((await rawTotals({ from: FROM, to: TO, ownerUserId: w.devA })).errors);
    const recent = await listPortalRecentRequests(w.devB, { since: FROM, limit: 5 }, t.db, TO);
    expect(recent.events).toHaveLength(5);
    for (const e of recent.events) expect(w.consumersB).toContain(e.consumerId);
  });

  it("portal CSV exports and budgets stay inside the owner", async () => {
    const { rows } = await collectCsv({ view: "portal-events", ownerUserId: w.devB, input: { since: FROM } });
    expect(rows.length).toBe((await rawTotals({ from: FROM, to: new Date(), ownerUserId: w.devB })).requests);
    for (const r of rows) expect(w.consumersB).toContain(r.consumer_id);

    const mk = (data: { consumerId?: string; apiKeyId?: string; teamId?: string }, scope: "CONSUMER" | "KEY" | "TEAM") =>
      t.db.budget.create({
        data: { id: newId("budget"), name: `b-${scope}-${Object.values(data)[0]}`, scope, limit: "10", ...data },
      });
    const a = await mk({ consumerId: w.consumersA[0] as string }, "CONSUMER");
    const aKey = await mk({ apiKeyId: w.keysByConsumer.get(w.consumersA[1] as string)?.[0] as string }, "KEY");
    const b = await mk({ consumerId: w.consumersB[0] as string }, "CONSUMER");
    await mk({ teamId: w.teams[0] as string }, "TEAM");
    const forA = await listPortalBudgets(w.devA, { now: TO }, t.db);
    expect(forA.map((x) => x.budgetId).sort()).toEqual([a.id, aKey.id].sort());
    const forB = await listPortalBudgets(w.devB, { now: TO }, t.db);
    expect(forB.map((x) => x.budgetId)).toEqual([b.id]);
    await t.db.budget.deleteMany({});
  });
});

describe("budget burn-down", () => {
  it("forecasts the period end linearly on the run rate (constructed case)", async () => {
    const team = newId("team");
    await t.db.team.create({ data: { id: team, name: "Forecast", slug: "forecast" } });
    // April 2026 (30 days, UTC): 40.000000000001 spent in the first 10 days, 4 per day
    const events: UsageEventInput[] = [];
    for (let day = 0; day < 10; day++) {
      for (const [h, cost] of [
        [3, "1.5"],
        [15, "2.5"],
      ] as const) {
        events.push({
          ...randomEvent(Date.parse("2026-04-01T00:00:00Z") + day * 86_400_000 + h * 3_600_000),
          teamId: team,
          cost,
          promptTokens: 100,
          completionTokens: 50,
        });
      }
    }
    (events[0] as UsageEventInput).cost = "1.500000000001";
    await insertUsageEvents(t.db, events);
    const budget = await t.db.budget.create({
      data: { id: newId("budget"), name: "Forecast monthly", scope: "TEAM", teamId: team, limit: "100", period: "MONTH" },
    });
    const tokens = await t.db.budget.create({
      data: {
        id: newId("budget"),
        name: "Forecast tokens daily NY",
        scope: "TEAM",
        teamId: team,
        metric: "TOKENS",
        limit: "250",
        period: "DAY",
        timezone: "America/New_York",
      },
    });
    const now = new Date("2026-04-11T00:00:00Z");
    const [status] = await listBudgetStatuses({ budgetIds: [budget.id], now }, t.db);
    expect(status).toMatchObject({
      used: "40.000000000001",
      remaining: "59.999999999999",
      periodStart: new Date("2026-04-01T00:00:00Z"),
      periodEnd: new Date("2026-05-01T00:00:00Z"),
      forecast: "120.000000000003",
      health: "at-risk",
    });
    // 100 / (40.000000000001 per 10 days) ≈ 24.99999999999937 days after April 1
    const exhausted = status?.projectedExhaustedAt?.getTime() ?? 0;
    expect(Math.abs(exhausted - Date.parse("2026-04-26T00:00:00Z"))).toBeLessThan(1000);

    const burn = await getBudgetBurnDown(budget.id, { now }, t.db);
    expect(burn?.bucket).toBe("day");
    expect(burn?.points).toHaveLength(10);
    expect(burn?.points.at(-1)?.cumulative).toBe("40.000000000001");
    expect(burn?.points[1]).toMatchObject({ used: "4.000000000000", cumulative: "8.000000000001" });

    // New York day of 2026-04-10 (EDT, UTC-4): 04:00Z..04:00Z next day holds the 15:00Z event of Apr 10 only ->
    // 150 tokens; at 20:00Z, 16 of 24 hours elapsed -> forecast 225
    const [tok] = await listBudgetStatuses({ budgetIds: [tokens.id], now: new Date("2026-04-10T20:00:00Z") }, t.db);
    expect(tok).toMatchObject({
      metric: "TOKENS",
      used: "150",
      remaining: "100",
      periodStart: new Date("2026-04-10T04:00:00Z"),
      periodEnd: new Date("2026-04-11T04:00:00Z"),
      forecast: "225",
      limit: "250",
      health: "ok",
    });
    const tokBurn = await getBudgetBurnDown(tokens.id, { now: new Date("2026-04-10T20:00:00Z") }, t.db);
    expect(tokBurn?.bucket).toBe("hour");
    expect(tokBurn?.points.map((p) => p.used)).toEqual(["150"]);
  });
});
