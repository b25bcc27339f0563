// Issue 4's concurrency test: TWO gateway processes (the built dist/server.js) on one PostgreSQL config and one Redis,
// 200 concurrent requests against a money budget worth 50 requests. The reservation (worst case reserved atomically
// in one Lua script, settled to the real usage) must not let more than 50 through (at most one request's worst case
// of overshoot), and what the budget counter settled to must equal the sum of the usage events' costs. Nothing is
// a 500.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadGatewayConfig, Prisma, writeConfig } from "@sluice/db";
import { generateMasterKey, sha256Hex } from "@sluice/db/crypto";
import { createTestDatabase, type TestDatabase } from "@sluice/db/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatNano } from "../../src/policies/index.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ROOT = path.resolve(import.meta.dirname, "../..");
const KEY = "sk-sluice-concurrency000000000000000000";
const PREFIX = `sltest:${randomUUID()}:`;
const MESSAGES = [{ role: "user", content: "Hello there" }];
const MAX_TOKENS = 16;

let t: TestDatabase;
let mock: MockUpstream;
let redis: Redis;
const nodes: Array<{ child: ChildProcess; port: number; log: string[] }> = [];

async function freePort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

async function waitHealthy(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok && ((await res.json()) as { configVersion: number }).configVersion > 0) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gateway on ${port} did not come up`);
}

let costNano = 0n;

beforeAll(async () => {
  execFileSync(process.execPath, ["build.mjs"], { cwd: ROOT, stdio: "pipe" });
  t = await createTestDatabase();
  mock = await startOpenAILikeMock();
  redis = new Redis(REDIS_URL);

  // one request's real cost, from the upstream's usage and the seeded gpt-4o-mini price (exact nano-units)
  const probe = (await (
    await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-mock", "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: MESSAGES, max_tokens: MAX_TOKENS }),
    })
  ).json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  const price = await t.db.price.findFirstOrThrow({ where: { providerKind: "openai", model: "gpt-4o-mini" } });
  const nanoPerToken = (d: Prisma.Decimal) => BigInt(d.mul(1000).toFixed(0)); // $/1M -> nano per token
  costNano =
    BigInt(probe.usage.prompt_tokens) * nanoPerToken(price.inputPer1M) +
    BigInt(probe.usage.completion_tokens) * nanoPerToken(price.outputPer1M);
  mock.reset();

  await writeConfig(t.db, { actorType: "SYSTEM", action: "test.seed", entityType: "config" }, async (tx) => {
    await tx.provider.create({
      data: {
        id: "prov_cc",
        name: "mock-openai",
        kind: "openai",
        baseUrl: `${mock.url}/v1`,
        credentialsRef: { env: { apiKey: "CC_UPSTREAM_KEY" } },
      },
    });
    await tx.consumer.create({ data: { id: "cons_cc", name: "cc-app" } });
    await tx.apiKey.create({
      data: { id: "key_cc", consumerId: "cons_cc", name: "k", hash: sha256Hex(KEY), start: KEY.slice(0, 14) },
    });
    await tx.route.create({
      data: {
        id: "rt_cc",
        name: "cc-chat",
        paths: ["/v1"],
        type: "chat",
        targets: { create: [{ id: "tgt_cc", providerId: "prov_cc", model: "gpt-4o-mini" }] },
      },
    });
    await tx.promptTemplate.create({
      data: {
        id: "tpl_cc",
        name: "greeting",
        currentVersion: 2,
        versions: {
          create: [
            { id: "tplv_1", version: 1, body: { messages: [{ role: "user", content: "old {{x}}" }] }, variables: ["x"] },
            { id: "tplv_2", version: 2, body: { messages: [{ role: "user", content: "Hi {{name}}" }] }, variables: ["name"] },
          ],
        },
      },
    });
    await tx.budget.create({
      data: {
        id: "bud_cc",
        name: "fifty requests",
        scope: "CONSUMER",
        consumerId: "cons_cc",
        metric: "COST",
        limit: new Prisma.Decimal(formatNano(costNano * 50n)),
        period: "MONTH",
      },
    });
  });

  const master = generateMasterKey();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const log: string[] = [];
    const child = spawn(process.execPath, ["dist/server.js"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        DATABASE_URL: t.url,
        REDIS_URL,
        SLUICE_REDIS_PREFIX: PREFIX,
        SLUICE_MASTER_KEY: master,
        SLUICE_DATA_DIR: mkdtempSync(path.join(tmpdir(), "sluice-cc-")),
        SLUICE_NODE_ID: `cc-node-${i}`,
        // two cores shared with the test runner: a generous deadline so a slow Redis reply is not a "Redis down"
        SLUICE_LIMITER_TIMEOUT_MS: "2000",
        CC_UPSTREAM_KEY: "sk-mock",
        GATEWAY_HOST: "127.0.0.1",
        GATEWAY_PORT: String(port),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (c) => log.push(String(c)));
    child.stderr?.on("data", (c) => log.push(String(c)));
    nodes.push({ child, port, log });
  }
  await Promise.all(nodes.map((n) => waitHealthy(n.port)));
}, 120_000);

afterAll(async () => {
  for (const n of nodes) if (n.child.exitCode === null) n.child.kill("SIGKILL");
  if (redis) {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  await mock?.close();
  await t?.drop();
});

describe("a money budget across two gateway processes", () => {
  it("the snapshot query loads budgets and the current version of each prompt template", async () => {
    const rows = await loadGatewayConfig(t.db);
    expect(rows.promptTemplates).toEqual([
      { name: "greeting", version: 2, body: { messages: [{ role: "user", content: "Hi {{name}}" }] } },
    ]);
    expect(rows.budgets).toEqual([
      expect.objectContaining({ id: "bud_cc", scope: "CONSUMER", consumerId: "cons_cc", metric: "COST", action: "REJECT" }),
    ]);
  });

  it("200 concurrent requests, budget worth 50: at most 50 served, settled total = sum of usage events", async () => {
    const statuses: number[] = [];
    const codes = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const port = (nodes[i % 2] as { port: number }).port;
        const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "gpt-4o-mini", messages: MESSAGES, max_tokens: MAX_TOKENS }),
        });
        statuses.push(res.status);
        const body = (await res.json()) as { error?: { code?: string } };
        if (body.error?.code) codes.set(body.error.code, (codes.get(body.error.code) ?? 0) + 1);
      }),
    );
    const served = statuses.filter((s) => s === 200).length;
    const denied = statuses.filter((s) => s === 429).length;
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(served + denied).toBe(200);
    expect([...codes.keys()]).toEqual(denied > 0 ? ["budget_exceeded"] : []);
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThanOrEqual(50);
    expect(mock.stats.requests).toBe(served);

    // the shared limiter answered every time (no request was admitted by a node's local fallback)
    for (const n of nodes) {
      const metrics = await (await fetch(`http://127.0.0.1:${n.port}/metrics`)).text();
      expect(metrics, n.log.join("")).not.toMatch(/sluice_limiter_fallback_total\{[^}]*\} [1-9]/);
    }
    // SIGTERM flushes each node's usage events to PostgreSQL
    await Promise.all(
      nodes.map(async (n) => {
        n.child.kill("SIGTERM");
        await once(n.child, "exit");
      }),
    );
    const events = await t.db.usageEvent.findMany({ where: { consumerId: "cons_cc" } });
    expect(events).toHaveLength(200);
    const ok = events.filter((e) => e.status === 200);
    expect(ok).toHaveLength(served);
    const sumNano = ok.reduce((acc, e) => acc + BigInt(e.cost.mul(1e9).toFixed(0)), 0n);

    // the budget's counter (nano-units) and no reservation left pending
    const counterKeys = await redis.keys(`${PREFIX}{sluice}:c:bg:bud_cc:*`);
    expect(counterKeys).toHaveLength(1);
    const settled = BigInt((await redis.get(counterKeys[0] as string)) ?? "0");
    const pendingKeys = await redis.keys(`${PREFIX}{sluice}:p:bg:bud_cc:*`);
    const pending = pendingKeys.length === 0 ? 0 : Number((await redis.hget(pendingKeys[0] as string, "_s")) ?? 0);
    expect(settled).toBe(sumNano);
    expect(settled).toBeLessThanOrEqual(costNano * 50n);
    expect(pending).toBe(0);
    console.info(
      `budget concurrency: served ${served}/200 (limit 50), denied ${denied}, settled ${formatNano(settled)} USD = ` +
        `usage events ${formatNano(sumNano)} USD, one request ${formatNano(costNano)} USD`,
    );
  }, 120_000);
});
