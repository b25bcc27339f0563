import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/gemini/index.ts";
import { toGeminiSchema } from "../../src/providers/gemini/schema.ts";
import {
  type ChatRequest,
  ProviderFormatError,
  UnsupportedRequestError,
  UpstreamStreamError,
} from "../../src/providers/types.ts";
import { startGeminiMock } from "../mocks/gemini.ts";
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
  baseUrl: "https://generativelanguage.googleapis.com",
  model: "gemini-2.5-flash",
  credentials: { apiKey: "AIza-test" },
});
const simple = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: "Hi" }],
  ...over,
});
const bodyOf = (req: ChatRequest) => JSON.parse(adapter.chat.buildRequest(req, ctx).body!) as Record<string, unknown>;

describe("gemini request", () => {
  it("matches the golden request (systemInstruction, inlineData/fileData, functionCall/functionResponse, responseSchema)", () => {
    const up = adapter.chat.buildRequest(jsonFixture<ChatRequest>("gemini", "chat-request.openai.json"), ctx);
    expect(up.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
    expect(up.headers).toEqual({ "content-type": "application/json", "x-goog-api-key": "AIza-test" });
    expect(JSON.parse(up.body!)).toStrictEqual(jsonFixture("gemini", "chat-request.gemini.json"));
  });

  it("streams with alt=sse and omits systemInstruction and generationConfig when unused", () => {
    const up = adapter.chat.buildRequest(simple({ stream: true }), ctx);
    expect(up.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(JSON.parse(up.body!)).toStrictEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });

  it("maps json_object, tool_choice, n and reasoning_effort", () => {
    const tools = [{ type: "function" as const, function: { name: "f" } }];
    expect(bodyOf(simple({ response_format: { type: "json_object" } })).generationConfig).toEqual({
      responseMimeType: "application/json",
    });
    expect(bodyOf(simple({ tools, tool_choice: "none" })).toolConfig).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(bodyOf(simple({ tools, tool_choice: "required" })).toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(bodyOf(simple({ n: 2, reasoning_effort: "medium" })).generationConfig).toEqual({
      candidateCount: 2,
      thinkingConfig: { thinkingBudget: 8192 },
    });
  });

  it("falls back to the JSON Schema fields when the schema cannot be expressed as a Gemini Schema", () => {
    const schema = { type: "object", properties: { a: { $ref: "#/$defs/A" } }, $defs: { A: { type: "string" } } };
    expect(toGeminiSchema(schema)).toBeNull();
    const body = bodyOf(simple({ response_format: { type: "json_schema", json_schema: { name: "x", schema } } }));
    expect(body.generationConfig).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
  });

  it.each([
    [{ temperature: 2.5 }, "temperature"],
    [{ top_p: -0.1 }, "top_p"],
    [{ top_k: 1.5 }, "top_k"],
    [{ stop: ["a", "b", "c", "d", "e", "f"] }, "stop"],
    [{ parallel_tool_calls: false }, "parallel_tool_calls"],
    [{ n: 9 }, "n"],
  ])("rejects unsupported %j", (over, param) => {
    try {
      adapter.chat.buildRequest(simple(over as Partial<ChatRequest>), ctx);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsupportedRequestError);
      expect((err as UnsupportedRequestError).param).toBe(param);
    }
  });

  it("rejects a tool message that answers no known call", () => {
    const req = simple({ messages: [{ role: "tool", tool_call_id: "nope", content: "x" }] });
    expect(() => adapter.chat.buildRequest(req, ctx)).toThrow(UnsupportedRequestError);
  });
});

describe("gemini response", () => {
  it("matches the golden response (thought parts dropped, STOP with calls -> tool_calls, reasoning + cached usage)", () => {
    expect(adapter.chat.parseResponse(jsonFixture("gemini", "response-tools.gemini.json"), ctx)).toStrictEqual(
      jsonFixture("gemini", "response-tools.openai.json"),
    );
  });

  it.each([
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
  ])("maps finishReason %s -> %s", (reason, finish) => {
    const body = { candidates: [{ content: { role: "model", parts: [{ text: "x" }] }, finishReason: reason }] };
    expect(adapter.chat.parseResponse(body, ctx).choices[0]!.finish_reason).toBe(finish);
  });

  it("a blocked prompt is content_filter with null content", () => {
    const out = adapter.chat.parseResponse(
      { promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } },
      ctx,
    );
    expect(out.choices).toEqual([{ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter" }]);
    expect(out.usage!.prompt_tokens).toBe(5);
  });

  it("throws ProviderFormatError when the 200 is not a GenerateContentResponse", () => {
    expect(() => adapter.chat.parseResponse({ foo: 1 }, ctx)).toThrow(ProviderFormatError);
    expect(() => adapter.chat.parseResponse(null, ctx)).toThrow(ProviderFormatError);
  });
});

describe("gemini stream", () => {
  const c = chunkMaker("resp-abc", "gemini-2.5-flash");
  const usage = {
    prompt_tokens: 80,
    completion_tokens: 50,
    total_tokens: 130,
    prompt_tokens_details: { cached_tokens: 64 },
    completion_tokens_details: { reasoning_tokens: 20 },
  };
  const expected = [
    c({ role: "assistant", content: "Checking " }),
    c({ content: "Zürich ☔ and Paris." }),
    c({
      tool_calls: [
        { index: 0, id: "call_req_test_0", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { index: 1, id: "call_req_test_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Zürich"}' } },
      ],
    }),
    c({}, "tool_calls"),
    { ...c({}), choices: [], usage },
  ];
  const wants = { ...ctx, clientWantsStreamUsage: true };
  const sse = fixture("gemini", "stream-multi-tool.sse");
  const arr = fixture("gemini", "stream-multi-tool.json");

  it.each([1, 5, 9, 64])("SSE framing cut every %i bytes gives the golden chunks", (n) => {
    expect(runStream(adapter.chat, wants, cut(sse, n), "sse")).toStrictEqual(expected);
  });

  it.each([1, 5, 9, 64])("JSON-array framing (no alt=sse) cut every %i bytes gives the same chunks", (n) => {
    expect(runStream(adapter.chat, wants, cut(arr, n), "json-array")).toStrictEqual(expected);
  });

  it("a cut inside a multi-byte character changes nothing", () => {
    expect(runStream(adapter.chat, wants, cut(sse, [insideFirstMultibyte(sse)]), "sse")).toStrictEqual(expected);
    expect(runStream(adapter.chat, wants, cut(arr, [insideFirstMultibyte(arr)]), "json-array")).toStrictEqual(expected);
  });

  it("an error element in the stream throws UpstreamStreamError", () => {
    const state = adapter.chat.createStreamState(ctx);
    const ev = { data: '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}' };
    expect(() => adapter.chat.mapStreamEvent(ev, state, ctx)).toThrow(UpstreamStreamError);
  });
});

describe("gemini embeddings and errors", () => {
  it("one string -> embedContent, a list -> batchEmbedContents", () => {
    const ectx = { ...ctx, model: "text-embedding-004" };
    const one = adapter.embeddings!.buildRequest({ model: "e", input: "hello", dimensions: 256 }, ectx);
    expect(one.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:embedContent");
    expect(JSON.parse(one.body!)).toStrictEqual({ content: { parts: [{ text: "hello" }] }, outputDimensionality: 256 });
    const many = adapter.embeddings!.buildRequest({ model: "e", input: ["a", "b"] }, ectx);
    expect(many.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(JSON.parse(many.body!)).toStrictEqual({
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "a" }] } },
        { model: "models/text-embedding-004", content: { parts: [{ text: "b" }] } },
      ],
    });
    expect(
      adapter.embeddings!.parseResponse({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] }, ectx),
    ).toStrictEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.1, 0.2] },
        { object: "embedding", index: 1, embedding: [0.3, 0.4] },
      ],
      model: "text-embedding-004",
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    expect(() => adapter.embeddings!.buildRequest({ model: "e", input: [1, 2, 3] }, ectx)).toThrow(UnsupportedRequestError);
  });

  it("maps Google errors (object and array form)", () => {
    const body = { error: { code: 429, message: "Resource has been exhausted", status: "RESOURCE_EXHAUSTED" } };
    const want = {
      error: { message: "Resource has been exhausted", type: "rate_limit_error", code: "RESOURCE_EXHAUSTED", param: null },
    };
    expect(adapter.mapError(429, body)).toEqual(want);
    expect(adapter.mapError(429, [body])).toEqual(want);
  });

  it("health check is GET /v1beta/models", () => {
    expect(adapter.healthCheck!(ctx)).toEqual({
      method: "GET",
      url: "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1",
      headers: { "x-goog-api-key": "AIza-test" },
    });
  });
});

