// Native passthrough routes end to end (issue 3): the gateway (buildApp + listen on port 0) with native Anthropic,
// Gemini and Bedrock routes next to the OpenAI routes on /v1, driven by the official @anthropic-ai/sdk and by plain
// undici requests against the provider mocks. Usage events must equal the providers' own usage, cache tokens included.

import Anthropic, { AuthenticationError, RateLimitError } from "@anthropic-ai/sdk";
import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AttemptRecord } from "../../src/balancer/index.ts";
import { createDeframer } from "../../src/lib/framing/index.ts";
import { bedrockFormat, geminiFormat } from "../../src/native/index.ts";
import { type AnthropicUsage, mapUsage } from "../../src/providers/anthropic/response.ts";
import { startAnthropicMock } from "../mocks/anthropic.ts";
import { startBedrockMock } from "../mocks/bedrock.ts";
import { startGeminiMock } from "../mocks/gemini.ts";
import type { MockUpstream } from "../mocks/http-mock-kit.ts";
import { startOpenAILikeMock } from "../mocks/openai-like.ts";
import { baseConfig, buildTestApp, CONSUMER_KEY, type MemoryUsageSink } from "../support/gateway.ts";

const ANTHROPIC_KEY = "sk-ant-provider-secret";
const GEMINI_KEY = "gemini-provider-secret";
const AWS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

let openaiMock: MockUpstream;
let anthropicMock: MockUpstream;
let anthropicBackup: MockUpstream;
let geminiMock: MockUpstream;
let bedrockMock: MockUpstream;
let app: FastifyInstance;
let usage: MemoryUsageSink;
let base: string;
let claude: Anthropic;

beforeAll(async () => {
  [openaiMock, anthropicMock, anthropicBackup, geminiMock, bedrockMock] = await Promise.all([
    startOpenAILikeMock(),
    startAnthropicMock({ apiKey: ANTHROPIC_KEY, cacheReadInputTokens: 5, cacheCreationInputTokens: 2 }),
    startAnthropicMock({ apiKey: ANTHROPIC_KEY }),
    startGeminiMock({ apiKey: GEMINI_KEY, cachedContentTokenCount: 3 }),
    startBedrockMock({ credentials: AWS, cacheReadInputTokens: 4 }),
  ]);
  process.env.SLUICE_TEST_ANTHROPIC_KEY = ANTHROPIC_KEY;
  process.env.SLUICE_TEST_GEMINI_KEY = GEMINI_KEY;
  process.env.SLUICE_TEST_AWS_ID = AWS.accessKeyId;
  process.env.SLUICE_TEST_AWS_SECRET = AWS.secretAccessKey;
  const raw = baseConfig(`${openaiMock.url}/v1`);
  raw.providers = [
    ...(raw.providers ?? []),
    {
      id: "prov_anth",
      name: "anthropic",
      kind: "anthropic",
      baseUrl: anthropicMock.url,
      credentialsRef: { env: { apiKey: "SLUICE_TEST_ANTHROPIC_KEY" } },
    },
    {
      id: "prov_anth2",
      name: "anthropic-backup",
      kind: "anthropic",
      baseUrl: anthropicBackup.url,
      credentialsRef: { env: { apiKey: "SLUICE_TEST_ANTHROPIC_KEY" } },
    },
    {
      id: "prov_gem",
      name: "gemini",
      kind: "gemini",
      baseUrl: geminiMock.url,
      credentialsRef: { env: { apiKey: "SLUICE_TEST_GEMINI_KEY" } },
    },
    {
      id: "prov_bed",
      name: "bedrock",
      kind: "bedrock",
      baseUrl: bedrockMock.url,
      settings: { region: "us-east-1" },
      credentialsRef: { env: { accessKeyId: "SLUICE_TEST_AWS_ID", secretAccessKey: "SLUICE_TEST_AWS_SECRET" } },
    },
  ];
  raw.routes = [
    ...(raw.routes ?? []),
    {
      // at "/": the client base URL is the gateway itself, and POST /v1/messages lives next to /v1/chat/completions
      id: "rt_anthropic",
      name: "anthropic-native",
      paths: ["/"],
      type: "native",
      nativeFormat: "anthropic",
      balancer: { algorithm: "priority" },
      retry: { attempts: 2 },
      targets: [
        { id: "tgt_claude", providerId: "prov_anth", model: "claude-sonnet-4-7", priority: 0 },
        { id: "tgt_claude_backup", providerId: "prov_anth2", model: "claude-sonnet-4-7", priority: 1 },
        { id: "tgt_claude_alias", providerId: "prov_anth", model: "claude-sonnet-4-7", alias: "claude-default" },
      ],
    },
    {
      id: "rt_gemini",
      name: "gemini-native",
      paths: ["/gemini"],
      type: "native",
      nativeFormat: "gemini",
      targets: [{ id: "tgt_gemini", providerId: "prov_gem", model: "gemini-2.5-flash" }],
    },
    {
      id: "rt_bedrock",
      name: "bedrock-native",
      paths: ["/bedrock"],
      type: "native",
      nativeFormat: "bedrock",
      targets: [{ id: "tgt_bedrock", providerId: "prov_bed", model: "anthropic.claude-3-haiku-20240307-v1:0" }],
    },
  ];
  ({ app, usage } = await buildTestApp(raw));
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  claude = new Anthropic({ apiKey: CONSUMER_KEY, baseURL: base, maxRetries: 0 });
});
afterAll(async () => {
  await app?.close();
  await Promise.all([openaiMock, anthropicMock, anthropicBackup, geminiMock, bedrockMock].map((m) => m?.close()));
});
beforeEach(() => {
  usage.events.length = 0;
  for (const m of [openaiMock, anthropicMock, anthropicBackup, geminiMock, bedrockMock]) m.reset();
});

