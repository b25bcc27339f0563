// End to end with the official @anthropic-ai/sdk client: a tiny node:http server stands in for the pipeline (key
// check, validation, alias, buildUpstream, forward the answer unchanged while the tap watches it) with the Anthropic
// mock as upstream. Proves the native module is SDK-compatible, streaming and errors included, before the pipeline
// wires it in.

import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic, { APIError, AuthenticationError, BadRequestError, RateLimitError } from "@anthropic-ai/sdk";
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GatewayError } from "../../src/lib/errors.ts";
import { createByteTap, anthropicFormat as format } from "../../src/native/index.ts";
import type { NativeStreamResult } from "../../src/native/types.ts";
import { type AnthropicUsage, mapUsage } from "../../src/providers/anthropic/response.ts";
import type { OpenAIErrorBody } from "../../src/providers/types.ts";
import { startAnthropicMock } from "../mocks/anthropic.ts";
import type { MockUpstream } from "../mocks/http-mock-kit.ts";

const CONSUMER_KEY = "sk-sluice-test-consumer";
const PROVIDER_KEY = "sk-ant-provider-secret";
const ALIASES: Record<string, string> = { "claude-default": "claude-sonnet-4-7" };

/** what the stand-in "settles" per request, as the pipeline's usage event would */
interface Settled {
  status: number;
  errorCode?: string;
  upstreamError?: OpenAIErrorBody;
  rewritten?: boolean;
  clientBody?: string;
  result?: Partial<NativeStreamResult>;
}

function bearerOrKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7);
  const key = headers["x-api-key"];
  return Array.isArray(key) ? key[0] : key;
}

function startStandIn(upstreamUrl: string): { server: Server; settled: Settled[] } {
  const settled: Settled[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    const requestId = `req_standin_${settled.length + 1}`;
    const reject = (status: number, code: string, message: string) => {
      const e = format.gatewayError(status, code, message, requestId);
      res.writeHead(e.status, e.headers);
      res.end(e.body);
      settled.push({ status, errorCode: code });
    };

    const m = format.match(req.method ?? "GET", req.url ?? "/");
    if (!m) return reject(404, "route_not_found", `No route for ${req.method} ${req.url}.`);
    if (bearerOrKey(req.headers) !== CONSUMER_KEY) return reject(401, "invalid_api_key", "Invalid API key.");
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString("utf8"));
    } catch {
      return reject(400, "invalid_json", "The request body is not valid JSON.");
    }
    let body: Record<string, unknown>;
    try {
      body = format.validate(json, m);
    } catch (err) {
      if (err instanceof GatewayError) return reject(err.status, err.code, err.publicMessage);
      throw err;
    }
    const asked = format.extractModel(body, m.captures) ?? "";
    const up = await format.buildUpstream(
      { match: m, body, rawBody, clientHeaders: req.headers },
      {
        provider: "anthropic",
        baseUrl: upstreamUrl,
        model: ALIASES[asked] ?? asked,
        settings: {},
        credentials: { apiKey: PROVIDER_KEY },
        requestId,
        now: Math.floor(Date.now() / 1000),
      },
    );
    // test only: the mock's fault knobs ride along (a real pipeline forwards no such header)
    const faults: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (k.startsWith("x-mock-") && typeof v === "string") faults[k] = v;
    const upRes = await request(up.url, { method: up.method, headers: { ...up.headers, ...faults }, body: up.body });

    const headers: Record<string, string> = { "request-id": requestId };
    for (const name of format.forwardResponseHeaders) {
      const v = upRes.headers[name];
      if (typeof v === "string") headers[name] = v;
    }
    res.writeHead(upRes.statusCode, headers);
    const base = { status: upRes.statusCode, rewritten: up.rewritten, clientBody: rawBody.toString("utf8") };
    if (upRes.statusCode >= 300) {
      const text = await upRes.body.text();
      res.end(text);
      settled.push({ ...base, upstreamError: format.errorFromUpstream(upRes.statusCode, JSON.parse(text)) });
      return;
    }
    if (format.streams(m, body)) {
      const tap = createByteTap(format.createStreamTap(m));
      for await (const chunk of upRes.body) {
        res.write(chunk);
        tap.write(chunk as Uint8Array);
      }
      res.end();
      settled.push({ ...base, result: tap.end() });
      return;
    }
    const bytes = Buffer.from(await upRes.body.arrayBuffer());
    res.end(bytes);
    settled.push({ ...base, result: format.usageFromResponse(JSON.parse(bytes.toString("utf8"))) });
  });
  return { server, settled };
}

