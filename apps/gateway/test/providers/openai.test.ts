import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/openai/index.ts";
import type { ChatRequest, ChatResponse } from "../../src/providers/types.ts";
import { ProviderFormatError, UnsupportedRequestError } from "../../src/providers/types.ts";
import { DEFAULT_MOCK_REPLY, type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import {
  fixtureJson,
  fixtureText,
  foldChunks,
  makeCtx,
  parsedBody,
  runSseStream,
  SPLITS,
  send,
  sendStream,
  sseDataPayloads,
} from "./provider-test-helpers.ts";

const ctx = makeCtx({ baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini-2024-07-18" });
const base: ChatRequest = { model: "fast", messages: [{ role: "user", content: "hi" }] };

describe("openai: request", () => {
  it("builds the golden request (upstream model, include_usage forced on streams)", () => {
    const req = adapter.chat.buildRequest(fixtureJson<ChatRequest>("openai", "chat-request.json"), ctx);
    expect(req.method).toBe("POST");
    expect(req.url).toBe("https://api.openai.com/v1/chat/completions");
    expect(req.headers).toEqual({ "content-type": "application/json", authorization: "Bearer sk-test-123" });
    expect(parsedBody(req)).toEqual(fixtureJson("openai", "chat-request.expected.json"));
  });

  it("asks for stream usage even when the client said include_usage:false, and not for non-streams", () => {
    const streamed = parsedBody(
      adapter.chat.buildRequest({ ...base, stream: true, stream_options: { include_usage: false } }, ctx),
    );
    expect(streamed).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const plain = parsedBody(adapter.chat.buildRequest(base, ctx)) as Record<string, unknown>;
    expect(plain).toEqual({ model: "gpt-4o-mini-2024-07-18", messages: [{ role: "user", content: "hi" }] });
  });

  it("adds static headers from settings", () => {
    const req = adapter.chat.buildRequest(base, { ...ctx, settings: { headers: { "OpenAI-Organization": "org-1" } } });
    expect(req.headers["openai-organization"]).toBe("org-1");
  });

  it.each([
    [{ temperature: 2.5 }, "temperature"],
    [{ top_p: 1.2 }, "top_p"],
    [{ presence_penalty: -3 }, "presence_penalty"],
    [{ n: 0 }, "n"],
    [{ max_tokens: 0 }, "max_tokens"],
    [{ top_k: 40 }, "top_k"],
    [{ stop: ["a", "b", "c", "d", "e"] }, "stop"],
    [{ top_logprobs: 3 }, "top_logprobs"],
    [{ messages: [] }, "messages"],
  ])("rejects %j (param %s) instead of clamping", (patch, param) => {
    try {
      adapter.chat.buildRequest({ ...base, ...patch } as ChatRequest, ctx);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsupportedRequestError);
      expect((err as UnsupportedRequestError).param).toBe(param);
    }
  });
});

describe("openai: response", () => {
  it("maps the golden response, keeping cached and reasoning tokens", () => {
    const res = adapter.chat.parseResponse(fixtureJson("openai", "chat-response.upstream.json"), ctx);
    expect(res).toEqual(fixtureJson("openai", "chat-response.expected.json"));
    expect(res.usage?.prompt_tokens_details?.cached_tokens).toBe(1024);
    expect(res.usage?.completion_tokens_details?.reasoning_tokens).toBe(20);
  });

  it("throws ProviderFormatError on a 200 that is not a chat completion", () => {
    expect(() => adapter.chat.parseResponse({ hello: "world" }, ctx)).toThrow(ProviderFormatError);
    expect(() => adapter.chat.parseResponse("<html>", ctx)).toThrow(ProviderFormatError);
    expect(() => adapter.chat.parseResponse({ choices: [{ index: 0 }] }, ctx)).toThrow(/no message/);
  });
});

describe("openai: stream", () => {
  it.each(SPLITS)("multi-tool stream split %s: chunks pass through, tools keep their indices", (_name, split) => {
    const raw = fixtureText("openai", "stream-multi-tool.sse");
    const chunks = runSseStream(adapter.chat, raw, ctx, split);
    expect(chunks).toEqual(sseDataPayloads(raw));
    const folded = foldChunks(chunks);
    expect(folded.toolCalls).toEqual([
      { index: 0, id: "call_Paris01", name: "get_weather", arguments: '{"city": "Paris"}' },
      { index: 1, id: "call_Tokyo02", name: "get_weather", arguments: '{"city": "東京"}' },
    ]);
    expect(folded.finishReason).toBe("tool_calls");
    expect(folded.usage).toMatchObject({
      prompt_tokens: 82,
      completion_tokens: 41,
      prompt_tokens_details: { cached_tokens: 64 },
    });
    // usage arrives alone in OpenAI's trailing choices:[] chunk
    expect(chunks.at(-1)?.choices).toEqual([]);
  });

  it.each(SPLITS)("text stream split %s keeps multibyte text intact", (_name, split) => {
    const chunks = runSseStream(adapter.chat, fixtureText("openai", "stream-text.sse"), ctx, split);
    const folded = foldChunks(chunks);
    expect(folded.text).toBe("Crème brûlée 🍮 in 東京");
    expect(folded.role).toBe("assistant");
    expect(folded.finishReason).toBe("length");
    expect(folded.usage?.total_tokens).toBe(18);
  });

  it("records usage and finish reason on the state", () => {
    const state = adapter.chat.createStreamState(ctx);
    for (const payload of sseDataPayloads(fixtureText("openai", "stream-multi-tool.sse"))) {
      adapter.chat.mapStreamEvent({ data: JSON.stringify(payload) }, state, ctx);
    }
    expect(state.finishReason).toBe("tool_calls");
    expect(state.usage?.total_tokens).toBe(123);
    expect(state.id).toBe("chatcmpl-BxTool1");
  });

  it("turns an error event inside a 200 stream into ProviderFormatError", () => {
    const state = adapter.chat.createStreamState(ctx);
    expect(() =>
      adapter.chat.mapStreamEvent({ data: '{"error":{"message":"overloaded","type":"server_error"}}' }, state, ctx),
    ).toThrow(/overloaded/);
    expect(() => adapter.chat.mapStreamEvent({ data: "not json" }, state, ctx)).toThrow(ProviderFormatError);
  });
});

describe("openai: errors, health, completions, embeddings", () => {
  it("keeps OpenAI error bodies and wraps text ones", () => {
    const body = {
      error: { message: "Incorrect API key provided", type: "invalid_request_error", param: null, code: "invalid_api_key" },
    };
    expect(adapter.mapError(401, body)).toEqual(body);
    expect(adapter.mapError(502, "<html>Bad gateway</html>")).toEqual({
      error: { message: "<html>Bad gateway</html>", type: "api_error", code: null, param: null },
    });
    expect(adapter.mapError(500, "")).toEqual({
      error: { message: "openai returned HTTP 500", type: "api_error", code: null, param: null },
    });
  });

  it("health check is GET /models", () => {
    expect(adapter.healthCheck?.(ctx)).toEqual({
      method: "GET",
      url: "https://api.openai.com/v1/models",
      headers: { "content-type": "application/json", authorization: "Bearer sk-test-123" },
    });
  });

  it("completions and embeddings", () => {
    const completions = adapter.completions!;
    const creq = completions.buildRequest(
      { model: "x", prompt: "Say hi", stream: true, max_tokens: 5 },
      { ...ctx, model: "gpt-3.5-turbo-instruct" },
    );
    expect(creq.url).toBe("https://api.openai.com/v1/completions");
    expect(parsedBody(creq)).toEqual({
      model: "gpt-3.5-turbo-instruct",
      prompt: "Say hi",
      stream: true,
      max_tokens: 5,
      stream_options: { include_usage: true },
    });
    const eres = adapter.embeddings!.parseResponse(
      {
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: [0.1, -0.2] }],
        model: "text-embedding-3-small",
        usage: { prompt_tokens: 3, total_tokens: 3 },
      },
      ctx,
    );
    expect(eres).toEqual({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.1, -0.2] }],
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    expect(() => adapter.embeddings!.parseResponse({ data: [{ embedding: "x", index: 0 }, { index: 1 }] }, ctx)).toThrow(
      ProviderFormatError,
    );
  });
});

