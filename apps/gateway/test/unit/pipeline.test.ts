import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import {
  auth,
  baseConfig,
  buildTestApp,
  EXPIRED_KEY,
  LIMITED_KEY,
  type MemoryUsageSink,
  OTHER_KEY,
  REVOKED_KEY,
} from "../support/gateway.ts";

let mock: MockUpstream;
let app: FastifyInstance;
let usage: MemoryUsageSink;

beforeAll(async () => {
  mock = await startOpenAILikeMock();
  ({ app, usage } = await buildTestApp(baseConfig(`${mock.url}/v1`)));
});
afterAll(async () => {
  await app?.close();
  await mock?.close();
});
beforeEach(() => {
  usage.events.length = 0;
  mock.reset();
});

const chat = (body: unknown, headers: Record<string, string> = auth(), url = "/v1/chat/completions") =>
  app.inject({ method: "POST", url, headers: { "content-type": "application/json", ...headers }, payload: JSON.stringify(body) });

const hello = { model: "fast", messages: [{ role: "user", content: "hi" }] };

describe("chat completions", () => {
  it("proxies a chat completion to the target model and reports route, provider, tokens and cost", async () => {
    const res = await chat(hello);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.object).toBe("chat.completion");
    expect(mock.lastRequest()?.body).toMatchObject({ model: "gpt-4o-mini" });
    expect(mock.lastRequest()?.headers.authorization).toBe("Bearer sk-mock");
    expect(res.headers["x-sluice-request-id"]).toMatch(/^req_/);
    expect(res.headers["x-sluice-route"]).toBe("main");
    expect(res.headers["x-sluice-provider"]).toBe("mock-openai");
    expect(res.headers["x-sluice-model"]).toBe("gpt-4o-mini");
    expect(Number(res.headers["x-sluice-tokens-prompt"])).toBe(body.usage.prompt_tokens);
    expect(Number(res.headers["x-sluice-tokens-completion"])).toBe(body.usage.completion_tokens);
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({
      status: 200,
      routeId: "rt_main",
      providerId: "prov_mock",
      consumerId: "cons_app",
      apiKeyId: "key_app",
      teamId: "team_a",
      model: "fast",
      upstreamModel: "gpt-4o-mini",
      promptTokens: body.usage.prompt_tokens,
      completionTokens: body.usage.completion_tokens,
      estimated: false,
      errorType: null,
    });
    // 0.15/M in, 0.6/M out, exact
    const expected = (body.usage.prompt_tokens * 0.15 + body.usage.completion_tokens * 0.6) / 1e6;
    expect(Number(String(ev?.cost))).toBeCloseTo(expected, 12);
    expect(res.headers["x-sluice-cost"]).toBe(String(ev?.cost));
  });

  it("a model without alias is served under its own name", async () => {
    const res = await chat({ ...hello, model: "gpt-4o" });
    expect(res.statusCode).toBe(200);
    expect(mock.lastRequest()?.body).toMatchObject({ model: "gpt-4o" });
  });

  it("target options: default fills what the client left out, override always wins", async () => {
    await chat({ ...hello, model: "tuned", max_tokens: 500 });
    expect(mock.lastRequest()?.body).toMatchObject({ temperature: 0.2, max_tokens: 50 });
    await chat({ ...hello, model: "tuned", temperature: 1.1 });
    expect(mock.lastRequest()?.body).toMatchObject({ temperature: 1.1, max_tokens: 50 });
  });

  it("templating: $(headers.x) and $(uri_captures.x) in the target model", async () => {
    const r1 = await chat({ ...hello, model: "by-header" }, { ...auth(), "x-model": "gpt-4.1" });
    expect(r1.statusCode).toBe(200);
    expect(mock.lastRequest()?.body).toMatchObject({ model: "gpt-4.1" });
    const r2 = await chat({ ...hello, model: "by-header" });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().error.param).toBe("model");
    const r3 = await chat({ ...hello, model: "anything" }, auth(), "/models/o4-mini/v1/chat/completions");
    expect(r3.statusCode).toBe(200);
    expect(mock.lastRequest()?.body).toMatchObject({ model: "o4-mini" });
  });

  it("a model the route does not serve is a 404 model_not_found", async () => {
    const res = await chat({ ...hello, model: "nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: "model_not_found", param: "model", type: "invalid_request_error" });
    expect(mock.stats.requests).toBe(0);
  });

  it("completions and embeddings go to their routes", async () => {
    const c = await app.inject({
      method: "POST",
      url: "/v1/completions",
      headers: auth(),
      payload: { model: "gpt-3.5-turbo-instruct", prompt: "Say hi" },
    });
    expect(c.statusCode).toBe(200);
    expect(c.json().object).toBe("text_completion");
    const e = await app.inject({
      method: "POST",
      url: "/v1/embeddings",
      headers: auth(),
      payload: { model: "text-embedding-3-small", input: ["a", "b"] },
    });
    expect(e.statusCode).toBe(200);
    expect(e.json().data).toHaveLength(2);
    await usage.waitFor(2);
    expect(usage.events.map((x) => x.routeId).sort()).toEqual(["rt_compl", "rt_embed"]);
  });

  it("GET /v1/models lists what the key may use", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/models", headers: auth() });
    expect(res.statusCode).toBe(200);
    const ids = res.json().data.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["fast", "gpt-4o", "tuned", "gpt-3.5-turbo-instruct", "text-embedding-3-small"]));
    const limited = await app.inject({ method: "GET", url: "/v1/models", headers: auth(LIMITED_KEY) });
    expect(limited.json().data.map((m: { id: string }) => m.id)).toEqual(["fast"]);
  });
});

