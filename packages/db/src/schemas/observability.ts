// Observability config: log sinks for custom backends (an HTTP endpoint taking batched JSON / NDJSON, an OTLP/HTTP
// logs endpoint) and OpenTelemetry tracing. Everything is off unless configured. Header values (auth tokens) are
// secrets: `safeObservabilityConfig` masks them for display.

import { z } from "zod";
import { PII_KINDS } from "./policy.ts";

const HttpUrlSchema = z
  .string()
  .url()
  .refine((s) => /^https?:\/\//i.test(s), { message: "must be an http(s) URL" });

const HeadersSchema = z.record(z.string().min(1), z.string()).default({});

/** What every batching sink shares: the bounded queue, batching and retry policy. */
const SinkQueueFields = {
  /** a display name for logs and stats; defaults to "<type>:<host>" */
  name: z.string().min(1).max(100).optional(),
  /** sent with every batch, e.g. `{ "authorization": "Bearer ..." }` */
  headers: HeadersSchema,
  /** records per request; a batch is sent as soon as this many are queued */
  batchSize: z.number().int().min(1).max(10_000).default(100),
  /** a partial batch is sent after at most this long */
  flushIntervalMs: z.number().int().min(10).max(300_000).default(1_000),
  /** records held while the endpoint is slow or down; beyond it the oldest are dropped (counted) */
  maxQueue: z.number().int().min(1).max(1_000_000).default(10_000),
  /** attempts per batch including the first; then the batch is given up (counted) */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  /** exponential backoff base and cap (with jitter) between attempts */
  backoffMs: z.number().int().min(0).max(60_000).default(200),
  maxBackoffMs: z.number().int().min(0).max(600_000).default(10_000),
  /** the longest `retry-after` waited for; a longer one waits this long */
  maxRetryAfterMs: z.number().int().min(0).max(600_000).default(30_000),
  /** per attempt, headers and body */
  timeoutMs: z.number().int().min(100).max(300_000).default(10_000),
};

export const HttpLogSinkConfigSchema = z
  .object({
    type: z.literal("http"),
    url: HttpUrlSchema,
    /** json: one JSON array per batch; ndjson: one record per line */
    format: z.enum(["json", "ndjson"]).default("json"),
    ...SinkQueueFields,
  })
  .strict();
export type HttpLogSinkConfig = z.output<typeof HttpLogSinkConfigSchema>;

export const OtlpLogSinkConfigSchema = z
  .object({
    type: z.literal("otlp"),
    /** the collector's base URL ("http://collector:4318", `/v1/logs` is appended) or the full logs URL */
    url: HttpUrlSchema,
    serviceName: z.string().min(1).default("sluice-gateway"),
    /** extra resource attributes, e.g. `{ "deployment.environment": "prod" }` */
    resourceAttributes: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).default({}),
    ...SinkQueueFields,
  })
  .strict();
export type OtlpLogSinkConfig = z.output<typeof OtlpLogSinkConfigSchema>;

export const LogSinkConfigSchema = z.discriminatedUnion("type", [HttpLogSinkConfigSchema, OtlpLogSinkConfigSchema]);
export type LogSinkConfig = z.output<typeof LogSinkConfigSchema>;

/** How payloads (routes with `logPayloads` on) are treated before they leave the gateway. */
export const PayloadLogConfigSchema = z
  .object({
    /** PII kinds replaced by placeholders (`<EMAIL_1>`) in logged prompts and answers; at least one */
    redact: z
      .array(z.enum(PII_KINDS))
      .min(1)
      .default([...PII_KINDS]),
    /** a payload whose JSON is larger is replaced by `{ truncated: true, bytes }` */
    maxBytes: z
      .number()
      .int()
      .min(256)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
  })
  .strict();
export type PayloadLogConfig = z.output<typeof PayloadLogConfigSchema>;

export const TracingConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** the collector's base URL ("http://collector:4318", `/v1/traces` is appended) or the full traces URL */
    url: HttpUrlSchema,
    headers: HeadersSchema,
    serviceName: z.string().min(1).default("sluice-gateway"),
    resourceAttributes: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** share of new traces sampled; an incoming `traceparent`'s sampled flag is followed */
    sampleRatio: z.number().min(0).max(1).default(1),
    /** BatchSpanProcessor */
    maxQueue: z.number().int().min(1).max(1_000_000).default(2_048),
    batchSize: z.number().int().min(1).max(10_000).default(512),
    flushIntervalMs: z.number().int().min(10).max(300_000).default(5_000),
    timeoutMs: z.number().int().min(100).max(300_000).default(10_000),
  })
  .strict()
  .refine((c) => c.batchSize <= c.maxQueue, { message: "batchSize must not exceed maxQueue", path: ["batchSize"] });
export type TracingConfig = z.output<typeof TracingConfigSchema>;

export const ObservabilityConfigSchema = z
  .object({
    logSinks: z.array(LogSinkConfigSchema).max(16).default([]),
    payloads: PayloadLogConfigSchema.default({ redact: [...PII_KINDS], maxBytes: 64 * 1024 }),
    tracing: TracingConfigSchema.optional(),
  })
  .strict();
export type ObservabilityConfig = z.output<typeof ObservabilityConfigSchema>;

const mask = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.keys(headers).map((k) => [k, "********"]));

/** The config with every header value masked: for the Admin API and the manager UI. */
export function safeObservabilityConfig(c: ObservabilityConfig): ObservabilityConfig {
  return {
    ...c,
    logSinks: c.logSinks.map((s) => ({ ...s, headers: mask(s.headers) })),
    tracing: c.tracing ? { ...c.tracing, headers: mask(c.tracing.headers) } : undefined,
  };
}
