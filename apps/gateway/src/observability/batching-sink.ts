// The engine under every log sink: records wait in a bounded ring (enqueue is O(1), never awaits and never does I/O;
// when full the oldest record is dropped and counted) and leave in batches, when `batchSize` are queued or after
// `flushIntervalMs`, one batch in flight at a time over a dedicated undici Pool. A batch that meets a network error,
// a 408/429 or a 5xx is retried with exponential backoff and jitter (or after `retry-after`, when the endpoint says),
// up to `maxAttempts`; then it is given up and counted. Give-ups and drops are logged once per burst, not per batch:
// one warning when trouble starts and one line when it ends. `close(deadlineMs)` sends what is queued and stops at
// the deadline, aborting the request in flight; whatever is left then is counted as lost.

import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "./backoff.ts";
import { RingQueue } from "./ring-queue.ts";

/** The logger surface sinks use; pino and Fastify's logger satisfy it. */
export interface SinkLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const silentLogger: SinkLogger = { warn() {}, info() {} };

export interface EncodedBatch {
  body: string;
  contentType: string;
}

export interface BatchingSinkOptions<T> {
  name: string;
  /** the full URL batches are POSTed to */
  url: string;
  headers?: Readonly<Record<string, string>>;
  encode: (records: readonly T[]) => EncodedBatch;
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  maxRetryAfterMs: number;
  timeoutMs: number;
  log?: SinkLogger;
  /** jitter source, injectable for tests */
  random?: () => number;
  /** sockets in the dedicated pool (one batch is in flight at a time; a second socket covers a reconnect) */
  connections?: number;
}

export interface SinkStats {
  name: string;
  /** waiting in the queue now */
  queued: number;
  /** accepted by enqueue since start */
  enqueued: number;
  /** delivered (2xx) */
  sent: number;
  /** requests that returned 2xx */
  batches: number;
  /** overwritten while the queue was full, or enqueued after close */
  dropped: number;
  /** in batches given up after their attempts (or a non-retryable answer), or left at the close deadline */
  failed: number;
  /** attempts after a batch's first */
  retries: number;
}

type AttemptResult =
  | { ok: true }
  | { ok: false; retryable: boolean; retryAfterMs: number | null; reason: string; status: number | null };

export class BatchingSink<T> {
  readonly name: string;
  private readonly queue: RingQueue<T>;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private readonly log: SinkLogger;
  private readonly random: () => number;
  private readonly closeController = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private kick: NodeJS.Immediate | null = null;
  private draining: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private closed = false;
  private enqueued = 0;
  private sent = 0;
  private batches = 0;
  private failed = 0;
  private retries = 0;
  private lateDrops = 0;
  /** burst bookkeeping: log once when trouble starts, once when it ends */
  private dropBurstStart: number | null = null;
  private failBurst: { batches: number; records: number } | null = null;

