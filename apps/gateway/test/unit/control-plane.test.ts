// The gateway side of the manager's control-plane buttons and of secret handling, against the provider mocks and a
// stand-in Vault: POST /admin/providers/:id/test (non-billing check with the resolved credential, never echoing it),
// Vault KV v2 credential references (token header, TTL cache, one failing secret marks only its provider
// unavailable), zero-downtime rotation (a 401 retried once with the previous credential during its grace period),
// and sluice_secret_reads_total.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { encryptSecret, generateMasterKey, parseMasterKeys } from "@sluice/db/crypto";
import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { VaultReader } from "../../src/config/secrets.ts";
import { buildSnapshot, type RawConfigInput } from "../../src/config/snapshot.ts";
import { startAnthropicMock } from "../mocks/anthropic.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { baseConfig, CONSUMER_KEY, MemoryUsageSink, testEnv } from "../support/gateway.ts";

const ADMIN = "admin-token-0123456789abcdef";
const MASTER = generateMasterKey();
const ring = parseMasterKeys(MASTER);
const seal = (apiKey: string) => encryptSecret(JSON.stringify({ apiKey }), ring).ciphertext;

let openai: MockUpstream;
let anthropic: MockUpstream;
const apps: FastifyInstance[] = [];

async function gateway(raw: RawConfigInput, extraEnv: Record<string, string> = {}) {
  const app = await buildApp({
    env: testEnv({ SLUICE_GATEWAY_ADMIN_TOKEN: ADMIN, SLUICE_MASTER_KEY: MASTER, ...extraEnv }),
    config: { kind: "inline", raw },
    usageSink: new MemoryUsageSink(),
    logger: false,
  });
  apps.push(app);
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, base, client: new OpenAI({ apiKey: CONSUMER_KEY, baseURL: `${base}/v1`, maxRetries: 0 }) };
}

/** the config with provider prov_mock replaced (the byok provider and the routes stay) */
function replaceMock(raw: RawConfigInput, ...providers: NonNullable<RawConfigInput["providers"]>): RawConfigInput {
  return { ...raw, providers: [...(raw.providers ?? []).filter((p) => p.id !== "prov_mock"), ...providers] };
}

const testProvider = (app: FastifyInstance, id: string, token = ADMIN) =>
  app.inject({ method: "POST", url: `/admin/providers/${id}/test`, headers: { "x-sluice-admin-token": token }, payload: {} });

beforeAll(async () => {
  openai = await startOpenAILikeMock();
  anthropic = await startAnthropicMock({ apiKey: "sk-ant-right" });
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  openai.reset();
});
afterAll(async () => {
  await openai?.close();
  await anthropic?.close();
});

describe("POST /admin/providers/:id/test", () => {
  it("runs the non-billing check with the resolved credential and reports status and latency", async () => {
    const { app } = await gateway(baseConfig(`${openai.url}/v1`));
    const res = await testProvider(app, "prov_mock");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, status: 200 });
    expect(body.latencyMs).toBeGreaterThanOrEqual(0);
    expect(body.message).toMatch(/GET \/v1\/models answered 200/);
    expect(res.body).not.toContain("sk-mock");
    const last = openai.requests.at(-1);
    expect(last).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(last?.headers.authorization).toBe("Bearer sk-mock");
    // no chat request was made: the check does not bill
    expect(openai.requests.filter((r) => r.path.includes("chat"))).toHaveLength(0);
  });

  it("reports a refused credential without echoing it, unreachable upstreams, other kinds, and guards the endpoint", async () => {
    const raw = baseConfig(`${openai.url}/v1`);
    raw.providers = [
      ...(raw.providers ?? []),
      {
        id: "prov_wrong",
        name: "wrong",
        kind: "openai",
        baseUrl: `${openai.url}/v1`,
        credentialsEncrypted: seal("sk-wrong-0123456789"),
      },
      {
        id: "prov_down",
        name: "down",
        kind: "openai",
        baseUrl: "http://127.0.0.1:9/v1",
        credentialsEncrypted: seal("sk-x-0123456789"),
      },
      {
        id: "prov_ant",
        name: "claude",
        kind: "anthropic",
        baseUrl: anthropic.url,
        credentialsEncrypted: seal("sk-ant-right"),
      },
      {
        id: "prov_nokey",
        name: "nokey",
        kind: "openai",
        baseUrl: `${openai.url}/v1`,
        credentialsRef: { env: { apiKey: "NOPE_UNSET_VAR" } },
      },
    ];
    const { app } = await gateway(raw);
    const wrong = await testProvider(app, "prov_wrong");
    expect(wrong.json()).toMatchObject({ ok: false, status: 401 });
    expect(wrong.json().message).toMatch(/answered 401: Incorrect API key/);
    expect(wrong.body).not.toContain("sk-wrong-0123456789");
    expect((await testProvider(app, "prov_down")).json()).toMatchObject({ ok: false, status: null });
    expect((await testProvider(app, "prov_ant")).json()).toMatchObject({ ok: true, status: 200 });
    expect((await testProvider(app, "prov_nokey")).json()).toMatchObject({ ok: false, status: null, message: /NOPE_UNSET_VAR/ });
    expect((await testProvider(app, "prov_nope")).statusCode).toBe(404);
    expect((await testProvider(app, "prov_mock", "wrong-token-0123456789abcd")).statusCode).toBe(401);
  });
});

