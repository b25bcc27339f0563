// OpenTelemetry tracing, off unless configured. `createTracer(undefined)` (or `enabled: false`) returns NOOP_TRACER,
// one frozen object whose methods return one frozen NOOP_SPAN: nothing is allocated, no header is parsed, nothing
// is injected. Configured, it runs its own BasicTracerProvider (never registered globally, so nothing else in the
// process is traced by accident) with a BatchSpanProcessor and the OTLP/HTTP JSON exporter.
//
// One SERVER span per request, parented on the incoming W3C `traceparent` / `tracestate` when present (and sampled
// as the caller decided, ParentBased), with one CLIENT child span per upstream attempt. Contexts are passed
// explicitly (no AsyncLocalStorage). Attributes follow the GenAI semantic conventions: gen_ai.operation.name,
// gen_ai.system / gen_ai.provider.name, gen_ai.request.model, gen_ai.response.model, gen_ai.usage.input_tokens,
// gen_ai.usage.output_tokens; plus http.response.status_code, error.type and sluice.* for gateway facts. Span names
// follow the convention "{operation} {model}".

import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Tracer as OtelTracer,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import type { TracingConfig } from "@sluice/db/schemas";
import { otlpSignalUrl } from "./batching-sink.ts";
import { GEN_AI, type GenAiOperation, genAiSystemOf } from "./genai.ts";

export type AttributeValue = string | number | boolean;

/** A span handle the pipeline carries; opaque apart from the ids (for log correlation). */
export interface TraceSpan {
  /** false for the no-op span and for spans the sampler dropped */
  readonly recording: boolean;
  /** hex ids; "" on the no-op span */
  readonly traceId: string;
  readonly spanId: string;
}

