import { OtlpLogSinkConfigSchema } from "@sluice/db/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { otlpSignalUrl } from "../../src/observability/batching-sink.ts";
import { encodeOtlpLogs, type OtlpKeyValue, type OtlpLogsRequest } from "../../src/observability/otlp-logs.ts";
import type { UsageLogRecord } from "../../src/observability/record.ts";
import { OtlpLogSink } from "../../src/observability/sinks.ts";
import { startReceiver } from "./receiver.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

const record = (over: Partial<UsageLogRecord> = {}): UsageLogRecord => ({
  type: "usage",
  id: "use_1",
  requestId: "req_1",
  ts: "2026-01-02T03:04:05.678Z",
  status: 200,
  providerKind: "anthropic",
  model: "claude",
  upstreamModel: "claude-sonnet-4-5",
  promptTokens: 10,
  completionTokens: 4,
  cost: "0.00012",
  stream: true,
  routeId: null,
  traceId: TRACE,
  spanId: SPAN,
  ...over,
});

const attr = (attrs: OtlpKeyValue[], key: string) => attrs.find((a) => a.key === key)?.value;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe("OTLP logs", () => {
  it("encodes resourceLogs -> scopeLogs -> logRecords with GenAI attributes", () => {
    const body = encodeOtlpLogs(
      [record(), record({ id: "use_2", status: 503, request: { messages: [] } })],
      { serviceName: "gw", attributes: { "deployment.environment": "test" } },
      1_800_000_000_000,
    );
    expect(body.resourceLogs).toHaveLength(1);
    const rl = body.resourceLogs[0]!;
    expect(attr(rl.resource.attributes, "service.name")).toEqual({ stringValue: "gw" });
    expect(attr(rl.resource.attributes, "deployment.environment")).toEqual({ stringValue: "test" });
    expect(rl.scopeLogs[0]?.scope.name).toBe("sluice-gateway");
    const [ok, failed] = rl.scopeLogs[0]!.logRecords;
    expect(ok).toMatchObject({
      timeUnixNano: "1767323045678000000",
      observedTimeUnixNano: "1800000000000000000",
      severityNumber: 9,
      severityText: "INFO",
      eventName: "sluice.usage",
      traceId: TRACE,
      spanId: SPAN,
    });
    expect(ok?.body).toBeUndefined();
    const a = ok!.attributes;
    expect(attr(a, "gen_ai.system")).toEqual({ stringValue: "anthropic" });
    expect(attr(a, "gen_ai.request.model")).toEqual({ stringValue: "claude" });
    expect(attr(a, "gen_ai.response.model")).toEqual({ stringValue: "claude-sonnet-4-5" });
    expect(attr(a, "gen_ai.usage.input_tokens")).toEqual({ intValue: 10 });
    expect(attr(a, "gen_ai.usage.output_tokens")).toEqual({ intValue: 4 });
    expect(attr(a, "http.response.status_code")).toEqual({ intValue: 200 });
    expect(attr(a, "sluice.request_id")).toEqual({ stringValue: "req_1" });
    expect(attr(a, "sluice.cost")).toEqual({ stringValue: "0.00012" });
    expect(attr(a, "sluice.stream")).toEqual({ boolValue: true });
    // nulls and the envelope are not attributes
    expect(attr(a, "sluice.route_id")).toBeUndefined();
    expect(attr(a, "sluice.type")).toBeUndefined();
    expect(attr(a, "sluice.trace_id")).toBeUndefined();
    expect(failed).toMatchObject({ severityNumber: 17, severityText: "ERROR" });
    expect(failed?.body).toEqual({
      kvlistValue: {
        values: [
          { key: "request", value: { kvlistValue: { values: [{ key: "messages", value: { arrayValue: { values: [] } } }] } } },
        ],
      },
    });
  });

  it("the sink POSTs JSON to the collector's /v1/logs", async () => {
    const rx = await startReceiver();
    const sink = new OtlpLogSink(
      OtlpLogSinkConfigSchema.parse({ type: "otlp", url: rx.url, batchSize: 2, headers: { "x-api-key": "k" } }),
    );
    closers.push(
      () => rx.close(),
      () => sink.close(),
    );
    sink.enqueue(record());
    sink.enqueue(record({ id: "use_2" }));
    const [got] = await rx.waitFor(1);
    expect(got?.path).toBe("/v1/logs");
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["x-api-key"]).toBe("k");
    const body = JSON.parse(got?.body ?? "{}") as OtlpLogsRequest;
    const logs = body.resourceLogs[0]?.scopeLogs[0]?.logRecords ?? [];
    expect(logs.map((l) => attr(l.attributes, "sluice.id"))).toEqual([{ stringValue: "use_1" }, { stringValue: "use_2" }]);
    expect(attr(body.resourceLogs[0]!.resource.attributes, "service.name")).toEqual({ stringValue: "sluice-gateway" });
  });

  it("keeps a URL that already has a path", () => {
    expect(otlpSignalUrl("http://c:4318", "/v1/logs")).toBe("http://c:4318/v1/logs");
    expect(otlpSignalUrl("http://c:4318/", "/v1/traces")).toBe("http://c:4318/v1/traces");
    expect(otlpSignalUrl("https://c/otlp/v1/logs", "/v1/logs")).toBe("https://c/otlp/v1/logs");
  });
});