describe("@anthropic-ai/sdk against the native anthropic format", () => {
  let mock: MockUpstream;
  let standIn: { server: Server; settled: Settled[] };
  let baseURL: string;
  let client: Anthropic;
  const last = () => standIn.settled[standIn.settled.length - 1]!;

  beforeAll(async () => {
    mock = await startAnthropicMock({ apiKey: PROVIDER_KEY, cacheReadInputTokens: 5, cacheCreationInputTokens: 2 });
    standIn = startStandIn(mock.url);
    standIn.server.listen(0, "127.0.0.1");
    await once(standIn.server, "listening");
    baseURL = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    client = new Anthropic({ apiKey: CONSUMER_KEY, baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    standIn.server.closeAllConnections();
    standIn.server.close();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it("messages.create: the answer, exact usage, the SDK's bytes forwarded with the provider key instead of the consumer's", async () => {
    const message = await client.messages.create({
      model: "claude-sonnet-4-7",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi 👋" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "Hello from mock Anthropic 👋 You said: Hi 👋" }]);
    expect(message.stop_reason).toBe("end_turn");
    const s = last();
    expect(s.result).toEqual({ usage: mapUsage(message.usage as AnthropicUsage), finishReason: "stop" });
    expect(s.result?.usage?.prompt_tokens_details?.cached_tokens).toBe(5);

    const upstream = mock.lastRequest()!;
    expect(upstream.rawBody).toBe(s.clientBody);
    expect(s.rewritten).toBe(false);
    expect(upstream.headers["x-api-key"]).toBe(PROVIDER_KEY);
    expect(upstream.headers.authorization).toBeUndefined();
    expect(JSON.stringify(upstream.headers)).not.toContain(CONSUMER_KEY);
    // the SDK's own API version goes upstream
    expect(upstream.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("messages.stream: text events, finalMessage(), and the tap's usage equals the SDK's final usage", async () => {
    const stream = client.messages.stream({
      model: "claude-sonnet-4-7",
      max_tokens: 100,
      messages: [{ role: "user", content: "Stream this, please ✨" }],
    });
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    const expectedText = "Hello from mock Anthropic 👋 You said: Stream this, please ✨";
    expect(text).toBe(expectedText);
    expect(final.content).toEqual([{ type: "text", text: expectedText }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(11);
    expect(final.usage.cache_read_input_tokens).toBe(5);
    expect(last().result).toEqual({
      usage: mapUsage(final.usage as AnthropicUsage),
      finishReason: "stop",
      firstContentAt: expect.any(Number),
      complete: true,
      error: null,
    });
  });

  it("streamed tool use: the SDK assembles every tool_use block's input; finish is tool_calls", async () => {
    const stream = client.messages.stream({
      model: "claude-sonnet-4-7",
      max_tokens: 200,
      messages: [{ role: "user", content: "weather and time?" }],
      tools: [
        { name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
        { name: "get_time", input_schema: { type: "object", properties: { utc: { type: "boolean" } } } },
      ],
    });
    const final = await stream.finalMessage();
    const tools = final.content.filter((b) => b.type === "tool_use");
    expect(tools.map((t) => [t.name, t.input])).toEqual([
      ["get_weather", { city: "test" }],
      ["get_time", { utc: true }],
    ]);
    expect(final.stop_reason).toBe("tool_use");
    expect(last().result).toMatchObject({
      finishReason: "tool_calls",
      complete: true,
      usage: mapUsage(final.usage as AnthropicUsage),
    });
  });

  it("a model alias: the upstream gets the target model (the only case the body is re-serialised)", async () => {
    const message = await client.messages.create({
      model: "claude-default",
      max_tokens: 50,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(message.model).toBe("claude-sonnet-4-7");
    expect((mock.lastRequest()!.body as { model: string }).model).toBe("claude-sonnet-4-7");
    expect(last().rewritten).toBe(true);
  });

  it("a gateway rejection is a typed SDK error: AuthenticationError with the gateway code and request id", async () => {
    const stranger = new Anthropic({ apiKey: "sk-sluice-unknown", baseURL, maxRetries: 0 });
    const err = await stranger.messages
      .create({ model: "claude-sonnet-4-7", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    const e = err as AuthenticationError;
    expect(e.status).toBe(401);
    expect(e.apiMessage).toBe("Invalid API key.");
    expect(e.type).toBe("authentication_error");
    expect(e.errorCode).toBe("invalid_api_key");
    expect(e.requestID).toMatch(/^req_standin_/);
    expect(mock.stats.requests).toBe(0);
  });

  it("a malformed request (no max_tokens) is a BadRequestError naming the parameter, before any upstream call", async () => {
    const bad = { model: "claude-sonnet-4-7", messages: [{ role: "user", content: "Hi" }] };
    const err = await client.messages
      .create(bad as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).apiMessage).toBe("Missing required parameter: 'max_tokens'.");
    expect((err as BadRequestError).errorCode).toBe("invalid_request");
    expect(mock.stats.requests).toBe(0);
  });

  it("an upstream 429 reaches the SDK unchanged (RateLimitError with Anthropic's message and retry-after)", async () => {
    mock.injectFault({ fail: 429 });
    const err = await client.messages
      .create({ model: "claude-sonnet-4-7", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e.apiMessage).toBe("Number of request tokens has exceeded your per-minute rate limit");
    expect(e.type).toBe("rate_limit_error");
    expect(e.headers?.get("retry-after")).toBe("1");
    expect(last().upstreamError?.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_error" });
  });

  it("an error event inside the stream: the SDK raises it, the tap records it with the input usage", async () => {
    const stream = client.messages.stream(
      { model: "claude-sonnet-4-7", max_tokens: 50, messages: [{ role: "user", content: "Hi" }] },
      { headers: { "x-mock-stream-error": "overloaded" } },
    );
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).type).toBe("overloaded_error");
    const r = last().result!;
    expect(r.error?.status).toBe(529);
    expect(r.complete).toBe(false);
    expect(r.usage?.prompt_tokens).toBeGreaterThan(0);
  });
});