export interface RequestSpanAttributes {
  /** gen_ai.operation.name; null for non-GenAI endpoints (span named "sluice.request") */
  operation: GenAiOperation | null;
  /** the model the client asked for (gen_ai.request.model) */
  requestModel?: string | null;
  requestId?: string;
  routeId?: string | null;
  routeName?: string | null;
  consumerId?: string | null;
  stream?: boolean;
  method?: string;
  path?: string;
  maxTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface AttemptSpanAttributes {
  /** 1 for the first attempt */
  attempt: number;
  /** the provider kind ("openai", "anthropic", ...): gen_ai.system */
  providerKind: string;
  /** the upstream model sent to the provider (gen_ai.request.model) */
  requestModel: string;
  operation?: GenAiOperation | null;
  targetId?: string | null;
  providerId?: string | null;
  serverAddress?: string | null;
  serverPort?: number | null;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface SpanUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface SpanEnd {
  /** the HTTP status (to the client for a request span, from the upstream for an attempt span) */
  status?: number | null;
  /** the provider that served (request spans: set once the served target is known) */
  providerKind?: string | null;
  responseModel?: string | null;
  responseId?: string | null;
  finishReasons?: readonly string[] | null;
  usage?: SpanUsage | null;
  /** a failure: an Error is recorded as an exception; `type` becomes error.type (a gateway error code) */
  error?: Error | { type: string; message?: string } | null;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface Tracer {
  readonly enabled: boolean;
  /** The request's span, continuing the trace in `traceparent` / `tracestate` when they are valid. */
  startRequestSpan(headers: IncomingHeaders, attrs: RequestSpanAttributes): TraceSpan;
  /**
   * Sets a request span's attributes and name once the request is understood (route, model, consumer): the span
   * starts when the request arrives, before any of that is known. Ignored for ended or no-op spans.
   */
  setRequestAttributes(span: TraceSpan, attrs: RequestSpanAttributes): void;
  /** A child span for one upstream attempt. */
  startAttemptSpan(parent: TraceSpan, attrs: AttemptSpanAttributes): TraceSpan;
  /** Sets the outcome (status, usage, error) and ends the span; a second call is ignored. */
  endSpan(span: TraceSpan, end?: SpanEnd): void;
  /** Adds `traceparent` (and `tracestate`) for `span` to the upstream request's headers; returns `headers`. */
  injectTraceHeaders<H extends Record<string, string>>(span: TraceSpan, headers: H): H;
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export const NOOP_SPAN: TraceSpan = Object.freeze({ recording: false, traceId: "", spanId: "" });

const resolved = async () => {};
export const NOOP_TRACER: Tracer = Object.freeze({
  enabled: false,
  startRequestSpan: () => NOOP_SPAN,
  setRequestAttributes() {},
  startAttemptSpan: () => NOOP_SPAN,
  endSpan() {},
  injectTraceHeaders: <H extends Record<string, string>>(_span: TraceSpan, headers: H) => headers,
  forceFlush: resolved,
  shutdown: resolved,
});

/** The ids to put on a log record, or null for the no-op span. */
export function traceOf(span: TraceSpan): { traceId: string; spanId: string } | null {
  return span.traceId ? { traceId: span.traceId, spanId: span.spanId } : null;
}

class SdkSpan implements TraceSpan {
  ended = false;
  constructor(
    readonly span: Span,
    readonly context: Context,
    /** CLIENT spans (attempts) count 4xx as errors; the SERVER span only 5xx */
    readonly client: boolean,
  ) {}
  get recording(): boolean {
    return this.span.isRecording();
  }
  get traceId(): string {
    return this.span.spanContext().traceId;
  }
  get spanId(): string {
    return this.span.spanContext().spanId;
  }
}

function put(attrs: Attributes, key: string, v: AttributeValue | null | undefined): void {
  if (v !== null && v !== undefined && v !== "") attrs[key] = v;
}

function spanName(operation: GenAiOperation | null | undefined, model: string | null | undefined): string {
  if (!operation) return "sluice.request";
  return model ? `${operation} ${model}` : operation;
}

function requestAttributes(a: RequestSpanAttributes): Attributes {
  const attributes: Attributes = {};
  put(attributes, GEN_AI.operationName, a.operation);
  put(attributes, GEN_AI.requestModel, a.requestModel);
  put(attributes, GEN_AI.requestMaxTokens, a.maxTokens);
  put(attributes, GEN_AI.requestTemperature, a.temperature);
  put(attributes, GEN_AI.requestTopP, a.topP);
  put(attributes, "http.request.method", a.method);
  put(attributes, "url.path", a.path);
  put(attributes, "sluice.request_id", a.requestId);
  put(attributes, "sluice.route_id", a.routeId);
  put(attributes, "sluice.route", a.routeName);
  put(attributes, "sluice.consumer_id", a.consumerId);
  put(attributes, "sluice.stream", a.stream);
  if (a.attributes) Object.assign(attributes, a.attributes);
  return attributes;
}

export interface TracerDeps {
  /** replaces the OTLP exporter (tests) */
  exporter?: SpanExporter;
}

export function createTracer(config: TracingConfig | null | undefined, deps: TracerDeps = {}): Tracer {
  if (!config?.enabled) return NOOP_TRACER;
  const exporter =
    deps.exporter ??
    new OTLPTraceExporter({
      url: otlpSignalUrl(config.url, "/v1/traces"),
      headers: { ...config.headers },
      timeoutMillis: config.timeoutMs,
    });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": config.serviceName, ...config.resourceAttributes }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxQueueSize: config.maxQueue,
        maxExportBatchSize: config.batchSize,
        scheduledDelayMillis: config.flushIntervalMs,
        exportTimeoutMillis: config.timeoutMs,
      }),
    ],
  });
  const tracer: OtelTracer = provider.getTracer("sluice-gateway");
  const propagator = new W3CTraceContextPropagator();

  return {
    enabled: true,
    startRequestSpan(headers, a) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      const attributes = requestAttributes(a);
      const span = tracer.startSpan(spanName(a.operation, a.requestModel), { kind: SpanKind.SERVER, attributes }, parent);
      return new SdkSpan(span, trace.setSpan(parent, span), false);
    },
    setRequestAttributes(s, a) {
      if (!(s instanceof SdkSpan) || s.ended || !s.span.isRecording()) return;
      s.span.updateName(spanName(a.operation, a.requestModel));
      s.span.setAttributes(requestAttributes(a));
    },
    startAttemptSpan(parent, a) {
      if (!(parent instanceof SdkSpan)) return NOOP_SPAN;
      const attributes: Attributes = {};
      const system = genAiSystemOf(a.providerKind);
      put(attributes, GEN_AI.operationName, a.operation);
      put(attributes, GEN_AI.system, system);
      put(attributes, GEN_AI.providerName, system);
      put(attributes, GEN_AI.requestModel, a.requestModel);
      put(attributes, "server.address", a.serverAddress);
      put(attributes, "server.port", a.serverPort);
      put(attributes, "sluice.attempt", a.attempt);
      put(attributes, "sluice.target_id", a.targetId);
      put(attributes, "sluice.provider_id", a.providerId);
      put(attributes, "sluice.provider_kind", a.providerKind);
      if (a.attributes) Object.assign(attributes, a.attributes);
      const span = tracer.startSpan(spanName(a.operation, a.requestModel), { kind: SpanKind.CLIENT, attributes }, parent.context);
      return new SdkSpan(span, trace.setSpan(parent.context, span), true);
    },
    endSpan(s, end = {}) {
      if (!(s instanceof SdkSpan) || s.ended) return;
      s.ended = true;
      const span = s.span;
      if (span.isRecording()) {
        const attributes: Attributes = {};
        if (end.providerKind) {
          const system = genAiSystemOf(end.providerKind);
          attributes[GEN_AI.system] = system;
          attributes[GEN_AI.providerName] = system;
        }
        put(attributes, GEN_AI.responseModel, end.responseModel);
        put(attributes, GEN_AI.responseId, end.responseId);
        if (end.finishReasons && end.finishReasons.length > 0) attributes[GEN_AI.responseFinishReasons] = [...end.finishReasons];
        if (end.usage) {
          attributes[GEN_AI.inputTokens] = end.usage.inputTokens;
          attributes[GEN_AI.outputTokens] = end.usage.outputTokens;
        }
        const status = end.status ?? null;
        put(attributes, "http.response.status_code", status);
        if (end.attributes) Object.assign(attributes, end.attributes);
        // HTTP conventions: a 4xx is the client's doing for the SERVER span, a failure for a CLIENT (attempt) span
        const failedStatus = status !== null && (status >= 500 || (s.client && status >= 400));
        const error = end.error ?? null;
        let errorType: string | null = null;
        if (error) errorType = error instanceof Error ? ((error as { code?: string }).code ?? error.name) : error.type;
        else if (failedStatus) errorType = String(status);
        if (errorType) attributes["error.type"] = errorType;
        if (error instanceof Error) span.recordException(error);
        if (failedStatus || (error && (s.client || status === null))) {
          const message = error?.message;
          span.setStatus(message ? { code: SpanStatusCode.ERROR, message } : { code: SpanStatusCode.ERROR });
        }
        span.setAttributes(attributes);
      }
      span.end();
    },
    injectTraceHeaders(s, headers) {
      if (s instanceof SdkSpan) propagator.inject(s.context, headers, defaultTextMapSetter);
      return headers;
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
