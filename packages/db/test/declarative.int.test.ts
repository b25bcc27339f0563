// Config as code against real PostgreSQL: export -> apply to an empty database -> export is identical; a dry run
// writes nothing; applying bumps the version once; secrets never leave; stored credentials survive a re-apply.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import {
  type Actor,
  addPromptTemplateVersion,
  applyDeclarativeConfig,
  ConfigError,
  createBudget,
  createConsumer,
  createGroup,
  createPolicy,
  createPrice,
  createPromptTemplate,
  createProvider,
  createRoute,
  createTeam,
  declarativeToYaml,
  diffDeclarativeConfig,
  exportDeclarativeConfig,
  issueApiKey,
  listAuditLog,
  revokeApiKey,
} from "../src/config/index.ts";
import { getConfigVersion } from "../src/config-version.ts";
import { decryptSecret, parseMasterKeys, sha256Hex } from "../src/crypto.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

const ring = parseMasterKeys(Buffer.alloc(32, 9).toString("base64"));
const actor: Actor = { type: "ADMIN_TOKEN", id: "adm_test", label: "ci" };
const SECRET = "sk-upstream-do-not-leak";

let a: TestDatabase;
let b: TestDatabase;
let keyPlaintext: string;

beforeAll(async () => {
  [a, b] = await Promise.all([
    createTestDatabase({ seed: true, prefix: "sluice_decl_a" }),
    createTestDatabase({ seed: false, prefix: "sluice_decl_b" }),
  ]);
  const db = a.db;
  const team = await createTeam({ name: "Data", slug: "data", description: "data platform" }, actor, db);
  const premium = await createGroup({ name: "premium" }, actor, db);
  await createGroup({ name: "internal", description: "staff tools" }, actor, db);
  const openai = await createProvider(
    { name: "openai-main", kind: "openai", credentials: { apiKey: SECRET }, settings: { headers: { "x-org": "acme" } } },
    actor,
    db,
    { ring },
  );
  const local = await createProvider(
    {
      name: "local llama",
      kind: "openai-compatible",
      baseUrl: "http://127.0.0.1:8000/v1",
      credentialsRef: { env: { apiKey: "LLAMA_KEY" } },
    },
    actor,
    db,
  );
  const route = await createRoute(
    {
      name: "chat",
      description: "main chat route",
      paths: ["/v1", "/team/data/v1"],
      targets: [
        {
          providerId: openai.id,
          model: "gpt-4o-mini",
          alias: "small",
          weight: 70,
          options: { temperature: { value: 0.2, mode: "override" } },
        },
        { providerId: local.id, model: "llama-3", weight: 30, priority: 1, description: "local fallback" },
      ],
      balancer: { algorithm: "priority", circuitBreaker: { maxFails: 3 } },
      retry: { attempts: 2, on: ["error", 503] },
      options: { rules: [{ name: "code", when: { promptMatches: "```" }, targets: ["x"] }] },
      allowedGroupIds: [premium.id],
    },
    actor,
    db,
  );
  const consumer = await createConsumer(
    { name: "etl", teamId: team.id, metadata: { tier: "premium", weight: 3 }, groupIds: [premium.id] },
    actor,
    db,
  );
  const key = await issueApiKey({ consumerId: consumer.id, name: "prod", allowedModels: ["small"] }, actor, db);
  keyPlaintext = key.plaintext;
  const old = await issueApiKey({ consumerId: consumer.id, name: "old", expiresAt: new Date("2030-01-01T00:00:00Z") }, actor, db);
  await revokeApiKey(old.key.id, actor, db);
  await createPolicy(
    { name: "limit", type: "rate-limit", scope: "ROUTE", routeId: route.id, config: { limit: 100, windowMs: 60_000 } },
    actor,
    db,
  );
  await createPolicy({ name: "guard", type: "prompt-guard", position: 5, config: { deny: ["secret\\s+plan"] } }, actor, db);
  await createPolicy(
    { name: "key cache", type: "cache", scope: "KEY", apiKeyId: key.key.id, config: { ttlSeconds: 60 } },
    actor,
    db,
  );
  const tpl = await createPromptTemplate(
    { name: "summarise", description: "tl;dr", body: { messages: [{ role: "system", content: "Summarise {{text}}" }] } },
    actor,
    db,
  );
  await addPromptTemplateVersion(
    tpl.id,
    { body: { messages: [{ role: "user", content: "TL;DR in {{lang}}: {{text}}" }] } },
    actor,
    db,
  );
  await createBudget(
    { name: "team monthly", scope: "TEAM", teamId: team.id, limit: "250.75", timezone: "Europe/Berlin" },
    actor,
    db,
  );
  await createBudget(
    {
      name: "downgrade",
      scope: "CONSUMER",
      consumerId: consumer.id,
      metric: "TOKENS",
      limit: 1_000_000,
      action: "DOWNGRADE",
      downgradeTargetId: route.targets[1]!.id,
    },
    actor,
    db,
  );
  await createPrice(
    {
      providerKind: "openai-compatible",
      model: "llama-3",
      inputPer1M: "0.10",
      outputPer1M: "0.2",
      effectiveFrom: new Date("2026-01-01T00:00:00Z"),
    },
    actor,
    db,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.drop(), b?.drop()]);
});