describe("openai: against the mock upstream", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startOpenAILikeMock({ apiKey: "sk-test-123", cachedTokens: 2, reasoningTokens: 1 });
  });
  afterAll(() => mock.close());
  const live = () => makeCtx({ baseUrl: `${mock.url}/v1`, model: "gpt-4o-mini" });

  it("JSON chat round trip", async () => {
    const res = await send(adapter.chat.buildRequest({ ...base, messages: [{ role: "user", content: "hello there" }] }, live()));
    expect(res.status).toBe(200);
    const chat: ChatResponse = adapter.chat.parseResponse(res.json(), live());
    expect(chat.choices[0]?.message.content).toBe(DEFAULT_MOCK_REPLY);
    expect(chat.usage).toMatchObject({
      prompt_tokens: 6,
      prompt_tokens_details: { cached_tokens: 2 },
      completion_tokens_details: { reasoning_tokens: 1 },
    });
    expect(mock.lastRequest()?.headers.authorization).toBe("Bearer sk-test-123");
  });

  it("streamed multi-tool round trip with usage (the mock only sends usage because buildRequest asked)", async () => {
    const tools = ["get_weather", "get_time"].map((name) => ({
      type: "function" as const,
      function: { name, parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } } } },
    }));
    const { status, chunks } = await sendStream(
      adapter.chat,
      adapter.chat.buildRequest({ ...base, stream: true, tools }, live()),
      live(),
    );
    expect(status).toBe(200);
    const folded = foldChunks(chunks);
    expect(folded.toolCalls.map((c) => [c.index, c.name, c.arguments])).toEqual([
      [0, "get_weather", '{"city":"test","days":1}'],
      [1, "get_time", '{"city":"test","days":1}'],
    ]);
    expect(folded.finishReason).toBe("tool_calls");
    expect(folded.usage?.completion_tokens).toBe(18);
    expect((mock.lastRequest()!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
  });

  it("streamed text with max_tokens ends with finish_reason length", async () => {
    const { chunks } = await sendStream(
      adapter.chat,
      adapter.chat.buildRequest({ ...base, stream: true, max_tokens: 3 }, live()),
      live(),
    );
    const folded = foldChunks(chunks);
    expect(folded.text).toBe("Hello from the ");
    expect(folded.finishReason).toBe("length");
    expect(folded.usage?.completion_tokens).toBe(3);
  });

  it("maps the mock's 429 and validation 400 to OpenAI errors", async () => {
    mock.injectFault({ fail: 429 });
    const limited = await send(adapter.chat.buildRequest(base, live()));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(adapter.mapError(429, limited.json()).error.code).toBe("rate_limit_exceeded");
    const bad = await send({
      ...adapter.chat.buildRequest(base, live()),
      body: JSON.stringify({ model: "m", messages: [], foo: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(adapter.mapError(400, bad.json()).error.message).toBe("Unrecognized request argument supplied: foo");
  });

  it("a truncated stream ends without a finish reason", async () => {
    mock.injectFault({ fail: "truncate" });
    const req = adapter.chat.buildRequest({ ...base, stream: true }, live());
    await expect(
      (async () => {
        const { chunks } = await sendStream(adapter.chat, req, live());
        return foldChunks(chunks).finishReason;
      })(),
    ).rejects.toThrow();
  });

  it("embeddings and models through the mock", async () => {
    const eres = await send(
      adapter.embeddings!.buildRequest(
        { model: "e", input: ["a b", "c"], dimensions: 4 },
        { ...live(), model: "text-embedding-3-small" },
      ),
    );
    const parsed = adapter.embeddings!.parseResponse(eres.json(), live());
    expect(parsed.data).toHaveLength(2);
    expect(parsed.data[0]?.embedding).toHaveLength(4);
    expect(parsed.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const models = await send(adapter.healthCheck!(live()));
    expect(models.status).toBe(200);
  });
});
