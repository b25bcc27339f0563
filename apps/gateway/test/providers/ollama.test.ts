import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/ollama/index.ts";
import type { ChatRequest } from "../../src/providers/types.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { fixtureText, foldChunks, makeCtx, parsedBody, runSseStream, SPLITS, send, sendStream } from "./provider-test-helpers.ts";

const ctx = makeCtx({ baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.2", credentials: {} });
const base: ChatRequest = { model: "local", messages: [{ role: "user", content: "hi" }] };

describe("ollama", () => {
  it("defaults to the local /v1 endpoint, sends no auth without a key, and takes images", () => {
    expect(adapter.defaultBaseUrl({})).toBe("http://127.0.0.1:11434/v1");
    const req = adapter.chat.buildRequest(
      {
        ...base,
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }],
        stream: true,
      },
      ctx,
    );
    expect(req.url).toBe("http://127.0.0.1:11434/v1/chat/completions");
    expect(req.headers).toEqual({ "content-type": "application/json" });
    expect(parsedBody(req)).toMatchObject({ model: "llama3.2", stream_options: { include_usage: true } });
  });

  it.each(SPLITS)("assigns indices to whole tool calls sent without them (split %s)", (_name, split) => {
    const chunks = runSseStream(adapter.chat, fixtureText("ollama", "stream-tools.sse"), ctx, split);
    const folded = foldChunks(chunks);
    expect(folded.toolCalls).toEqual([
      { index: 0, id: "call_k1w0d3xe", name: "get_weather", arguments: '{"city":"Kraków"}' },
      { index: 1, id: "call_p9s8t7u6", name: "get_time", arguments: '{"tz":"Europe/Warsaw"}' },
    ]);
    expect(folded.finishReason).toBe("tool_calls");
    expect(folded.usage).toEqual({ prompt_tokens: 160, completion_tokens: 33, total_tokens: 193 });
  });

  it("wraps Ollama's errors", () => {
    expect(
      adapter.mapError(404, {
        error: { message: 'model "llama9" not found, try pulling it first', type: "api_error", param: null, code: null },
      }).error.message,
    ).toBe('model "llama9" not found, try pulling it first');
  });

  describe("against the mock upstream (no key)", () => {
    let mock: MockUpstream;
    beforeAll(async () => {
      mock = await startOpenAILikeMock({ dialect: "ollama", reply: "Cześć, świecie!" });
    });
    afterAll(() => mock.close());
    const live = () => ({ ...ctx, baseUrl: `${mock.url}/v1` });

    it("chat stream, embeddings and completions", async () => {
      const { chunks } = await sendStream(adapter.chat, adapter.chat.buildRequest({ ...base, stream: true }, live()), live());
      expect(foldChunks(chunks).text).toBe("Cześć, świecie!");
      expect(foldChunks(chunks).usage?.completion_tokens).toBe(2);
      const emb = await send(
        adapter.embeddings!.buildRequest({ model: "e", input: "abc" }, { ...live(), model: "nomic-embed-text" }),
      );
      expect(adapter.embeddings!.parseResponse(emb.json(), live()).data[0]?.embedding).toHaveLength(8);
      const comp = await send(adapter.completions!.buildRequest({ model: "c", prompt: "Say", max_tokens: 1 }, live()));
      const parsed = adapter.completions!.parseResponse(comp.json(), live());
      expect(parsed.choices[0]).toMatchObject({ text: "Cześć, ", finish_reason: "length" });
    });
  });
});
