import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encryptSecret, generateMasterKey, parseMasterKeys, sha256Hex } from "@sluice/db/crypto";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../src/config/env.ts";
import { buildSnapshot, SnapshotError } from "../../src/config/snapshot.ts";
import { ConfigFileError, loadConfigFile, parseConfigYaml } from "../../src/config/yaml.ts";
import { compileTemplate, renderTemplate } from "../../src/lib/template.ts";
import { matchRoute } from "../../src/pipeline/route-match.ts";
import { baseConfig } from "../support/gateway.ts";

describe("env", () => {
  it("defaults", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ GATEWAY_PORT: 8080, LOG_LEVEL: "info", SLUICE_BODY_LIMIT: 10 * 1024 * 1024 });
  });
  it("one clear line per problem", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/);
    expect(() => parseEnv({ GATEWAY_PORT: "99999" })).toThrow(EnvError);
    expect(() => parseEnv({ REDIS_URL: "localhost:6379" })).toThrow(/REDIS_URL/);
    expect(() => parseEnv({ SLUICE_MASTER_KEY: "short" })).toThrow(/SLUICE_MASTER_KEY: master key must be 32 bytes/);
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/SLUICE_MASTER_KEY: is required.*NEXTAUTH_SECRET: is required/);
  });
});

describe("snapshot", () => {
  it("decrypts credentials with the master key ring and keeps envelopes in the raw form", async () => {
    const spec = generateMasterKey();
    const ring = parseMasterKeys(spec);
    const env = encryptSecret(JSON.stringify({ apiKey: "sk-secret" }), ring).ciphertext;
    const raw = baseConfig("http://127.0.0.1:1/v1");
    raw.providers = [
      { id: "prov_mock", name: "p", kind: "openai", credentialsEncrypted: env },
      { id: "prov_byok", name: "b", kind: "openai" },
    ];
    const s = await buildSnapshot(raw, { ring, source: "database" });
    expect(s.providersById.get("prov_mock")?.credentials.apiKey).toBe("sk-secret");
    expect(JSON.stringify(s.raw)).not.toContain("sk-secret");
    // without the key the provider is unavailable, the snapshot still builds
    const noKey = await buildSnapshot(raw, { ring: null, source: "database" });
    expect(noKey.providersById.get("prov_mock")?.unavailable).toMatch(/SLUICE_MASTER_KEY/);
  });

  it("rejects invalid config with a message naming the field", async () => {
    const raw = baseConfig("http://127.0.0.1:1/v1");
    raw.routes = [{ id: "r", name: "r", paths: ["/v1"], type: "chat", options: { auth: "sometimes" } as never }];
    await expect(buildSnapshot(raw, { ring: null, source: "file" })).rejects.toThrow(SnapshotError);
    await expect(buildSnapshot(raw, { ring: null, source: "file" })).rejects.toThrow(/routes\.0\.options\.auth/);
    const badTarget = baseConfig("http://127.0.0.1:1/v1");
    badTarget.routes = [
      { id: "r", name: "r", paths: ["/v1"], type: "chat", targets: [{ id: "t", providerId: "prov_nope", model: "m" }] },
    ];
    await expect(buildSnapshot(badTarget, { ring: null, source: "file" })).rejects.toThrow(/unknown provider/);
    const badPolicy = baseConfig("http://127.0.0.1:1/v1");
    badPolicy.policies = [{ id: "p", name: "p", type: "rate-limit", scope: "GLOBAL", config: { limit: -1 } } as never];
    await expect(buildSnapshot(badPolicy, { ring: null, source: "file" })).rejects.toThrow(/policies\.0\.config/);
  });

  it("matches routes by path prefix and type, regex paths with captures", async () => {
    const s = await buildSnapshot(baseConfig("http://127.0.0.1:1/v1"), { ring: null, source: "file" });
    expect(matchRoute(s, "POST", "/v1/chat/completions")?.route.name).toBe("main");
    expect(matchRoute(s, "POST", "/v1/completions")?.route.name).toBe("completions");
    expect(matchRoute(s, "POST", "/v1/embeddings")?.route.name).toBe("embeddings");
    expect(matchRoute(s, "POST", "/teams/eng/v1/chat/completions")?.route.name).toBe("eng-only");
    expect(matchRoute(s, "POST", "/teams/eng/v1/embeddings")).toBeNull();
    expect(matchRoute(s, "POST", "/v2/chat/completions")).toBeNull();
    const m = matchRoute(s, "POST", "/models/gpt-4.1/v1/chat/completions");
    expect(m?.route.name).toBe("captures");
    expect(m?.captures).toEqual({ model: "gpt-4.1" });
    expect(matchRoute(s, "GET", "/v1/models")?.endpoint).toBe("models");
  });

  it("prices: newest effective row not after the request", async () => {
    const raw = baseConfig("http://127.0.0.1:1/v1", {
      prices: [
        { providerKind: "openai", model: "gpt-4o", inputPer1M: "1", outputPer1M: "1", effectiveFrom: "2025-01-01T00:00:00Z" },
        { providerKind: "openai", model: "gpt-4o", inputPer1M: "2", outputPer1M: "2", effectiveFrom: "2026-01-01T00:00:00Z" },
      ],
    });
    const s = await buildSnapshot(raw, { ring: null, source: "file" });
    const { findPrice } = await import("../../src/usage/cost.ts");
    expect(findPrice(s, "openai", "gpt-4o", Date.parse("2025-06-01"))?.input.toString()).toBe("1");
    expect(findPrice(s, "openai", "gpt-4o", Date.parse("2026-06-01"))?.input.toString()).toBe("2");
    expect(findPrice(s, "openai", "gpt-4o", Date.parse("2024-06-01"))).toBeNull();
    // dated variants use the base model's price
    expect(findPrice(s, "openai", "gpt-4o-2024-08-06", Date.parse("2026-06-01"))?.input.toString()).toBe("2");
    expect(findPrice(s, "anthropic", "gpt-4o", Date.parse("2026-06-01"))).toBeNull();
  });
});