describe("Vault KV v2 credential references", () => {
  let vault: Server;
  let vaultUrl: string;
  const seen: Array<{ url: string; token: string | undefined }> = [];

  beforeAll(async () => {
    vault = createServer((req, res) => {
      seen.push({ url: req.url ?? "", token: req.headers["x-vault-token"] as string | undefined });
      res.setHeader("content-type", "application/json");
      if (req.headers["x-vault-token"] !== "vt-test") {
        res.statusCode = 403;
        return res.end(JSON.stringify({ errors: ["permission denied"] }));
      }
      if (req.url === "/v1/kv/data/sluice/openai") {
        return res.end(JSON.stringify({ data: { data: { apiKey: "sk-mock", note: "ignored" }, metadata: { version: 3 } } }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ errors: [] }));
    });
    await new Promise<void>((r) => vault.listen(0, "127.0.0.1", r));
    vaultUrl = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => vault.close(() => r())));

  const vaultConfig = (): RawConfigInput => {
    return replaceMock(
      baseConfig(`${openai.url}/v1`),
      {
        id: "prov_mock",
        name: "mock-openai",
        kind: "openai",
        baseUrl: `${openai.url}/v1`,
        credentialsRef: { vault: { address: vaultUrl, mount: "kv", path: "sluice/openai", tokenEnv: "SLUICE_TEST_VAULT_TOKEN" } },
      },
      {
        id: "prov_missing",
        name: "missing",
        kind: "openai",
        baseUrl: `${openai.url}/v1`,
        credentialsRef: {
          vault: { address: vaultUrl, mount: "kv", path: "sluice/nothing-here", tokenEnv: "SLUICE_TEST_VAULT_TOKEN" },
        },
      },
    );
  };

  it("resolves the secret with the token, caches it for the TTL, and a failing secret marks only its provider", async () => {
    const reader = new VaultReader();
    const env = { SLUICE_TEST_VAULT_TOKEN: "vt-test", SLUICE_VAULT_CACHE_TTL_MS: "60000" };
    const s1 = await buildSnapshot(vaultConfig(), { ring: null, source: "file", env, vault: reader });
    expect(s1.providersById.get("prov_mock")).toMatchObject({ credentials: { apiKey: "sk-mock" }, unavailable: null });
    expect(s1.providersById.get("prov_missing")?.unavailable).toMatch(/Vault answered HTTP 404 for kv\/sluice\/nothing-here/);
    expect(seen.at(-1)?.token).toBe("vt-test");
    expect(seen.map((s) => s.url)).toContain("/v1/kv/data/sluice/openai");
    expect(s1.secretReads).toEqual([{ providerId: "prov_mock", provider: "mock-openai", source: "vault" }]);
    const fetched = reader.fetches;
    // a reload within the TTL does not call Vault again for the cached secret (the failed one is retried)
    const s2 = await buildSnapshot(vaultConfig(), { ring: null, source: "file", env, vault: reader });
    expect(reader.fetches).toBe(fetched + 1);
    expect(s2.providersById.get("prov_mock")?.credentials.apiKey).toBe("sk-mock");
    expect(s2.secretReads).toEqual([]);
    // a wrong token: unavailable, with the reason, never the token
    const bad = await buildSnapshot(vaultConfig(), {
      ring: null,
      source: "file",
      env: { SLUICE_TEST_VAULT_TOKEN: "nope" },
      vault: new VaultReader(),
    });
    expect(bad.providersById.get("prov_mock")?.unavailable).toMatch(/HTTP 403/);
    // Vault down
    const down = await buildSnapshot(
      {
        version: "1",
        providers: [
          { id: "p", name: "p", kind: "openai", credentialsRef: { vault: { address: "http://127.0.0.1:9", path: "x" } } },
        ],
      },
      { ring: null, source: "file", env: { VAULT_TOKEN: "t" }, vault: new VaultReader() },
    );
    expect(down.providersById.get("p")?.unavailable).toMatch(/Vault at http:\/\/127.0.0.1:9 is unreachable/);
  });

  it("serves requests with a Vault credential and counts the secret reads in /metrics", async () => {
    process.env.SLUICE_TEST_VAULT_TOKEN = "vt-test";
    try {
      const { app, client } = await gateway(vaultConfig());
      const res = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
      expect(res.choices[0]?.message.content).toBeTruthy();
      expect(openai.requests.at(-1)?.headers.authorization).toBe("Bearer sk-mock");
      const metrics = (await app.inject({ method: "GET", url: "/metrics" })).body;
      expect(metrics).toMatch(/sluice_secret_reads_total\{provider="mock-openai",source="vault"\} 1/);
      expect(metrics).not.toContain("sk-mock");
    } finally {
      delete process.env.SLUICE_TEST_VAULT_TOKEN;
    }
  });
});

