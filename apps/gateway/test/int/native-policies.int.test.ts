// Governance on native passthrough routes (issues 3 + 4): the same access / prompt policies, rate limits and money
// budgets (one atomic reservation in a real Redis, settled to the stream tap's usage, released on aborts) as the
// OpenAI routes, with every denial in the provider's own error shape. Driven by the official @anthropic-ai/sdk
// against the running gateway and the Anthropic mock; Gemini and Bedrock with plain requests.

import { randomUUID } from "node:crypto";
import Anthropic, { APIError, BadRequestError, RateLimitError } from "@anthropic-ai/sdk";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import type { RawConfigInput } from "../../src/config/snapshot.ts";
import { createDeframer } from "../../src/lib/framing/index.ts";
import { toNano } from "../../src/policies/index.ts";
import { startAnthropicMock } from "../mocks/anthropic.ts";
import { startBedrockMock } from "../mocks/bedrock.ts";
import { startGeminiMock } from "../mocks/gemini.ts";
import type { MockUpstream } from "../mocks/http-mock-kit.ts";
import { startOpenAILikeMock } from "../mocks/openai-like.ts";
import { baseConfig, CONSUMER_KEY, MemoryUsageSink, testEnv } from "../support/gateway.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ANTHROPIC_KEY = "sk-ant-provider-secret";
const GEMINI_KEY = "gemini-provider-secret";
const AWS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

let openaiMock: MockUpstream;
let anthropicMock: MockUpstream;
let geminiMock: MockUpstream;
let bedrockMock: MockUpstream;
let redis: Redis;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  [openaiMock, anthropicMock, geminiMock, bedrockMock] = await Promise.all([
    startOpenAILikeMock(),
    startAnthropicMock({ apiKey: ANTHROPIC_KEY }),
    startGeminiMock({ apiKey: GEMINI_KEY }),
    startBedrockMock({ credentials: AWS }),
  ]);
  process.env.SLUICE_TEST_ANTHROPIC_KEY = ANTHROPIC_KEY;
  process.env.SLUICE_TEST_GEMINI_KEY = GEMINI_KEY;
  process.env.SLUICE_TEST_AWS_ID = AWS.accessKeyId;
  process.env.SLUICE_TEST_AWS_SECRET = AWS.secretAccessKey;
  redis = new Redis(REDIS_URL);
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const m of [openaiMock, anthropicMock, geminiMock, bedrockMock]) m.reset();
});
afterAll(async () => {
  redis?.disconnect();
  await Promise.all([openaiMock, anthropicMock, geminiMock, bedrockMock].map((m) => m?.close()));
});

interface Started {
  app: FastifyInstance;
  usage: MemoryUsageSink;
  base: string;
  prefix: string;
  claude: Anthropic;
}

async function start(over: Pick<RawConfigInput, "policies" | "budgets"> = {}): Promise<Started> {
  const raw = baseConfig(`${openaiMock.url}/v1`, over);
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
      id: "rt_anthropic",
      name: "anthropic-native",
      paths: ["/"],
      type: "native",
      nativeFormat: "anthropic",
      targets: [
        { id: "tgt_sonnet", providerId: "prov_anth", model: "claude-sonnet-4-7" },
        { id: "tgt_haiku", providerId: "prov_anth", model: "claude-haiku-4-5", alias: "haiku" },
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
  raw.prices = [
    ...(raw.prices ?? []),
    {
      providerKind: "anthropic",
      model: "claude-sonnet-4-7",
      inputPer1M: "3",
      outputPer1M: "15",
      effectiveFrom: "2025-01-01T00:00:00Z",
    },
    {
      providerKind: "anthropic",
      model: "claude-haiku-4-5",
      inputPer1M: "1",
      outputPer1M: "5",
      effectiveFrom: "2025-01-01T00:00:00Z",
    },
  ];
  const usage = new MemoryUsageSink();
  const prefix = `sltest:${randomUUID()}:`;
  const app = await buildApp({
    env: testEnv({ REDIS_URL, SLUICE_REDIS_PREFIX: prefix, SLUICE_LIMITER_TIMEOUT_MS: "500" }),
    config: { kind: "inline", raw },
    usageSink: usage,
    logger: false,
  });
  apps.push(app);
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, usage, base, prefix, claude: new Anthropic({ apiKey: CONSUMER_KEY, baseURL: base, maxRetries: 0 }) };
}

