// The gateway against a real PostgreSQL (a throwaway database) and a mock OpenAI upstream, driven with the openai
// SDK: config from Postgres with encrypted credentials, usage events that match the upstream's usage exactly, live
// reload while traffic flows, rejected snapshots, a Postgres outage (config keeps serving, usage spills and drains),
// a restart during the outage (served from the local copy), and the node heartbeat.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { newId, Prisma, writeConfig } from "@sluice/db";
import { encryptSecret, generateMasterKey, parseMasterKeys, sha256Hex } from "@sluice/db/crypto";
import { createTestDatabase, type TestDatabase } from "@sluice/db/testing";
import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { parseEnv } from "../../src/config/env.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

const KEY = "sk-sluice-inttest00000000000000000000000";
const MASTER = generateMasterKey();

let t: TestDatabase;
let mock: MockUpstream;
let proxy: TcpProxy;
let app: FastifyInstance;
let client: OpenAI;
let dataDir: string;
let proxiedUrl: string;

function envFor(url: string, dir: string) {
  return parseEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: url,
    SLUICE_MASTER_KEY: MASTER,
    SLUICE_DATA_DIR: dir,
    SLUICE_NODE_ID: "node-int",
    SLUICE_CONFIG_POLL_MS: "2000",
    SLUICE_HEARTBEAT_MS: "300",
  });
}

async function startGateway(url: string, dir: string): Promise<{ app: FastifyInstance; client: OpenAI; base: string }> {
  const a = await buildApp({ env: envFor(url, dir), logger: false, drainTimeoutMs: 2000 });
  const address = await a.listen({ port: 0, host: "127.0.0.1" });
  return { app: a, client: new OpenAI({ apiKey: KEY, baseURL: `${address}/v1`, maxRetries: 0 }), base: address };
}

async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 5000, stepMs = 25): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v as T;
    if (Date.now() - t0 > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  mock = await startOpenAILikeMock({ cachedTokens: 3 });
  const u = new URL(t.url);
  proxy = await startTcpProxy(u.hostname, Number(u.port || 5432));
  const p = new URL(t.url);
  p.hostname = "127.0.0.1";
  p.port = String(proxy.port);
  proxiedUrl = p.toString();
  dataDir = mkdtempSync(path.join(tmpdir(), "sluice-gw-int-"));

  const ring = parseMasterKeys(MASTER);
  const creds = encryptSecret(JSON.stringify({ apiKey: "sk-mock" }), ring);
  await writeConfig(t.db, { actorType: "SYSTEM", action: "test.seed", entityType: "config" }, async (tx) => {
    await tx.provider.create({
      data: {
        id: "prov_int",
        name: "mock-openai",
        kind: "openai",
        baseUrl: `${mock.url}/v1`,
        credentialsEncrypted: creds.ciphertext,
        credentialsKeyVersion: creds.keyVersion,
      },
    });
    await tx.team.create({ data: { id: "team_int", name: "Int", slug: "int" } });
    await tx.consumerGroup.create({ data: { id: "grp_int", name: "int" } });
    await tx.consumer.create({ data: { id: "cons_int", name: "int-app", teamId: "team_int" } });
    await tx.consumerGroupMember.create({ data: { consumerId: "cons_int", groupId: "grp_int" } });
    await tx.apiKey.create({
      data: { id: "key_int", consumerId: "cons_int", name: "k", hash: sha256Hex(KEY), start: KEY.slice(0, 14) },
    });
    await tx.route.create({
      data: {
        id: "rt_int",
        name: "int-chat",
        paths: ["/v1"],
        type: "chat",
        allowedGroups: { create: [{ groupId: "grp_int" }] },
        targets: { create: [{ id: "tgt_int", providerId: "prov_int", model: "gpt-4o-mini", alias: "fast" }] },
      },
    });
  });
  ({ app, client } = await startGateway(proxiedUrl, dataDir));
}, 60_000);

