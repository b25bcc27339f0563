import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsEventStreamDeframer } from "../../src/lib/framing/aws-eventstream.ts";
import { adapter } from "../../src/providers/bedrock/index.ts";
import {
  type ChatRequest,
  ProviderFormatError,
  UnsupportedRequestError,
  type UpstreamRequest,
  UpstreamStreamError,
} from "../../src/providers/types.ts";
import { startBedrockMock } from "../mocks/bedrock.ts";
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

const MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0";
const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const ctx = testContext({
  baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
  model: MODEL,
  settings: { region: "us-east-1" },
  credentials: creds,
});
const simple = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: "Hi" }],
  ...over,
});

describe("bedrock request", () => {
  it("matches the golden Converse request (system blocks, image bytes, ALL toolUse, merged toolResults, stop + top_k)", () => {
    const up = adapter.chat.buildRequest(jsonFixture<ChatRequest>("bedrock", "chat-request.openai.json"), ctx);
    expect(up.url).toBe(
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse-stream",
    );
    expect(up.headers).toEqual({ "content-type": "application/json", accept: "application/vnd.amazon.eventstream" });
    expect(JSON.parse(up.body!)).toStrictEqual(jsonFixture("bedrock", "chat-request.bedrock.json"));
  });

  it("the default base URL comes from the region", () => {
    expect(adapter.defaultBaseUrl({ region: "eu-central-1" })).toBe("https://bedrock-runtime.eu-central-1.amazonaws.com");
  });

  it.each([
    [{ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }] }, "messages"],
    [{ temperature: 1.5 }, "temperature"],
    [{ tools: [{ type: "function", function: { name: "f" } }], tool_choice: "none" }, "tool_choice"],
    [{ response_format: { type: "json_object" } }, "response_format"],
    [{ n: 3 }, "n"],
  ])("rejects unsupported %j (http image URLs included)", (over, param) => {
    try {
      adapter.chat.buildRequest(simple(over as Partial<ChatRequest>), ctx);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsupportedRequestError);
      expect((err as UnsupportedRequestError).param).toBe(param);
    }
  });

  it("top_k goes to the model family's field or is rejected", () => {
    const nova = JSON.parse(adapter.chat.buildRequest(simple({ top_k: 5 }), { ...ctx, model: "amazon.nova-pro-v1:0" }).body!);
    expect(nova.additionalModelRequestFields).toEqual({ inferenceConfig: { topK: 5 } });
    expect(() => adapter.chat.buildRequest(simple({ top_k: 5 }), { ...ctx, model: "meta.llama3-70b-instruct-v1:0" })).toThrow(
      UnsupportedRequestError,
    );
  });

  it("signs with SigV4 at ctx.now (golden header shape, session token included)", async () => {
    const up = adapter.chat.buildRequest(simple(), ctx);
    const signed = await adapter.sign!(up, { ...ctx, credentials: { ...creds, sessionToken: "FQoGZXIvYXdzEXAMPLE" } });
    expect(signed.url).toBe(up.url);
    expect(signed.body).toBe(up.body);
    expect(signed.headers["x-amz-date"]).toBe("20231114T221320Z");
    expect(signed.headers["x-amz-security-token"]).toBe("FQoGZXIvYXdzEXAMPLE");
    expect(signed.headers.host).toBe("bedrock-runtime.us-east-1.amazonaws.com");
    expect(signed.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20231114\/us-east-1\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    // deterministic: same input, same signature
    const again = await adapter.sign!(up, { ...ctx, credentials: { ...creds, sessionToken: "FQoGZXIvYXdzEXAMPLE" } });
    expect(again.headers.authorization).toBe(signed.headers.authorization);
  });
});

