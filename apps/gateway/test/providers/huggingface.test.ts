import { describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/huggingface/index.ts";
import { UnsupportedRequestError } from "../../src/providers/types.ts";
import { fixtureJson, makeCtx, parsedBody } from "./provider-test-helpers.ts";

const ctx = makeCtx({
  baseUrl: "https://router.huggingface.co/v1",
  model: "meta-llama/Llama-3.3-70B-Instruct:novita",
  credentials: { apiKey: "hf_abc" },
});

describe("huggingface (router, OpenAI-compatible chat)", () => {
  it("posts to the router with the HF token as bearer", () => {
    expect(adapter.defaultBaseUrl({})).toBe("https://router.huggingface.co/v1");
    const req = adapter.chat.buildRequest({ model: "x", messages: [{ role: "user", content: "hi" }], stream: true }, ctx);
    expect(req.url).toBe("https://router.huggingface.co/v1/chat/completions");
    expect(req.headers.authorization).toBe("Bearer hf_abc");
    expect(parsedBody(req)).toEqual({
      model: "meta-llama/Llama-3.3-70B-Instruct:novita",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(adapter.embeddings).toBeUndefined();
    expect(adapter.completions).toBeUndefined();
    expect(() => adapter.chat.buildRequest({ model: "x", messages: [{ role: "user", content: "hi" }], top_k: 3 }, ctx)).toThrow(
      UnsupportedRequestError,
    );
  });

  it("maps TGI's eos_token finish reason and fills the empty id", () => {
    const res = adapter.chat.parseResponse(fixtureJson("huggingface", "chat-response.upstream.json"), ctx);
    expect(res.id).toBe("chatcmpl-req_test01");
    expect(res.choices[0]).toMatchObject({ finish_reason: "stop", message: { role: "assistant", content: "Guten Tag! 😊" } });
    expect(res.usage).toEqual({ prompt_tokens: 42, completion_tokens: 6, total_tokens: 48 });
  });

  it("wraps the router's string errors", () => {
    expect(adapter.mapError(401, { error: "Invalid credentials in Authorization header" })).toEqual({
      error: { message: "Invalid credentials in Authorization header", type: "authentication_error", code: null, param: null },
    });
    expect(adapter.mapError(503, { error: "Model is loading", error_type: "overloaded" }).error.type).toBe("overloaded");
  });
});