describe("declarative config", () => {
  it("exports every entity without secrets: credentials as env references, keys as hashes", async () => {
    const doc = await exportDeclarativeConfig(a.db, { ring });
    const yaml = declarativeToYaml(doc);
    expect(yaml).not.toContain(SECRET);
    expect(yaml).not.toContain(keyPlaintext);
    expect(yaml).not.toMatch(/credentialsEncrypted|v1\./);
    expect(yaml).toContain(sha256Hex(keyPlaintext));
    const openai = doc.providers.find((p) => p.name === "openai-main")!;
    expect(openai.credentials).toEqual({ env: { apiKey: "SLUICE_CRED_OPENAI_MAIN_API_KEY" } });
    expect(doc.providers.find((p) => p.name === "local llama")!.credentials).toEqual({ env: { apiKey: "LLAMA_KEY" } });
    expect(doc.routes[0]).toMatchObject({
      name: "chat",
      allowedGroups: ["premium"],
      targets: [{ provider: "openai-main" }, { provider: "local llama" }],
    });
    expect(doc.consumers[0]!.keys.map((k) => [k.name, k.revoked])).toEqual([
      ["prod", false],
      ["old", true],
    ]);
    expect(doc.templates[0]).toMatchObject({ name: "summarise", currentVersion: 2 });
    expect(doc.budgets).toHaveLength(2);
  });

  it("round-trips: export -> apply to an empty database -> export is identical (one version bump)", async () => {
    const first = declarativeToYaml(await exportDeclarativeConfig(a.db, { ring }));
    const v0 = await getConfigVersion(b.db);
    const dry = await diffDeclarativeConfig(first, b.db, { ring });
    expect(dry.counts.delete).toBe(0);
    expect(dry.counts.create).toBeGreaterThan(50); // seed prices included
    expect(await getConfigVersion(b.db)).toBe(v0); // a dry run writes nothing
    expect(await b.db.route.count()).toBe(0);

    const applied = await applyDeclarativeConfig(first, actor, b.db, { ring });
    expect(applied.counts).toEqual(dry.counts);
    expect(await getConfigVersion(b.db)).toBe(v0 + 1n);
    const second = declarativeToYaml(await exportDeclarativeConfig(b.db, { ring }));
    expect(second).toBe(first);

    // applying again changes nothing and bumps nothing
    const again = await applyDeclarativeConfig(second, actor, b.db, { ring });
    expect(again.changes).toEqual([]);
    expect(again.version).toBeNull();
    expect(await getConfigVersion(b.db)).toBe(v0 + 1n);
    const audit = await listAuditLog({ action: "config.apply" }, b.db);
    expect(audit.total).toBe(1);
    expect(audit.items[0]).toMatchObject({ actorType: "ADMIN_TOKEN", actorLabel: "ci" });
  });

  it("re-applying an export onto its own database keeps the stored credential", async () => {
    const yaml = declarativeToYaml(await exportDeclarativeConfig(a.db, { ring }));
    const plan = await applyDeclarativeConfig(yaml, actor, a.db, { ring });
    expect(plan.changes).toEqual([]);
    const row = await a.db.provider.findFirstOrThrow({ where: { name: "openai-main" }, omit: { credentialsEncrypted: false } });
    expect(JSON.parse(decryptSecret(row.credentialsEncrypted!, ring))).toEqual({ apiKey: SECRET });
  });

  it("plans updates and deletes, applies them in one transaction, and refuses invalid documents whole", async () => {
    const doc = parseYaml(declarativeToYaml(await exportDeclarativeConfig(b.db, { ring })));
    doc.routes[0].targets[0].weight = 10;
    doc.groups = doc.groups.filter((g: { name: string }) => g.name !== "internal");
    doc.consumers.push({ name: "new app", groups: ["premium"], keys: [{ keyEnv: "NEW_APP_KEY" }] });
    const text = toYaml(doc);
    const plan = await diffDeclarativeConfig(text, b.db, { ring, env: { NEW_APP_KEY: "sk-sluice-from-env" } });
    expect(plan.changes).toEqual(
      expect.arrayContaining([
        { kind: "route", action: "update", id: doc.routes[0].id, name: "chat", fields: ["targets"] },
        expect.objectContaining({ kind: "group", action: "delete", name: "internal" }),
        { kind: "consumer", action: "create", id: "cons_new-app", name: "new app" },
        { kind: "key", action: "create", id: "key_new-app_0", name: "imported" },
      ]),
    );
    const v = await getConfigVersion(b.db);
    await applyDeclarativeConfig(text, actor, b.db, { ring, env: { NEW_APP_KEY: "sk-sluice-from-env" } });
    expect(await getConfigVersion(b.db)).toBe(v + 1n);
    const key = await b.db.apiKey.findUniqueOrThrow({ where: { id: "key_new-app_0" } });
    expect(key.hash).toBe(sha256Hex("sk-sluice-from-env"));

    // one bad reference and nothing is written
    doc.routes[0].targets[0].provider = "nope";
    const err = await applyDeclarativeConfig(toYaml(doc), actor, b.db, { ring }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.fields).toEqual({ "routes.0.targets.0.provider": ['unknown provider "nope"'] });
    const bad = await applyDeclarativeConfig(
      "policies: [{ name: g, type: prompt-guard, config: { deny: ['(('] } }]",
      actor,
      b.db,
    ).catch((e) => e);
    expect(bad.fields).toEqual({ "policies.0.config.deny.0": ["invalid regular expression"] });
    expect(await getConfigVersion(b.db)).toBe(v + 1n);
  });

  it("never rewrites price history", async () => {
    const doc = parseYaml(declarativeToYaml(await exportDeclarativeConfig(b.db, { ring })));
    const llama = doc.prices.find((p: { model: string }) => p.model === "llama-3");
    llama.inputPer1M = "9";
    const err = await diffDeclarativeConfig(toYaml(doc), b.db, { ring }).catch((e) => e);
    expect(err).toMatchObject({ code: "conflict" });
    // leaving prices out keeps them
    doc.prices = [];
    const plan = await diffDeclarativeConfig(toYaml(doc), b.db, { ring });
    expect(plan.changes.filter((c) => c.kind === "price")).toEqual([]);
    expect(plan.kept).toBeGreaterThan(0);
  });

  it("reads the gateway's DB-less format as is", async () => {
    const c = await createTestDatabase({ seed: false, prefix: "sluice_decl_c" });
    try {
      const gatewayYaml = `
providers:
  - name: openai
    kind: openai
    credentials: { env: { apiKey: OPENAI_API_KEY } }
groups:
  - name: premium
routes:
  - name: chat
    paths: ["/v1"]
    allowedGroups: [premium]
    targets:
      - { provider: openai, model: gpt-4o-mini, alias: fast }
consumers:
  - name: app
    groups: [premium]
    keys:
      - hash: ${"a".repeat(64)}
policies:
  - { name: limit, type: rate-limit, scope: ROUTE, routeId: rt_chat, config: { limit: 5, windowMs: 1000 } }
prices:
  - { providerKind: openai, model: gpt-4o-mini, inputPer1M: "0.15", outputPer1M: "0.6" }
`;
      const r = await applyDeclarativeConfig(gatewayYaml, actor, c.db);
      expect(r.counts.create).toBe(7);
      // the same ids the gateway derives in DB-less mode
      expect((await c.db.route.findMany()).map((x) => x.id)).toEqual(["rt_chat"]);
      expect((await c.db.target.findMany()).map((x) => x.id)).toEqual(["tgt_chat_0"]);
      expect((await c.db.apiKey.findMany()).map((x) => x.id)).toEqual(["key_app_0"]);
      expect((await c.db.policy.findMany()).map((x) => x.id)).toEqual(["pol_0"]);
    } finally {
      await c.drop();
    }
  });
});