describe("cost", () => {
  it("exact decimals with cached and reasoning prices", async () => {
    const { computeCost } = await import("../../src/usage/cost.ts");
    const { Prisma } = await import("@sluice/db");
    const D = Prisma.Decimal;
    const price = {
      model: "m",
      input: new D("0.15"),
      output: new D("0.6"),
      cached: new D("0.075"),
      reasoning: new D("1.2"),
      currency: "USD",
      effectiveFrom: 0,
    };
    const cost = computeCost(price, { promptTokens: 1000, completionTokens: 300, cachedTokens: 400, reasoningTokens: 100 });
    // 600*0.15 + 400*0.075 + 200*0.6 + 100*1.2 = 90 + 30 + 120 + 120 = 360 micro-dollars
    expect(cost.toString()).toBe("0.00036");
    // 0.1 + 0.2 style float traps do not exist here
    const p2 = { ...price, input: new D("0.1"), output: new D("0.2"), cached: null, reasoning: null };
    expect(
      computeCost(p2, { promptTokens: 1_000_000, completionTokens: 1_000_000, cachedTokens: 0, reasoningTokens: 0 }).toString(),
    ).toBe("0.3");
  });
});

describe("templates", () => {
  it("renders headers, captures and query params; a missing value names the placeholder", () => {
    const t = compileTemplate("prefix-$(headers.X-Model)-$(uri_captures.v)-$(query_params.q)");
    expect(renderTemplate(t, { headers: { "x-model": "a" }, uriCaptures: { v: "b" }, query: { q: "c" } })).toBe("prefix-a-b-c");
    expect(() => renderTemplate(t, { headers: {}, uriCaptures: {}, query: {} })).toThrow(/header "x-model"/);
    expect(compileTemplate("plain").parts).toBeNull();
    // header values that could walk the upstream URL are refused
    const h = compileTemplate("$(headers.x-model)");
    expect(renderTemplate(h, { headers: { "x-model": "meta-llama/Llama-3.1-8B" }, uriCaptures: {}, query: {} })).toBe(
      "meta-llama/Llama-3.1-8B",
    );
    for (const bad of ["../admin", "a b", "m?x=1", "m#frag", "x".repeat(201)]) {
      expect(() => renderTemplate(h, { headers: { "x-model": bad }, uriCaptures: {}, query: {} })).toThrow(
        /not a valid model name/,
      );
    }
  });
});

describe("YAML config (DB-less)", () => {
  it("the example file loads and builds", async () => {
    const raw = await loadConfigFile(path.resolve(import.meta.dirname, "../../examples/sluice.yaml"), {
      OPENAI_API_KEY: "x",
      SLUICE_WEB_APP_KEY: "sk-sluice-web",
    });
    const s = await buildSnapshot(raw, { ring: null, source: "file", env: { OPENAI_API_KEY: "x" } });
    expect(s.routesById.size).toBe(5);
    expect(s.keysByHash.get(sha256Hex("sk-sluice-web"))?.consumer.name).toBe("web-app");
    expect(s.routesById.get("rt_default")?.byModel.get("fast")?.[0]?.optionRules).toHaveLength(2);
    const ha = s.routesById.get("rt_resilient");
    expect(ha?.byModel.get("assistant")?.map((t) => t.id)).toEqual(["tgt_ha_4o", "tgt_ha_claude", "tgt_ha_mini"]);
    expect(ha?.retry).toMatchObject({ attempts: 3, on: ["error", "timeout", "http_429", "http_5xx"] });
    expect(s.routesById.get("rt_anthropic-native")).toMatchObject({ type: "native", nativeFormat: "anthropic" });
  });

  it("names what is wrong", () => {
    expect(() => parseConfigYaml("routes: [{ name: r, paths: [/v1], targets: [{ provider: nope, model: m }] }]")).toThrow(
      /unknown provider "nope"/,
    );
    expect(() => parseConfigYaml("consumers: [{ name: c, keys: [{ keyEnv: NOPE_KEY }] }]", {})).toThrow(/NOPE_KEY is not set/);
    expect(() => parseConfigYaml("bogus: 1")).toThrow(ConfigFileError);
    expect(() => parseConfigYaml("a: [")).toThrow(/not valid YAML/);
  });

  it("serves requests from a YAML file", async () => {
    const { buildApp } = await import("../../src/app.ts");
    const { testEnv } = await import("../support/gateway.ts");
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-yaml-"));
    const file = path.join(dir, "s.yaml");
    writeFileSync(
      file,
      "routes: [{ name: r, paths: [/v1], type: chat, options: { auth: none }, targets: [{ provider: p, model: m }] }]\nproviders: [{ name: p, kind: openai, baseUrl: 'http://127.0.0.1:9/v1' }]\n",
    );
    const app = await buildApp({ env: testEnv(), config: { kind: "file", file }, logger: false });
    await app.ready();
    const res = await app.inject({ method: "GET", url: "/v1/models" });
    expect(res.json().data.map((m: { id: string }) => m.id)).toEqual(["m"]);
    const h = await app.inject({ method: "GET", url: "/health" });
    expect(h.json()).toMatchObject({ database: "disabled", configVersion: 1, configSource: "file" });
    await app.close();
  });
});
