import { describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/llama/index.ts";
import { fixtureText, foldChunks, makeCtx, parsedBody, runSseStream, SPLITS } from "./provider-test-helpers.ts";

const ctx = makeCtx({ baseUrl: "http://127.0.0.1:8080/v1", model: "qwen2.5-7b" });

describe("llama (llama.cpp server / Meta Llama API)", () => {
  it("accepts llama.cpp sampling extras and more stop sequences", () => {
    const req = adapter.chat.buildRequest(
      { model: "x", messages: [{ role: "user", content: "hi" }], top_k: 40, min_p: 0.05, stop: ["a", "b", "c", "d", "e"] },
      ctx,
    );
    expect(req.url).toBe("http://127.0.0.1:8080/v1/chat/completions");
    expect(parsedBody(req)).toEqual({
      model: "qwen2.5-7b",
      messages: [{ role: "user", content: "hi" }],
      top_k: 40,
      min_p: 0.05,
      stop: ["a", "b", "c", "d", "e"],
    });
  });

  it("targets Meta's compat endpoint when the base URL says so", () => {
    const req = adapter.chat.buildRequest(
      { model: "x", messages: [{ role: "user", content: "hi" }] },
      { ...ctx, baseUrl: "https://api.llama.com/compat/v1" },
    );
    expect(req.url).toBe("https://api.llama.com/compat/v1/chat/completions");
    expect(req.headers.authorization).toBe("Bearer sk-test-123");
  });

  it.each(SPLITS)("splits usage off llama.cpp's final chunk and keeps cached tokens (split %s)", (_name, split) => {
    const chunks = runSseStream(adapter.chat, fixtureText("llama", "stream-text.sse"), ctx, split);
    expect(chunks).toHaveLength(5);
    const folded = foldChunks(chunks);
    expect(folded.text).toBe("Привет, мир!");
    expect(folded.finishReason).toBe("stop");
    expect(chunks[3]?.usage).toBeUndefined();
    expect(chunks[4]?.choices).toEqual([]);
    expect(chunks[4]?.usage).toMatchObject({
      prompt_tokens: 11,
      completion_tokens: 4,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 8 },
    });
  });

  it("wraps llama.cpp's numeric error codes", () => {
    expect(
      adapter.mapError(400, {
        error: { code: 400, message: "the request exceeds the available context size", type: "exceed_context_size_error" },
      }),
    ).toEqual({
      error: {
        message: "the request exceeds the available context size",
        type: "exceed_context_size_error",
        code: "400",
        param: null,
      },
    });
  });
});
