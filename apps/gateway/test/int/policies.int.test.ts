// Policies and limits wired into the pipeline, against a real Redis (REDIS_URL, default redis://127.0.0.1:6379; each
// app gets its own key prefix) and a mock OpenAI upstream, driven with the official openai SDK: rate limits (429,
// retry-after, x-ratelimit-*), token limits settled from the provider's real usage, budgets that reject (naming the
// budget) or downgrade to a cheaper target, prompt guard, PII redaction before the upstream and restore in the answer
// (also streamed), templates with missing variables, and Redis dying mid-run (each limit's fail mode, zero 500s).

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import type { RawConfigInput } from "../../src/config/snapshot.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { auth, baseConfig, CONSUMER_KEY, MemoryUsageSink, OTHER_KEY, testEnv } from "../support/gateway.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

let mock: MockUpstream;
let piiMock: MockUpstream;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  mock = await startOpenAILikeMock();
  piiMock = await startOpenAILikeMock({ reply: "I will write to <EMAIL_1> today." });
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});
afterAll(async () => {
  await mock?.close();
  await piiMock?.close();
});

interface Started {
  app: FastifyInstance;
  usage: MemoryUsageSink;
  client: (key?: string) => OpenAI;
  base: string;
}

async function start(over: Partial<RawConfigInput>, upstream = mock, env: Record<string, string> = {}): Promise<Started> {
  const usage = new MemoryUsageSink();
  const app = await buildApp({
    env: testEnv({ REDIS_URL, SLUICE_REDIS_PREFIX: `sltest:${randomUUID()}:`, SLUICE_LIMITER_TIMEOUT_MS: "500", ...env }),
    config: { kind: "inline", raw: baseConfig(`${upstream.url}/v1`, over) },
    usageSink: usage,
    logger: false,
  });
  apps.push(app);
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    app,
    usage,
    base: address,
    client: (key = CONSUMER_KEY) => new OpenAI({ apiKey: key, baseURL: `${address}/v1`, maxRetries: 0 }),
  };
}

const hello = [{ role: "user" as const, content: "Hello there" }];

async function apiError(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error("expected an API error");
}

