import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/cohere/index.ts";
import type { ChatRequest } from "../../src/providers/types.ts";
import { ProviderFormatError, UnsupportedRequestError } from "../../src/providers/types.ts";
import { DEFAULT_COHERE_REPLY, startCohereMock } from "../mocks/cohere.ts";
import type { MockUpstream } from "../mocks/openai-like.ts";
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
} from "./provider-test-helpers.ts";

const ctx = makeCtx({ baseUrl: "https://api.cohere.com", model: "command-a-03-2025", credentials: { apiKey: "co-key" } });
const base: ChatRequest = { model: "command", messages: [{ role: "user", content: "hi" }] };

describe("cohere: request", () => {
  it("builds the golden v2 chat request", () => {
    const req = adapter.chat.buildRequest(fixtureJson<ChatRequest>("cohere", "chat-request.json"), {
      ...ctx,
      model: "command-a-vision-07-2025",
    });
    expect(req.url).toBe("https://api.cohere.com/v2/chat");
    expect(req.headers).toEqual({ "content-type": "application/json", authorization: "Bearer co-key" });
    expect(parsedBody(req)).toEqual(fixtureJson("cohere", "chat-request.expected.json"));
  });

  it("maps tool_choice none, json_object, strict tools and developer messages", () => {
    const body = parsedBody(
      adapter.chat.buildRequest(
        {
          ...base,
          messages: [{ role: "developer", content: [{ type: "text", text: "Be terse." }] }, ...base.messages],
          tool_choice: "none",
          tools: [{ type: "function", function: { name: "f", parameters: { type: "object" }, strict: true } }],
          response_format: { type: "json_object" },
          max_completion_tokens: 9,
        },
        ctx,
      ),
    );
    expect(body).toEqual({
      model: "command-a-03-2025",
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "hi" },
      ],
      max_tokens: 9,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      strict_tools: true,
      tool_choice: "NONE",
      response_format: { type: "json_object" },
    });
  });

  it.each([
    [{ top_p: 1 }, "top_p"],
    [{ top_k: 501 }, "top_k"],
    [{ presence_penalty: -0.5 }, "presence_penalty"],
    [{ frequency_penalty: 1.5 }, "frequency_penalty"],
    [{ n: 2 }, "n"],
    [{ stop: ["1", "2", "3", "4", "5", "6"] }, "stop"],
    [{ tool_choice: { type: "function", function: { name: "f" } } }, "tool_choice"],
    [{ parallel_tool_calls: false }, "parallel_tool_calls"],
    [{ top_logprobs: 2, logprobs: true }, "top_logprobs"],
    [{ reasoning_effort: "high" }, "reasoning_effort"],
    [{ messages: [{ role: "function", content: "x", name: "f" }] }, "messages"],
    [{ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] }, "messages"],
  ])("refuses %j rather than clamping or dropping it", (patch, param) => {
    try {
      adapter.chat.buildRequest({ ...base, ...patch } as ChatRequest, ctx);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsupportedRequestError);
      expect((err as UnsupportedRequestError).param).toBe(param);
    }
  });
});

describe("cohere: response", () => {
  it("maps a multi-tool answer (billed units as usage, cached tokens kept)", () => {
    expect(adapter.chat.parseResponse(fixtureJson("cohere", "chat-response-tools.upstream.json"), ctx)).toEqual(
      fixtureJson("cohere", "chat-response-tools.expected.json"),
    );
  });

  it("joins text parts, leaves thinking out and maps MAX_TOKENS to length", () => {
    const res = adapter.chat.parseResponse(fixtureJson("cohere", "chat-response-text.upstream.json"), ctx);
    expect(res.choices[0]?.message).toEqual({ role: "assistant", content: "Grüß Gott! Wie kann ich helfen?" });
    expect(res.choices[0]?.finish_reason).toBe("length");
    expect(res.usage).toEqual({ prompt_tokens: 17, completion_tokens: 12, total_tokens: 29 });
  });

  it("a 200 that is not a v2 chat answer, or an ERROR finish, is a ProviderFormatError", () => {
    expect(() => adapter.chat.parseResponse({ text: "v1 answer" }, ctx)).toThrow(ProviderFormatError);
    expect(() =>
      adapter.chat.parseResponse({ id: "x", message: { role: "assistant", content: [] }, finish_reason: "ERROR" }, ctx),
    ).toThrow(/ERROR/);
  });
});

