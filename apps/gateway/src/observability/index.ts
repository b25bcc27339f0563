// Observability entry points for the pipeline: log sinks for custom backends (HTTP JSON/NDJSON, OTLP logs), the
// usage record they carry (payloads only for routes with logPayloads, PII-redacted), and OpenTelemetry tracing.
// No Fastify here: the pipeline creates these once from the validated config and calls them.

export { type BatchingSinkOptions, otlpSignalUrl, type SinkLogger, type SinkStats } from "./batching-sink.ts";
export { GEN_AI, type GenAiOperation, genAiOperationOf, genAiSystemOf } from "./genai.ts";
export { encodeOtlpLogs, type OtlpLogsRequest, otlpLogRecord } from "./otlp-logs.ts";
export {
  createUsageRecordBuilder,
  type JsonValue,
  toJsonValue,
  type UsageLogRecord,
  type UsageRecordBuilder,
  type UsageRecordInput,
} from "./record.ts";
export {
  createLogSink,
  createLogSinks,
  encodeJsonBatch,
  HttpLogSink,
  type LogSinks,
  NOOP_LOG_SINKS,
  OtlpLogSink,
  type SinkDeps,
} from "./sinks.ts";
export {
  type AttemptSpanAttributes,
  createTracer,
  type IncomingHeaders,
  NOOP_SPAN,
  NOOP_TRACER,
  type RequestSpanAttributes,
  type SpanEnd,
  type SpanUsage,
  type Tracer,
  type TraceSpan,
  traceOf,
} from "./tracing.ts";
