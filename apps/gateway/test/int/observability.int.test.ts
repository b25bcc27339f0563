// Observability end to end (issue 6): real requests through the gateway (buildApp + the OpenAI-like mock), with an
// in-test HTTP receiver standing in for the log backend and another for the OTLP collector. The config comes from
// SLUICE_OBSERVABILITY_FILE, as in production. The sinks and the span exporter flush long after the test (60 s), so
// what arrives was sent by the graceful shutdown (app.close()).

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { type Receiver, startReceiver } from "../observability/receiver.ts";
import { auth, baseConfig, buildTestApp, testEnv } from "../support/gateway.ts";

const INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const INCOMING_PARENT = "00f067aa0ba902b7";
const EMAIL = "alice.smith@example.com";

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number };
}

function attrs(span: OtlpSpan | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of span?.attributes ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}

function spansOf(rx: Receiver): OtlpSpan[] {
  return rx.received.flatMap((r) =>
    (JSON.parse(r.body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) => ss.spans),
    ),
  );
}

type Record_ = { requestId: string; routeId: string; status: number; traceId?: string; request?: unknown; response?: unknown };
const recordsOf = (rx: Receiver): Record_[] => rx.received.flatMap((r) => JSON.parse(r.body) as Record_[]);

let mockA: MockUpstream;
let mockB: MockUpstream;
let sinkRx: Receiver;
let otlpRx: Receiver;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  [mockA, mockB] = await Promise.all([startOpenAILikeMock(), startOpenAILikeMock()]);
});
afterAll(async () => {
  await Promise.all([mockA.close(), mockB.close()]);
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all([sinkRx?.close(), otlpRx?.close()]);
  mockA.reset();
  mockB.reset();
});

function config() {
  const base = baseConfig(`${mockA.url}/v1`);
  return baseConfig(`${mockA.url}/v1`, {
    providers: [
      ...(base.providers ?? []),
      {
        id: "prov_b",
        name: "mock-b",
        kind: "openai",
        baseUrl: `${mockB.url}/v1`,
        credentialsRef: { env: { apiKey: "SLUICE_TEST_UPSTREAM_KEY" } },
      },
    ],
    routes: [
      ...(base.routes ?? []),
      {
        id: "rt_logged",
        name: "logged",
        paths: ["/logged/v1"],
        type: "chat",
        options: { logPayloads: true },
        targets: [{ id: "tgt_logged", providerId: "prov_mock", model: "gpt-4o-mini" }],
      },
      {
        id: "rt_fo",
        name: "failover",
        paths: ["/fo/v1"],
        type: "chat",
        balancer: { algorithm: "priority" },
        retry: { attempts: 2, on: ["http_5xx"] },
        targets: [
          { id: "tgt_a", providerId: "prov_mock", model: "gpt-4o-mini", alias: "fo", priority: 0 },
          { id: "tgt_b", providerId: "prov_b", model: "gpt-4o", alias: "fo", priority: 1 },
        ],
      },
    ],
  });
}

async function start(observability: Record<string, unknown>) {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-obs-"));
  const file = path.join(dir, "observability.json");
  writeFileSync(file, JSON.stringify(observability));
  const { app, usage } = await buildTestApp(config(), { env: testEnv({ SLUICE_OBSERVABILITY_FILE: file }) });
  apps.push(app);
  return { app, usage };
}

const chat = (model: string, content: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: "user", content }],
  ...extra,
});

