import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { UsageEventInput } from "@sluice/db";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { UsageWriter } from "../../src/usage/writer.ts";

const log = pino({ level: "silent" });

function event(i: number): UsageEventInput {
  return {
    id: `use_${i}`,
    requestId: `req_${i}`,
    ts: new Date(1_700_000_000_000 + i),
    status: 200,
    latencyMs: 1,
    cost: "0.000001",
  };
}

function fakeDb() {
  const rows = new Map<string, UsageEventInput>();
  let down = false;
  return {
    rows,
    setDown(v: boolean) {
      down = v;
    },
    insert: async (events: UsageEventInput[]) => {
      if (down) throw new Error("connection refused");
      for (const e of events) if (!rows.has(e.requestId)) rows.set(e.requestId, e);
    },
  };
}

describe("usage writer", () => {
  it("batches to the database off the request path", async () => {
    const db = fakeDb();
    const w = new UsageWriter({
      insert: db.insert,
      file: path.join(mkdtempSync(path.join(tmpdir(), "uw-")), "spill.ndjson"),
      log,
      intervalMs: 10_000,
    });
    for (let i = 0; i < 1200; i++) w.push(event(i));
    await w.flush();
    expect(db.rows.size).toBe(1200);
    await w.close();
  });

  it("spills to disk while Postgres is down and drains after, losing nothing and doubling nothing", async () => {
    const db = fakeDb();
    const file = path.join(mkdtempSync(path.join(tmpdir(), "uw-")), "spill.ndjson");
    const w = new UsageWriter({ insert: db.insert, file, log, intervalMs: 10_000 });
    db.setDown(true);
    for (let i = 0; i < 30; i++) w.push(event(i));
    await w.flush();
    expect(w.stats()).toMatchObject({ spilled: 30, databaseOk: false });
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(30);
    for (let i = 30; i < 40; i++) w.push(event(i));
    await w.flush();
    db.setDown(false);
    for (let i = 40; i < 45; i++) w.push(event(i));
    await w.flush();
    expect(db.rows.size).toBe(45);
    expect(db.rows.get("req_3")?.ts).toBeInstanceOf(Date);
    expect(w.stats()).toMatchObject({ drained: 40, databaseOk: true });
    await w.close();
  });

  it("close() flushes; what Postgres will not take stays on disk for the next start", async () => {
    const db = fakeDb();
    const file = path.join(mkdtempSync(path.join(tmpdir(), "uw-")), "spill.ndjson");
    const w = new UsageWriter({ insert: db.insert, file, log, intervalMs: 10_000 });
    db.setDown(true);
    for (let i = 0; i < 7; i++) w.push(event(i));
    await w.close();
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(7);
    db.setDown(false);
    const next = new UsageWriter({ insert: db.insert, file, log, intervalMs: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    next.push(event(100));
    await next.flush();
    expect(db.rows.size).toBe(8);
    await next.close();
  });

  it("a bounded buffer: overflow goes to disk instead of memory", async () => {
    const db = fakeDb();
    const file = path.join(mkdtempSync(path.join(tmpdir(), "uw-")), "spill.ndjson");
    const w = new UsageWriter({ insert: db.insert, file, log, intervalMs: 10_000, batchSize: 10, maxBuffer: 50 });
    db.setDown(true);
    const block = w.flush();
    for (let i = 0; i < 200; i++) w.push(event(i));
    await block;
    expect(w.stats().buffered).toBeLessThanOrEqual(50);
    db.setDown(false);
    await w.flush();
    await w.flush();
    expect(db.rows.size).toBe(200);
    await w.close();
  });
});
