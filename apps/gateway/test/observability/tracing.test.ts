import type { IncomingHttpHeaders } from "node:http";
import { TracingConfigSchema } from "@sluice/db/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { createTracer, NOOP_SPAN, NOOP_TRACER, traceOf } from "../../src/observability/tracing.ts";
import { startReceiver } from "./receiver.ts";

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number; message?: string };
  events?: Array<{ name: string }>;
}
interface OtlpTraces {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

const INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const INCOMING_PARENT = "00f067aa0ba902b7";

function attrs(span: OtlpSpan | undefined): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const { key, value } of span?.attributes ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
    else if (value.arrayValue) out[key] = value.arrayValue.values.map((v) => v.stringValue ?? "");
  }
  return out;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup(extra: Record<string, unknown> = {}) {
  const rx = await startReceiver();
  const tracer = createTracer(
    TracingConfigSchema.parse({
      url: rx.url,
      serviceName: "gw-test",
      headers: { authorization: "Bearer otel" },
      flushIntervalMs: 60_000,
      ...extra,
    }),
  );
  closers.push(
    () => rx.close(),
    () => tracer.shutdown(),
  );
  return { rx, tracer };
}

async function exported(rx: Awaited<ReturnType<typeof startReceiver>>): Promise<OtlpSpan[]> {
  return rx.received.flatMap((r) =>
    (JSON.parse(r.body) as OtlpTraces).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
  );
}

describe("tracing", () => {
  it("exports a request span with attempt children, GenAI attributes, continuing the incoming traceparent", async () => {
    const { rx, tracer } = await setup();
    expect(tracer.enabled).toBe(true);
    // the shape Fastify's request.headers has
    const incoming: IncomingHttpHeaders = {
      traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01`,
      tracestate: "vendor=abc",
      host: "gw",
      "set-cookie": ["a=b"],
    };
    const req = tracer.startRequestSpan(incoming, {
      operation: "chat",
      requestModel: "smart",
      requestId: "req_1",
      routeName: "main",
      stream: false,
      method: "POST",
    });
    expect(req.traceId).toBe(INCOMING_TRACE);
    expect(traceOf(req)).toEqual({ traceId: INCOMING_TRACE, spanId: req.spanId });

    const a1 = tracer.startAttemptSpan(req, {
      attempt: 1,
      providerKind: "openai",
      requestModel: "gpt-4o",
      operation: "chat",
      targetId: "tgt_1",
      serverAddress: "api.openai.test",
    });
    tracer.endSpan(a1, { status: 503, error: { type: "upstream_unavailable", message: "503 from upstream" } });

    const a2 = tracer.startAttemptSpan(req, {
      attempt: 2,
      providerKind: "anthropic",
      requestModel: "claude-sonnet-4-5",
      operation: "chat",
    });
    const upstreamHeaders = tracer.injectTraceHeaders(a2, { "content-type": "application/json" } as Record<string, string>);
    expect(upstreamHeaders.traceparent).toBe(`00-${INCOMING_TRACE}-${a2.spanId}-01`);
    expect(upstreamHeaders.tracestate).toBe("vendor=abc");
    tracer.endSpan(a2, {
      status: 200,
      responseModel: "claude-sonnet-4-5-20250929",
      responseId: "msg_1",
      finishReasons: ["stop"],
      usage: { inputTokens: 21, outputTokens: 9 },
    });
    tracer.endSpan(req, {
      status: 200,
      providerKind: "anthropic",
      responseModel: "claude-sonnet-4-5-20250929",
      usage: { inputTokens: 21, outputTokens: 9 },
    });
    tracer.endSpan(req, { status: 500 }); // ignored: already ended
    await tracer.forceFlush();

    expect(rx.received[0]?.path).toBe("/v1/traces");
    expect(rx.received[0]?.headers.authorization).toBe("Bearer otel");
    const body = JSON.parse(rx.received[0]?.body ?? "{}") as OtlpTraces;
    expect(body.resourceSpans[0]?.resource.attributes).toContainEqual({ key: "service.name", value: { stringValue: "gw-test" } });
    const spans = await exported(rx);
    expect(spans).toHaveLength(3);
    const root = spans.find((s) => s.spanId === req.spanId);
    const first = spans.find((s) => s.spanId === a1.spanId);
    const second = spans.find((s) => s.spanId === a2.spanId);
    for (const s of spans) expect(s.traceId).toBe(INCOMING_TRACE);
    expect(root?.parentSpanId).toBe(INCOMING_PARENT);
    expect(first?.parentSpanId).toBe(req.spanId);
    expect(second?.parentSpanId).toBe(req.spanId);

    expect(root?.name).toBe("chat smart");
    expect(root?.kind).toBe(2); // SERVER
    expect(attrs(root)).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "smart",
      "gen_ai.system": "anthropic",
      "gen_ai.response.model": "claude-sonnet-4-5-20250929",
      "gen_ai.usage.input_tokens": 21,
      "gen_ai.usage.output_tokens": 9,
      "http.response.status_code": 200,
      "sluice.request_id": "req_1",
      "sluice.route": "main",
      "sluice.stream": false,
    });
    expect(root?.status?.code ?? 0).toBe(0);

    expect(first?.name).toBe("chat gpt-4o");
    expect(first?.kind).toBe(3); // CLIENT
    expect(attrs(first)).toMatchObject({
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o",
      "sluice.attempt": 1,
      "sluice.target_id": "tgt_1",
      "server.address": "api.openai.test",
      "http.response.status_code": 503,
      "error.type": "upstream_unavailable",
    });
    expect(first?.status).toMatchObject({ code: 2, message: "503 from upstream" });

    expect(attrs(second)).toMatchObject({
      "gen_ai.system": "anthropic",
      "gen_ai.response.model": "claude-sonnet-4-5-20250929",
      "gen_ai.response.id": "msg_1",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 21,
      "gen_ai.usage.output_tokens": 9,
      "sluice.attempt": 2,
    });
  });

  it("starts a new trace without traceparent, and ignores a malformed one", async () => {
    const { rx, tracer } = await setup();
    const a = tracer.startRequestSpan({}, { operation: "embeddings", requestModel: "embed" });
    const b = tracer.startRequestSpan({ traceparent: "00-zz-yy-01" }, { operation: null });
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(b.traceId).not.toBe(a.traceId);
    tracer.endSpan(a, { status: 200 });
    tracer.endSpan(b, { status: 404, error: { type: "not_found" } });
    await tracer.forceFlush();
    const spans = await exported(rx);
    expect(spans).toHaveLength(2);
    for (const s of spans) expect(s.parentSpanId ?? "").toBe("");
    const bs = spans.find((s) => s.spanId === b.spanId);
    expect(bs?.name).toBe("sluice.request");
    // a 4xx is the client's doing: error.type is recorded, the SERVER span is not marked failed
    expect(attrs(bs)["error.type"]).toBe("not_found");
    expect(bs?.status?.code ?? 0).toBe(0);
  });

  it("follows an unsampled traceparent: nothing exported, the flag propagated upstream", async () => {
    const { rx, tracer } = await setup();
    const req = tracer.startRequestSpan({ traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-00` }, { operation: "chat" });
    expect(req.recording).toBe(false);
    const attempt = tracer.startAttemptSpan(req, { attempt: 1, providerKind: "openai", requestModel: "m" });
    const h = tracer.injectTraceHeaders(attempt, {} as Record<string, string>);
    expect(h.traceparent).toMatch(new RegExp(`^00-${INCOMING_TRACE}-[0-9a-f]{16}-00$`));
    tracer.endSpan(attempt, { status: 200 });
    tracer.endSpan(req, { status: 200 });
    await tracer.forceFlush();
    expect(rx.received).toHaveLength(0);
  });

  it("sampleRatio 0 records no new traces", async () => {
    const { rx, tracer } = await setup({ sampleRatio: 0 });
    const req = tracer.startRequestSpan({}, { operation: "chat" });
    tracer.endSpan(req, { status: 200 });
    await tracer.forceFlush();
    expect(rx.received).toHaveLength(0);
  });

  it("shutdown exports what is still buffered", async () => {
    const rx = await startReceiver();
    closers.push(() => rx.close());
    const tracer = createTracer(TracingConfigSchema.parse({ url: `${rx.url}/custom/traces`, flushIntervalMs: 60_000 }));
    tracer.endSpan(tracer.startRequestSpan({}, { operation: "chat", requestModel: "m" }), { status: 200 });
    await tracer.shutdown();
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]?.path).toBe("/custom/traces");
  });
});

