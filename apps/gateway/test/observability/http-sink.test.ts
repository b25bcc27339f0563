import { HttpLogSinkConfigSchema } from "@sluice/db/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter } from "../../src/observability/backoff.ts";
import type { UsageLogRecord } from "../../src/observability/record.ts";
import { RingQueue } from "../../src/observability/ring-queue.ts";
import { HttpLogSink } from "../../src/observability/sinks.ts";
import { memoryLogger, type Receiver, type Respond, startReceiver } from "./receiver.ts";

const record = (i: number): UsageLogRecord => ({
  type: "usage",
  id: `use_${i}`,
  requestId: `req_${i}`,
  ts: new Date(1_700_000_000_000 + i).toISOString(),
  status: 200,
});

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

async function setup(respond?: Respond, options: Record<string, unknown> = {}) {
  const rx: Receiver = await startReceiver(respond);
  const log = memoryLogger();
  const config = HttpLogSinkConfigSchema.parse({
    type: "http",
    url: `${rx.url}/ingest?source=sluice`,
    flushIntervalMs: 60_000,
    backoffMs: 10,
    maxBackoffMs: 50,
    ...options,
  });
  const sink = new HttpLogSink(config, { log, random: () => 0.5 });
  open.push(rx, sink);
  return { rx, sink, log };
}

const ids = (body: string) => (JSON.parse(body) as UsageLogRecord[]).map((r) => r.id);

