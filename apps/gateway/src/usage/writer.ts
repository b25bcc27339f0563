// Usage events to Postgres in batches, off the request path: `push` is an array push; a timer (every ~250 ms, or at
// once at 500 events) inserts with createMany. When Postgres fails, the batch is appended to a local NDJSON spill
// file and the in-memory buffer stays bounded (overflow spills too); once an insert succeeds again the spill file is
// drained. Nothing is lost on graceful shutdown: close() flushes, spilling whatever Postgres will not take.
// Without Postgres (DB-less mode) the NDJSON file is the usage log.

import { createReadStream } from "node:fs";
import { appendFile, mkdir, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import type { UsageEventInput } from "@sluice/db";
import type { FastifyBaseLogger } from "fastify";

export type UsageInsert = (events: UsageEventInput[]) => Promise<unknown>;

export interface UsageSink {
  push(event: UsageEventInput): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): UsageWriterStats;
}

export interface UsageWriterStats {
  buffered: number;
  written: number;
  spilled: number;
  drained: number;
  databaseOk: boolean;
}

export interface UsageWriterOptions {
  /** null = no database: every event goes to the file */
  insert: UsageInsert | null;
  file: string;
  log: FastifyBaseLogger;
  intervalMs?: number;
  batchSize?: number;
  maxBuffer?: number;
}

function revive(line: string): UsageEventInput {
  const e = JSON.parse(line) as UsageEventInput & { ts: string };
  return { ...e, ts: new Date(e.ts) };
}

export class UsageWriter implements UsageSink {
  private buffer: UsageEventInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private fileChain: Promise<void> = Promise.resolve();
  private spillPending = false;
  private closed = false;
  private readonly s: UsageWriterStats = { buffered: 0, written: 0, spilled: 0, drained: 0, databaseOk: true };
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly maxBuffer: number;

  constructor(private readonly o: UsageWriterOptions) {
    this.intervalMs = o.intervalMs ?? 250;
    this.batchSize = o.batchSize ?? 500;
    this.maxBuffer = o.maxBuffer ?? 20_000;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
    if (o.insert) {
      // a spill file left by an earlier run (crash or outage) is drained once Postgres answers
      stat(o.file)
        .then(() => {
          this.spillPending = true;
        })
        .catch(() => {});
      stat(`${o.file}.draining`)
        .then(() => {
          this.spillPending = true;
        })
        .catch(() => {});
    }
  }

  push(event: UsageEventInput): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.batchSize && !this.flushing) void this.flush();
    if (this.buffer.length > this.maxBuffer) {
      const overflow = this.buffer.splice(0, this.buffer.length - this.batchSize);
      this.spill(overflow);
    }
  }

  stats(): UsageWriterStats {
    return { ...this.s, buffered: this.buffer.length };
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      if (!this.o.insert) {
        this.spill(batch);
        continue;
      }
      try {
        await this.o.insert(batch);
        this.s.written += batch.length;
        if (!this.s.databaseOk) this.o.log.info("usage: Postgres is back; draining spilled events");
        this.s.databaseOk = true;
      } catch (err) {
        if (this.s.databaseOk) {
          this.o.log.warn({ err: { message: (err as Error).message } }, "usage: Postgres insert failed; spilling to disk");
        }
        this.s.databaseOk = false;
        this.spill(batch);
        this.spill(this.buffer.splice(0));
        break;
      }
    }
    if (this.o.insert && this.s.databaseOk && this.spillPending) await this.drain();
    else if (this.o.insert && !this.s.databaseOk && this.spillPending && this.buffer.length === 0) {
      // probe Postgres with the spill itself
      await this.drain();
    }
    await this.fileChain;
  }

  private spill(events: UsageEventInput[]): void {
    if (events.length === 0) return;
    let text = "";
    for (const e of events) text += `${JSON.stringify(e)}\n`;
    const file = this.o.file;
    this.fileChain = this.fileChain
      .then(async () => {
        await mkdir(path.dirname(file), { recursive: true });
        await appendFile(file, text, { mode: 0o600 });
        this.s.spilled += events.length;
        if (this.o.insert) this.spillPending = true;
      })
      .catch((err) => this.o.log.error({ err }, "usage: could not write the spill file; events lost"));
  }

  /** Insert the spill file's events; on failure the file stays for the next attempt. */
  private async drain(): Promise<void> {
    const insert = this.o.insert;
    if (!insert) return;
    await this.fileChain;
    const draining = `${this.o.file}.draining`;
    try {
      await stat(draining);
    } catch {
      try {
        await rename(this.o.file, draining);
      } catch {
        this.spillPending = false;
        return;
      }
    }
    try {
      const rl = createInterface({ input: createReadStream(draining, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
      let batch: UsageEventInput[] = [];
      let n = 0;
      for await (const line of rl) {
        if (!line.trim()) continue;
        try {
          batch.push(revive(line));
        } catch {
          this.o.log.warn("usage: skipped an unreadable spill line");
        }
        if (batch.length >= this.batchSize) {
          await insert(batch);
          n += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) {
        await insert(batch);
        n += batch.length;
      }
      await unlink(draining);
      this.s.drained += n;
      this.s.databaseOk = true;
      try {
        await stat(this.o.file);
      } catch {
        this.spillPending = false;
      }
      if (n > 0) this.o.log.info({ events: n }, "usage: drained spilled events into Postgres");
    } catch (err) {
      this.s.databaseOk = false;
      this.spillPending = true;
      if (!(err instanceof Error && /ENOENT/.test(err.message))) {
        this.o.log.debug({ err: { message: (err as Error).message } }, "usage: drain failed; will retry");
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.flushing?.catch(() => {});
    await this.flush();
    await this.fileChain;
  }
}