const hello = [{ role: "user" as const, content: "Hello there" }];

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

/** the budget's settled counter and what is still reserved (nano-units), as the Lua limiter keeps them */
async function budgetCounter(prefix: string, budgetId: string): Promise<{ settled: bigint; pending: number }> {
  const counterKeys = await redis.keys(`${prefix}{sluice}:c:bg:${budgetId}:*`);
  const settled = counterKeys.length === 0 ? 0n : BigInt((await redis.get(counterKeys[0] as string)) ?? "0");
  const pendingKeys = await redis.keys(`${prefix}{sluice}:p:bg:${budgetId}:*`);
  const pending = pendingKeys.length === 0 ? 0 : Number((await redis.hget(pendingKeys[0] as string, "_s")) ?? 0);
  return { settled, pending };
}

/** `error.message` of Anthropic's error body (the SDK's own `message` prefixes the status and the raw JSON) */
function messageOf(err: unknown): string {
  return ((err as APIError).error as { error?: { message?: string } } | undefined)?.error?.message ?? "";
}

const nanoOf = (ev: MemoryUsageSink["events"][number]) => toNano(String(ev.cost ?? "0"));

describe("limits on the native Anthropic route", () => {
  it("a request limit: x-ratelimit-* on answers (streams too), then RateLimitError 429 with retry-after in Anthropic's shape", async () => {
    const { claude, usage } = await start({
      policies: [
        {
          id: "pol_rpm",
          name: "two per minute",
          type: "rate-limit",
          scope: "CONSUMER",
          consumerId: "cons_app",
          config: { metric: "requests", limit: 2, windowMs: 60_000 },
        },
      ],
    });
    const first = await claude.messages.create({ model: "claude-sonnet-4-7", max_tokens: 20, messages: hello }).withResponse();
    expect(first.data.type).toBe("message");
    expect(first.response.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(first.response.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    const streamed = await claude.messages
      .create({ model: "claude-sonnet-4-7", max_tokens: 20, messages: hello, stream: true })
      .withResponse();
    expect(streamed.response.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    for await (const _ of streamed.data) {
      // drain
    }
    const err = await caught(claude.messages.create({ model: "claude-sonnet-4-7", max_tokens: 20, messages: hello }));
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e.status).toBe(429);
    expect(e.type).toBe("rate_limit_error");
    expect(e.errorCode).toBe("rate_limit_exceeded");
    expect(messageOf(e)).toContain('Rate limit "two per minute" exceeded');
    expect(Number(e.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(e.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(e.requestID).toMatch(/^req_/);
    expect(anthropicMock.stats.requests).toBe(2);
    const events = await usage.waitFor(3);
    expect(events.find((ev) => ev.status === 429)).toMatchObject({
      errorType: "policy",
      errorCode: "rate_limit_exceeded",
      routeId: "rt_anthropic",
    });
  });

  it("a token limit reserves prompt + max_tokens and settles to the provider's real usage", async () => {
    const { claude, usage } = await start({
      policies: [
        {
          id: "pol_tpm",
          name: "completion tokens",
          type: "rate-limit",
          scope: "ROUTE",
          routeId: "rt_anthropic",
          config: { metric: "completion_tokens", limit: 1000, windowMs: 60_000, per: "route" },
        },
      ],
    });
    const first = await claude.messages.create({ model: "claude-sonnet-4-7", max_tokens: 300, messages: hello }).withResponse();
    expect(first.response.headers.get("x-ratelimit-remaining-tokens")).toBe("700");
    const used = first.data.usage.output_tokens;
    expect(used).toBeGreaterThan(0);
    await usage.waitFor(1);
    const second = await claude.messages.create({ model: "claude-sonnet-4-7", max_tokens: 300, messages: hello }).withResponse();
    expect(second.response.headers.get("x-ratelimit-remaining-tokens")).toBe(String(1000 - used - 300));
  });
});

describe("budgets on the native Anthropic route", () => {
  it("a money budget holds across a burst (streams and JSON) and settles to the tap's usage: counter == sum of usage events", async () => {
    // worst case of one request: ~12 prompt tokens at $3/1M + 200 at $15/1M ~ $0.003; the budget fits 3 of them
    const { claude, usage, prefix } = await start({
      budgets: [
        {
          id: "bud_burst",
          name: "app daily",
          scope: "CONSUMER",
          consumerId: "cons_app",
          metric: "COST",
          limit: "0.01",
          period: "DAY",
        },
      ],
    });
    anthropicMock.injectFault({ latencyMs: 150, times: 12 });
    const statuses = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        try {
          if (i % 2 === 0) {
            const stream = claude.messages.stream({ model: "claude-sonnet-4-7", max_tokens: 200, messages: hello });
            await stream.finalMessage();
          } else await claude.messages.create({ model: "claude-sonnet-4-7", max_tokens: 200, messages: hello });
          return 200;
        } catch (err) {
          expect(err).toBeInstanceOf(RateLimitError);
          expect((err as RateLimitError).errorCode).toBe("budget_exceeded");
          expect(messageOf(err)).toContain('Budget "app daily" is exhausted');
          return 429;
        }
      }),
    );
    const served = statuses.filter((s) => s === 200).length;
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - served);
    expect(anthropicMock.stats.requests).toBe(served);

    const events = await usage.waitFor(12);
    const ok = events.filter((e) => e.status === 200);
    expect(ok).toHaveLength(served);
    expect(ok.some((e) => e.stream)).toBe(true);
    for (const e of ok) expect(e.estimated).toBe(false);
    const sum = ok.reduce((acc, e) => acc + nanoOf(e), 0n);
    expect(sum).toBeGreaterThan(0n);
    const { settled, pending } = await budgetCounter(prefix, "bud_burst");
    expect(settled).toBe(sum);
    expect(settled).toBeLessThanOrEqual(10_000_000n); // $0.01
    expect(pending).toBe(0);
  });

  it("a client abort releases the reservation", async () => {
    const { claude, usage, prefix } = await start({
      budgets: [
        { id: "bud_abort", name: "abort", scope: "CONSUMER", consumerId: "cons_app", metric: "COST", limit: "1", period: "DAY" },
      ],
    });
    anthropicMock.injectFault({ latencyMs: 1000 });
    const ac = new AbortController();
    const pending = claude.messages.create(
      { model: "claude-sonnet-4-7", max_tokens: 500, messages: hello, stream: true },
      { signal: ac.signal },
    );
    // reserved while the upstream thinks
    for (let i = 0; i < 100 && (await budgetCounter(prefix, "bud_abort")).pending === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect((await budgetCounter(prefix, "bud_abort")).pending).toBeGreaterThan(0);
    ac.abort();
    await caught(pending);
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ aborted: true, routeId: "rt_anthropic" });
    expect(String(ev?.cost)).toBe("0");
    expect(await budgetCounter(prefix, "bud_abort")).toEqual({ settled: 0n, pending: 0 });
    for (let i = 0; i < 50 && anthropicMock.stats.aborted === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(anthropicMock.stats.aborted).toBe(1);
  });

  it("downgrade: to a target serving the same API it is served there; to an OpenAI target it rejects (budget_exceeded)", async () => {
    const { claude, usage } = await start({
      budgets: [
        {
          id: "bud_same",
          name: "premium",
          scope: "CONSUMER",
          consumerId: "cons_app",
          metric: "COST",
          limit: "0.002",
          action: "DOWNGRADE",
          downgradeTargetId: "tgt_haiku",
        },
        {
          id: "bud_other",
          name: "sales premium",
          scope: "CONSUMER",
          consumerId: "cons_sales",
          metric: "COST",
          limit: "0.002",
          action: "DOWNGRADE",
          downgradeTargetId: "tgt_fast",
        },
      ],
    });
    // sonnet's worst case (300 tokens at $15/1M = $0.0045) does not fit in $0.002; haiku's ($0.0015) does
    const { data, response } = await claude.messages
      .create({ model: "claude-sonnet-4-7", max_tokens: 300, messages: hello })
      .withResponse();
    expect(data.model).toBe("claude-haiku-4-5");
    expect(response.headers.get("x-sluice-downgraded")).toBe("haiku");
    expect((anthropicMock.lastRequest()?.body as { model?: string } | undefined)?.model).toBe("claude-haiku-4-5");
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ targetId: "tgt_haiku", status: 200 });

    const sales = new Anthropic({ apiKey: "sk-sluice-otherkey000000000000000000000", baseURL: claude.baseURL, maxRetries: 0 });
    const err = await caught(sales.messages.create({ model: "claude-sonnet-4-7", max_tokens: 300, messages: hello }));
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).errorCode).toBe("budget_exceeded");
    expect(messageOf(err)).toContain('Budget "sales premium" is exhausted');
    expect(openaiMock.stats.requests).toBe(0);
  });
});

