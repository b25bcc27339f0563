// The response cache wired into the pipeline, on a real Redis (REDIS_URL, default redis://127.0.0.1:6379; own key
// prefix), driven with the openai SDK: hits cost 0 and record what they saved, consumers never see each other's
// answers, a streamed answer is recorded and replayed as a stream, Cache-Control is honoured, the admin purge and
// warm endpoints (token-protected), and hits / misses in /metrics.

import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { baseConfig, CONSUMER_KEY, MemoryUsageSink, OTHER_KEY, testEnv } from "../support/gateway.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ADMIN = "admin-token-0123456789abcdef";

let mock: MockUpstream;
let app: FastifyInstance;
let usage: MemoryUsageSink;
let base: string;
const client = (key = CONSUMER_KEY) => new OpenAI({ apiKey: key, baseURL: `${base}/v1`, maxRetries: 0 });

beforeAll(async () => {
  mock = await startOpenAILikeMock();
  usage = new MemoryUsageSink();
  app = await buildApp({
    env: testEnv({ REDIS_URL, SLUICE_REDIS_PREFIX: `sltest:${randomUUID()}:`, SLUICE_GATEWAY_ADMIN_TOKEN: ADMIN }),
    config: {
      kind: "inline",
      raw: baseConfig(`${mock.url}/v1`, {
        policies: [
          {
            id: "pol_cache",
            name: "main cache",
            type: "cache",
            scope: "ROUTE",
            routeId: "rt_main",
            config: { ttlSeconds: 60, partition: "consumer", backend: "redis" },
          },
        ],
      }),
    },
    usageSink: usage,
    logger: false,
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app?.close();
  await mock?.close();
});
beforeEach(() => {
  mock.reset();
  usage.events.length = 0;
});

const ask = (content: string) => [{ role: "user" as const, content }];

async function admin(path: string, body: unknown, token = ADMIN): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sluice-admin-token": token },
    body: JSON.stringify(body),
  });
}

describe("exact cache", () => {
  it("a repeated request is a hit: no upstream call, cost 0, the saving recorded", async () => {
    const messages = ask(`capital of France? ${randomUUID()}`);
    const first = await client().chat.completions.create({ model: "fast", messages }).withResponse();
    expect(first.response.headers.get("x-sluice-cache")).toBe("miss");
    const second = await client().chat.completions.create({ model: "fast", messages }).withResponse();
    expect(second.response.headers.get("x-sluice-cache")).toBe("hit");
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(second.data.id).not.toBe(first.data.id);
    expect(mock.stats.requests).toBe(1);
    const [miss, hit] = await usage.waitFor(2);
    expect(miss).toMatchObject({ cacheStatus: "miss", status: 200 });
    expect(hit).toMatchObject({ cacheStatus: "hit", status: 200 });
    expect(hit?.cost?.toString()).toBe("0");
    expect(hit?.savedCost?.toString()).toBe(miss?.cost?.toString());
    expect(Number(miss?.cost?.toString())).toBeGreaterThan(0);
  });

  it("partitions: another consumer never gets the first consumer's answer", async () => {
    const messages = ask(`secret plans ${randomUUID()}`);
    await client().chat.completions.create({ model: "fast", messages });
    const other = await client(OTHER_KEY).chat.completions.create({ model: "fast", messages }).withResponse();
    expect(other.response.headers.get("x-sluice-cache")).toBe("miss");
    const again = await client().chat.completions.create({ model: "fast", messages }).withResponse();
    expect(again.response.headers.get("x-sluice-cache")).toBe("hit");
    expect(mock.stats.requests).toBe(2);
  });

  it("Cache-Control: no-cache skips the lookup (and stores); no-store also does not store", async () => {
    const messages = ask(`fresh please ${randomUUID()}`);
    const c = client();
    const a = await c.chat.completions
      .create({ model: "fast", messages }, { headers: { "cache-control": "no-store" } })
      .withResponse();
    expect(a.response.headers.get("x-sluice-cache")).toBe("bypass");
    const b = await c.chat.completions.create({ model: "fast", messages }).withResponse();
    expect(b.response.headers.get("x-sluice-cache")).toBe("miss");
    const d = await c.chat.completions
      .create({ model: "fast", messages }, { headers: { "cache-control": "no-cache" } })
      .withResponse();
    expect(d.response.headers.get("x-sluice-cache")).toBe("bypass");
    expect(mock.stats.requests).toBe(3);
  });

  it("errors are never cached", async () => {
    const messages = ask(`flaky ${randomUUID()}`);
    mock.injectFault({ fail: 500 });
    await expect(client().chat.completions.create({ model: "fast", messages })).rejects.toThrow();
    const ok = await client().chat.completions.create({ model: "fast", messages }).withResponse();
    expect(ok.response.headers.get("x-sluice-cache")).toBe("miss");
  });
});

