// Malformed native requests are refused before any upstream call, with the gateway's OpenAI-shaped 400
// (`{error:{message,type:"invalid_request_error",code:"invalid_request",param}}`) naming the parameter.

import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/lib/errors.ts";
import { anthropicFormat, bedrockFormat, geminiFormat } from "../../src/native/index.ts";
import type { NativeFormat } from "../../src/native/types.ts";

function rejection(format: NativeFormat, path: string, body: unknown): GatewayError {
  const m = format.match("POST", path);
  if (!m) throw new Error(`no match for ${path}`);
  try {
    format.validate(body, m);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

const user = { role: "user", content: "Hi" };

describe("Anthropic /v1/messages validation", () => {
  const path = "/v1/messages";

  it("accepts a minimal request and returns the same object, unknown fields kept", () => {
    const body = { model: "claude-sonnet-4-5", max_tokens: 10, messages: [user], container: "c_1", extra: { x: 1 } };
    expect(anthropicFormat.validate(body, anthropicFormat.match("POST", path)!)).toBe(body);
  });

  it.each([
    ["missing max_tokens", { model: "m", messages: [user] }, "max_tokens", "Missing required parameter: 'max_tokens'."],
    ["missing messages", { model: "m", max_tokens: 5 }, "messages", "Missing required parameter: 'messages'."],
    ["missing model", { max_tokens: 5, messages: [user] }, "model", "Missing required parameter: 'model'."],
    ["empty messages", { model: "m", max_tokens: 5, messages: [] }, "messages", null],
    ["max_tokens 0", { model: "m", max_tokens: 0, messages: [user] }, "max_tokens", null],
    ["max_tokens not an integer", { model: "m", max_tokens: 1.5, messages: [user] }, "max_tokens", null],
    ["max_tokens a string", { model: "m", max_tokens: "5", messages: [user] }, "max_tokens", null],
    [
      "system role in messages",
      { model: "m", max_tokens: 5, messages: [{ role: "system", content: "x" }] },
      "messages[0].role",
      null,
    ],
    ["content a number", { model: "m", max_tokens: 5, messages: [{ role: "user", content: 5 }] }, "messages[0].content", null],
    ["stream not a boolean", { model: "m", max_tokens: 5, messages: [user], stream: "true" }, "stream", null],
  ])("%s -> 400 naming %s", (_name, body, param, message) => {
    const err = rejection(anthropicFormat, path, body);
    expect(err.status).toBe(400);
    expect(err.toBody()).toEqual({
      error: {
        message: message ?? expect.stringContaining(`'${param}'`),
        type: "invalid_request_error",
        code: "invalid_request",
        param,
      },
    });
  });

  it("a body that is not an object -> 400 without a param", () => {
    for (const body of [[], "x", null, 3]) {
      const err = rejection(anthropicFormat, path, body);
      expect(err.toBody().error).toMatchObject({ code: "invalid_request", param: null, type: "invalid_request_error" });
    }
  });

  it("count_tokens needs model and messages but not max_tokens", () => {
    const m = anthropicFormat.match("POST", "/v1/messages/count_tokens")!;
    const ok = { model: "m", messages: [user] };
    expect(anthropicFormat.validate(ok, m)).toBe(ok);
    expect(rejection(anthropicFormat, "/v1/messages/count_tokens", { model: "m" }).param).toBe("messages");
  });
});

describe("Gemini validation", () => {
  const gen = "/v1beta/models/gemini-2.5-flash:generateContent";

  it("accepts a minimal request (snake_case extras pass through)", () => {
    const body = { contents: [{ parts: [{ text: "Hi" }] }], system_instruction: { parts: [{ text: "be brief" }] } };
    expect(geminiFormat.validate(body, geminiFormat.match("POST", gen)!)).toBe(body);
  });

  it.each([
    ["missing contents", {}, "contents"],
    ["empty contents", { contents: [] }, "contents"],
    ["content without parts", { contents: [{ role: "user" }] }, "contents[0].parts"],
    ["empty parts", { contents: [{ role: "user", parts: [] }] }, "contents[0].parts"],
    [
      "maxOutputTokens 0",
      { contents: [{ parts: [{ text: "x" }] }], generationConfig: { maxOutputTokens: 0 } },
      "generationConfig.maxOutputTokens",
    ],
  ])("%s -> 400 naming %s", (_name, body, param) => {
    const err = rejection(geminiFormat, gen, body);
    expect(err.toBody().error).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param });
  });

  it("streamGenerateContent is validated like generateContent", () => {
    expect(rejection(geminiFormat, "/v1beta/models/g:streamGenerateContent?alt=sse", {}).param).toBe("contents");
  });

  it("countTokens takes contents or generateContentRequest", () => {
    const m = geminiFormat.match("POST", "/v1beta/models/g:countTokens")!;
    expect(geminiFormat.validate({ contents: [{ parts: [{ text: "x" }] }] }, m)).toBeTruthy();
    expect(geminiFormat.validate({ generateContentRequest: { contents: [{ parts: [{ text: "x" }] }] } }, m)).toBeTruthy();
    const err = rejection(geminiFormat, "/v1beta/models/g:countTokens", {});
    expect(err.toBody().error).toMatchObject({ param: "contents", message: "Missing required parameter: 'contents'." });
  });

  it("embedContent needs content.parts", () => {
    expect(rejection(geminiFormat, "/v1beta/models/e:embedContent", {}).param).toBe("content");
    expect(rejection(geminiFormat, "/v1beta/models/e:embedContent", { content: { parts: [] } }).param).toBe("content.parts");
  });
});

describe("Bedrock Converse validation", () => {
  const path = "/model/amazon.nova-lite-v1:0/converse";

  it("accepts a minimal request", () => {
    const body = { messages: [{ role: "user", content: [{ text: "Hi" }] }], inferenceConfig: { maxTokens: 5 } };
    expect(bedrockFormat.validate(body, bedrockFormat.match("POST", path)!)).toBe(body);
  });

  it.each([
    ["missing messages", {}, "messages"],
    ["content a string", { messages: [{ role: "user", content: "Hi" }] }, "messages[0].content"],
    ["bad role", { messages: [{ role: "system", content: [{ text: "x" }] }] }, "messages[0].role"],
    [
      "maxTokens negative",
      { messages: [{ role: "user", content: [{ text: "x" }] }], inferenceConfig: { maxTokens: -1 } },
      "inferenceConfig.maxTokens",
    ],
    ["system not a list", { messages: [{ role: "user", content: [{ text: "x" }] }], system: "be brief" }, "system"],
  ])("%s -> 400 naming %s", (_name, body, param) => {
    const err = rejection(bedrockFormat, path, body);
    expect(err.toBody().error).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param });
  });
});