describe("rate limits", () => {
  it("a request limit answers 429 naming the limit, with retry-after; x-ratelimit-* on every response", async () => {
    const { client, usage } = await start({
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
    const c = client();
    for (const left of [1, 0]) {
      const { response } = await c.chat.completions.create({ model: "fast", messages: hello }).withResponse();
      expect(response.headers.get("x-ratelimit-limit-requests")).toBe("2");
      expect(response.headers.get("x-ratelimit-remaining-requests")).toBe(String(left));
      expect(response.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(ms|s|m\d+s)$/);
    }
    const err = await apiError(c.chat.completions.create({ model: "fast", messages: hello }));
    expect(err.status).toBe(429);
    expect(err.code).toBe("rate_limit_exceeded");
    expect(err.message).toContain('Rate limit "two per minute" exceeded');
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(err.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
    // another consumer is not affected
    await client(OTHER_KEY).chat.completions.create({ model: "fast", messages: hello });
    const events = await usage.waitFor(4);
    const denied = events.find((e) => e.status === 429);
    expect(denied).toMatchObject({ errorType: "policy", errorCode: "rate_limit_exceeded" });
  });

  it("a token limit counts the provider's real usage, not the reservation", async () => {
    const { client, usage } = await start({
      policies: [
        {
          id: "pol_tpm",
          name: "completion tokens",
          type: "rate-limit",
          scope: "ROUTE",
          routeId: "rt_main",
          config: { metric: "completion_tokens", limit: 100, windowMs: 60_000, per: "route" },
        },
      ],
    });
    const c = client();
    const first = await c.chat.completions.create({ model: "fast", messages: hello, max_tokens: 50 }).withResponse();
    // reserved the worst case: max_tokens
    expect(first.response.headers.get("x-ratelimit-remaining-tokens")).toBe("50");
    const used = first.data.usage?.completion_tokens as number;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(50);
    await usage.waitFor(1); // settled before the event is written
    const second = await c.chat.completions.create({ model: "fast", messages: hello, max_tokens: 50 }).withResponse();
    expect(second.response.headers.get("x-ratelimit-remaining-tokens")).toBe(String(100 - used - 50));
    await usage.waitFor(2);
    // a third request whose worst case no longer fits is refused
    const err = await apiError(c.chat.completions.create({ model: "fast", messages: hello, max_tokens: 100 - 2 * used + 1 }));
    expect(err.status).toBe(429);
  });
});

describe("budgets", () => {
  it("reject: 429 budget_exceeded naming the budget", async () => {
    const { client } = await start({
      budgets: [
        {
          id: "bud_sales",
          name: "sales monthly",
          scope: "CONSUMER",
          consumerId: "cons_sales",
          metric: "COST",
          limit: "0.000001",
          period: "MONTH",
        },
      ],
    });
    const err = await apiError(client(OTHER_KEY).chat.completions.create({ model: "fast", messages: hello }));
    expect(err.status).toBe(429);
    expect(err.code).toBe("budget_exceeded");
    expect(err.message).toContain('Budget "sales monthly" is exhausted');
    // the consumer without a budget is served
    await client().chat.completions.create({ model: "fast", messages: hello });
  });

  it("downgrade: an exhausted budget serves the request on the cheaper target", async () => {
    const { client, usage } = await start({
      budgets: [
        {
          id: "bud_app",
          name: "app premium",
          scope: "CONSUMER",
          consumerId: "cons_app",
          metric: "COST",
          limit: "0.001",
          action: "DOWNGRADE",
          downgradeTargetId: "tgt_fast",
        },
      ],
    });
    mock.reset();
    // gpt-4o's worst case (4096 tokens at $10/1M) does not fit in $0.001: served by gpt-4o-mini instead
    const { data, response } = await client()
      .chat.completions.create({ model: "gpt-4o", messages: hello, max_tokens: 200 })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain("mock upstream");
    expect(response.headers.get("x-sluice-model")).toBe("gpt-4o-mini");
    expect(response.headers.get("x-sluice-downgraded")).toBe("fast");
    expect(mock.lastRequest()?.body).toMatchObject({ model: "gpt-4o-mini" });
    const [ev] = await usage.waitFor(1);
    expect(ev).toMatchObject({ targetId: "tgt_fast", status: 200 });
  });
});

describe("prompt policies", () => {
  it("guard: a denied pattern is a 400 with a stable code that does not reveal the pattern", async () => {
    const { client } = await start({
      policies: [
        {
          id: "pol_guard",
          name: "no secrets",
          type: "prompt-guard",
          scope: "GLOBAL",
          config: { deny: ["[Pp]assword"] },
        },
      ],
    });
    const err = await apiError(
      client().chat.completions.create({ model: "fast", messages: [{ role: "user", content: "my Password is x" }] }),
    );
    expect(err.status).toBe(400);
    expect(err.code).toBe("prompt_guard_denied");
    expect(err.message).not.toMatch(/password/i);
  });

  it("PII: redacted before the upstream, restored in the answer and in a stream", async () => {
    const { client } = await start(
      { policies: [{ id: "pol_pii", name: "pii", type: "pii", scope: "ROUTE", routeId: "rt_main", config: {} }] },
      piiMock,
    );
    const messages = [{ role: "user" as const, content: "Mail alice@example.com about it" }];
    const res = await client().chat.completions.create({ model: "fast", messages });
    const sent = JSON.stringify(piiMock.lastRequest()?.body);
    expect(sent).toContain("<EMAIL_1>");
    expect(sent).not.toContain("alice@example.com");
    expect(res.choices[0]?.message.content).toBe("I will write to alice@example.com today.");

    const stream = await client().chat.completions.create({ model: "fast", messages, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("I will write to alice@example.com today.");
    expect(JSON.stringify(piiMock.lastRequest()?.body)).not.toContain("alice@example.com");
  });

  it("template: rendered from properties; missing variables are a 400 naming them", async () => {
    const { base, client } = await start({
      promptTemplates: [
        {
          name: "support-reply",
          body: {
            messages: [
              { role: "system", content: "You support {{product}}." },
              { role: "user", content: "{{question}}" },
            ],
          },
        },
      ],
      policies: [{ id: "pol_tpl", name: "templates", type: "prompt-template", scope: "GLOBAL", config: {} }],
    });
    mock.reset();
    const ok = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({
        model: "fast",
        messages: "{template://support-reply}",
        properties: { product: 'Sluice "gateway"', question: "How?" },
      }),
    });
    expect(ok.status).toBe(200);
    expect(mock.lastRequest()?.body).toMatchObject({
      messages: [
        { role: "system", content: 'You support Sluice \\"gateway\\".' },
        { role: "user", content: "How?" },
      ],
    });
    expect((mock.lastRequest()?.body ?? {}) as Record<string, unknown>).not.toHaveProperty("properties");

    const err = await apiError(
      client().chat.completions.create({
        model: "fast",
        messages: [{ role: "user", content: "{template://support-reply}" }],
        properties: { product: "Sluice" },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    );
    expect(err.status).toBe(400);
    expect(err.code).toBe("template_variables_missing");
    expect(err.message).toContain("question");
  });
});

// ─── Redis dying mid-run ──────────────────────────────────────────────────────────────────────────────────────

async function freePort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on("error", () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error("redis-server did not start");
}

describe("Redis killed mid-run", () => {
  it("fail-open limits keep serving (counted locally), fail-closed ones answer 429; never a 500", async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    try {
      const { client, app } = await start(
        {
          policies: [
            {
              id: "pol_open",
              name: "open limit",
              type: "rate-limit",
              scope: "CONSUMER",
              consumerId: "cons_app",
              config: { metric: "requests", limit: 1000, windowMs: 60_000, failMode: "open" },
            },
            {
              id: "pol_closed",
              name: "closed limit",
              type: "rate-limit",
              scope: "CONSUMER",
              consumerId: "cons_sales",
              config: { metric: "requests", limit: 1000, windowMs: 60_000, failMode: "closed" },
            },
            { id: "pol_cache", name: "cache", type: "cache", scope: "ROUTE", routeId: "rt_main", config: {} },
          ],
        },
        mock,
        { REDIS_URL: `redis://127.0.0.1:${port}`, SLUICE_LIMITER_TIMEOUT_MS: "200" },
      );
      const statuses: Record<string, number[]> = { open: [], closed: [] };
      const fire = async (key: string, who: "open" | "closed", i: number) => {
        try {
          await client(key).chat.completions.create({ model: "fast", messages: [{ role: "user", content: `q ${i}` }] });
          statuses[who]?.push(200);
        } catch (err) {
          statuses[who]?.push(err instanceof OpenAI.APIError ? (err.status ?? 0) : -1);
        }
      };
      for (let i = 0; i < 5; i++) await Promise.all([fire(CONSUMER_KEY, "open", i), fire(OTHER_KEY, "closed", i)]);
      expect(statuses.open).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.closed).toEqual([200, 200, 200, 200, 200]);

      redis.kill("SIGKILL");
      await once(redis, "exit");
      statuses.open = [];
      statuses.closed = [];
      for (let i = 0; i < 10; i++) await Promise.all([fire(CONSUMER_KEY, "open", 100 + i), fire(OTHER_KEY, "closed", 100 + i)]);
      expect(statuses.open.every((s) => s === 200)).toBe(true);
      expect(statuses.closed.every((s) => s === 429)).toBe(true);
      const text = await app.gw.metrics.registry.metrics();
      expect(text).toMatch(/sluice_limiter_fallback_total\{op="reserve",mode="open"\} [1-9]/);
      expect(text).toMatch(/sluice_limiter_fallback_total\{op="reserve",mode="closed"\} [1-9]/);
      expect(text).toMatch(/sluice_policy_denials_total\{route="main",code="rate_limit_unavailable"\} [1-9]/);
    } finally {
      if (redis.exitCode === null) redis.kill("SIGKILL");
    }
  }, 30_000);
});