describe("streams", () => {
  it("a streamed answer is recorded and replayed as a stream (also to a non-streaming request)", async () => {
    const messages = ask(`tell a story ${randomUUID()}`);
    const c = client();
    const collect = async () => {
      const { data: stream, response } = await c.chat.completions
        .create({ model: "fast", messages, stream: true, stream_options: { include_usage: true } })
        .withResponse();
      let text = "";
      let finish: string | null = null;
      let tokens = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
      }
      return { text, finish, tokens, cache: response.headers.get("x-sluice-cache") };
    };
    const first = await collect();
    expect(first.cache).toBe("miss");
    const second = await collect();
    expect(second).toEqual({ ...first, cache: "hit" });
    expect(mock.stats.requests).toBe(1);
    const plain = await c.chat.completions.create({ model: "fast", messages }).withResponse();
    expect(plain.response.headers.get("x-sluice-cache")).toBe("hit");
    expect(plain.data.choices[0]?.message.content).toBe(first.text);
    const events = await usage.waitFor(3);
    expect(events.map((e) => e.cacheStatus)).toEqual(["miss", "hit", "hit"]);
    expect(events[1]).toMatchObject({ stream: true, status: 200 });
  });
});

describe("admin endpoints", () => {
  it("purge by consumer, by route and all; refused without the token", async () => {
    const messages = ask(`purge me ${randomUUID()}`);
    await client().chat.completions.create({ model: "fast", messages });
    await client(OTHER_KEY).chat.completions.create({ model: "fast", messages });

    expect((await admin("/admin/cache/purge", { all: true }, "wrong-token-0123456789")).status).toBe(401);
    expect((await admin("/admin/cache/purge", {})).status).toBe(400);

    const res = await admin("/admin/cache/purge", { consumerId: "cons_app" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { purged: number }).purged).toBeGreaterThanOrEqual(1);
    const app1 = await client().chat.completions.create({ model: "fast", messages }).withResponse();
    expect(app1.response.headers.get("x-sluice-cache")).toBe("miss");
    const sales = await client(OTHER_KEY).chat.completions.create({ model: "fast", messages }).withResponse();
    expect(sales.response.headers.get("x-sluice-cache")).toBe("hit");

    expect((await admin("/admin/cache/purge", { routeId: "rt_main" })).status).toBe(200);
    const after = await client(OTHER_KEY).chat.completions.create({ model: "fast", messages }).withResponse();
    expect(after.response.headers.get("x-sluice-cache")).toBe("miss");
    expect((await admin("/admin/cache/purge", { all: true })).status).toBe(200);
  });

  it("warm: loads answers for a list of requests into the consumer's partition", async () => {
    const q = `warm ${randomUUID()}`;
    const res = await admin("/admin/cache/warm", {
      routeId: "rt_main",
      consumerId: "cons_app",
      requests: [{ model: "fast", messages: ask(q) }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ warmed: 1, skipped: 0, failed: 0 });
    mock.reset();
    const hit = await client()
      .chat.completions.create({ model: "fast", messages: ask(q) })
      .withResponse();
    expect(hit.response.headers.get("x-sluice-cache")).toBe("hit");
    expect(mock.stats.requests).toBe(0);
    // a second warm skips what is cached
    const again = await admin("/admin/cache/warm", {
      routeId: "rt_main",
      consumerId: "cons_app",
      requests: [{ model: "fast", messages: ask(q) }],
    });
    expect(await again.json()).toEqual({ warmed: 0, skipped: 1, failed: 0 });
  });

  it("metrics count hits and misses", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/sluice_cache_lookups_total\{backend="redis",status="hit"\} [1-9]/);
    expect(text).toMatch(/sluice_cache_lookups_total\{backend="redis",status="miss"\} [1-9]/);
    expect(text).toMatch(/sluice_cache_stores_total\{backend="redis"\} [1-9]/);
  });
});
