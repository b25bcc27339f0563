import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/anthropic/index.ts";
import { DEFAULT_MAX_TOKENS } from "../../src/providers/anthropic/request.ts";
import {
  type ChatRequest,
  ProviderFormatError,
  UnsupportedRequestError,
  UpstreamStreamError,
} from "../../src/providers/types.ts";
import { startAnthropicMock } from "../mocks/anthropic.ts";
import type { MockUpstream } from "../mocks/http-mock-kit.ts";
import {
  accumulate,
  chunkMaker,
  cut,
  fixture,
  insideFirstMultibyte,
  jsonFixture,
  runStream,
  testContext,
} from "./stream-helpers.ts";

const ctx = testContext({
  baseUrl: "https://api.anthropic.com",
  model: "claude-sonnet-4-5-20250929",
  credentials: { apiKey: "sk-ant-test" },
});
const simple = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: "Hi" }],
  ...over,
});
const bodyOf = (req: ChatRequest) => JSON.parse(adapter.chat.buildRequest(req, ctx).body!) as Record<string, unknown>;

describe("anthropic request", () => {
  it("matches the golden request (system hoisted, images, tool_use/tool_result, stop + top_p kept)", () => {
    const up = adapter.chat.buildRequest(jsonFixture<ChatRequest>("anthropic", "chat-request.openai.json"), ctx);
    expect(up.method).toBe("POST");
    expect(up.url).toBe("https://api.anthropic.com/v1/messages");
    expect(up.headers).toEqual({
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "x-api-key": "sk-ant-test",
    });
    expect(JSON.parse(up.body!)).toStrictEqual(jsonFixture("anthropic", "chat-request.anthropic.json"));
  });

  it("always sends max_tokens (documented default) and omits system when there is none", () => {
    const body = bodyOf(simple());
    expect(body.max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(body.max_tokens).toBe(4096);
    expect("system" in body).toBe(false);
    expect(body).toStrictEqual({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 4096,
      messages: [{ role: "user", content: "Hi" }],
    });
  });

  it("uses max_completion_tokens over max_tokens and a single system string", () => {
    const body = bodyOf(
      simple({
        max_tokens: 10,
        max_completion_tokens: 20,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
        ],
      }),
    );
    expect(body.max_tokens).toBe(20);
    expect(body.system).toBe("Be brief.");
  });

  it("maps tool_choice variants", () => {
    const tools = [{ type: "function" as const, function: { name: "f" } }];
    expect(bodyOf(simple({ tools, tool_choice: "auto" })).tool_choice).toEqual({ type: "auto" });
    expect(bodyOf(simple({ tools, tool_choice: "none" })).tool_choice).toEqual({ type: "none" });
    expect(bodyOf(simple({ tools, tool_choice: { type: "function", function: { name: "f" } } })).tool_choice).toEqual({
      type: "tool",
      name: "f",
    });
    expect((bodyOf(simple({ tools })).tools as unknown[])[0]).toEqual({
      name: "f",
      input_schema: { type: "object", properties: {} },
    });
  });

  it("maps json_schema response_format to output_config and reasoning_effort to thinking", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
    const body = bodyOf(
      simple({ response_format: { type: "json_schema", json_schema: { name: "x", schema } }, reasoning_effort: "low" }),
    );
    expect(body.output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(body.max_tokens).toBe(1024 + 4096);
  });

  it.each([
    [{ temperature: 1.5 }, "temperature"],
    [{ top_p: 1.2 }, "top_p"],
    [{ top_k: 0 }, "top_k"],
    [{ max_tokens: 0 }, "max_tokens"],
    [{ n: 2 }, "n"],
    [{ presence_penalty: 0.5 }, "presence_penalty"],
    [{ seed: 1 }, "seed"],
    [{ response_format: { type: "json_object" as const } }, "response_format"],
    [{ reasoning_effort: "high" as const, max_tokens: 1000 }, "max_tokens"],
  ])("rejects unsupported %j (never clamps)", (over, param) => {
    try {
      adapter.chat.buildRequest(simple(over as Partial<ChatRequest>), ctx);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsupportedRequestError);
      expect((err as UnsupportedRequestError).param).toBe(param);
    }
  });

  it("rejects images that are neither data: nor http URLs", () => {
    const req = simple({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x/y.png" } }] }] });
    expect(() => adapter.chat.buildRequest(req, ctx)).toThrow(UnsupportedRequestError);
  });

  it("health check is GET /v1/models with the key and version", () => {
    const hc = adapter.healthCheck!(ctx);
    expect(hc).toEqual({
      method: "GET",
      url: "https://api.anthropic.com/v1/models?limit=1",
      headers: { "anthropic-version": "2023-06-01", "x-api-key": "sk-ant-test" },
    });
  });
});

describe("anthropic response", () => {
  it("matches the golden response (multi tool_use, thinking dropped, cache tokens in prompt_tokens)", () => {
    const out = adapter.chat.parseResponse(jsonFixture("anthropic", "response-tools.anthropic.json"), ctx);
    expect(out).toStrictEqual(jsonFixture("anthropic", "response-tools.openai.json"));
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
  ])("maps stop_reason %s -> %s", (reason, finish) => {
    const body = {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "m",
      content: [{ type: "text", text: "x" }],
      stop_reason: reason,
      usage: { input_tokens: 1, output_tokens: 1 },
    };
    expect(adapter.chat.parseResponse(body, ctx).choices[0]!.finish_reason).toBe(finish);
  });

  it("throws ProviderFormatError on a 200 that is not a message", () => {
    expect(() => adapter.chat.parseResponse({ hello: "world" }, ctx)).toThrow(ProviderFormatError);
    expect(() => adapter.chat.parseResponse("<html>", ctx)).toThrow(ProviderFormatError);
  });
});

describe("anthropic stream", () => {
  const c = chunkMaker("msg_01ABC", "claude-sonnet-4-5-20250929");
  const expected = [
    c({ role: "assistant", content: "" }),
    c({ content: "Checking both cities 🌤" }),
    c({ tool_calls: [{ index: 0, id: "toolu_01A", type: "function", function: { name: "get_weather", arguments: "" } }] }),
    c({ tool_calls: [{ index: 0, function: { arguments: '{"city": "Par' } }] }),
    c({ tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] }),
    c({ tool_calls: [{ index: 1, id: "toolu_01B", type: "function", function: { name: "get_weather", arguments: "" } }] }),
    c({ tool_calls: [{ index: 1, function: { arguments: '{"city": "Zürich"}' } }] }),
    c({}, "tool_calls"),
    {
      ...c({}),
      choices: [],
      usage: { prompt_tokens: 1496, completion_tokens: 89, total_tokens: 1585, prompt_tokens_details: { cached_tokens: 1024 } },
    },
  ];
  const bytes = fixture("anthropic", "stream-multi-tool.sse");
  const wants = { ...ctx, clientWantsStreamUsage: true };

  it.each([
    ["whole", [bytes.byteLength]],
    ["every byte", 1],
    ["every 5 bytes", 5],
    ["every 7 bytes", 7],
    ["inside a multi-byte character", [insideFirstMultibyte(bytes)]],
  ])("multi-tool stream, cut %s, gives the golden chunks", (_name, how) => {
    const pieces = Array.isArray(how) && how[0] === bytes.byteLength ? [bytes] : cut(bytes, how as number | number[]);
    expect(runStream(adapter.chat, wants, pieces)).toStrictEqual(expected);
  });

  it("records usage and finish on state and sends no usage chunk when the client did not ask", () => {
    const chunks = runStream(adapter.chat, ctx, cut(bytes, 11));
    expect(chunks).toStrictEqual(expected.slice(0, -1));
  });

  it("drops thinking deltas, keeps UTF-8 text and maps max_tokens -> length", () => {
    const b = fixture("anthropic", "stream-thinking-text.sse");
    const chunks = runStream(adapter.chat, ctx, cut(b, 3));
    const acc = accumulate(chunks);
    expect(acc.content).toBe("Grüße aus 日本");
    expect(acc.finish).toBe("length");
    expect(acc.tools).toEqual([]);
  });

  it("turns an error event into UpstreamStreamError with the OpenAI body", () => {
    const state = adapter.chat.createStreamState(ctx);
    const ev = { event: "error", data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' };
    try {
      adapter.chat.mapStreamEvent(ev, state, ctx);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UpstreamStreamError);
      expect((err as UpstreamStreamError).status).toBe(529);
      expect((err as UpstreamStreamError).body).toEqual({
        error: { message: "Overloaded", type: "server_error", code: "overloaded_error", param: null },
      });
    }
  });
});

