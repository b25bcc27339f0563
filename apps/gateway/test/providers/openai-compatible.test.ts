import { describe, expect, it } from "vitest";
import { adapter } from "../../src/providers/openai-compatible/index.ts";
import { makeCtx } from "./provider-test-helpers.ts";

const ctx = makeCtx({
  baseUrl: "http://vllm.internal:8000/v1",
  model: "Qwen/Qwen2.5-7B-Instruct",
  credentials: { apiKey: "token-1" },
});
const req = { model: "x", messages: [{ role: "user" as const, content: "hi" }] };

describe("openai-compatible", () => {
  it("requires a base URL from the provider row", () => {
    expect(() => adapter.defaultBaseUrl({})).toThrow(/openai-compatible.*base URL/);
  });

  it("puts the key where settings.authHeader says", () => {
    expect(adapter.chat.buildRequest(req, ctx).headers.authorization).toBe("Bearer token-1");
    expect(adapter.chat.buildRequest(req, { ...ctx, settings: { authHeader: "bearer" } }).headers.authorization).toBe(
      "Bearer token-1",
    );
    const custom = adapter.chat.buildRequest(req, { ...ctx, settings: { authHeader: "X-API-Key" } }).headers;
    expect(custom["x-api-key"]).toBe("token-1");
    expect(custom.authorization).toBeUndefined();
    expect(adapter.chat.buildRequest(req, { ...ctx, settings: { authHeader: "none" } }).headers).toEqual({
      "content-type": "application/json",
    });
    expect(adapter.healthCheck!(ctx)).toMatchObject({ method: "GET", url: "http://vllm.internal:8000/v1/models" });
  });

  it("accepts vLLM's top_k and fills ids a server left out", () => {
    expect(JSON.parse(adapter.chat.buildRequest({ ...req, top_k: 20 }, ctx).body!)).toMatchObject({ top_k: 20 });
    const state = adapter.chat.createStreamState(ctx);
    const [chunk] = adapter.chat.mapStreamEvent({ data: '{"choices":[{"index":0,"delta":{"content":"x"}}]}' }, state, ctx);
    expect(chunk).toEqual({
      id: "chatcmpl-req_test01",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: "Qwen/Qwen2.5-7B-Instruct",
      choices: [{ index: 0, delta: { content: "x" }, finish_reason: null }],
    });
  });
});
