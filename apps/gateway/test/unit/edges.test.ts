// Auth variants (JWT, IP lists, CORS), translation through a non-OpenAI provider (the slow lane), upstream faults
// (timeouts, untranslatable answers), /health and /metrics.

import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAnthropicMock } from "../mocks/anthropic.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { auth, baseConfig, buildTestApp, CONSUMER_KEY, type MemoryUsageSink } from "../support/gateway.ts";

let mock: MockUpstream;
let claude: MockUpstream;
let app: FastifyInstance;
let usage: MemoryUsageSink;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
let junk: ReturnType<typeof createServer>;
let junkUrl: string;
const FLOOD_EVENTS = 20_000;
const flood = { written: 0 };
let jwks: Record<string, unknown>;

beforeAll(async () => {
  mock = await startOpenAILikeMock();
  claude = await startAnthropicMock();
  // an "OpenAI" upstream that answers 200 with something that is not a chat completion, or hangs
  junk = createServer((req, res) => {
    if (req.url?.includes("hang")) return;
    if (req.url === "/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwks] }));
      return;
    }
    if (req.url?.includes("flood")) {
      req.resume();
      res.writeHead(200, { "content-type": "text/event-stream" });
      const pad = "x".repeat(1000);
      void (async () => {
        for (let i = 0; i < FLOOD_EVENTS; i++) {
          const c = {
            id: "f",
            object: "chat.completion.chunk",
            created: 1,
            model: "m",
            choices: [{ index: 0, delta: { content: pad }, finish_reason: null }],
          };
          flood.written = i + 1;
          if (!res.write(`data: ${JSON.stringify(c)}\n\n`)) await new Promise((r) => res.once("drain", r));
          if (res.destroyed) return;
        }
        res.end("data: [DONE]\n\n");
      })();
      return;
    }
    if (req.url?.includes("nousage")) {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const stream = JSON.parse(body).stream === true;
        const words = ["The ", "answer ", "is ", "forty-two."];
        if (!stream) {
          res.writeHead(200, { "content-type": "application/json" });
          const message = { role: "assistant", content: words.join("") };
          res.end(
            JSON.stringify({
              id: "x",
              object: "chat.completion",
              created: 1,
              model: "m",
              choices: [{ index: 0, message, finish_reason: "stop" }],
            }),
          );
          return;
        }
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (const w of words) {
          const c = {
            id: "x",
            object: "chat.completion.chunk",
            created: 1,
            model: "m",
            choices: [{ index: 0, delta: { content: w }, finish_reason: null }],
          };
          res.write(`data: ${JSON.stringify(c)}\n\n`);
        }
        res.end("data: [DONE]\n\n");
      });
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.url?.includes("html") ? "<html>oops</html>" : JSON.stringify({ hello: "world" }));
  }).listen(0, "127.0.0.1");
  await new Promise((r) => junk.once("listening", r));
  junkUrl = `http://127.0.0.1:${(junk.address() as AddressInfo).port}`;

  const keys = await generateKeyPair("RS256");
  privateKey = keys.privateKey;
  const pem = await exportSPKI(keys.publicKey);
  jwks = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  process.env.SLUICE_TEST_ANTHROPIC_KEY = "sk-ant-test";
  const raw = baseConfig(`${mock.url}/v1`);
  raw.providers = [
    ...(raw.providers ?? []),
    {
      id: "prov_claude",
      name: "claude",
      kind: "anthropic",
      baseUrl: claude.url,
      credentialsRef: { env: { apiKey: "SLUICE_TEST_ANTHROPIC_KEY" } },
    },
    { id: "prov_junk", name: "junk", kind: "openai", baseUrl: `${junkUrl}/v1` },
    { id: "prov_html", name: "html", kind: "openai", baseUrl: `${junkUrl}/html/v1` },
    { id: "prov_hang", name: "hang", kind: "openai", baseUrl: `${junkUrl}/hang/v1` },
    { id: "prov_flood", name: "flood", kind: "openai", baseUrl: `${junkUrl}/flood/v1` },
    { id: "prov_nousage", name: "nousage", kind: "openai", baseUrl: `${junkUrl}/nousage/v1` },
    { id: "prov_noenv", name: "noenv", kind: "openai", credentialsRef: { env: { apiKey: "SLUICE_TEST_NOT_SET" } } },
  ];
  raw.routes = [
    ...(raw.routes ?? []),
    {
      id: "rt_claude",
      name: "claude",
      paths: ["/claude/v1"],
      type: "chat",
      targets: [{ id: "tgt_claude", providerId: "prov_claude", model: "claude-sonnet-4-5", alias: "sonnet" }],
    },
    {
      id: "rt_faults",
      name: "faults",
      paths: ["/faults/v1"],
      type: "chat",
      retry: { timeouts: { connectMs: 1000, firstByteMs: 300, totalMs: 2000 } },
      targets: [
        { id: "tgt_junk", providerId: "prov_junk", model: "m", alias: "junk" },
        { id: "tgt_html", providerId: "prov_html", model: "m", alias: "html" },
        { id: "tgt_hang", providerId: "prov_hang", model: "m", alias: "hang" },
        { id: "tgt_noenv", providerId: "prov_noenv", model: "m", alias: "noenv" },
        { id: "tgt_flood", providerId: "prov_flood", model: "m", alias: "flood" },
        { id: "tgt_nousage", providerId: "prov_nousage", model: "gpt-4o-mini", alias: "nousage" },
      ],
    },
    {
      id: "rt_jwt",
      name: "jwt",
      paths: ["/jwt/v1"],
      type: "chat",
      options: { auth: "key-or-jwt", jwt: { publicKeyPem: pem, issuer: "https://idp.test", audience: "sluice" } },
      targets: [{ id: "tgt_jwt", providerId: "prov_mock", model: "gpt-4o-mini" }],
    },
    {
      id: "rt_jwks",
      name: "jwks",
      paths: ["/jwks/v1"],
      type: "chat",
      options: { auth: "jwt", jwt: { jwksUrl: `${junkUrl}/jwks.json`, consumerClaim: "app" } },
      targets: [{ id: "tgt_jwks", providerId: "prov_mock", model: "gpt-4o-mini" }],
    },
    {
      id: "rt_ip",
      name: "ip",
      paths: ["/ip/v1"],
      type: "chat",
      options: { ipAllow: ["10.0.0.0/8"], cors: { origins: ["https://app.test"] } },
      targets: [{ id: "tgt_ip", providerId: "prov_mock", model: "gpt-4o-mini" }],
    },
    {
      id: "rt_deny",
      name: "deny",
      paths: ["/deny/v1"],
      type: "chat",
      options: { ipDeny: ["127.0.0.0/8", "::1"], cors: { origins: ["https://app.test"] } },
      targets: [{ id: "tgt_deny", providerId: "prov_mock", model: "gpt-4o-mini" }],
    },
    {
      id: "rt_cors",
      name: "cors",
      paths: ["/cors/v1"],
      type: "chat",
      options: { cors: { origins: ["https://app.test"] } },
      targets: [{ id: "tgt_cors", providerId: "prov_mock", model: "gpt-4o-mini" }],
    },
  ];
  ({ app, usage } = await buildTestApp(raw));
});
afterAll(async () => {
  await app?.close();
  await mock?.close();
  await claude?.close();
  junk?.close();
});
beforeEach(() => {
  usage.events.length = 0;
});

