// Log sinks for custom backends, built from the validated observability config:
//   HttpLogSink  POSTs batches of usage records to a URL as a JSON array or NDJSON, with the configured headers
//   OtlpLogSink  POSTs OTLP/HTTP JSON logs to a collector's /v1/logs
// Both share BatchingSink's bounded queue, batching, retry and close semantics. `createLogSinks` fans one record
// out to every configured sink; with none configured it returns a frozen no-op whose `enabled` is false, so the
// pipeline skips building records at all.

import type { HttpLogSinkConfig, LogSinkConfig, OtlpLogSinkConfig } from "@sluice/db/schemas";
import { BatchingSink, otlpSignalUrl, type SinkLogger, type SinkStats } from "./batching-sink.ts";
import { encodeOtlpLogs } from "./otlp-logs.ts";
import type { UsageLogRecord } from "./record.ts";

export interface SinkDeps {
  log?: SinkLogger;
  /** jitter source, injectable for tests */
  random?: () => number;
}

function defaultName(type: string, url: string): string {
  return `${type}:${new URL(url).host}`;
}

function queueOptions(c: HttpLogSinkConfig | OtlpLogSinkConfig) {
  return {
    headers: c.headers,
    batchSize: c.batchSize,
    flushIntervalMs: c.flushIntervalMs,
    maxQueue: c.maxQueue,
    maxAttempts: c.maxAttempts,
    backoffMs: c.backoffMs,
    maxBackoffMs: c.maxBackoffMs,
    maxRetryAfterMs: c.maxRetryAfterMs,
    timeoutMs: c.timeoutMs,
  };
}

export function encodeJsonBatch(records: readonly UsageLogRecord[], format: "json" | "ndjson") {
  if (format === "ndjson") {
    let body = "";
    for (const r of records) body += `${JSON.stringify(r)}\n`;
    return { body, contentType: "application/x-ndjson" };
  }
  return { body: JSON.stringify(records), contentType: "application/json" };
}

export class HttpLogSink extends BatchingSink<UsageLogRecord> {
  constructor(config: HttpLogSinkConfig, deps: SinkDeps = {}) {
    super({
      ...queueOptions(config),
      name: config.name ?? defaultName("http", config.url),
      url: config.url,
      encode: (records) => encodeJsonBatch(records, config.format),
      log: deps.log,
      random: deps.random,
    });
  }
}

export class OtlpLogSink extends BatchingSink<UsageLogRecord> {
  constructor(config: OtlpLogSinkConfig, deps: SinkDeps = {}) {
    const resource = { serviceName: config.serviceName, attributes: config.resourceAttributes };
    super({
      ...queueOptions(config),
      name: config.name ?? defaultName("otlp", config.url),
      url: otlpSignalUrl(config.url, "/v1/logs"),
      encode: (records) => ({ body: JSON.stringify(encodeOtlpLogs(records, resource)), contentType: "application/json" }),
      log: deps.log,
      random: deps.random,
    });
  }
}

export interface LogSinks {
  /** false when no sink is configured: callers skip building records */
  readonly enabled: boolean;
  /** O(1) per sink; never throws, never waits */
  emit(record: UsageLogRecord): void;
  flush(): Promise<void>;
  /** flushes every sink within the deadline, then closes their pools */
  close(deadlineMs?: number): Promise<void>;
  stats(): SinkStats[];
}

const noop = async () => {};
export const NOOP_LOG_SINKS: LogSinks = Object.freeze({
  enabled: false,
  emit() {},
  flush: noop,
  close: noop,
  stats: () => [],
});

export function createLogSink(config: LogSinkConfig, deps: SinkDeps = {}): BatchingSink<UsageLogRecord> {
  return config.type === "http" ? new HttpLogSink(config, deps) : new OtlpLogSink(config, deps);
}

export function createLogSinks(configs: readonly LogSinkConfig[] | undefined, deps: SinkDeps = {}): LogSinks {
  if (!configs || configs.length === 0) return NOOP_LOG_SINKS;
  const sinks = configs.map((c) => createLogSink(c, deps));
  return {
    enabled: true,
    emit(record) {
      for (const s of sinks) s.enqueue(record);
    },
    async flush() {
      await Promise.all(sinks.map((s) => s.flush()));
    },
    async close(deadlineMs = 5_000) {
      await Promise.all(sinks.map((s) => s.close(deadlineMs)));
    },
    stats: () => sinks.map((s) => s.stats()),
  };
}
