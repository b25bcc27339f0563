import { Prisma, type UsageEventInput } from "@sluice/db";
import { HttpLogSinkConfigSchema, PayloadLogConfigSchema } from "@sluice/db/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { createUsageRecordBuilder, type UsageLogRecord } from "../../src/observability/record.ts";
import { HttpLogSink } from "../../src/observability/sinks.ts";
import { startReceiver } from "./receiver.ts";

const event = (over: Partial<UsageEventInput> = {}): UsageEventInput => ({
  id: "use_1",
  requestId: "req_1",
  ts: new Date("2026-01-02T03:04:05.678Z"),
  nodeId: "node-a",
  routeId: "rt_1",
  providerKind: "openai",
  model: "gpt-4o-mini",
  upstreamModel: "gpt-4o-mini-2024-07-18",
  status: 200,
  upstreamStatus: 200,
  promptTokens: 12,
  completionTokens: 5,
  totalTokens: 17,
  cost: new Prisma.Decimal("0.000012345678"),
  currency: "USD",
  latencyMs: 321,
  attempts: [
    { targetId: "tgt_1", status: 503 },
    { targetId: "tgt_2", status: 200 },
  ],
  metadata: Prisma.DbNull,
  ...over,
});

const request = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "You are helpful." },
    { role: "user", content: "Write to jane.doe@example.com about card 4111 1111 1111 1111, please." },
  ],
};
const response = {
  id: "chatcmpl-1",
  choices: [{ index: 0, message: { role: "assistant", content: "Sure, I will write to jane.doe@example.com." } }],
};

describe("usage record builder", () => {
  const build = createUsageRecordBuilder();

  it("turns the usage event into plain JSON: ISO time, exact decimal strings, Prisma nulls as null", () => {
    const r = build({ event: event(), logPayloads: false, trace: { traceId: "a".repeat(32), spanId: "b".repeat(16) } });
    expect(r).toMatchObject({
      type: "usage",
      id: "use_1",
      requestId: "req_1",
      ts: "2026-01-02T03:04:05.678Z",
      cost: "0.000012345678",
      promptTokens: 12,
      metadata: null,
      attempts: [
        { targetId: "tgt_1", status: 503 },
        { targetId: "tgt_2", status: 200 },
      ],
      traceId: "a".repeat(32),
      spanId: "b".repeat(16),
    });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("leaves payloads out when the route does not log them, whatever is passed", () => {
    const r = build({ event: event(), logPayloads: false, request, response });
    expect(r).not.toHaveProperty("request");
    expect(r).not.toHaveProperty("response");
    expect(JSON.stringify(r)).not.toContain("jane.doe");
  });

  it("redacts PII in logged payloads, one placeholder per value across request and response", () => {
    const r = build({ event: event(), logPayloads: true, request, response });
    const json = JSON.stringify(r);
    expect(json).not.toContain("jane.doe@example.com");
    expect(json).not.toContain("4111 1111 1111 1111");
    const req = r.request as typeof request;
    const res = r.response as typeof response;
    expect(req.messages[1]?.content).toBe("Write to <EMAIL_1> about card <CARD_1>, please.");
    expect(req.messages[0]?.content).toBe("You are helpful.");
    expect(res.choices[0]?.message.content).toBe("Sure, I will write to <EMAIL_1>.");
    // the caller's objects are not modified
    expect(request.messages[1]?.content).toContain("jane.doe@example.com");
  });

  it("redacts only the configured kinds, and a streamed answer given as text", () => {
    const onlyEmail = createUsageRecordBuilder(PayloadLogConfigSchema.parse({ redact: ["email"] }));
    const r = onlyEmail({ event: event(), logPayloads: true, request, response: "mail jane.doe@example.com" });
    expect((r.request as typeof request).messages[1]?.content).toBe("Write to <EMAIL_1> about card 4111 1111 1111 1111, please.");
    expect(r.response).toBe("mail <EMAIL_1>");
  });

  it("replaces a payload over maxBytes by a marker, without scanning it", () => {
    const small = createUsageRecordBuilder(PayloadLogConfigSchema.parse({ maxBytes: 256 }));
    const big = { messages: [{ role: "user", content: `x@example.com ${"y".repeat(1_000)}` }] };
    const r = small({ event: event(), logPayloads: true, request: big, response: "ok" });
    expect(r.request).toEqual({ truncated: true, bytes: JSON.stringify(big).length });
    expect(r.response).toBe("ok");
  });
});

describe("payloads through the HTTP sink", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it("an e-mail in a prompt arrives redacted; payloads are absent for routes without logPayloads", async () => {
    const rx = await startReceiver();
    const sink = new HttpLogSink(HttpLogSinkConfigSchema.parse({ type: "http", url: rx.url, batchSize: 2 }));
    closers.push(
      () => rx.close(),
      () => sink.close(),
    );
    const build = createUsageRecordBuilder();
    sink.enqueue(build({ event: event(), logPayloads: true, request, response }));
    sink.enqueue(build({ event: event({ id: "use_2", requestId: "req_2" }), logPayloads: false, request, response }));
    const [got] = await rx.waitFor(1);
    expect(got?.body).not.toContain("jane.doe@example.com");
    const [logged, quiet] = JSON.parse(got?.body ?? "[]") as UsageLogRecord[];
    expect(JSON.stringify(logged?.request)).toContain("<EMAIL_1>");
    expect(quiet?.id).toBe("use_2");
    expect(quiet).not.toHaveProperty("request");
    expect(quiet).not.toHaveProperty("response");
  });
});