describe("cohere: stream", () => {
  it.each(SPLITS)("text stream with a thinking block (split %s)", (_name, split) => {
    const c = { ...ctx, model: "command-a-reasoning-08-2025" };
    const chunks = runSseStream(adapter.chat, fixtureText("cohere", "stream-text.sse"), c, split);
    expect(chunks).toEqual(fixtureJson("cohere", "stream-text.expected.json"));
    expect(foldChunks(chunks).text).toBe("Voilà — c'est prêt ✅");
  });

  it.each(SPLITS)("multi-tool stream keeps per-call indices (split %s)", (_name, split) => {
    const chunks = runSseStream(adapter.chat, fixtureText("cohere", "stream-multi-tool.sse"), ctx, split);
    expect(chunks).toEqual(fixtureJson("cohere", "stream-multi-tool.expected.json"));
    const folded = foldChunks(chunks);
    expect(folded.toolCalls.map((c) => [c.index, c.id, JSON.parse(c.arguments)])).toEqual([
      [0, "get_weather_nsz5zm3w56q3", { city: "Zürich" }],
      [1, "get_weather_0kxx2d3gm5ae", { city: "Genève" }],
    ]);
  });

  it("records finish and usage on the state", () => {
    const state = adapter.chat.createStreamState(ctx);
    adapter.chat.mapStreamEvent(
      {
        event: "message-end",
        data: '{"type":"message-end","delta":{"finish_reason":"MAX_TOKENS","usage":{"tokens":{"input_tokens":3,"output_tokens":4}}}}',
      },
      state,
      ctx,
    );
    expect(state.finishReason).toBe("length");
    expect(state.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });
});

describe("cohere: embeddings, errors, health", () => {
  it("builds embed v2 requests and maps the answer to OpenAI's shape", () => {
    const e = adapter.embeddings!;
    expect(parsedBody(e.buildRequest({ model: "embed", input: ["hello", "goodbye"] }, { ...ctx, model: "embed-v4.0" }))).toEqual({
      model: "embed-v4.0",
      texts: ["hello", "goodbye"],
      input_type: "search_document",
      embedding_types: ["float"],
    });
    const b64 = e.buildRequest(
      { model: "embed", input: "q", encoding_format: "base64", dimensions: 256, input_type: "search_query" } as never,
      ctx,
    );
    expect(b64.url).toBe("https://api.cohere.com/v2/embed");
    expect(parsedBody(b64)).toMatchObject({
      texts: ["q"],
      input_type: "search_query",
      embedding_types: ["base64"],
      output_dimension: 256,
    });
    expect(() => e.buildRequest({ model: "x", input: "q", dimensions: 300 }, ctx)).toThrow(UnsupportedRequestError);
    expect(() => e.buildRequest({ model: "x", input: [[1, 2]] }, ctx)).toThrow(UnsupportedRequestError);
    expect(e.parseResponse(fixtureJson("cohere", "embed-response.upstream.json"), { ...ctx, model: "embed-v4.0" })).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.016296387, -0.008354187, -0.04699707] },
        { object: "embedding", index: 1, embedding: [-0.0234375, 0.041503906, 0.0012207031] },
      ],
      model: "embed-v4.0",
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
  });

  it("normalises Cohere error bodies", () => {
    expect(adapter.mapError(400, { id: "abc", message: "invalid request: p must be between 0.01 and 0.99" })).toEqual({
      error: {
        message: "invalid request: p must be between 0.01 and 0.99",
        type: "invalid_request_error",
        code: null,
        param: null,
      },
    });
    expect(adapter.mapError(498, { message: "invalid api token" }).error.type).toBe("authentication_error");
    expect(adapter.mapError(429, { message: "trial key limit" }).error.type).toBe("rate_limit_error");
  });

  it("health check lists models (not billed)", () => {
    expect(adapter.healthCheck!(ctx)).toMatchObject({ method: "GET", url: "https://api.cohere.com/v1/models?page_size=1" });
  });
});

