// Usage taps fed the mock upstreams' real streams (real framing: SSE, JSON array, AWS event-stream), cut at awkward
// places (every byte, inside multi-byte characters and SSE separators, random sizes, inside event-stream preludes),
// produce exactly the usage the mock reported, the same as the non-streamed answer's, while the bytes are left alone.

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createDeframer } from "../../src/lib/framing/index.ts";
import { anthropicFormat, bedrockFormat, createByteTap, geminiFormat } from "../../src/native/index.ts";
import type { NativeFormat, NativeMatch, NativeStreamResult, NativeTransformContext } from "../../src/native/types.ts";
import { mapUsage as mapAnthropicUsage } from "../../src/providers/anthropic/response.ts";
import { buildAnthropicReply, startAnthropicMock } from "../mocks/anthropic.ts";
import { startBedrockMock } from "../mocks/bedrock.ts";
import { startGeminiMock } from "../mocks/gemini.ts";
import type { MockUpstream } from "../mocks/http-mock-kit.ts";
import { buildFor, nativeCtx, type RawAnswer, send, splitAwkwardly, splitEvery, splitRandomly } from "./helpers.ts";

const SPLITS: Array<[string, (b: Uint8Array) => Uint8Array[]]> = [
  ["whole", (b) => [b]],
  ["every byte", (b) => splitEvery(b, 1)],
  ["every 7 bytes", (b) => splitEvery(b, 7)],
  ["inside multi-byte chars and separators", splitAwkwardly],
  ["random sizes", (b) => splitRandomly(b)],
];

function tapBytes(format: NativeFormat, m: NativeMatch, pieces: Uint8Array[]): NativeStreamResult {
  const tap = createByteTap(format.createStreamTap(m));
  for (const p of pieces) tap.write(p);
  return tap.end();
}

