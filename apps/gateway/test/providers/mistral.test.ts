import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/mistral/index.ts";
import type { ChatRequest } from "../../src/providers/types.ts";
import { ProviderFormatError, UnsupportedRequestError } from "../../src/providers/types.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
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

const ctx = makeCtx({ baseUrl: "https://api.mistral.ai/v1", model: "pixtral-large-latest", credentials: { apiKey: "mk-1" } });
const base: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }] };

describe("mistral: request", () => {
  it("builds the golden request (random_seed, max_tokens, system role, no stream_options/user)", () => {
    const req = adapter.chat.buildRequest(fixtureJson<ChatRequest>("mistral", "chat-request.json"), ctx);
    expect(req.url).toBe("https://api.mistral.ai/v1/chat/completions");
    expect(req.headers.authorization).toBe("Bearer mk-1");
    expect(parsedBody(req)).toEqual(fixtureJson("mistral", "chat-request.expected.json"));
  });

  it.each([
    [{ logprobs: true }, "logprobs"],
    [{ top_k: 5 }, "top_k"],
    [{ reasoning_effort: "low" }, "reasoning_effort"],
    [{ logit_bias: { "1": 2 } }, "logit_bias"],
    [{ temperature: 3 }, "temperature"],
    [{ max_tokens: 10, max_completion_tokens: 20 }, "max_completion_tokens"],
  ])("refuses %j", (patch, param) => {
    try {
      adapter.chat.buildRequest({ ...base, ...patch } as ChatRequest, ctx);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsupportedRequestError);
      expect((err as UnsupportedRequestError).param).toBe(param);
    }
  });

  it("embeddings: dimensions -> output_dimension, no token arrays", () => {
    const req = adapter.embeddings!.buildRequest(
      { model: "e", input: "bonjour", dimensions: 256 },
      { ...ctx, model: "codestral-embed" },
    );
    expect(req.url).toBe("https://api.mistral.ai/v1/embeddings");
    expect(parsedBody(req)).toEqual({ model: "codestral-embed", input: ["bonjour"], output_dimension: 256 });
    expect(() => adapter.embeddings!.buildRequest({ model: "e", input: [1, 2, 3] }, ctx)).toThrow(UnsupportedRequestError);
    expect(adapter.completions).toBeUndefined();
  });
});

describe("mistral: response and stream", () => {
  it("maps model_length to length and refuses an error finish", () => {
    const body = {
      id: "x1",
      object: "chat.completion",
      created: 1741570900,
      model: "mistral-small-latest",
      choices: [{ index: 0, message: { role: "assistant", content: "…", tool_calls: null }, finish_reason: "model_length" }],
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
    };
    const res = adapter.chat.parseResponse(body, ctx);
    expect(res.choices[0]?.finish_reason).toBe("length");
    expect(res.usage).toEqual({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
    expect(() => adapter.chat.parseResponse({ ...body, choices: [{ ...body.choices[0], finish_reason: "error" }] }, ctx)).toThrow(
      ProviderFormatError,
    );
  });

  it.each(SPLITS)("text stream: usage split off the last chunk into a trailing usage chunk (split %s)", (_name, split) => {
    const chunks = runSseStream(adapter.chat, fixtureText("mistral", "stream-text.sse"), ctx, split);
    expect(chunks).toEqual(fixtureJson("mistral", "stream-text.expected.json"));
    expect(foldChunks(chunks).text).toBe("Ça déborde");
  });

  it.each(SPLITS)("multi-tool stream: both calls in one chunk keep indices 0 and 1 (split %s)", (_name, split) => {
    const chunks = runSseStream(adapter.chat, fixtureText("mistral", "stream-multi-tool.sse"), ctx, split);
    const folded = foldChunks(chunks);
    expect(folded.toolCalls).toEqual([
      { index: 0, id: "Gk2sQ9xLm", name: "get_weather", arguments: '{"city": "Marseille"}' },
      { index: 1, id: "Pq7Rt3vWz", name: "get_weather", arguments: '{"city": "Nîmes"}' },
    ]);
    expect(folded.finishReason).toBe("tool_calls");
    expect(folded.usage).toEqual({ prompt_tokens: 91, completion_tokens: 40, total_tokens: 131 });
    expect(chunks.at(-1)?.choices).toEqual([]);
  });

  it("normalises Mistral's error shapes", () => {
    expect(adapter.mapError(401, { message: "Unauthorized", request_id: "abc" }).error).toEqual({
      message: "Unauthorized",
      type: "authentication_error",
      code: null,
      param: null,
    });
    expect(
      adapter.mapError(422, {
        detail: [{ type: "extra_forbidden", loc: ["body", "foo"], msg: "Extra inputs are not permitted", input: 1 }],
      }).error,
    ).toEqual({ message: "foo: Extra inputs are not permitted", type: "invalid_request_error", code: null, param: "foo" });
  });
});

describe("mistral: against the mock upstream (strict fields, usage on the last chunk)", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startOpenAILikeMock({ apiKey: "mk-1", dialect: "mistral" });
  });
  afterAll(() => mock.close());
  const live = () => ({ ...ctx, baseUrl: `${mock.url}/v1`, model: "mistral-small-latest" });

  it("the translated body passes the strict validator, and usage comes back on streams", async () => {
    const req = adapter.chat.buildRequest(
      { ...base, stream: true, seed: 3, user: "u1", stream_options: { include_usage: false } },
      live(),
    );
    const { status, chunks } = await sendStream(adapter.chat, req, live());
    expect(status).toBe(200);
    expect(mock.lastRequest()?.body).toMatchObject({ random_seed: 3 });
    const folded = foldChunks(chunks);
    expect(folded.finishReason).toBe("stop");
    expect(folded.usage?.prompt_tokens).toBe(5);
  });

  it("an OpenAI body sent untranslated is refused with 422", async () => {
    const raw = { ...adapter.chat.buildRequest(base, live()), body: JSON.stringify({ ...base, seed: 1 }) };
    const res = await send(raw);
    expect(res.status).toBe(422);
    expect(adapter.mapError(422, res.json()).error.message).toContain("Extra inputs are not permitted");
  });
});
