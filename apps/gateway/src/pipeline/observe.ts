// Observability in the pipeline: the request span (started on arrival, named and attributed once the request is
// understood, ended at settle with the usage), one child span per upstream attempt (runAttempts), and one record
// per usage event for the log sinks (payloads only for routes with logPayloads, redacted by the record builder).
// Everything checks `enabled` first: with nothing configured no span, record or attribute object is built.

import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { UsageEventInput } from "@sluice/db";
import type { ObservabilityConfig } from "@sluice/db/schemas";
import type { AttemptResult } from "../balancer/index.ts";
import type { TargetEntry } from "../config/snapshot.ts";
import {
  createLogSinks,
  createTracer,
  createUsageRecordBuilder,
  type GenAiOperation,
  genAiOperationOf,
  type IncomingHeaders,
  type LogSinks,
  NOOP_LOG_SINKS,
  NOOP_SPAN,
  NOOP_TRACER,
  type SinkLogger,
  type SpanEnd,
  type Tracer,
  traceOf,
  type UsageRecordBuilder,
} from "../observability/index.ts";
import type { RequestContext } from "./context.ts";

export interface Observability {
  readonly sinks: LogSinks;
  readonly tracer: Tracer;
  readonly record: UsageRecordBuilder | null;
  /** flushes the sinks and the span exporter (graceful shutdown) */
  close(deadlineMs?: number): Promise<void>;
}

export const NO_OBSERVABILITY: Observability = Object.freeze({
  sinks: NOOP_LOG_SINKS,
  tracer: NOOP_TRACER,
  record: null,
  close: async () => {},
});

export interface ObservabilityDeps {
  log?: SinkLogger;
  /** replaces the OTLP span exporter (tests) */
  spanExporter?: SpanExporter;
}

export function createObservability(config: ObservabilityConfig | null | undefined, deps: ObservabilityDeps = {}): Observability {
  if (!config) return NO_OBSERVABILITY;
  const sinks = createLogSinks(config.logSinks, { log: deps.log });
  const tracer = createTracer(config.tracing, { exporter: deps.spanExporter });
  if (!sinks.enabled && !tracer.enabled) return NO_OBSERVABILITY;
  return {
    sinks,
    tracer,
    record: sinks.enabled ? createUsageRecordBuilder(config.payloads) : null,
    async close(deadlineMs = 5_000) {
      await Promise.all([sinks.close(deadlineMs), tracer.shutdown().catch(() => {})]);
    },
  };
}

function operationOf(ctx: RequestContext): GenAiOperation | null {
  if (ctx.endpoint === "native") return ctx.route?.nativeFormat === "gemini" ? "generate_content" : "chat";
  return genAiOperationOf(ctx.endpoint);
}

/** onRequest: the request's SERVER span, continuing an incoming `traceparent`. */
export function startRequestTrace(tracer: Tracer, ctx: RequestContext, headers: IncomingHeaders, method: string, url: string) {
  const q = url.indexOf("?");
  ctx.span = tracer.startRequestSpan(headers, {
    operation: null,
    requestId: ctx.id,
    method,
    path: q === -1 ? url : url.slice(0, q),
  });
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** A child span for one attempt; the pipeline injects its `traceparent` into the upstream request. */
export function startAttemptTrace(tracer: Tracer, ctx: RequestContext, target: TargetEntry, attempt: number, panic: boolean) {
  const provider = target.provider;
  let host: string | null = null;
  let port: number | null = null;
  try {
    const u = new URL(provider.origin);
    host = u.hostname;
    port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  } catch {
    // an origin the adapter computes per request
  }
  ctx.attemptSpan = tracer.startAttemptSpan(ctx.span, {
    attempt,
    providerKind: provider.kind,
    // a templated model ($(headers.x)) is only known inside the attempt; the span then names the client's
    requestModel: target.model.parts === null ? target.model.text : (ctx.model ?? target.model.text),
    operation: operationOf(ctx),
    targetId: target.id,
    providerId: provider.id,
    serverAddress: host,
    serverPort: port,
    attributes: panic ? { "sluice.panic": true } : undefined,
  });
}

/** Ends the current attempt's span with how the attempt went. */
export function endAttemptTrace(tracer: Tracer, ctx: RequestContext, result: AttemptResult | null, err?: unknown) {
  const span = ctx.attemptSpan;
  if (span === NOOP_SPAN) return;
  ctx.attemptSpan = NOOP_SPAN;
  const end: SpanEnd = { status: ctx.upstreamStatus, responseModel: ctx.upstreamModel };
  if (result) {
    if (result.kind === "ok") {
      end.status = result.status ?? ctx.upstreamStatus ?? 200;
      const u = ctx.usage;
      if (u) end.usage = { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens };
    } else if (result.kind === "http") end.status = result.status;
    else if (result.kind === "timeout") end.error = { type: `timeout_${result.phase}` };
    else if (result.kind === "error") end.error = { type: result.code ?? "error" };
    else end.error = { type: "aborted" };
  } else if (err) end.error = err instanceof Error ? err : { type: "error" };
  tracer.endSpan(span, end);
}

/** settle: one log-sink record per usage event; the request span gets its attributes, usage and status and ends. */
export function observeSettled(obs: Observability, ctx: RequestContext, event: UsageEventInput): void {
  const tracer = obs.tracer;
  if (tracer.enabled && ctx.span !== NOOP_SPAN) {
    const body = ctx.body;
    const usage = event.promptTokens || event.completionTokens;
    tracer.setRequestAttributes(ctx.span, {
      operation: operationOf(ctx),
      requestModel: ctx.model,
      requestId: ctx.id,
      routeId: ctx.route?.id,
      routeName: ctx.route?.name,
      consumerId: ctx.consumer?.id,
      stream: ctx.stream,
      maxTokens: body ? (num(body.max_tokens) ?? num(body.max_completion_tokens)) : null,
      temperature: body ? num(body.temperature) : null,
      topP: body ? num(body.top_p) : null,
    });
    if (ctx.attemptSpan !== NOOP_SPAN) endAttemptTrace(tracer, ctx, null);
    tracer.endSpan(ctx.span, {
      status: event.status,
      providerKind: event.providerKind,
      responseModel: ctx.upstreamModel,
      usage: usage ? { inputTokens: event.promptTokens ?? 0, outputTokens: event.completionTokens ?? 0 } : null,
      error: ctx.errorCode && event.status >= 500 ? { type: ctx.errorCode } : null,
      attributes: ctx.attempts && ctx.attempts.length > 0 ? { "sluice.attempts": ctx.attempts.length } : undefined,
    });
  }
  if (obs.record) {
    const logPayloads = ctx.route?.logPayloads === true;
    obs.sinks.emit(
      obs.record({
        event,
        logPayloads,
        request: logPayloads ? (ctx.body ?? undefined) : undefined,
        response: logPayloads ? (ctx.responsePayload ?? ctx.completionText ?? undefined) : undefined,
        trace: traceOf(ctx.span),
      }),
    );
  }
}