const post = (url: string, body: unknown, headers: Record<string, string> = auth()) =>
  app.inject({ method: "POST", url, headers: { "content-type": "application/json", ...headers }, payload: JSON.stringify(body) });
const hi = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

function jwt(claims: Record<string, unknown>, opts: { exp?: string; iss?: string; aud?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(opts.iss ?? "https://idp.test")
    .setAudience(opts.aud ?? "sluice")
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? "5m")
    .sign(privateKey);
}

describe("JWT bearer auth", () => {
  it("a valid token maps its subject to the consumer", async () => {
    const res = await post("/jwt/v1/chat/completions", hi("gpt-4o-mini"), {
      authorization: `Bearer ${await jwt({ sub: "app" })}`,
    });
    expect(res.statusCode).toBe(200);
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ consumerId: "cons_app", apiKeyId: null });
  });
  it("a JWKS URL, a custom consumer claim (by consumer name); keys refused on jwt-only routes", async () => {
    const token = await new SignJWT({ app: "sales-app" })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    const res = await post("/jwks/v1/chat/completions", hi("gpt-4o-mini"), { authorization: `Bearer ${token}` });
    expect(res.statusCode).toBe(200);
    const [ev] = await usage.waitFor(1);
    expect(ev?.consumerId).toBe("cons_sales");
    expect((await post("/jwks/v1/chat/completions", hi("gpt-4o-mini"))).statusCode).toBe(401);
  });
  it("keys still work on key-or-jwt routes", async () => {
    expect((await post("/jwt/v1/chat/completions", hi("gpt-4o-mini"))).statusCode).toBe(200);
  });
  it("wrong issuer, wrong audience, expired, unknown subject are 401", async () => {
    for (const token of [
      await jwt({ sub: "app" }, { iss: "https://evil.test" }),
      await jwt({ sub: "app" }, { aud: "other" }),
      await jwt({ sub: "app" }, { exp: "-1m" }),
      await jwt({ sub: "nobody" }),
    ]) {
      const res = await post("/jwt/v1/chat/completions", hi("gpt-4o-mini"), { authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("invalid_token");
    }
  });
});