describe("cohere: against the mock upstream", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startCohereMock({ apiKey: "co-key", cachedTokens: 3 });
  });
  afterAll(() => mock.close());
  const live = () => ({ ...ctx, baseUrl: mock.url });

  it("JSON chat with stop sequence", async () => {
    const res = await send(adapter.chat.buildRequest({ ...base, stop: "café" }, live()));
    expect(res.status).toBe(200);
    const chat = adapter.chat.parseResponse(res.json(), live());
    expect(chat.choices[0]).toMatchObject({ message: { content: "Bonjour from mock Cohere — naïve " }, finish_reason: "stop" });
    expect(chat.usage).toEqual({
      prompt_tokens: 1,
      completion_tokens: 6,
      total_tokens: 7,
      prompt_tokens_details: { cached_tokens: 3 },
    });
  });

  it("streamed text and streamed multi-tool calls", async () => {
    const text = await sendStream(adapter.chat, adapter.chat.buildRequest({ ...base, stream: true }, live()), live());
    expect(text.contentType).toContain("text/event-stream");
    expect(foldChunks(text.chunks).text).toBe(DEFAULT_COHERE_REPLY);
    const tools = ["get_weather", "get_time"].map((name) => ({
      type: "function" as const,
      function: { name, parameters: { type: "object", properties: { city: { type: "string" } } } },
    }));
    const streamed = await sendStream(adapter.chat, adapter.chat.buildRequest({ ...base, stream: true, tools }, live()), live());
    const folded = foldChunks(streamed.chunks);
    expect(folded.toolCalls.map((c) => [c.index, c.id, c.name, c.arguments])).toEqual([
      [0, "get_weather_mock0", "get_weather", '{"city":"test"}'],
      [1, "get_time_mock1", "get_time", '{"city":"test"}'],
    ]);
    expect(folded.finishReason).toBe("tool_calls");
    expect(folded.usage?.completion_tokens).toBe(22);
  });

  it("embeddings (float and base64) through the mock", async () => {
    const floats = await send(
      adapter.embeddings!.buildRequest({ model: "e", input: ["a", "b c"] }, { ...live(), model: "embed-v4.0" }),
    );
    const parsed = adapter.embeddings!.parseResponse(floats.json(), live());
    expect(parsed.data.map((d) => (d.embedding as number[]).length)).toEqual([8, 8]);
    expect(parsed.usage.prompt_tokens).toBe(3);
    const b64 = await send(
      adapter.embeddings!.buildRequest({ model: "e", input: "a", encoding_format: "base64" }, { ...live(), model: "embed-v4.0" }),
    );
    const decoded = adapter.embeddings!.parseResponse(b64.json(), live()).data[0]!.embedding as string;
    const bytes = Buffer.from(decoded, "base64");
    const floatsBack = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect(floatsBack.length).toBe(8);
    expect(floatsBack[0]).toBeCloseTo((parsed.data[0]!.embedding as number[])[0]!, 5);
  });

  it("auth, validation and injected faults come back as OpenAI errors", async () => {
    const denied = await send(adapter.chat.buildRequest(base, { ...live(), credentials: { apiKey: "nope" } }));
    expect(denied.status).toBe(401);
    expect(adapter.mapError(401, denied.json()).error).toMatchObject({
      message: "invalid api token",
      type: "authentication_error",
    });
    const invalid = await send({
      ...adapter.chat.buildRequest(base, live()),
      body: JSON.stringify({ model: "m", messages: [], top_p: 0.5 }),
    });
    expect(invalid.status).toBe(400);
    expect(adapter.mapError(400, invalid.json()).error.message).toContain("unknown field");
    mock.injectFault({ fail: 503 });
    const down = await send(adapter.chat.buildRequest(base, live()));
    expect(down.status).toBe(503);
    expect(adapter.mapError(503, down.json()).error.type).toBe("api_error");
    const slow = Date.now();
    const delayed = await send({
      ...adapter.chat.buildRequest(base, live()),
      headers: { ...adapter.chat.buildRequest(base, live()).headers, "x-mock-latency-ms": "120" },
    });
    expect(delayed.status).toBe(200);
    expect(Date.now() - slow).toBeGreaterThanOrEqual(100);
    mock.injectFault({ fail: "reset" });
    await expect(send(adapter.chat.buildRequest(base, live()))).rejects.toThrow();
    expect(mock.stats.faults).toBeGreaterThanOrEqual(2);
  });
});