describe("no-op tracer", () => {
  it("is one frozen object, returning one frozen span, touching no headers", () => {
    expect(createTracer(undefined)).toBe(NOOP_TRACER);
    expect(createTracer(null)).toBe(NOOP_TRACER);
    expect(createTracer(TracingConfigSchema.parse({ url: "http://127.0.0.1:9", enabled: false }))).toBe(NOOP_TRACER);
    expect(Object.isFrozen(NOOP_TRACER)).toBe(true);
    expect(Object.isFrozen(NOOP_SPAN)).toBe(true);
    expect(NOOP_TRACER.enabled).toBe(false);

    const headers = { traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` };
    const span = NOOP_TRACER.startRequestSpan(headers, { operation: "chat", requestModel: "m" });
    expect(span).toBe(NOOP_SPAN);
    expect(NOOP_TRACER.startRequestSpan({}, { operation: null })).toBe(span);
    const attempt = NOOP_TRACER.startAttemptSpan(span, { attempt: 1, providerKind: "openai", requestModel: "m" });
    expect(attempt).toBe(NOOP_SPAN);
    const upstream: Record<string, string> = { a: "b" };
    expect(NOOP_TRACER.injectTraceHeaders(attempt, upstream)).toBe(upstream);
    expect(upstream).toEqual({ a: "b" });
    NOOP_TRACER.endSpan(span, { status: 200, usage: { inputTokens: 1, outputTokens: 1 } });
    expect(traceOf(span)).toBeNull();
    expect(span).toEqual({ recording: false, traceId: "", spanId: "" });
  });
});
