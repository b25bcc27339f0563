import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRequest, UpstreamRequest } from "../../src/providers/types.ts";
import { adapter } from "../../src/providers/vertex/index.ts";
import { VertexConfigError } from "../../src/providers/vertex/request.ts";
import { startGeminiMock } from "../mocks/gemini.ts";
import type { MockUpstream } from "../mocks/http-mock-kit.ts";
import { accumulate, cut, fixture, jsonFixture, runStream, testContext } from "./stream-helpers.ts";

const settings = { project: "my-proj", location: "europe-west4" };
const ctx = testContext({
  baseUrl: "https://europe-west4-aiplatform.googleapis.com",
  model: "gemini-2.5-flash",
  settings,
  credentials: { accessToken: "ya29.token" },
});
const claude = { ...ctx, model: "claude-sonnet-4-5@20250929" };
const simple = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: "Hi" }],
  ...over,
});

describe("vertex requests", () => {
  it("default base URL per location (global has no prefix)", () => {
    expect(adapter.defaultBaseUrl(settings)).toBe("https://europe-west4-aiplatform.googleapis.com");
    expect(adapter.defaultBaseUrl({ project: "p", location: "global" })).toBe("https://aiplatform.googleapis.com");
  });

  it("Gemini models: publishers/google URL, Bearer token, same golden body as AI Studio", () => {
    const up = adapter.chat.buildRequest(jsonFixture<ChatRequest>("gemini", "chat-request.openai.json"), ctx);
    expect(up.url).toBe(
      "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-proj/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent",
    );
    expect(up.headers).toEqual({ "content-type": "application/json", authorization: "Bearer ya29.token" });
    expect(JSON.parse(up.body!)).toStrictEqual(jsonFixture("gemini", "chat-request.gemini.json"));
    expect(adapter.chat.buildRequest(simple({ stream: true }), ctx).url).toMatch(/:streamGenerateContent\?alt=sse$/);
  });

  it("Claude models: publishers/anthropic rawPredict, no model in body, vertex anthropic_version", () => {
    const up = adapter.chat.buildRequest(jsonFixture<ChatRequest>("anthropic", "chat-request.openai.json"), claude);
    expect(up.url).toBe(
      "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-proj/locations/europe-west4/publishers/anthropic/models/claude-sonnet-4-5%4020250929:streamRawPredict",
    );
    const { model: _model, ...rest } = jsonFixture<Record<string, unknown>>("anthropic", "chat-request.anthropic.json");
    expect(JSON.parse(up.body!)).toStrictEqual({ anthropic_version: "vertex-2023-10-16", ...rest });
    expect(adapter.chat.buildRequest(simple(), claude).url).toMatch(/:rawPredict$/);
  });

  it("missing project is a configuration error", () => {
    expect(() => adapter.chat.buildRequest(simple(), { ...ctx, settings: { location: "us-central1" } })).toThrow(
      VertexConfigError,
    );
  });

  it("parses and streams with the right publisher's mapper", () => {
    expect(adapter.chat.parseResponse(jsonFixture("gemini", "response-tools.gemini.json"), ctx)).toStrictEqual(
      jsonFixture("gemini", "response-tools.openai.json"),
    );
    expect(adapter.chat.parseResponse(jsonFixture("anthropic", "response-tools.anthropic.json"), claude)).toStrictEqual(
      jsonFixture("anthropic", "response-tools.openai.json"),
    );
    const acc = accumulate(runStream(adapter.chat, claude, cut(fixture("anthropic", "stream-multi-tool.sse"), 5)));
    expect(acc.tools.map((t) => t.arguments)).toEqual(['{"city": "Paris"}', '{"city": "Zürich"}']);
    const g = accumulate(runStream(adapter.chat, ctx, cut(fixture("gemini", "stream-multi-tool.sse"), 5)));
    expect(g.content).toBe("Checking Zürich ☔ and Paris.");
  });

  it("errors: Anthropic-shaped bodies from Claude, Google-shaped otherwise", () => {
    expect(adapter.mapError(429, { type: "error", error: { type: "rate_limit_error", message: "slow" } }).error.code).toBe(
      "rate_limit_error",
    );
    expect(adapter.mapError(403, { error: { code: 403, message: "denied", status: "PERMISSION_DENIED" } }).error).toEqual({
      message: "denied",
      type: "permission_error",
      code: "PERMISSION_DENIED",
      param: null,
    });
  });
});

describe("vertex against the mock upstream", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startGeminiMock({ accessToken: "ya29.token" });
  });
  afterAll(() => mock.close());
  const call = (up: UpstreamRequest) => fetch(up.url, { method: up.method, headers: up.headers, body: up.body });

  it("Gemini chat and embeddings (predict) round trip", async () => {
    const c = { ...ctx, baseUrl: mock.url };
    const out = adapter.chat.parseResponse(await (await call(adapter.chat.buildRequest(simple(), c))).json(), c);
    expect(out.choices[0]!.message.content).toBe("Hello from mock Gemini 👋 You said: Hi");
    const ec = { ...c, model: "text-embedding-005" };
    const emb = adapter.embeddings!.parseResponse(
      await (await call(adapter.embeddings!.buildRequest({ model: "e", input: ["one two", "three"], dimensions: 4 }, ec))).json(),
      ec,
    );
    expect(emb.data.map((d) => (d.embedding as number[]).length)).toEqual([4, 4]);
    expect(emb.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it("Claude streamRawPredict round trip with tools", async () => {
    const c = { ...claude, baseUrl: mock.url };
    const tools = [
      {
        type: "function" as const,
        function: { name: "lookup", parameters: { type: "object", properties: { id: { type: "integer" } } } },
      },
    ];
    const res = await call(adapter.chat.buildRequest(simple({ stream: true, tools }), c));
    expect(res.status).toBe(200);
    const acc = accumulate(runStream(adapter.chat, c, cut(new Uint8Array(await res.arrayBuffer()), 9)));
    expect(acc.tools.map((t) => [t.name, t.arguments])).toEqual([["lookup", '{"id":1}']]);
    expect(acc.finish).toBe("tool_calls");
  });

  it("wrong token -> 401 mapped", async () => {
    const c = { ...ctx, baseUrl: mock.url, credentials: { accessToken: "nope" } };
    const res = await call(adapter.chat.buildRequest(simple(), c));
    expect(res.status).toBe(401);
    expect(adapter.mapError(401, await res.json()).error.code).toBe("UNAUTHENTICATED");
  });

  it("health check (countTokens) answers 200", async () => {
    const c = { ...ctx, baseUrl: mock.url };
    expect((await call(adapter.healthCheck!(c))).status).toBe(200);
  });
});