describe("zero-downtime credential rotation", () => {
  let oldOnly: MockUpstream;
  beforeAll(async () => {
    oldOnly = await startOpenAILikeMock({ apiKey: "sk-old-key" });
  });
  afterAll(() => oldOnly?.close());

  const rotated = (expiresAt: string): RawConfigInput => {
    return replaceMock(baseConfig(`${oldOnly.url}/v1`), {
      id: "prov_mock",
      name: "mock-openai",
      kind: "openai",
      baseUrl: `${oldOnly.url}/v1`,
      credentialsEncrypted: seal("sk-new-key"),
      previousCredentialsEncrypted: seal("sk-old-key"),
      previousCredentialsExpiresAt: expiresAt,
    });
  };

  it("retries a 401 once with the previous credential during the grace period", async () => {
    oldOnly.reset();
    const { app, client } = await gateway(rotated(new Date(Date.now() + 3_600_000).toISOString()));
    const res = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
    expect(res.choices[0]?.message.content).toBeTruthy();
    expect(oldOnly.requests.map((r) => r.headers.authorization)).toEqual(["Bearer sk-new-key", "Bearer sk-old-key"]);
    // streams too
    oldOnly.reset();
    const stream = await client.chat.completions.create({
      model: "fast",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text.length).toBeGreaterThan(0);
    // the connection test says the new credential is refused
    const t = (await testProvider(app, "prov_mock")).json();
    expect(t).toMatchObject({ ok: true, status: 200 });
    expect(t.message).toMatch(/previous credential only/);
    const metrics = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toMatch(/sluice_secret_reads_total\{provider="mock-openai",source="encrypted-previous"\} 1/);
  });

  it("does not use the previous credential once the grace period is over", async () => {
    oldOnly.reset();
    const { client } = await gateway(rotated(new Date(Date.now() - 1000).toISOString()));
    await expect(
      client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({
      status: 401,
    });
    expect(oldOnly.requests.map((r) => r.headers.authorization)).toEqual(["Bearer sk-new-key"]);
  });
});