describe("bad input never crashes and is OpenAI-shaped", () => {
  const cases: Array<[string, string, number, string | null]> = [
    ["malformed JSON", '{"model": "fast", "messages": [', 400, null],
    ["a JSON array", "[1,2]", 400, null],
    ["missing messages", JSON.stringify({ model: "fast" }), 400, "messages"],
    ["empty messages", JSON.stringify({ model: "fast", messages: [] }), 400, "messages"],
    ["wrong type for model", JSON.stringify({ model: 3, messages: [{ role: "user", content: "x" }] }), 400, "model"],
    ["bad role", JSON.stringify({ model: "fast", messages: [{ role: "robot", content: "x" }] }), 400, "messages[0].role"],
    ["temperature as string", JSON.stringify({ ...hello, temperature: "hot" }), 400, "temperature"],
    ["temperature out of range", JSON.stringify({ ...hello, temperature: 7 }), 400, "temperature"],
  ];
  for (const [name, payload, status, param] of cases) {
    it(name, async () => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: { ...auth(), "content-type": "application/json" },
        payload,
      });
      expect(res.statusCode).toBe(status);
      const body = res.json();
      expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
      if (param) expect(body.error.param).toBe(param);
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
      expect(res.headers["x-sluice-request-id"]).toBeTruthy();
      const [ev] = await usage.waitFor(1);
      expect(ev).toMatchObject({ status, errorType: "caller" });
    });
  }

  it("an oversized body is a 413", async () => {
    const big = { ...hello, messages: [{ role: "user", content: "x".repeat(11 * 1024 * 1024) }] };
    const res = await chat(big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("body_too_large");
  });

  it("a route's own body limit is a 413", async () => {
    const res = await chat(
      { model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(4000) }] },
      auth(),
      "/teams/eng/v1/chat/completions",
    );
    expect(res.statusCode).toBe(413);
  });

  it("an unknown path is a 404", async () => {
    const res = await chat(hello, auth(), "/nowhere/chat/completions");
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("route_not_found");
    const other = await app.inject({ method: "DELETE", url: "/v1/whatever", headers: auth() });
    expect(other.statusCode).toBe(404);
  });
});

describe("consumer auth", () => {
  it("no key is 401", async () => {
    const res = await chat(hello, {});
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("missing_api_key");
  });
  it("unknown, revoked and expired keys are 401", async () => {
    for (const [key, code] of [
      ["sk-sluice-unknown", "invalid_api_key"],
      [REVOKED_KEY, "revoked_api_key"],
      [EXPIRED_KEY, "expired_api_key"],
    ]) {
      const res = await chat(hello, auth(key));
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe(code);
    }
  });
  it("x-api-key and the route's key header work", async () => {
    const { CONSUMER_KEY } = await import("../support/gateway.ts");
    expect((await chat(hello, { "x-api-key": CONSUMER_KEY })).statusCode).toBe(200);
    const res = await chat({ ...hello, model: "gpt-4o-mini" }, { "x-team-key": CONSUMER_KEY }, "/teams/eng/v1/chat/completions");
    expect(res.statusCode).toBe(200);
  });
  it("a consumer outside the route's groups is 403", async () => {
    const res = await chat({ ...hello, model: "gpt-4o-mini" }, auth(OTHER_KEY), "/teams/eng/v1/chat/completions");
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("route_not_allowed");
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ status: 403, errorType: "policy", consumerId: "cons_sales", routeId: "rt_eng" });
  });
  it("a model outside the key's allowed models is 403", async () => {
    expect((await chat(hello, auth(LIMITED_KEY))).statusCode).toBe(200);
    const res = await chat({ ...hello, model: "gpt-4o" }, auth(LIMITED_KEY));
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("model_not_allowed");
  });
  it("a client key for a provider without allowOverride is refused; with it, it is used", async () => {
    const refused = await chat(hello, { ...auth(), "x-sluice-provider-key": "sk-mine" });
    expect(refused.statusCode).toBe(403);
    const ok = await chat(
      { ...hello, model: "gpt-4o-mini" },
      { ...auth(), "x-sluice-provider-key": "sk-mock" },
      "/byok/v1/chat/completions",
    );
    expect(ok.statusCode).toBe(200);
    expect(mock.lastRequest()?.headers.authorization).toBe("Bearer sk-mock");
  });
});

describe("upstream errors", () => {
  it("an upstream 429 passes through with its status and retry-after, normalised", async () => {
    mock.injectFault({ fail: 429 });
    const res = await chat(hello);
    expect(res.statusCode).toBe(429);
    expect(res.json().error.type).toBeTruthy();
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ status: 429, upstreamStatus: 429, errorType: "provider" });
  });
  it("an upstream 500 passes through", async () => {
    mock.injectFault({ fail: 500 });
    const res = await chat(hello);
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toBeTruthy();
  });
  it("a connection reset is a 502 naming the provider", async () => {
    mock.injectFault({ fail: "reset" });
    const res = await chat(hello);
    expect(res.statusCode).toBe(502);
    expect(res.json().error.message).toContain("mock-openai");
  });
});