describe("prompt policies on native routes", () => {
  it("prompt guard: BadRequestError (400 prompt_guard_denied) before any upstream call; the system prompt is read too", async () => {
    const { claude, usage } = await start({
      policies: [
        { id: "pol_guard", name: "no secrets", type: "prompt-guard", scope: "GLOBAL", config: { deny: ["[Pp]assword"] } },
      ],
    });
    const err = await caught(
      claude.messages.create({
        model: "claude-sonnet-4-7",
        max_tokens: 20,
        messages: [{ role: "user", content: "my Password is x" }],
      }),
    );
    expect(err).toBeInstanceOf(BadRequestError);
    const e = err as BadRequestError;
    expect(e.type).toBe("invalid_request_error");
    expect(e.errorCode).toBe("prompt_guard_denied");
    expect(e.message).not.toMatch(/password/i);
    const blocks = await caught(
      claude.messages.create({
        model: "claude-sonnet-4-7",
        max_tokens: 20,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "ok" },
              { type: "text", text: "the password: 1" },
            ],
          },
        ],
      }),
    );
    expect(blocks).toBeInstanceOf(BadRequestError);
    expect(anthropicMock.stats.requests).toBe(0);
    await claude.messages.create({ model: "claude-sonnet-4-7", max_tokens: 20, messages: hello });
    const events = await usage.waitFor(3);
    expect(events[0]).toMatchObject({ status: 400, errorType: "policy", errorCode: "prompt_guard_denied" });
  });

  it("PII: reject refuses; redact (OpenAI routes only) refuses with a clear message; a rewriting policy is refused", async () => {
    const { claude } = await start({
      policies: [
        { id: "pol_pii", name: "pii", type: "pii", scope: "ROUTE", routeId: "rt_anthropic", config: { action: "redact" } },
      ],
    });
    const err = await caught(
      claude.messages.create({
        model: "claude-sonnet-4-7",
        max_tokens: 20,
        messages: [{ role: "user", content: "Mail alice@example.com about it" }],
      }),
    );
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).errorCode).toBe("pii_detected");
    expect(messageOf(err)).toContain("redaction is only available on OpenAI-compatible routes");
    expect(anthropicMock.stats.requests).toBe(0);
    // without personal data the request passes unchanged
    await claude.messages.create({ model: "claude-sonnet-4-7", max_tokens: 20, messages: hello });
    expect(anthropicMock.stats.requests).toBe(1);

    for (const a of apps.splice(0)) await a.close();
    const decorated = await start({
      policies: [
        {
          id: "pol_deco",
          name: "house style",
          type: "prompt-decorator",
          scope: "ROUTE",
          routeId: "rt_anthropic",
          config: { prepend: [{ role: "system", content: "Be brief." }] },
        },
      ],
    });
    const refused = await caught(
      decorated.claude.messages.create({ model: "claude-sonnet-4-7", max_tokens: 20, messages: hello }),
    );
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as BadRequestError).errorCode).toBe("policy_not_supported");
    expect(messageOf(refused)).toContain('Policy "house style"');
  });
});