describe("observability wired into the pipeline", () => {
  it("log sinks: one batched record per usage event, payloads (redacted) only for the route that opts in", async () => {
    sinkRx = await startReceiver();
    const { app, usage } = await start({ logSinks: [{ type: "http", url: `${sinkRx.url}/ingest`, flushIntervalMs: 60_000 }] });
    expect(app.gw.observability.tracer.enabled).toBe(false);
    const plain = await app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: auth(),
      payload: chat("fast", `mail me at ${EMAIL}`),
    });
    expect(plain.statusCode).toBe(200);
    const logged = await app.inject({
      method: "POST",
      url: "/logged/v1/chat/completions",
      headers: auth(),
      payload: chat("gpt-4o-mini", `mail me at ${EMAIL}`),
    });
    expect(logged.statusCode).toBe(200);
    const denied = await app.inject({ method: "POST", url: "/v1/chat/completions", payload: chat("fast", "hi") });
    expect(denied.statusCode).toBe(401);
    await usage.waitFor(3);
    expect(sinkRx.received).toHaveLength(0); // batched: nothing sent before the flush interval or shutdown

    await app.close();
    expect(sinkRx.received).toHaveLength(1);
    expect(sinkRx.received[0]?.path).toBe("/ingest");
    expect(sinkRx.received[0]?.headers["content-type"]).toMatch(/^application\/json/);
    const records = recordsOf(sinkRx);
    expect(records).toHaveLength(3);
    const byRequest = new Map(records.map((r) => [r.requestId, r]));
    const p = byRequest.get(String(plain.headers["x-sluice-request-id"]));
    const l = byRequest.get(String(logged.headers["x-sluice-request-id"]));
    const d = byRequest.get(String(denied.headers["x-sluice-request-id"]));
    expect(p).toMatchObject({
      type: "usage",
      routeId: "rt_main",
      status: 200,
      targetId: "tgt_fast",
      totalTokens: expect.any(Number),
    });
    expect(p).not.toHaveProperty("request");
    expect(p).not.toHaveProperty("response");
    expect(p).not.toHaveProperty("traceId");
    expect(d).toMatchObject({ status: 401, errorCode: "missing_api_key" });
    expect(d).not.toHaveProperty("request");
    expect(l).toMatchObject({ routeId: "rt_logged", status: 200 });
    expect(l?.request).toMatchObject({ model: "gpt-4o-mini", messages: [{ role: "user", content: "mail me at <EMAIL_1>" }] });
    expect(JSON.stringify(l)).not.toContain(EMAIL);
    expect(l?.response).toMatchObject({ object: "chat.completion", choices: [expect.anything()] });
    // every usage event went to the sink as one record, with the same facts
    expect(new Set(records.map((r) => r.requestId))).toEqual(new Set(usage.events.map((e) => e.requestId)));
  });

  it("tracing: a request span continuing traceparent, a child span per attempt with GenAI attributes, traceparent upstream", async () => {
    otlpRx = await startReceiver();
    const { app, usage } = await start({ tracing: { url: otlpRx.url, serviceName: "gw-int", flushIntervalMs: 60_000 } });
    mockA.injectFault({ fail: 500 });
    const res = await app.inject({
      method: "POST",
      url: "/fo/v1/chat/completions",
      headers: { ...auth(), traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` },
      payload: chat("fo", "hello there", { max_tokens: 20, temperature: 0.5 }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-sluice-attempts"]).toBe("2");
    // a request without traceparent starts its own trace; a streamed one ends its attempt with the stream
    const own = await app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: auth(),
      payload: chat("fast", "stream please", { stream: true, stream_options: { include_usage: true } }),
    });
    expect(own.statusCode).toBe(200);
    const [ev] = await usage.waitFor(2);
    await app.inject({ method: "GET", url: "/health" }); // untracked: no span

    // both upstream calls carried the trace, each with its own attempt span as the parent
    const upA = mockA.requests.find((r) => r.path === "/v1/chat/completions");
    const upB = mockB.lastRequest();
    expect(upA?.headers.traceparent).toMatch(new RegExp(`^00-${INCOMING_TRACE}-[0-9a-f]{16}-01$`));
    expect(upB?.headers.traceparent).toMatch(new RegExp(`^00-${INCOMING_TRACE}-[0-9a-f]{16}-01$`));
    expect(upA?.headers.traceparent).not.toBe(upB?.headers.traceparent);

    await app.close();
    const spans = spansOf(otlpRx);
    const inTrace = spans.filter((s) => s.traceId === INCOMING_TRACE);
    expect(inTrace).toHaveLength(3);
    const root = inTrace.find((s) => s.kind === 2); // SERVER
    expect(root?.parentSpanId).toBe(INCOMING_PARENT);
    expect(root?.name).toBe("chat fo");
    expect(attrs(root)).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "fo",
      "gen_ai.request.max_tokens": 20,
      "gen_ai.request.temperature": 0.5,
      "gen_ai.system": "openai",
      "gen_ai.response.model": "gpt-4o",
      "gen_ai.usage.input_tokens": ev?.promptTokens,
      "gen_ai.usage.output_tokens": ev?.completionTokens,
      "http.response.status_code": 200,
      "sluice.request_id": ev?.requestId,
      "sluice.route_id": "rt_fo",
      "sluice.consumer_id": "cons_app",
      "sluice.attempts": 2,
    });
    const attempts = inTrace.filter((s) => s.kind === 3); // CLIENT
    expect(attempts.map((s) => s.parentSpanId)).toEqual([root?.spanId, root?.spanId]);
    const first = attempts.find((s) => attrs(s)["sluice.attempt"] === 1);
    const second = attempts.find((s) => attrs(s)["sluice.attempt"] === 2);
    expect(upA?.headers.traceparent).toBe(`00-${INCOMING_TRACE}-${first?.spanId}-01`);
    expect(upB?.headers.traceparent).toBe(`00-${INCOMING_TRACE}-${second?.spanId}-01`);
    expect(first?.name).toBe("chat gpt-4o-mini");
    expect(attrs(first)).toMatchObject({
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "sluice.target_id": "tgt_a",
      "http.response.status_code": 500,
      "error.type": "500",
    });
    expect(first?.status?.code).toBe(2); // ERROR
    expect(attrs(second)).toMatchObject({
      "gen_ai.request.model": "gpt-4o",
      "sluice.target_id": "tgt_b",
      "server.address": "127.0.0.1",
      "http.response.status_code": 200,
      "gen_ai.usage.input_tokens": ev?.promptTokens,
    });

    // the streamed request: its own trace, request span + one attempt span, usage on both
    const streamed = spans.filter((s) => s.traceId !== INCOMING_TRACE);
    expect(streamed).toHaveLength(2);
    const sRoot = streamed.find((s) => s.kind === 2);
    const sAttempt = streamed.find((s) => s.kind === 3);
    expect(sRoot?.parentSpanId ?? "").toBe("");
    expect(sAttempt?.parentSpanId).toBe(sRoot?.spanId);
    expect(attrs(sRoot)).toMatchObject({ "sluice.stream": true, "gen_ai.usage.output_tokens": expect.any(Number) });
    expect(attrs(sAttempt)["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
  });

  it("log records carry the request's trace ids when both are configured", async () => {
    sinkRx = await startReceiver();
    otlpRx = await startReceiver();
    const { app } = await start({
      logSinks: [{ type: "http", url: sinkRx.url, format: "ndjson", flushIntervalMs: 60_000 }],
      tracing: { url: otlpRx.url, flushIntervalMs: 60_000 },
    });
    const res = await app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: { ...auth(), traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` },
      payload: chat("fast", "hi"),
    });
    expect(res.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    await app.close();
    const lines = sinkRx.received.flatMap((r) => r.body.trim().split("\n"));
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string);
    const root = spansOf(otlpRx).find((s) => s.kind === 2);
    expect(record).toMatchObject({ traceId: INCOMING_TRACE, spanId: root?.spanId });
  });

  it("unconfigured: no tracer, no sinks, no traceparent upstream", async () => {
    const { app } = await buildTestApp(config());
    apps.push(app);
    expect(app.gw.observability.tracer.enabled).toBe(false);
    expect(app.gw.observability.sinks.enabled).toBe(false);
    const res = await app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: { ...auth(), traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` },
      payload: chat("fast", "hi"),
    });
    expect(res.statusCode).toBe(200);
    expect(mockA.lastRequest()?.headers.traceparent).toBeUndefined();
  });
});