describe("HttpLogSink", () => {
  it("sends a batch as soon as batchSize records are queued, JSON with the configured headers", async () => {
    const { rx, sink } = await setup(undefined, { batchSize: 3, headers: { Authorization: "Bearer t0ken" } });
    for (let i = 1; i <= 7; i++) sink.enqueue(record(i));
    const got = await rx.waitFor(2);
    expect(got.map((r) => ids(r.body))).toEqual([
      ["use_1", "use_2", "use_3"],
      ["use_4", "use_5", "use_6"],
    ]);
    expect(got[0]?.method).toBe("POST");
    expect(got[0]?.path).toBe("/ingest?source=sluice");
    expect(got[0]?.headers.authorization).toBe("Bearer t0ken");
    expect(got[0]?.headers["content-type"]).toBe("application/json");
    // the 7th waits for the interval (60 s here)
    await new Promise((r) => setTimeout(r, 50));
    expect(rx.received).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ queued: 1, enqueued: 7, sent: 6, batches: 2, dropped: 0, failed: 0 });
  });

  it("sends a partial batch after flushIntervalMs", async () => {
    const { rx, sink } = await setup(undefined, { batchSize: 100, flushIntervalMs: 80 });
    sink.enqueue(record(1));
    sink.enqueue(record(2));
    await new Promise((r) => setTimeout(r, 30));
    expect(rx.received).toHaveLength(0);
    const [got] = await rx.waitFor(1);
    expect(ids(got?.body ?? "[]")).toEqual(["use_1", "use_2"]);
    // and re-arms for the next records
    sink.enqueue(record(3));
    const all = await rx.waitFor(2);
    expect(ids(all[1]?.body ?? "[]")).toEqual(["use_3"]);
  });

  it("writes NDJSON when configured", async () => {
    const { rx, sink } = await setup(undefined, { batchSize: 2, format: "ndjson" });
    sink.enqueue(record(1));
    sink.enqueue(record(2));
    const [got] = await rx.waitFor(1);
    expect(got?.headers["content-type"]).toBe("application/x-ndjson");
    const lines = (got?.body ?? "").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(lines.slice(0, 2).map((l) => (JSON.parse(l) as UsageLogRecord).id)).toEqual(["use_1", "use_2"]);
  });

  it("retries a 503 with backoff and delivers the same batch once it succeeds", async () => {
    const { rx, sink, log } = await setup((_r, n) => ({ status: n < 2 ? 503 : 202 }), { batchSize: 2 });
    sink.enqueue(record(1));
    sink.enqueue(record(2));
    const got = await rx.waitFor(3);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ sent: 2, batches: 1, retries: 2, failed: 0 });
    expect(log.lines).toHaveLength(0);
  });

  it("retries network errors (connection reset)", async () => {
    const { rx, sink } = await setup((_r, n) => (n === 0 ? "reset" : { status: 200 }), { batchSize: 1 });
    sink.enqueue(record(1));
    await rx.waitFor(2);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ sent: 1, retries: 1, failed: 0 });
  });

  it("waits as long as retry-after says", async () => {
    const { rx, sink } = await setup((_r, n) => (n === 0 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 }), {
      batchSize: 1,
      backoffMs: 1,
      maxBackoffMs: 1,
    });
    sink.enqueue(record(1));
    const got = await rx.waitFor(2, 5_000);
    const gap = (got[1]?.at ?? 0) - (got[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(2_500);
  });

  it("gives up after maxAttempts, counts the records and warns once per burst", async () => {
    let healthy = false;
    const { rx, sink, log } = await setup(() => ({ status: healthy ? 200 : 500 }), { batchSize: 2, maxAttempts: 3 });
    for (let i = 1; i <= 4; i++) sink.enqueue(record(i));
    await rx.waitFor(6);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ sent: 0, failed: 4, retries: 4 });
    expect(log.lines.filter((l) => l.level === "warn")).toHaveLength(1);
    expect(log.lines[0]?.obj).toMatchObject({ records: 2, attempts: 3, status: 500 });
    healthy = true;
    sink.enqueue(record(5));
    await sink.flush();
    expect(sink.stats()).toMatchObject({ sent: 1, failed: 4 });
    expect(log.lines.at(-1)).toMatchObject({ level: "info", obj: { batches: 2, records: 4 } });
  });

  it("does not retry a 4xx other than 408/429", async () => {
    const { rx, sink } = await setup(() => ({ status: 400 }), { batchSize: 1 });
    sink.enqueue(record(1));
    await rx.waitFor(1);
    await sink.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(rx.received).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ failed: 1, retries: 0 });
  });

  it("bounds the queue: drops the oldest records, counts them and warns once", async () => {
    const { rx, sink, log } = await setup(undefined, { batchSize: 5, maxQueue: 5 });
    // synchronously: the batch that fills at 5 is only sent on the next turn of the event loop
    for (let i = 1; i <= 8; i++) sink.enqueue(record(i));
    expect(sink.stats()).toMatchObject({ queued: 5, dropped: 3, enqueued: 8 });
    expect(log.lines.filter((l) => l.level === "warn")).toHaveLength(1);
    await sink.flush();
    const [got] = await rx.waitFor(1);
    expect(ids(got?.body ?? "[]")).toEqual(["use_4", "use_5", "use_6", "use_7", "use_8"]);
    expect(log.lines.at(-1)).toMatchObject({ level: "info", obj: { dropped: 3 } });
  });

  it("keeps enqueue O(1) while the endpoint hangs: the queue stays bounded", async () => {
    const { sink } = await setup(() => "hang", { batchSize: 10, maxQueue: 100, timeoutMs: 60_000 });
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) sink.enqueue(record(i));
    const ms = performance.now() - t0;
    expect(sink.stats().queued).toBeLessThanOrEqual(100);
    expect(sink.stats().dropped).toBe(100_000 - 100);
    expect(ms).toBeLessThan(500);
    await sink.close(100);
  });

  it("close() sends what is queued, then drops (and counts) late records", async () => {
    const { rx, sink } = await setup(undefined, { batchSize: 2 });
    for (let i = 1; i <= 5; i++) sink.enqueue(record(i));
    await sink.close();
    expect(rx.received.flatMap((r) => ids(r.body))).toEqual(["use_1", "use_2", "use_3", "use_4", "use_5"]);
    sink.enqueue(record(6));
    expect(sink.stats()).toMatchObject({ sent: 5, dropped: 1, queued: 0 });
  });

  it("close() gives up at its deadline when the endpoint hangs", async () => {
    const { rx, sink, log } = await setup(() => "hang", { batchSize: 2, timeoutMs: 60_000 });
    for (let i = 1; i <= 5; i++) sink.enqueue(record(i));
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await sink.close(200);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(150);
    expect(ms).toBeLessThan(1_500);
    expect(rx.received).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ sent: 0, failed: 5, queued: 0 });
    expect(log.lines.some((l) => l.level === "warn")).toBe(true);
  });
});

describe("sink helpers", () => {
  it("RingQueue keeps the newest records in order", () => {
    const q = new RingQueue<number>(3);
    for (let i = 1; i <= 5; i++) q.push(i);
    expect(q.dropped).toBe(2);
    expect(q.take(2)).toEqual([3, 4]);
    q.push(6);
    q.push(7);
    expect(q.take(10)).toEqual([5, 6, 7]);
    expect(q.size).toBe(0);
  });

  it("backoff doubles up to the cap, jittered into [d/2, d)", () => {
    expect(backoffDelay(1, 100, 1_000, () => 0)).toBe(50);
    expect(backoffDelay(3, 100, 1_000, () => 0.999)).toBe(399);
    expect(backoffDelay(10, 100, 1_000, () => 0)).toBe(500);
  });

  it("parses retry-after as seconds or an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
