// PgVectorStore on a real pgvector: PGlite (WASM PostgreSQL) with @electric-sql/pglite-pgvector, served over TCP by
// @electric-sql/pglite-socket on a free port, reached through `pg` exactly as a production pgvector server would be
// (Debian's PostgreSQL has no pgvector; see /work/shared/STACK.md). Startup takes a few seconds (WASM compile).

import { createServer } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CacheLookupInput, ResponseCache } from "../../src/cache/response-cache.ts";
import { PgVectorStore } from "../../src/cache/semantic/pgvector-store.ts";
import { normaliseVector } from "../../src/cache/semantic/prompt.ts";
import type { EmbedFn } from "../../src/cache/semantic/types.ts";
import { cacheConfig, chatRequest, chatResponse, manualClock } from "./helpers.ts";

let db: PGlite;
let server: PGLiteSocketServer;
let pool: pg.Pool;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
  const port = await freePort();
  server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 8 });
  await server.start();
  pool = new pg.Pool({ host: "127.0.0.1", port, user: "postgres", database: "postgres", max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await server?.stop();
  await db?.close();
});

const rec = (
  id: string,
  v: number[],
  over: Partial<{ partition: string; bucket: string; routeId: string; expiresAt: number }> = {},
) => ({
  id,
  partition: "c:con_1",
  bucket: "b1",
  routeId: "rt_1",
  vector: normaliseVector(v),
  payload: `payload-${id}`,
  expiresAt: 2_000_000_000_000,
  ...over,
});

describe("PgVectorStore on PGlite + pgvector", () => {
  it("creates the extension, table and hnsw index lazily", async () => {
    const store = new PgVectorStore(pool);
    expect(await store.search({ partition: "p", bucket: "b", vector: normaliseVector([1, 0, 0]), now: 0 })).toBeNull();
    const ext = await pool.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    expect(ext.rows).toHaveLength(1);
    const idx = await pool.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'sluice_cache' AND tablename = 'semantic_d3'`,
    );
    const defs = idx.rows.map((r: { indexdef: string }) => r.indexdef).join("\n");
    expect(defs).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
    // a second store (another node) on the same server: idempotent
    await new PgVectorStore(pool).upsert(rec("x", [1, 0, 0]));
    expect(await new PgVectorStore(pool).purge({ all: true })).toBe(1);
  });

  it("finds the nearest neighbour by cosine within one partition and bucket, skipping expired rows", async () => {
    const store = new PgVectorStore(pool);
    await store.upsert(rec("a", [1, 0, 0]));
    await store.upsert(rec("b", [0, 1, 0]));
    await store.upsert(rec("c", [0.9, 0.1, 0], { expiresAt: 1_000 }));
    await store.upsert(rec("d", [1, 0.01, 0], { partition: "c:con_2" }));
    await store.upsert(rec("e", [1, 0.01, 0], { bucket: "b2" }));
    const q = (v: number[], now = 2_000) => store.search({ partition: "c:con_1", bucket: "b1", vector: normaliseVector(v), now });
    const near = await q([0.95, 0.05, 0]);
    expect(near?.id).toBe("a");
    expect(near?.payload).toBe("payload-a");
    expect(near?.similarity).toBeGreaterThan(0.99);
    expect((await q([0.9, 0.1, 0], 500))?.id).toBe("c");
    expect((await q([0, 0, 1]))?.similarity).toBeCloseTo(0, 5);
    expect(await store.search({ partition: "c:con_3", bucket: "b1", vector: normaliseVector([1, 0, 0]), now: 0 })).toBeNull();

    // upsert replaces by id
    await store.upsert({ ...rec("a", [0, 0, 1]), payload: "new" });
    expect((await q([0, 0, 1]))?.payload).toBe("new");
  });

  it("purges by route, by partition and all; sweeps expired rows", async () => {
    const store = new PgVectorStore(pool);
    await store.purge({ all: true });
    await store.upsert(rec("r1", [1, 0, 0], { routeId: "rt_a" }));
    await store.upsert(rec("r2", [1, 0, 0], { routeId: "rt_b" }));
    await store.upsert(rec("r3", [1, 0, 0], { routeId: "rt_b", partition: "c:con_9" }));
    await store.upsert(rec("r4", [1, 0, 0, 0], { routeId: "rt_b", expiresAt: 10 }));
    expect(await store.purge({})).toBe(0);
    expect(await store.purge({ routeId: "rt_a" })).toBe(1);
    expect(await store.purge({ partition: "c:con_9" })).toBe(1);
    expect(await store.sweep(100)).toBe(1);
    expect(await store.purge({ all: true })).toBe(1);
  });

  it("serves semantic hits through the ResponseCache", async () => {
    const clock = manualClock();
    const embed: EmbedFn = async (texts) =>
      texts.map((t) => (/capital/i.test(t) ? (/France/.test(t) ? [1, 0.05, 0] : [1, 0, 0.02]) : [0, 1, 0]));
    const cache = new ResponseCache({ now: clock.now, semantic: { store: new PgVectorStore(pool), embed } });
    const config = cacheConfig({ mode: "semantic", semantic: { embeddingsTargetId: "tgt", threshold: 0.95 } });
    const input = (q: string, consumerId = "con_1"): CacheLookupInput => ({
      config,
      routeId: "rt_sem",
      request: chatRequest({ messages: [{ role: "user", content: q }] }),
      consumerId,
      teamId: null,
    });
    const miss = await cache.lookup(input("What is the capital of France?"));
    expect(miss.status).toBe("miss");
    await miss.writer!.storeResponse(200, chatResponse("Paris."));
    const hit = await cache.lookup(input("Capital city, France?"));
    expect(hit.status).toBe("semantic-hit");
    expect(JSON.parse(hit.hit!.body()).choices[0].message.content).toBe("Paris.");
    expect((await cache.lookup(input("Capital city, France?", "con_2"))).status).toBe("miss");
    expect((await cache.lookup(input("Tell me a joke"))).status).toBe("miss");
    clock.advance(config.ttlSeconds * 1000);
    expect((await cache.lookup(input("Capital city, France?"))).status).toBe("miss");
  });
});