describe("gemini against the mock upstream", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startGeminiMock({ apiKey: "AIza-test", cachedContentTokenCount: 3 });
  });
  afterAll(() => mock.close());
  const live = () => ({ ...ctx, baseUrl: mock.url, clientWantsStreamUsage: true });
  const send = async (req: ChatRequest, headers: Record<string, string> = {}) => {
    const up = adapter.chat.buildRequest(req, live());
    return fetch(up.url, { method: up.method, headers: { ...up.headers, ...headers }, body: up.body });
  };
  const tools = [
    {
      type: "function" as const,
      function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
    },
    {
      type: "function" as const,
      function: { name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } } },
    },
  ];

  it("chat JSON with MAX_TOKENS -> length and usage incl. cached", async () => {
    const res = await send(
      simple({
        max_tokens: 3,
        messages: [
          { role: "system", content: "s" },
          { role: "user", content: "ping" },
        ],
      }),
    );
    const out = adapter.chat.parseResponse(await res.json(), live());
    expect(out.choices[0]!.message.content).toBe("Hello from mock ");
    expect(out.choices[0]!.finish_reason).toBe("length");
    expect(out.usage!.prompt_tokens_details).toEqual({ cached_tokens: 3 });
    expect((mock.lastRequest()!.body as { systemInstruction: unknown }).systemInstruction).toEqual({ parts: [{ text: "s" }] });
  });

  it("streams multi-tool calls over SSE", async () => {
    const res = await send(simple({ stream: true, tools }));
    const bytes = new Uint8Array(await res.arrayBuffer());
    const acc = accumulate(runStream(adapter.chat, live(), cut(bytes, 7)));
    expect(acc.tools.map((t) => [t.name, t.arguments])).toEqual([
      ["get_weather", '{"city":"test"}'],
      ["get_time", '{"tz":"test"}'],
    ]);
    expect(acc.finish).toBe("tool_calls");
  });

  it("streams the JSON array framing when alt=sse is absent", async () => {
    const up = adapter.chat.buildRequest(simple({ stream: true, messages: [{ role: "user", content: "naïve ☕" }] }), live());
    const res = await fetch(up.url.replace("?alt=sse", ""), { method: "POST", headers: up.headers, body: up.body });
    expect(res.headers.get("content-type")).toContain("application/json");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const acc = accumulate(runStream(adapter.chat, live(), cut(bytes, 5), "json-array"));
    expect(acc.content).toBe("Hello from mock Gemini 👋 You said: naïve ☕");
    expect(acc.finish).toBe("stop");
  });

  it("SAFETY -> content_filter; key via ?key= accepted; missing key -> 403", async () => {
    const out = adapter.chat.parseResponse(
      await (await send(simple({ messages: [{ role: "user", content: "unsafe" }] }))).json(),
      live(),
    );
    expect(out.choices[0]!.finish_reason).toBe("content_filter");
    const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "x" }] }] });
    const viaQuery = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent?key=AIza-test`, {
      method: "POST",
      body,
    });
    expect(viaQuery.status).toBe(200);
    const none = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: "POST", body });
    expect(none.status).toBe(403);
    expect(adapter.mapError(403, await none.json()).error.code).toBe("PERMISSION_DENIED");
  });

  it("embeddings round trip", async () => {
    const ectx = { ...live(), model: "text-embedding-004" };
    const up = adapter.embeddings!.buildRequest({ model: "e", input: ["a", "b"], dimensions: 8 }, ectx);
    const res = await fetch(up.url, { method: "POST", headers: up.headers, body: up.body });
    const out = adapter.embeddings!.parseResponse(await res.json(), ectx);
    expect(out.data).toHaveLength(2);
    expect((out.data[0]!.embedding as number[]).length).toBe(8);
  });

  it("fault injection: 429 body maps, truncate cuts the stream", async () => {
    const res = await send(simple(), { "x-mock-fail": "429" });
    expect(res.status).toBe(429);
    expect(adapter.mapError(429, await res.json()).error.code).toBe("RESOURCE_EXHAUSTED");
    const cutRes = await send(simple({ stream: true }), { "x-mock-fail": "truncate" });
    await expect(cutRes.arrayBuffer()).rejects.toThrow();
  });
});