  constructor(private readonly opts: BatchingSinkOptions<T>) {
    if (opts.batchSize > opts.maxQueue) throw new RangeError(`${opts.name}: batchSize must not exceed maxQueue`);
    const url = new URL(opts.url);
    this.name = opts.name;
    this.queue = new RingQueue<T>(opts.maxQueue);
    this.path = url.pathname + url.search;
    this.log = opts.log ?? silentLogger;
    this.random = opts.random ?? Math.random;
    this.headers = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) this.headers[k.toLowerCase()] = v;
    this.pool = new Pool(url.origin, {
      connections: opts.connections ?? 2,
      connectTimeout: opts.timeoutMs,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** Queues a record for export. O(1); never throws, never waits. After close the record is dropped (counted). */
  enqueue(record: T): void {
    if (this.closed) {
      this.lateDrops++;
      return;
    }
    this.enqueued++;
    if (!this.queue.push(record) && this.dropBurstStart === null) {
      this.dropBurstStart = this.queue.dropped - 1;
      this.log.warn(
        { sink: this.name, maxQueue: this.opts.maxQueue },
        "log sink queue full: dropping the oldest records until it drains",
      );
    }
    if (this.draining) return; // the running drain picks it up
    if (this.queue.size >= this.opts.batchSize) this.kickDrain();
    else if (this.timer === null) {
      this.timer = setTimeout(this.onInterval, this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Sends everything queued now (partial batches too) and resolves when the queue is empty or given up. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.queue.size > 0) this.startDrain(true);
    while (this.draining) await this.draining;
  }

  /** Stops accepting records, sends what is queued, and gives up at the deadline (aborting the request in flight). */
  close(deadlineMs = 5_000): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.clearTimers();
    const deadline = setTimeout(() => this.closeController.abort(), deadlineMs);
    this.closing = (async () => {
      try {
        while (this.draining) await this.draining;
        if (this.queue.size > 0 && !this.closeController.signal.aborted) this.startDrain(true);
        while (this.draining) await this.draining;
        const left = this.queue.clear();
        if (left > 0) {
          this.failed += left;
          this.log.warn({ sink: this.name, records: left }, "log sink closed before its queue drained");
        }
      } finally {
        clearTimeout(deadline);
        if (this.closeController.signal.aborted) await this.pool.destroy();
        else await this.pool.close();
      }
    })();
    return this.closing;
  }

  stats(): SinkStats {
    return {
      name: this.name,
      queued: this.queue.size,
      enqueued: this.enqueued,
      sent: this.sent,
      batches: this.batches,
      dropped: this.queue.dropped + this.lateDrops,
      failed: this.failed,
      retries: this.retries,
    };
  }

  private readonly onInterval = (): void => {
    this.timer = null;
    this.startDrain(true);
  };

  private kickDrain(): void {
    if (this.kick !== null) return;
    // off the caller's stack: enqueue stays O(1) even when a batch fills
    this.kick = setImmediate(() => {
      this.kick = null;
      this.startDrain(false);
    });
  }

  private clearTimers(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.kick !== null) clearImmediate(this.kick);
    this.timer = null;
    this.kick = null;
  }

  private startDrain(partial: boolean): void {
    if (this.draining) return;
    this.clearTimers();
    this.draining = this.drain(partial)
      .catch((err: unknown) => this.log.warn({ sink: this.name, err }, "log sink drain failed"))
      .finally(() => {
        this.draining = null;
        if (this.closed || this.queue.size === 0) return;
        // what arrived while the last batch was in flight
        if (this.queue.size >= this.opts.batchSize) this.kickDrain();
        else if (this.timer === null) {
          this.timer = setTimeout(this.onInterval, this.opts.flushIntervalMs);
          this.timer.unref();
        }
      });
  }

  /** Sends full batches; partial ones too when the interval fired, on flush and on close. */
  private async drain(partial: boolean): Promise<void> {
    while (this.queue.size > 0 && !this.closeController.signal.aborted) {
      if (!partial && !this.closed && this.queue.size < this.opts.batchSize) return;
      const batch = this.queue.take(this.opts.batchSize);
      if (this.queue.size === 0) this.endDropBurst();
      await this.send(batch);
    }
  }

  private endDropBurst(): void {
    if (this.dropBurstStart === null) return;
    this.log.info({ sink: this.name, dropped: this.queue.dropped - this.dropBurstStart }, "log sink queue drained");
    this.dropBurstStart = null;
  }

  private async send(batch: T[]): Promise<void> {
    let encoded: EncodedBatch;
    try {
      encoded = this.opts.encode(batch);
    } catch (err) {
      this.giveUp(batch.length, `encode: ${(err as Error).message}`, null, 0);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const r = await this.attempt(encoded);
      if (r.ok) {
        this.sent += batch.length;
        this.batches++;
        if (this.failBurst) {
          this.log.info({ sink: this.name, ...this.failBurst }, "log sink delivering again after failures");
          this.failBurst = null;
        }
        return;
      }
      const aborted = this.closeController.signal.aborted;
      if (!r.retryable || attempt >= this.opts.maxAttempts || aborted) {
        this.giveUp(batch.length, aborted ? "closed at deadline" : r.reason, r.status, attempt);
        return;
      }
      this.retries++;
      const delay =
        r.retryAfterMs !== null
          ? Math.min(r.retryAfterMs, this.opts.maxRetryAfterMs)
          : backoffDelay(attempt, this.opts.backoffMs, this.opts.maxBackoffMs, this.random);
      try {
        await sleep(delay, undefined, { signal: this.closeController.signal });
      } catch {
        this.giveUp(batch.length, "closed at deadline", r.status, attempt);
        return;
      }
    }
  }

  private giveUp(records: number, reason: string, status: number | null, attempts: number): void {
    this.failed += records;
    if (this.failBurst) {
      this.failBurst.batches++;
      this.failBurst.records += records;
      return;
    }
    this.failBurst = { batches: 1, records };
    this.log.warn(
      { sink: this.name, records, attempts, status: status ?? undefined, reason },
      "log sink gave up on a batch; further failures are counted, not logged, until delivery resumes",
    );
  }

  private async attempt(batch: EncodedBatch): Promise<AttemptResult> {
    const signal = AbortSignal.any([this.closeController.signal, AbortSignal.timeout(this.opts.timeoutMs)]);
    try {
      const res = await this.pool.request({
        method: "POST",
        path: this.path,
        headers: { ...this.headers, "content-type": batch.contentType },
        body: batch.body,
        signal,
      });
      await res.body.dump().catch(() => undefined);
      const status = res.statusCode;
      if (status >= 200 && status < 300) return { ok: true };
      return {
        ok: false,
        retryable: isRetryableStatus(status),
        retryAfterMs: parseRetryAfter(res.headers["retry-after"]),
        reason: `HTTP ${status}`,
        status,
      };
    } catch (err) {
      const e = err as Error & { code?: string };
      return { ok: false, retryable: true, retryAfterMs: null, reason: e.code ?? e.name ?? String(err), status: null };
    }
  }
}

/** A collector base URL ("http://host:4318" or ".../") gets the signal path; a URL with a path is used as is. */
export function otlpSignalUrl(url: string, signalPath: "/v1/logs" | "/v1/traces"): string {
  const u = new URL(url);
  if (u.pathname === "" || u.pathname === "/") u.pathname = signalPath;
  return u.toString();
}