describe("native streams that break mid-way", () => {
  it("Anthropic: the SDK gets a stream error event (after the intact events), and the budget settles to the tap's usage", async () => {
    const { claude, usage, prefix } = await start({
      budgets: [{ id: "bud_s", name: "s", scope: "CONSUMER", consumerId: "cons_app", metric: "COST", limit: "1", period: "DAY" }],
    });
    anthropicMock.injectFault({ fail: "truncate" });
    const seen: string[] = [];
    const stream = await claude.messages.create({
      model: "claude-sonnet-4-7",
      max_tokens: 100,
      messages: [{ role: "user", content: "tell me a fairly long story please" }],
      stream: true,
    });
    const err = await caught(
      (async () => {
        for await (const ev of stream) seen.push(ev.type);
      })(),
    );
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).type).toBe("api_error");
    expect((err as APIError).errorCode).toBe("upstream_connection_error");
    expect(seen[0]).toBe("message_start");
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ status: 200, stream: true, errorType: "provider", errorCode: "upstream_connection_error" });
    expect(ev?.promptTokens).toBeGreaterThan(0);
    const { settled, pending } = await budgetCounter(prefix, "bud_s");
    expect(settled).toBe(nanoOf(ev as MemoryUsageSink["events"][number]));
    expect(pending).toBe(0);
  });

  it("Bedrock: converse-stream ends with an event-stream exception the AWS SDK raises", async () => {
    const { base } = await start();
    bedrockMock.injectFault({ fail: "truncate" });
    const path = `/bedrock/model/${encodeURIComponent("anthropic.claude-3-haiku-20240307-v1:0")}/converse-stream`;
    const res = await request(`${base}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${CONSUMER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "a long answer please, with many words" }] }] }),
    });
    expect(res.statusCode).toBe(200);
    const events = createDeframer("aws-eventstream").push(Buffer.from(await res.body.arrayBuffer()));
    expect(events.length).toBeGreaterThan(1);
    expect(events[events.length - 1]?.event).toBe("exception:serviceUnavailableException");
  });
});

describe("Gemini and Bedrock denials in their own shapes", () => {
  it("Gemini: guard denial is Google's INVALID_ARGUMENT; a request limit is RESOURCE_EXHAUSTED with retry-after", async () => {
    const { base } = await start({
      policies: [
        { id: "pol_guard", name: "no secrets", type: "prompt-guard", scope: "GLOBAL", config: { deny: ["[Pp]assword"] } },
        {
          id: "pol_rpm",
          name: "one per minute",
          type: "rate-limit",
          scope: "ROUTE",
          routeId: "rt_gemini",
          config: { metric: "requests", limit: 1, windowMs: 60_000 },
        },
      ],
    });
    const call = (text: string, maxOutputTokens?: number) =>
      request(`${base}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: "POST",
        headers: { "x-goog-api-key": CONSUMER_KEY, "content-type": "application/json" },
        body: JSON.stringify({
          contents: [{ role: "user", parts: [{ text }] }],
          ...(maxOutputTokens ? { generationConfig: { maxOutputTokens } } : {}),
        }),
      });
    const denied = await call("my password");
    expect(denied.statusCode).toBe(400);
    expect(((await denied.body.json()) as { error: unknown }).error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    const ok = await call("hello", 50);
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
    const limited = await call("hello");
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(((await limited.body.json()) as { error: unknown }).error).toMatchObject({
      code: 429,
      status: "RESOURCE_EXHAUSTED",
    });
  });

  it("Bedrock: a request limit is a ThrottlingException (x-amzn-errortype)", async () => {
    const { base } = await start({
      policies: [
        {
          id: "pol_rpm",
          name: "one per minute",
          type: "rate-limit",
          scope: "ROUTE",
          routeId: "rt_bedrock",
          config: { metric: "requests", limit: 1, windowMs: 60_000 },
        },
      ],
    });
    const path = `/bedrock/model/${encodeURIComponent("anthropic.claude-3-haiku-20240307-v1:0")}/converse`;
    const call = () =>
      request(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${CONSUMER_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }], inferenceConfig: { maxTokens: 50 } }),
      });
    const ok = await call();
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
    const limited = await call();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["x-amzn-errortype"]).toBe("ThrottlingException");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(((await limited.body.json()) as { message: string }).message).toContain('Rate limit "one per minute" exceeded');
  });
});