describe("IP lists and CORS", () => {
  it("an address outside the allow list is 403; inside it passes", async () => {
    const res = await post("/ip/v1/chat/completions", hi("gpt-4o-mini"));
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("ip_not_allowed");
    const ok = await app.inject({
      method: "POST",
      url: "/ip/v1/chat/completions",
      headers: { ...auth(), "content-type": "application/json" },
      payload: JSON.stringify(hi("gpt-4o-mini")),
      remoteAddress: "10.1.2.3",
    });
    expect(ok.statusCode).toBe(200);
  });
  it("an address in the deny list is 403", async () => {
    expect((await post("/deny/v1/chat/completions", hi("gpt-4o-mini"))).statusCode).toBe(403);
  });
  it("CORS: preflight and response headers for allowed origins only", async () => {
    const pre = await app.inject({
      method: "OPTIONS",
      url: "/cors/v1/chat/completions",
      headers: { origin: "https://app.test", "access-control-request-method": "POST" },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe("https://app.test");
    expect(pre.headers["access-control-allow-headers"]).toContain("authorization");
    const res = await post("/cors/v1/chat/completions", hi("gpt-4o-mini"), { ...auth(), origin: "https://app.test" });
    expect(res.headers["access-control-allow-origin"]).toBe("https://app.test");
    expect(res.headers["access-control-expose-headers"]).toContain("x-sluice-cost");
    const other = await post("/cors/v1/chat/completions", hi("gpt-4o-mini"), { ...auth(), origin: "https://evil.test" });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("translation through a non-OpenAI provider (slow lane)", () => {
  let client: OpenAI;
  beforeAll(async () => {
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    client = new OpenAI({ apiKey: CONSUMER_KEY, baseURL: `${address}/claude/v1`, maxRetries: 0 });
  });
  it("chat", async () => {
    const res = await client.chat.completions.create({
      model: "sonnet",
      max_tokens: 100,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0]?.message.content).toBeTruthy();
    expect(claude.lastRequest()?.path).toBe("/v1/messages");
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ providerKind: "anthropic", promptTokens: res.usage?.prompt_tokens, estimated: false });
  });
  it("stream, usage stripped unless asked, recorded either way", async () => {
    let text = "";
    let sawUsage = false;
    for await (const c of await client.chat.completions.create({
      model: "sonnet",
      max_tokens: 100,
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    })) {
      text += c.choices[0]?.delta.content ?? "";
      if (c.usage) sawUsage = true;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(sawUsage).toBe(false);
    const [ev] = await usage.waitFor(1);
    expect(ev?.completionTokens).toBeGreaterThan(0);
    expect(ev?.estimated).toBe(false);
  });
});

describe("upstream faults", () => {
  it("a 200 that is not a chat completion is a 502 naming the provider", async () => {
    for (const model of ["junk", "html"]) {
      const res = await post("/faults/v1/chat/completions", hi(model));
      expect(res.statusCode).toBe(502);
      expect(res.json().error.code).toBe("upstream_bad_response");
      expect(res.json().error.message).toContain(model);
    }
  });
  it("a stream that cannot be translated before any output is a 502, not a broken 200", async () => {
    const res = await post("/claude/v1/chat/completions", { ...hi("sonnet"), max_tokens: 50, stream: true });
    expect(res.statusCode).toBe(200);
    claude.injectFault({ fail: "reset" });
    const reset = await post("/claude/v1/chat/completions", { ...hi("sonnet"), max_tokens: 50, stream: true });
    expect(reset.statusCode).toBe(502);
    expect(reset.json().error.message).toContain("claude");
  });
  it("a stream cut in the middle ends with an error event after what was sent", async () => {
    claude.injectFault({ fail: "truncate" });
    const res = await post("/claude/v1/chat/completions", { ...hi("sonnet"), max_tokens: 50, stream: true });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/data: \{"error":\{/);
    expect(res.body).not.toContain("[DONE]");
  });
  it("an upstream that does not answer in time is a 504", async () => {
    const res = await post("/faults/v1/chat/completions", hi("hang"));
    expect(res.statusCode).toBe(504);
    expect(res.json().error.code).toBe("upstream_timeout");
    const id = res.headers["x-sluice-request-id"];
    await usage.waitFor(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(usage.events.find((e) => e.requestId === id)).toMatchObject({ status: 504, errorType: "provider" });
  });
  it("a provider whose credentials cannot be resolved is a 502 without leaking why", async () => {
    const res = await post("/faults/v1/chat/completions", hi("noenv"));
    expect(res.statusCode).toBe(502);
    expect(res.json().error.message).not.toContain("SLUICE_TEST_NOT_SET");
  });
});

describe("backpressure", () => {
  it("a client that does not read stalls the upstream instead of filling the gateway's memory", async () => {
    const address = app.server.address() as AddressInfo;
    flood.written = 0;
    const body = JSON.stringify({ ...hi("flood"), stream: true });
    const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      const r = request(
        {
          host: "127.0.0.1",
          port: address.port,
          method: "POST",
          path: "/faults/v1/chat/completions",
          headers: { ...auth(), "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        resolve,
      );
      r.on("error", reject);
      r.end(body);
    });
    res.pause();
    await new Promise((r) => setTimeout(r, 500));
    // ~20 MB upstream; socket buffers hold a few MB at most
    expect(flood.written).toBeLessThan(FLOOD_EVENTS / 2);
    let bytes = 0;
    let tail = "";
    res.on("data", (c: Buffer) => {
      bytes += c.length;
      tail = (tail + c.toString()).slice(-40);
    });
    res.resume();
    await new Promise((r) => res.on("end", r));
    expect(flood.written).toBe(FLOOD_EVENTS);
    expect(bytes).toBeGreaterThan(FLOOD_EVENTS * 1000);
    expect(tail).toContain("[DONE]");
  }, 30_000);
});

describe("token estimates", () => {
  it("a provider that reports no usage: tokens estimated with the tokenizer and flagged, JSON and stream", async () => {
    const res = await post("/faults/v1/chat/completions", hi("nousage"));
    expect(res.statusCode).toBe(200);
    const s = await post("/faults/v1/chat/completions", { ...hi("nousage"), stream: true });
    expect(s.body).toContain("forty-two");
    await usage.waitFor(2);
    for (const ev of usage.events) {
      expect(ev).toMatchObject({ estimated: true, status: 200 });
      expect(ev.promptTokens).toBeGreaterThan(0);
      expect(ev.completionTokens).toBeGreaterThan(0);
      expect(Number(ev.cost)).toBeGreaterThan(0);
    }
  });
});

describe("health and metrics", () => {
  it("/health", async () => {
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.json()).toMatchObject({ status: "ok", database: "disabled", configVersion: 7, nodeId: "node-test" });
    expect(res.json().snapshotAgeMs).toBeGreaterThanOrEqual(0);
  });
  it("/metrics has requests, tokens, cost, latency, overhead, ttft and errors with labels", async () => {
    await post("/v1/chat/completions", hi("fast"));
    await post("/v1/chat/completions", hi("nope"));
    await usage.waitFor(2);
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).toMatch(
      /sluice_requests_total\{route="main",provider="mock-openai",model="fast",consumer="app",status="200"\} \d+/,
    );
    expect(text).toMatch(/sluice_tokens_total\{[^}]*direction="in"\} \d+/);
    expect(text).toMatch(/sluice_cost_total\{[^}]*currency="USD"\} [\d.e-]+/);
    expect(text).toContain("sluice_upstream_latency_seconds_bucket");
    expect(text).toContain("sluice_gateway_overhead_seconds_bucket");
    expect(text).toContain("sluice_ttft_seconds");
    expect(text).toMatch(/sluice_errors_total\{[^}]*type="caller",code="model_not_found"\} \d+/);
  });
});