afterAll(async () => {
  await app?.close();
  await mock?.close();
  await proxy?.close();
  await t?.drop();
});

describe("gateway with PostgreSQL", () => {
  it("serves from the Postgres snapshot with decrypted credentials; /health reports database and version", async () => {
    const res = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "Hello there" }] });
    expect(res.choices[0]?.message.content).toBeTruthy();
    expect(mock.lastRequest()?.headers.authorization).toBe("Bearer sk-mock");
    const health = await app.inject({ method: "GET", url: "/health" });
    const version = await t.db.configState.findUniqueOrThrow({ where: { id: 1 } });
    expect(health.json()).toMatchObject({
      status: "ok",
      database: "connected",
      configVersion: Number(version.version),
      nodeId: "node-int",
    });
  });

  it("usage events land in Postgres and match the upstream's usage exactly, cost in exact decimals", async () => {
    const res = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "count my tokens" }] });
    const id = (
      await client.chat.completions
        .create({
          model: "fast",
          messages: [{ role: "user", content: "again" }],
          stream: true,
          stream_options: { include_usage: true },
        })
        .withResponse()
    ).response.headers.get("x-sluice-request-id");
    const row = await waitFor(() =>
      t.db.usageEvent.findFirst({ where: { consumerId: "cons_int", promptTokens: res.usage?.prompt_tokens, stream: false } }),
    );
    expect(row).toMatchObject({
      completionTokens: res.usage?.completion_tokens,
      cachedTokens: 3,
      totalTokens: res.usage?.total_tokens,
      routeId: "rt_int",
      providerId: "prov_int",
      providerKind: "openai",
      teamId: "team_int",
      apiKeyId: "key_int",
      model: "fast",
      upstreamModel: "gpt-4o-mini",
      status: 200,
      estimated: false,
      nodeId: "node-int",
    });
    // seed price gpt-4o-mini: 0.15 in, 0.075 cached, 0.6 out per 1M
    const p = res.usage?.prompt_tokens ?? 0;
    const c = res.usage?.completion_tokens ?? 0;
    const expected = new Prisma.Decimal(p - 3)
      .mul("0.15")
      .add(new Prisma.Decimal(3).mul("0.075"))
      .add(new Prisma.Decimal(c).mul("0.6"))
      .div(1_000_000);
    expect(row.cost.equals(expected)).toBe(true);
    const streamed = await waitFor(() => t.db.usageEvent.findUnique({ where: { requestId: id ?? "" } }));
    expect(streamed).toMatchObject({ stream: true, estimated: false });
    expect(streamed.completionTokens).toBeGreaterThan(0);
  });

  it("rejections are usage events too", async () => {
    const bad = new OpenAI({ apiKey: "sk-sluice-nope", baseURL: client.baseURL, maxRetries: 0 });
    const err = await bad.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(err.status).toBe(401);
    const rid = err.headers?.get?.("x-sluice-request-id") ?? err.headers?.["x-sluice-request-id"];
    const row = await waitFor(() => t.db.usageEvent.findUnique({ where: { requestId: rid } }));
    expect(row).toMatchObject({ status: 401, errorType: "caller", errorCode: "invalid_api_key" });
  });

  it("follows a config change within 1 s while traffic flows", async () => {
    let stop = false;
    let failures = 0;
    let served = 0;
    const traffic = (async () => {
      while (!stop) {
        await client.chat.completions
          .create({ model: "fast", messages: [{ role: "user", content: "x" }] })
          .then(() => served++)
          .catch(() => failures++);
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await writeConfig(t.db, { actorType: "SYSTEM", action: "target.create", entityType: "target" }, (tx) =>
      tx.target.create({
        data: { id: newId("target"), routeId: "rt_int", providerId: "prov_int", model: "gpt-4o", alias: "fresh" },
      }),
    );
    await waitFor(
      () => client.chat.completions.create({ model: "fresh", messages: [{ role: "user", content: "x" }] }).then(() => true),
      3000,
      10,
    );
    const elapsed = Date.now() - t0;
    stop = true;
    await traffic;
    console.log("reload elapsed", elapsed, served);
    expect(elapsed).toBeLessThan(1000);
    expect(failures).toBe(0);
    expect(served).toBeGreaterThan(0);
  });

  it("a config that fails validation is rejected and the old snapshot keeps serving", async () => {
    const before = app.gw.store.snapshot.version;
    await writeConfig(t.db, null, (tx) => tx.route.update({ where: { id: "rt_int" }, data: { options: { auth: "sometimes" } } }));
    await waitFor(async () => app.gw.store.lastError !== null);
    expect(app.gw.store.snapshot.version).toBe(before);
    const res = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "x" }] });
    expect(res.choices).toHaveLength(1);
    const health = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(health.configError).toContain("auth");
    await writeConfig(t.db, null, (tx) => tx.route.update({ where: { id: "rt_int" }, data: { options: {} } }));
    await waitFor(async () => app.gw.store.lastError === null && app.gw.store.snapshot.version > before);
  });

  it("heartbeats its node id, applied version and target health (breaker states for the manager UI)", async () => {
    const node = await waitFor(async () => {
      const n = await t.db.gatewayNode.findUnique({ where: { id: "node-int" } });
      return n && n.appliedVersion === app.gw.store.snapshot.version ? n : null;
    });
    expect(node.heartbeatAt.getTime()).toBeGreaterThan(Date.now() - 5000);
    const health = node.health as { configVersion: string; targets: Array<{ targetId: string; breaker: { state: string } }> };
    expect(health.targets.length).toBeGreaterThan(0);
    expect(health.targets[0]).toMatchObject({ targetId: expect.any(String), breaker: { state: "closed" } });
  });

  it("usage events carry every attempt in the attempts column", async () => {
    const { response } = await client.chat.completions
      .create({ model: "fast", messages: [{ role: "user", content: "attempts?" }] })
      .withResponse();
    const requestId = response.headers.get("x-sluice-request-id") as string;
    const row = await waitFor(() => t.db.usageEvent.findFirst({ where: { requestId } }));
    expect(row.attempts).toEqual([
      expect.objectContaining({ attempt: 1, kind: "ok", status: 200, decision: "ok", failover: false, targetId: row.targetId }),
    ]);
  });

  it("Postgres outage: keeps serving, spills usage to disk, drains it after; a restart during the outage serves from the local copy", async () => {
    await waitFor(async () => app.gw.usage.stats().buffered === 0);
    const before = await t.db.usageEvent.count();
    await proxy.cut();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { response } = await client.chat.completions
        .create({ model: "fast", messages: [{ role: "user", content: `outage ${i}` }] })
        .withResponse();
      ids.push(response.headers.get("x-sluice-request-id") as string);
    }
    await waitFor(async () => app.gw.usage.stats().spilled >= 5, 8000);
    const health = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(health.database).toBe("disconnected");

    // a second node started during the outage serves from the on-disk copy of the config
    const second = await startGateway(proxiedUrl, dataDir);
    try {
      expect(second.app.gw.store.snapshot.source).toBe("disk-cache");
      const r = await second.client.chat.completions.create({
        model: "fast",
        messages: [{ role: "user", content: "from cache" }],
      });
      expect(r.choices).toHaveLength(1);
    } finally {
      await second.app.close();
    }

    await proxy.restore();
    await waitFor(async () => (await t.db.usageEvent.count({ where: { requestId: { in: ids } } })) === 5, 10_000, 100);
    // nothing lost, nothing doubled (the second node's events too)
    expect(await t.db.usageEvent.count()).toBeGreaterThanOrEqual(before + 6);
    const h2 = await waitFor(async () => {
      const h = (await app.inject({ method: "GET", url: "/health" })).json();
      return h.database === "connected" ? h : null;
    });
    expect(h2.database).toBe("connected");
  }, 40_000);
});
