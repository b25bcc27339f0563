// PostgresCacheBackend against a throwaway database migrated like production (createTestDatabase), so the
// migration's UNLOGGED `sluice_cache.entries` table is what is tested. Time is the injected clock throughout.

import { createTestDatabase, type TestDatabase } from "@sluice/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCacheBackend } from "../../src/cache/backends/postgres.ts";
import { ResponseCache } from "../../src/cache/response-cache.ts";
import { backendContract, entryFor, keyOf } from "./backend-contract.ts";
import { cacheConfig, chatChunks, chatRequest, manualClock, stripIdentity, withoutIdentity } from "./helpers.ts";

let t: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  t = await createTestDatabase({ seed: false, prefix: "sluice_cache_t" });
  pool = new pg.Pool({ connectionString: t.url, max: 4 });
});

afterAll(async () => {
  await pool?.end();
  await t?.drop();
});

async function fresh() {
  const clock = manualClock();
  await pool.query(`TRUNCATE "sluice_cache"."entries"`);
  const backend = new PostgresCacheBackend(pool, { now: clock.now, sweepIntervalMs: 0 });
  return { backend, clock };
}

backendContract("postgres", async () => {
  const { backend, clock } = await fresh();
  return { backend, now: clock.now, advance: async (ms) => clock.advance(ms) };
});

describe("PostgresCacheBackend", () => {
  it("the table is UNLOGGED in its own schema, outside `public`", async () => {
    const { rows } = await pool.query(
      `SELECT n.nspname, c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'entries'`,
    );
    expect(rows).toEqual([{ nspname: "sluice_cache", relpersistence: "u" }]);
  });

  it("a lookup that finds an expired row deletes it; the sweep deletes the rest", async () => {
    const { backend, clock } = await fresh();
    const keys = ["a", "b", "c"].map((q) => keyOf("rt_1", "shared", q));
    for (const k of keys) await backend.set(k, entryFor(k, clock.now(), 1_000), 1_000);
    const live = keyOf("rt_1", "shared", "live");
    await backend.set(live, entryFor(live, clock.now(), 60_000), 60_000);
    clock.advance(1_000);
    expect(await backend.get(keys[0]!)).toBeNull();
    const count = async () => Number((await pool.query(`SELECT count(*) AS n FROM "sluice_cache"."entries"`)).rows[0].n);
    await expect.poll(count).toBe(3);
    expect(await backend.sweep()).toBe(2);
    expect(await count()).toBe(1);
    const s = await backend.stats();
    expect(s.entries).toBe(1);
    expect(s.bytes).toBeGreaterThan(0);
  });

  it("a periodic sweep runs on its own", async () => {
    const clock = manualClock();
    await pool.query(`TRUNCATE "sluice_cache"."entries"`);
    const backend = new PostgresCacheBackend(pool, { now: clock.now, sweepIntervalMs: 20 });
    const k = keyOf("rt_1", "shared", "sweep");
    await backend.set(k, entryFor(k, clock.now(), 1_000), 1_000);
    clock.advance(5_000);
    await expect
      .poll(async () => Number((await pool.query(`SELECT count(*) AS n FROM "sluice_cache"."entries"`)).rows[0].n))
      .toBe(0);
    await backend.close();
  });

  it("serves a recorded stream to another node and honours partitions", async () => {
    const { clock } = await fresh();
    const mk = () =>
      new ResponseCache({
        now: clock.now,
        backends: { postgres: new PostgresCacheBackend(pool, { now: clock.now, sweepIntervalMs: 0 }) },
      });
    const nodeA = mk();
    const nodeB = mk();
    const input = {
      config: cacheConfig({ backend: "postgres" }),
      routeId: "rt_pg",
      request: chatRequest({ stream: true }),
      consumerId: "con_1",
      teamId: null,
    };
    const rec = (await nodeA.lookup(input)).writer!.recordStream();
    const chunks = chatChunks(["Bon", "jour"]);
    for (const c of chunks) rec.push(c);
    expect(await rec.end()).toBe(true);
    const l = await nodeB.lookup(input);
    expect(l.backend).toBe("postgres");
    expect(stripIdentity(l.hit!.chunks({ includeUsage: true }))).toEqual(chunks.map((c) => withoutIdentity(c)));
    expect((await nodeB.lookup({ ...input, consumerId: "con_2" })).status).toBe("miss");
    clock.advance(300_000);
    expect((await nodeB.lookup(input)).status).toBe("miss");
  });
});