describe("anthropic errors", () => {
  it("maps Anthropic error bodies to the OpenAI shape", () => {
    expect(adapter.mapError(429, { type: "error", error: { type: "rate_limit_error", message: "slow down" } })).toEqual({
      error: { message: "slow down", type: "rate_limit_error", code: "rate_limit_error", param: null },
    });
    expect(
      adapter.mapError(400, { type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" } }),
    ).toEqual({
      error: { message: "max_tokens: Field required", type: "invalid_request_error", code: "invalid_request_error", param: null },
    });
    expect(adapter.mapError(502, "Bad gateway")).toEqual({
      error: { message: "Bad gateway", type: "server_error", code: null, param: null },
    });
  });
});

describe("anthropic against the mock upstream", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startAnthropicMock({ apiKey: "sk-ant-test", cacheReadInputTokens: 7 });
  });
  afterAll(() => mock.close());
  const live = () => ({ ...ctx, baseUrl: mock.url, clientWantsStreamUsage: true });

  async function send(req: ChatRequest, headers: Record<string, string> = {}) {
    const up = adapter.chat.buildRequest(req, live());
    return fetch(up.url, { method: up.method, headers: { ...up.headers, ...headers }, body: up.body });
  }

  it("round-trips a JSON chat and the mock sees max_tokens and no system", async () => {
    const res = await send(simple({ messages: [{ role: "user", content: "ping" }] }));
    expect(res.status).toBe(200);
    const out = adapter.chat.parseResponse(await res.json(), live());
    expect(out.choices[0]!.message.content).toBe("Hello from mock Anthropic 👋 You said: ping");
    expect(out.choices[0]!.finish_reason).toBe("stop");
    expect(out.usage!.prompt_tokens_details).toEqual({ cached_tokens: 7 });
    const sent = mock.lastRequest()!;
    expect(sent.headers["x-api-key"]).toBe("sk-ant-test");
    expect((sent.body as { max_tokens: number }).max_tokens).toBe(4096);
    expect("system" in (sent.body as object)).toBe(false);
  });

  it("streams multi-tool calls through the real framing", async () => {
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
      {
        type: "function" as const,
        function: { name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } } },
      },
    ];
    const res = await send(simple({ stream: true, tools }));
    const bytes = new Uint8Array(await res.arrayBuffer());
    const chunks = runStream(adapter.chat, live(), cut(bytes, 13));
    const acc = accumulate(chunks);
    expect(acc.content).toBe("Let me check.");
    expect(acc.tools.map((t) => [t.name, JSON.parse(t.arguments)])).toEqual([
      ["get_weather", { city: "test" }],
      ["get_time", { tz: "test" }],
    ]);
    expect(acc.tools[0]!.id).toMatch(/^toolu_/);
    expect(acc.finish).toBe("tool_calls");
    expect(chunks.at(-1)!.usage!.prompt_tokens_details).toEqual({ cached_tokens: 7 });
  });

  it("answers max_tokens-less requests with Anthropic's 400 and the adapter maps it", async () => {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(400);
    expect(adapter.mapError(400, await res.json()).error.message).toBe("max_tokens: Field required");
  });

  it("injects 529 and a mid-stream error event", async () => {
    const res = await send(simple(), { "x-mock-fail": "529" });
    expect(res.status).toBe(529);
    expect(adapter.mapError(529, await res.json()).error.code).toBe("overloaded_error");
    const streamed = await send(simple({ stream: true }), { "x-mock-stream-error": "overloaded" });
    const bytes = new Uint8Array(await streamed.arrayBuffer());
    expect(() => runStream(adapter.chat, live(), [bytes])).toThrow(UpstreamStreamError);
  });

  it("health check works against the mock", async () => {
    const hc = adapter.healthCheck!(live());
    const res = await fetch(hc.url, { method: hc.method, headers: hc.headers });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });
});