describe("bedrock response", () => {
  it("matches the golden response (all tool calls kept, cache reads+writes in prompt_tokens)", () => {
    expect(adapter.chat.parseResponse(jsonFixture("bedrock", "response-tools.bedrock.json"), ctx)).toStrictEqual(
      jsonFixture("bedrock", "response-tools.openai.json"),
    );
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["content_filtered", "content_filter"],
    ["guardrail_intervened", "content_filter"],
  ])("maps stopReason %s -> %s", (reason, finish) => {
    const body = {
      output: { message: { role: "assistant", content: [{ text: "x" }] } },
      stopReason: reason,
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    };
    expect(adapter.chat.parseResponse(body, ctx).choices[0]!.finish_reason).toBe(finish);
  });

  it("throws ProviderFormatError for a 200 without output.message", () => {
    expect(() => adapter.chat.parseResponse({ Output: {} }, ctx)).toThrow(ProviderFormatError);
  });

  it("maps AWS errors using x-amzn-errortype, else the status", () => {
    expect(
      adapter.mapError(
        400,
        { message: "Malformed input request" },
        { "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" },
      ),
    ).toEqual({
      error: { message: "Malformed input request", type: "invalid_request_error", code: "ValidationException", param: null },
    });
    expect(adapter.mapError(429, { message: "Too many requests" })).toEqual({
      error: { message: "Too many requests", type: "rate_limit_error", code: "ThrottlingException", param: null },
    });
  });
});