const lastEvent = async () => (await usage.waitFor(1))[0] as (typeof usage.events)[number];

function expectUsage(
  ev: (typeof usage.events)[number],
  u: { prompt_tokens: number; completion_tokens: number; cached?: number },
) {
  expect(ev.promptTokens).toBe(u.prompt_tokens);
  expect(ev.completionTokens).toBe(u.completion_tokens);
  expect(ev.cachedTokens).toBe(u.cached ?? 0);
  expect(ev.estimated).toBe(false);
}

describe("native Anthropic route with @anthropic-ai/sdk", () => {
  it("messages.create: bytes forwarded unchanged with the provider key, usage event equals Anthropic's usage", async () => {
    const message = await claude.messages.create({
      model: "claude-sonnet-4-7",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi 👋" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "Hello from mock Anthropic 👋 You said: Hi 👋" }]);
    const upstream = anthropicMock.lastRequest();
    expect(upstream?.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
    expect(JSON.stringify(upstream?.headers)).not.toContain(CONSUMER_KEY);
    expect(upstream?.rawBody).toBe(JSON.stringify(JSON.parse(upstream?.rawBody ?? "{}")));
    const ev = await lastEvent();
    const u = mapUsage(message.usage as AnthropicUsage);
    expectUsage(ev, { ...u, cached: 5 });
    expect(ev.promptTokens).toBe(message.usage.input_tokens + 5 + 2);
    expect(ev.completionTokens).toBe(message.usage.output_tokens);
    expect(ev).toMatchObject({
      status: 200,
      routeId: "rt_anthropic",
      targetId: "tgt_claude",
      providerKind: "anthropic",
      stream: false,
    });
  });

  it("the client's exact bytes reach the provider (no re-serialisation)", async () => {
    const raw = '{ "model" : "claude-sonnet-4-7", "max_tokens": 20,\n "messages": [{"role":"user","content":"spaced  out"}] }';
    const res = await request(`${base}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": CONSUMER_KEY, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: raw,
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(anthropicMock.lastRequest()?.rawBody).toBe(raw);
  });

  it("messages.stream with tool use: the SDK assembles the tool calls, usage event equals the final usage", async () => {
    const stream = claude.messages.stream({
      model: "claude-sonnet-4-7",
      max_tokens: 200,
      messages: [{ role: "user", content: "weather and time?" }],
      tools: [
        { name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
        { name: "get_time", input_schema: { type: "object", properties: { utc: { type: "boolean" } } } },
      ],
    });
    const final = await stream.finalMessage();
    expect(final.content.filter((b) => b.type === "tool_use").map((t) => [t.name, t.input])).toEqual([
      ["get_weather", { city: "test" }],
      ["get_time", { utc: true }],
    ]);
    expect(final.stop_reason).toBe("tool_use");
    const ev = await lastEvent();
    expectUsage(ev, { ...mapUsage(final.usage as AnthropicUsage), cached: 5 });
    expect(ev).toMatchObject({ status: 200, stream: true });
    expect(ev.ttftMs).not.toBeNull();
  });

  it("a model alias is served by its target (the body is re-serialised with the target model)", async () => {
    const message = await claude.messages.create({
      model: "claude-default",
      max_tokens: 20,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(message.model).toBe("claude-sonnet-4-7");
    expect((anthropicMock.lastRequest()?.body as { model?: string } | undefined)?.model).toBe("claude-sonnet-4-7");
  });

  it("a wrong key is an AuthenticationError in Anthropic's shape, before any upstream call", async () => {
    const stranger = new Anthropic({ apiKey: "sk-sluice-unknown", baseURL: base, maxRetries: 0 });
    const err = await stranger.messages
      .create({ model: "claude-sonnet-4-7", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    const e = err as AuthenticationError;
    expect(e.status).toBe(401);
    expect(e.type).toBe("authentication_error");
    expect(e.errorCode).toBe("invalid_api_key");
    expect(e.requestID).toMatch(/^req_/);
    expect(anthropicMock.stats.requests).toBe(0);
    expect(await lastEvent()).toMatchObject({ status: 401, errorCode: "invalid_api_key", routeId: "rt_anthropic" });
  });

  it("an upstream 529 fails over to the backup target; a 429 on the last target reaches the SDK unchanged", async () => {
    anthropicMock.injectFault({ fail: 529 });
    const message = await claude.messages.create({
      model: "claude-sonnet-4-7",
      max_tokens: 20,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(message.type).toBe("message");
    const ev = await lastEvent();
    expect((ev.attempts as unknown as AttemptRecord[]).map((a) => [a.targetId, a.status, a.failover])).toEqual([
      ["tgt_claude", 529, true],
      ["tgt_claude_backup", 200, false],
    ]);
    usage.events.length = 0;
    anthropicMock.injectFault({ fail: 500 });
    anthropicBackup.injectFault({ fail: 429 });
    const err = await claude.messages
      .create({ model: "claude-sonnet-4-7", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).type).toBe("rate_limit_error");
  });

  it("a client that disconnects mid-stream aborts the upstream call and the request still settles", async () => {
    anthropicMock.injectFault({ chunkDelayMs: 100 });
    const ac = new AbortController();
    const res = await request(`${base}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${CONSUMER_KEY}`, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-sonnet-4-7",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "a long one please" }],
      }),
      signal: ac.signal,
    });
    expect(res.statusCode).toBe(200);
    const it = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    await it.next();
    ac.abort();
    const ev = await lastEvent();
    expect(ev).toMatchObject({ aborted: true, stream: true });
    for (let i = 0; i < 50 && anthropicMock.stats.aborted === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(anthropicMock.stats.aborted).toBe(1);
  });

  it("the OpenAI route on /v1 keeps working next to the native route on /", async () => {
    const openai = new OpenAI({ apiKey: CONSUMER_KEY, baseURL: `${base}/v1`, maxRetries: 0 });
    const c = await openai.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
    expect(c.object).toBe("chat.completion");
    expect(openaiMock.stats.requests).toBe(1);
    expect(anthropicMock.stats.requests).toBe(0);
  });
});

describe("native Gemini route", () => {
  const body = { contents: [{ role: "user", parts: [{ text: "Hello Gemini" }] }] };

  it("generateContent (x-goog-api-key): answer forwarded, usage exact incl. cached tokens", async () => {
    const res = await request(`${base}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": CONSUMER_KEY, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(200);
    const json = (await res.body.json()) as { usageMetadata: Record<string, number> };
    expect(geminiMock.lastRequest()?.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    const ev = await lastEvent();
    const u = geminiFormat.usageFromResponse(json).usage;
    expect(u).not.toBeNull();
    expectUsage(ev, { prompt_tokens: u?.prompt_tokens ?? -1, completion_tokens: u?.completion_tokens ?? -1, cached: 3 });
    expect(ev.promptTokens).toBe(json.usageMetadata.promptTokenCount);
    expect(ev).toMatchObject({ routeId: "rt_gemini", providerKind: "gemini", status: 200, stream: false });
  });

  it("streamGenerateContent?alt=sse (?key=): SSE forwarded, usage from the last chunk", async () => {
    const res = await request(`${base}/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${CONSUMER_KEY}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
    const text = await res.body.text();
    const chunks = text
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => JSON.parse(e.slice(6)));
    expect(geminiMock.lastRequest()?.query.key).toBeUndefined();
    const lastUsage = chunks[chunks.length - 1].usageMetadata;
    const ev = await lastEvent();
    expect(ev.promptTokens).toBe(lastUsage.promptTokenCount);
    expect(ev.cachedTokens).toBe(3);
    expect(ev.completionTokens).toBe(geminiFormat.usageFromResponse(chunks[chunks.length - 1]).usage?.completion_tokens);
    expect(ev).toMatchObject({ stream: true, status: 200, estimated: false });
  });

  it("a gateway rejection is in Google's error shape", async () => {
    const res = await request(`${base}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "wrong", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(401);
    const err = (await res.body.json()) as { error: { code: number; status: string } };
    expect(err.error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
  });
});

describe("native Bedrock route", () => {
  const body = { messages: [{ role: "user", content: [{ text: "Hello Bedrock" }] }] };
  const path = `/bedrock/model/${encodeURIComponent("anthropic.claude-3-haiku-20240307-v1:0")}`;

  it("converse: SigV4-signed upstream, answer forwarded, usage exact", async () => {
    const res = await request(`${base}${path}/converse`, {
      method: "POST",
      headers: { authorization: `Bearer ${CONSUMER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(200);
    const json = (await res.body.json()) as {
      usage: { inputTokens: number; outputTokens: number; cacheReadInputTokens?: number };
    };
    expect(bedrockMock.lastRequest()?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    const ev = await lastEvent();
    const u = bedrockFormat.usageFromResponse(json).usage;
    expectUsage(ev, { prompt_tokens: u?.prompt_tokens ?? -1, completion_tokens: json.usage.outputTokens, cached: 4 });
    expect(ev).toMatchObject({ routeId: "rt_bedrock", providerKind: "bedrock", status: 200 });
  });

  it("converse-stream: AWS event-stream bytes forwarded, usage from the metadata event", async () => {
    const res = await request(`${base}${path}/converse-stream`, {
      method: "POST",
      headers: { authorization: `Bearer ${CONSUMER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(200);
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const events = createDeframer("aws-eventstream").push(bytes);
    const metadata = events.find((e) => e.event === "metadata");
    const usageOut = (JSON.parse(String(metadata?.data)) as { usage: { inputTokens: number; outputTokens: number } }).usage;
    const ev = await lastEvent();
    expect(ev.completionTokens).toBe(usageOut.outputTokens);
    expect(ev.cachedTokens).toBe(4);
    expect(ev.promptTokens).toBe(usageOut.inputTokens + 4);
    expect(ev).toMatchObject({ stream: true, status: 200, estimated: false });
  });
});