/** runs a streamed and a non-streamed call of the same request through the module; returns both */
async function both(
  format: NativeFormat,
  streamPath: string,
  plainPath: string,
  streamBody: Record<string, unknown>,
  plainBody: Record<string, unknown>,
  ctx: NativeTransformContext,
  extraHeaders: Record<string, string> = {},
): Promise<{ m: NativeMatch; stream: RawAnswer; plain: ReturnType<NativeFormat["usageFromResponse"]> }> {
  const m = format.match("POST", streamPath)!;
  const stream = await send(await buildFor(format, streamPath, streamBody, ctx), extraHeaders);
  expect(stream.status).toBe(200);
  const plainRes = await send(await buildFor(format, plainPath, plainBody, ctx));
  expect(plainRes.status).toBe(200);
  return { m, stream, plain: format.usageFromResponse(JSON.parse(plainRes.bytes.toString("utf8"))) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Anthropic tap (SSE)", () => {
  const opts = { apiKey: "sk-ant-provider", cacheReadInputTokens: 7, cacheCreationInputTokens: 3 };
  let mock: MockUpstream;
  let ctx: NativeTransformContext;
  beforeAll(async () => {
    mock = await startAnthropicMock(opts);
    ctx = nativeCtx("anthropic", { baseUrl: mock.url, model: "claude-sonnet-4-5", credentials: { apiKey: "sk-ant-provider" } });
  });
  afterAll(() => mock.close());

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["text", { messages: [{ role: "user", content: "Hi there 👋 ünïcödé" }] }, "stop"],
    [
      "tools",
      {
        messages: [{ role: "user", content: "weather?" }],
        tools: [
          { name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
          { name: "get_time", input_schema: { type: "object", properties: { tz: { type: "string" } } } },
        ],
      },
      "tool_calls",
    ],
    [
      "thinking",
      { messages: [{ role: "user", content: "Hi" }], thinking: { type: "enabled", budget_tokens: 1024 }, max_tokens: 2000 },
      "stop",
    ],
    ["max_tokens", { messages: [{ role: "user", content: "one two three four five six seven" }], max_tokens: 3 }, "length"],
  ];

  it.each(cases)("%s: every split gives the mock's usage incl. cache tokens", async (_name, extra, finish) => {
    const body = { model: "claude-sonnet-4-5", max_tokens: 200, ...extra };
    const { m, stream, plain } = await both(
      anthropicFormat,
      "/v1/messages",
      "/v1/messages",
      { ...body, stream: true },
      body,
      ctx,
    );
    const expected = mapAnthropicUsage(buildAnthropicReply(body, opts, "claude-sonnet-4-5").usage);
    expect(expected.prompt_tokens_details?.cached_tokens).toBe(7);
    expect(plain).toEqual({ usage: expected, finishReason: finish });
    for (const [, split] of SPLITS) {
      const r = tapBytes(anthropicFormat, m, split(stream.bytes));
      expect(r).toEqual({
        usage: expected,
        finishReason: finish,
        firstContentAt: expect.any(Number),
        complete: true,
        error: null,
      });
    }
  });

  it("parses only message_start and message_delta", async () => {
    const body = {
      model: "claude-sonnet-4-5",
      max_tokens: 200,
      messages: [{ role: "user", content: "a b c d e f g" }],
      stream: true,
    };
    const m = anthropicFormat.match("POST", "/v1/messages")!;
    const { bytes } = await send(await buildFor(anthropicFormat, "/v1/messages", body, ctx));
    const events = createDeframer("sse").push(bytes);
    expect(events.length).toBeGreaterThan(10);
    const tap = anthropicFormat.createStreamTap(m);
    const parse = vi.spyOn(JSON, "parse");
    for (const ev of events) tap.push(ev);
    expect(parse).toHaveBeenCalledTimes(2);
    expect(tap.result().usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("records the time of the first content delta on the injected clock", () => {
    let t = 0;
    const tap = anthropicFormat.createStreamTap(anthropicFormat.match("POST", "/v1/messages")!, { now: () => t });
    const events = [
      { event: "message_start", data: '{"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}' },
      {
        event: "content_block_start",
        data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
      },
      { event: "ping", data: '{"type":"ping"}' },
      {
        event: "content_block_delta",
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}',
      },
      { event: "content_block_delta", data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}' },
    ];
    events.forEach((ev, i) => {
      t = 100 + i;
      tap.push(ev);
    });
    expect(tap.result()).toMatchObject({ firstContentAt: 103, complete: false, finishReason: null });
    expect(tap.result().usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 1 });
  });

  it("an in-stream error event is recorded, input usage kept", async () => {
    const body = { model: "claude-sonnet-4-5", max_tokens: 50, messages: [{ role: "user", content: "Hi" }], stream: true };
    const m = anthropicFormat.match("POST", "/v1/messages")!;
    const { bytes } = await send(await buildFor(anthropicFormat, "/v1/messages", body, ctx), {
      "x-mock-stream-error": "overloaded",
    });
    const r = tapBytes(anthropicFormat, m, splitEvery(bytes, 5));
    expect(r.complete).toBe(false);
    expect(r.error).toEqual({
      status: 529,
      body: { error: { message: "Overloaded", type: "server_error", code: "overloaded_error", param: null } },
    });
    expect(r.usage?.prompt_tokens).toBeGreaterThan(10);
  });

  it("a truncated stream: usage of what arrived, not complete, no throw", async () => {
    const body = { model: "claude-sonnet-4-5", max_tokens: 50, messages: [{ role: "user", content: "Hi" }], stream: true };
    const m = anthropicFormat.match("POST", "/v1/messages")!;
    const up = await buildFor(anthropicFormat, "/v1/messages", body, ctx);
    const res = await send(up, { "x-mock-fail": "truncate" }).catch(() => null);
    // the socket drops mid-body; whatever arrived (possibly nothing readable) must not break the tap
    const r = tapBytes(anthropicFormat, m, res ? splitEvery(res.bytes, 3) : []);
    expect(r.complete).toBe(false);
    expect(r.finishReason).toBeNull();
  });

  it("a malformed usage event is recorded as an upstream_bad_response, not thrown", () => {
    const tap = anthropicFormat.createStreamTap(anthropicFormat.match("POST", "/v1/messages")!);
    expect(() => tap.push({ event: "message_delta", data: "{not json" })).not.toThrow();
    expect(tap.result().error?.status).toBe(502);
  });
});

describe("Gemini tap (SSE and JSON array)", () => {
  const opts = { apiKey: "AIza-provider", cachedContentTokenCount: 4 };
  let mock: MockUpstream;
  let ctx: NativeTransformContext;
  beforeAll(async () => {
    mock = await startGeminiMock(opts);
    ctx = nativeCtx("gemini", { baseUrl: mock.url, model: "gemini-2.5-flash", credentials: { apiKey: "AIza-provider" } });
  });
  afterAll(() => mock.close());

  const text = { contents: [{ role: "user", parts: [{ text: "Hello there, how are you 👋 today?" }] }] };
  const thinking = { ...text, generationConfig: { thinkingConfig: { thinkingBudget: 512 } } };
  const tools = {
    contents: [{ role: "user", parts: [{ text: "weather?" }] }],
    tools: [
      {
        functionDeclarations: [
          { name: "get_weather", parameters: { type: "OBJECT", properties: { city: { type: "STRING" } } } },
          { name: "get_time", parameters: { type: "OBJECT", properties: { tz: { type: "STRING" } } } },
        ],
      },
    ],
  };
  const maxTokens = { ...text, generationConfig: { maxOutputTokens: 2 } };
  const unsafe = { contents: [{ role: "user", parts: [{ text: "something unsafe" }] }] };

  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ["sse text", "?alt=sse", text, "stop"],
    ["json-array text", "", text, "stop"],
    ["sse thinking", "?alt=sse", thinking, "stop"],
    ["json-array tools (calls before the finish chunk)", "", tools, "tool_calls"],
    ["sse tools", "?alt=sse", tools, "tool_calls"],
    ["json-array max tokens", "", maxTokens, "length"],
    ["sse safety", "?alt=sse", unsafe, "content_filter"],
  ];

  it.each(cases)("%s: every split gives the non-streamed answer's usage", async (_name, query, body, finish) => {
    const base = "/v1beta/models/gemini-2.5-flash";
    const { m, stream, plain } = await both(
      geminiFormat,
      `${base}:streamGenerateContent${query}`,
      `${base}:generateContent`,
      body,
      body,
      ctx,
    );
    expect(m.framing).toBe(query ? "sse" : "json-array");
    expect(plain.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
    expect(plain.finishReason).toBe(finish);
    for (const [, split] of SPLITS) {
      const r = tapBytes(geminiFormat, m, split(stream.bytes));
      expect(r).toEqual({
        usage: plain.usage,
        finishReason: finish,
        firstContentAt: finish === "content_filter" ? null : expect.any(Number),
        complete: true,
        error: null,
      });
    }
    if (body === thinking) expect(plain.usage?.completion_tokens_details?.reasoning_tokens).toBe(12);
  });

  it("parses one event, once, however many there are", async () => {
    const path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";
    const m = geminiFormat.match("POST", path)!;
    const { bytes } = await send(await buildFor(geminiFormat, path, text, ctx));
    const events = createDeframer("json-array").push(bytes);
    expect(events.length).toBeGreaterThan(3);
    const tap = geminiFormat.createStreamTap(m);
    const parse = vi.spyOn(JSON, "parse");
    for (const ev of events) tap.push(ev);
    tap.result();
    tap.result();
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it("an error element in the stream is recorded", async () => {
    const path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";
    for (const query of ["", "?alt=sse"]) {
      const m = geminiFormat.match("POST", path + query)!;
      const { bytes } = await send(await buildFor(geminiFormat, path + query, text, ctx), { "x-mock-stream-error": "1" });
      const r = tapBytes(geminiFormat, m, splitEvery(bytes, 4));
      expect(r.error).toEqual({
        status: 503,
        body: { error: { message: "The model is overloaded.", type: "server_error", code: "UNAVAILABLE", param: null } },
      });
      expect(r.complete).toBe(false);
    }
  });
});

describe("Bedrock tap (AWS event-stream)", () => {
  const creds = { accessKeyId: "AKIDNATIVE", secretAccessKey: "native-secret" };
  let mock: MockUpstream;
  let ctx: NativeTransformContext;
  beforeAll(async () => {
    mock = await startBedrockMock({ credentials: creds, cacheReadInputTokens: 11, cacheWriteInputTokens: 5 });
    ctx = nativeCtx("bedrock", {
      baseUrl: mock.url,
      model: "anthropic.claude-3-haiku-20240307-v1:0",
      settings: { region: "us-east-1" },
      credentials: creds,
      now: Math.floor(Date.now() / 1000),
    });
  });
  afterAll(() => mock.close());

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["text", { messages: [{ role: "user", content: [{ text: "Hello 👋 world" }] }] }, "stop"],
    [
      "tools",
      {
        messages: [{ role: "user", content: [{ text: "weather?" }] }],
        toolConfig: {
          tools: [
            { toolSpec: { name: "a", inputSchema: { json: { type: "object", properties: { x: { type: "string" } } } } } },
            { toolSpec: { name: "b", inputSchema: { json: { type: "object", properties: { y: { type: "number" } } } } } },
          ],
        },
      },
      "tool_calls",
    ],
    ["guardrail", { messages: [{ role: "user", content: [{ text: "guardrail please" }] }] }, "content_filter"],
    [
      "max tokens",
      { messages: [{ role: "user", content: [{ text: "one two three four" }] }], inferenceConfig: { maxTokens: 2 } },
      "length",
    ],
  ];

  it.each(cases)("%s: every split gives the mock's usage incl. cache reads/writes", async (_name, body, finish) => {
    const { m, stream, plain } = await both(
      bedrockFormat,
      "/model/haiku/converse-stream",
      "/model/haiku/converse",
      body,
      body,
      ctx,
    );
    expect(plain.usage?.prompt_tokens_details?.cached_tokens).toBe(11);
    expect(plain.finishReason).toBe(finish);
    for (const [, split] of SPLITS) {
      const r = tapBytes(bedrockFormat, m, split(stream.bytes));
      expect(r).toEqual({
        usage: plain.usage,
        finishReason: finish,
        firstContentAt: expect.any(Number),
        complete: true,
        error: null,
      });
    }
  });

  it("parses only messageStop and metadata", async () => {
    const m = bedrockFormat.match("POST", "/model/haiku/converse-stream")!;
    const body = { messages: [{ role: "user", content: [{ text: "a b c d e f g h" }] }] };
    const { bytes } = await send(await buildFor(bedrockFormat, "/model/haiku/converse-stream", body, ctx));
    const events = createDeframer("aws-eventstream").push(bytes);
    expect(events.length).toBeGreaterThan(10);
    const tap = bedrockFormat.createStreamTap(m);
    const parse = vi.spyOn(JSON, "parse");
    for (const ev of events) tap.push(ev);
    expect(parse).toHaveBeenCalledTimes(2);
  });

  it("an exception event is recorded with its status", async () => {
    const m = bedrockFormat.match("POST", "/model/haiku/converse-stream")!;
    const body = { messages: [{ role: "user", content: [{ text: "Hi" }] }] };
    const { bytes } = await send(await buildFor(bedrockFormat, "/model/haiku/converse-stream", body, ctx), {
      "x-mock-stream-error": "throttling",
    });
    const r = tapBytes(bedrockFormat, m, splitEvery(bytes, 9));
    expect(r.error).toMatchObject({ status: 429, body: { error: { code: "ThrottlingException", type: "rate_limit_error" } } });
    expect(r.complete).toBe(false);
  });

  it("a stream cut inside a message: the byte tap reports it at end(), never throws", async () => {
    const m = bedrockFormat.match("POST", "/model/haiku/converse-stream")!;
    const body = { messages: [{ role: "user", content: [{ text: "Hello 👋 world" }] }] };
    const { bytes } = await send(await buildFor(bedrockFormat, "/model/haiku/converse-stream", body, ctx));
    const tap = createByteTap(bedrockFormat.createStreamTap(m));
    tap.write(bytes.subarray(0, bytes.byteLength - 20));
    expect(tap.result().error).toBeNull();
    const r = tap.end();
    expect(r.complete).toBe(false);
    expect(r.usage).toBeNull();
    expect(r.error).toMatchObject({ status: 502, body: { error: { code: "upstream_bad_response" } } });
  });

  it("a corrupted event-stream message stops the watching, not the caller", () => {
    const tap = createByteTap(bedrockFormat.createStreamTap(bedrockFormat.match("POST", "/model/m/converse-stream")!));
    expect(() => tap.write(new Uint8Array([0, 0, 0, 20, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).not.toThrow();
    expect(tap.end().error?.status).toBe(502);
  });
});