describe("bedrock stream (binary event-stream)", () => {
  const bytes = fixture("bedrock", "stream-multi-tool.eventstream");
  const c = chunkMaker("chatcmpl-req_test", MODEL);
  const expected = [
    c({ role: "assistant", content: "" }),
    c({ content: "Checking Zürich " }),
    c({ content: "and Paris ☀️" }),
    c({ tool_calls: [{ index: 0, id: "tooluse_Paris01", type: "function", function: { name: "get_weather", arguments: "" } }] }),
    c({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    c({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    c({ tool_calls: [{ index: 1, id: "tooluse_Zurich02", type: "function", function: { name: "get_weather", arguments: "" } }] }),
    c({ tool_calls: [{ index: 1, function: { arguments: '{"city":"Zürich"}' } }] }),
    c({}, "tool_calls"),
    {
      ...c({}),
      choices: [],
      usage: { prompt_tokens: 1210, completion_tokens: 96, total_tokens: 1306, prompt_tokens_details: { cached_tokens: 800 } },
    },
  ];
  const wants = { ...ctx, clientWantsStreamUsage: true };

  it.each([
    ["whole", [] as number[]],
    ["every byte", 1],
    ["every 5 bytes", 5],
    ["every 13 bytes", 13],
    ["inside the first prelude (bytes 3 and 10)", [3, 10]],
    ["inside the second prelude and a multi-byte char", [133 + 2, 133 + 7, insideFirstMultibyte(bytes)]],
  ])("cut %s -> golden chunks, both tool calls kept", (_name, how) => {
    expect(runStream(adapter.chat, wants, cut(bytes, how as number | number[]))).toStrictEqual(expected);
  });

  it("an exception message becomes UpstreamStreamError (429 for throttling)", () => {
    const state = adapter.chat.createStreamState(ctx);
    try {
      adapter.chat.mapStreamEvent(
        { event: "exception:throttlingException", data: '{"message":"Too many requests"}' },
        state,
        ctx,
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UpstreamStreamError);
      expect((err as UpstreamStreamError).status).toBe(429);
      expect((err as UpstreamStreamError).body.error.code).toBe("ThrottlingException");
    }
  });
});

describe("bedrock embeddings", () => {
  it("titan v2: one input per call, dimensions checked", () => {
    const ectx = { ...ctx, model: "amazon.titan-embed-text-v2:0" };
    const up = adapter.embeddings!.buildRequest({ model: "e", input: "hello", dimensions: 256 }, ectx);
    expect(up.url).toBe("https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke");
    expect(JSON.parse(up.body!)).toStrictEqual({ inputText: "hello", dimensions: 256 });
    expect(() => adapter.embeddings!.buildRequest({ model: "e", input: ["a", "b"] }, ectx)).toThrow(UnsupportedRequestError);
    expect(() => adapter.embeddings!.buildRequest({ model: "e", input: "a", dimensions: 300 }, ectx)).toThrow(
      UnsupportedRequestError,
    );
    expect(adapter.embeddings!.parseResponse({ embedding: [0.5, -0.5], inputTextTokenCount: 2 }, ectx)).toStrictEqual({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.5, -0.5] }],
      model: "amazon.titan-embed-text-v2:0",
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
  });
});

describe("bedrock against the mock upstream (SigV4 verified)", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startBedrockMock({ credentials: creds, cacheReadInputTokens: 5 });
  });
  afterAll(() => mock.close());
  const live = () => ({ ...ctx, baseUrl: mock.url, clientWantsStreamUsage: true, now: Math.floor(Date.now() / 1000) });
  const call = (up: UpstreamRequest, headers: Record<string, string> = {}) => {
    const { host: _host, ...rest } = up.headers;
    return fetch(up.url, { method: up.method, headers: { ...rest, ...headers }, body: up.body });
  };
  const tools = ["get_weather", "get_time", "get_news"].map((name) => ({
    type: "function" as const,
    function: { name, parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } },
  }));

  it("accepts a correctly signed converse call", async () => {
    const c2 = live();
    const res = await call(await adapter.sign!(adapter.chat.buildRequest(simple({ stop: ["👋"] }), c2), c2));
    expect(res.status).toBe(200);
    const out = adapter.chat.parseResponse(await res.json(), c2);
    expect(out.choices[0]!.message.content).toBe("Hello from mock Bedrock ");
    expect(out.choices[0]!.finish_reason).toBe("stop");
    expect(out.usage!.prompt_tokens_details).toEqual({ cached_tokens: 5 });
  });

  it("rejects unsigned, wrongly signed and tampered requests", async () => {
    const c2 = live();
    const up = adapter.chat.buildRequest(simple(), c2);
    const unsigned = await call(up);
    expect(unsigned.status).toBe(403);
    expect(
      adapter.mapError(403, await unsigned.json(), { "x-amzn-errortype": unsigned.headers.get("x-amzn-errortype") ?? undefined })
        .error.code,
    ).toBe("MissingAuthenticationTokenException");
    const wrong = await adapter.sign!(up, { ...c2, credentials: { ...creds, secretAccessKey: "not-the-secret" } });
    const bad = await call(wrong);
    expect(bad.status).toBe(403);
    expect(bad.headers.get("x-amzn-errortype")).toMatch(/^InvalidSignatureException/);
    const signed = await adapter.sign!(up, c2);
    const tampered = await call({ ...signed, body: signed.body!.replace("Hi", "Ho") });
    expect(tampered.status).toBe(400);
  });

  it("streams ALL tool calls over binary event-stream cut in awkward places", async () => {
    const c2 = live();
    const res = await call(await adapter.sign!(adapter.chat.buildRequest(simple({ stream: true, tools }), c2), c2));
    expect(res.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const acc = accumulate(runStream(adapter.chat, c2, cut(bytes, 3)));
    expect(acc.content).toBe("Let me check.");
    expect(acc.tools.map((t) => [t.name, t.arguments])).toEqual([
      ["get_weather", '{"q":"test"}'],
      ["get_time", '{"q":"test"}'],
      ["get_news", '{"q":"test"}'],
    ]);
    expect(acc.finish).toBe("tool_calls");
  });

  it("mid-stream throttlingException and truncation", async () => {
    const c2 = live();
    const signed = await adapter.sign!(adapter.chat.buildRequest(simple({ stream: true }), c2), c2);
    const res = await call(signed, { "x-mock-stream-error": "throttling" });
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(() => runStream(adapter.chat, c2, [bytes])).toThrow(UpstreamStreamError);
    const truncated = await call(signed, { "x-mock-fail": "truncate" });
    // read what arrives before the connection drops
    const reader = truncated.body!.getReader();
    const d = new AwsEventStreamDeframer();
    const events: string[] = [];
    let failed = false;
    for (;;) {
      try {
        const { done, value } = await reader.read();
        if (done) break;
        for (const ev of d.push(value)) events.push(ev.event ?? "");
      } catch {
        failed = true;
        break;
      }
    }
    expect(failed).toBe(true);
    expect(events[0]).toBe("messageStart");
    expect(events).not.toContain("metadata");
    expect(() => d.end()).toThrow(/ended inside a message/);
  });
});
