// One YAML format: a database seeded through the config services (teams, groups, an encrypted provider credential,
// a route with targets, a consumer with named keys, policies, a template with two versions, budgets, descriptions)
// is exported as the declarative document (`pnpm sluice config export`) and a DB-less gateway boots from that file
// unchanged; a request with the consumer's key is answered by the mock upstream. No secret is in the file: the
// stored credential exports as SLUICE_CRED_<PROVIDER>_<FIELD>, which the gateway resolves from its environment.
// The same database as a config source: the secrets a node reads are audited (actorType GATEWAY, no values).

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Actor,
  addPromptTemplateVersion,
  createBudget,
  createConsumer,
  createGroup,
  createPolicy,
  createPromptTemplate,
  createProvider,
  createRoute,
  createTeam,
  declarativeToYaml,
  exportDeclarativeConfig,
  issueApiKey,
  listAuditLog,
} from "@sluice/db";
import { parseMasterKeys } from "@sluice/db/crypto";
import { exportedCredentialEnvName } from "@sluice/db/schemas";
import { createTestDatabase, type TestDatabase } from "@sluice/db/testing";
import type { FastifyInstance } from "fastify";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.ts";
import { type MockUpstream, startOpenAILikeMock } from "../mocks/openai-like.ts";
import { MemoryUsageSink, testEnv } from "../support/gateway.ts";

const MASTER = Buffer.alloc(32, 7).toString("base64");
const ring = parseMasterKeys(MASTER);
const actor: Actor = { type: "ADMIN_TOKEN", id: "adm_test", label: "roundtrip" };
const UPSTREAM_SECRET = "sk-mock-roundtrip";

let t: TestDatabase;
let mock: MockUpstream;
let app: FastifyInstance | undefined;
let keyPlaintext: string;
let yamlText: string;

beforeAll(async () => {
  t = await createTestDatabase({ prefix: "sluice_gw_decl" });
  mock = await startOpenAILikeMock({ apiKey: UPSTREAM_SECRET });
  const db = t.db;
  const team = await createTeam({ name: "Data", slug: "data", description: "data platform" }, actor, db);
  const premium = await createGroup({ name: "premium", description: "paying tier" }, actor, db);
  const provider = await createProvider(
    { name: "openai-main", kind: "openai", baseUrl: `${mock.url}/v1`, credentials: { apiKey: UPSTREAM_SECRET } },
    actor,
    db,
    { ring },
  );
  const route = await createRoute(
    {
      name: "chat",
      description: "main chat route",
      paths: ["/v1"],
      targets: [
        { providerId: provider.id, model: "gpt-4o-mini", alias: "small", description: "cheap" },
        { providerId: provider.id, model: "gpt-4o", priority: 1 },
      ],
      allowedGroupIds: [premium.id],
    },
    actor,
    db,
  );
  const consumer = await createConsumer(
    { name: "etl", description: "nightly jobs", teamId: team.id, groupIds: [premium.id] },
    actor,
    db,
  );
  const key = await issueApiKey({ consumerId: consumer.id, name: "prod", allowedModels: ["small"] }, actor, db);
  keyPlaintext = key.plaintext;
  await createPolicy(
    { name: "limit", type: "rate-limit", scope: "ROUTE", routeId: route.id, config: { limit: 100, windowMs: 60_000 } },
    actor,
    db,
  );
  const tpl = await createPromptTemplate(
    { name: "summarise", description: "tl;dr", body: { messages: [{ role: "system", content: "Summarise {{text}}" }] } },
    actor,
    db,
  );
  await addPromptTemplateVersion(tpl.id, { body: { messages: [{ role: "user", content: "TL;DR: {{text}}" }] } }, actor, db);
  await createBudget(
    { name: "team monthly", scope: "TEAM", teamId: team.id, limit: "250.75", timezone: "Europe/Berlin" },
    actor,
    db,
  );
  yamlText = declarativeToYaml(await exportDeclarativeConfig(db, { ring }));
}, 60_000);

afterAll(async () => {
  await app?.close();
  await mock?.close();
  await t?.drop();
});

describe("declarative export -> DB-less gateway", () => {
  it("the exported file holds the whole configuration and no secret", () => {
    expect(yamlText).not.toContain(UPSTREAM_SECRET);
    expect(yamlText).not.toContain(keyPlaintext);
    for (const part of ["teams:", "templates:", "budgets:", "description: main chat route", "name: prod"]) {
      expect(yamlText).toContain(part);
    }
  });

  it("a gateway boots from the export unchanged and answers a request", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-decl-"));
    const file = path.join(dir, "sluice.yaml");
    writeFileSync(file, yamlText);
    const credEnv = exportedCredentialEnvName("openai-main", "apiKey");
    process.env[credEnv] = UPSTREAM_SECRET;
    try {
      app = await buildApp({ env: testEnv(), config: { kind: "file", file }, usageSink: new MemoryUsageSink(), logger: false });
      const base = await app.listen({ port: 0, host: "127.0.0.1" });
      expect(app.gw.store.snapshot.warnings).toEqual([]);
      expect(app.gw.store.snapshot.governance.budgets).toHaveLength(1);
      const client = new OpenAI({ apiKey: keyPlaintext, baseURL: `${base}/v1`, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: "small", messages: [{ role: "user", content: "hi" }] });
      expect(res.choices[0]?.message.content).toBeTruthy();
      expect(mock.requests.at(-1)?.headers.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
      // the key's allowedModels survived the trip
      await expect(
        client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
      ).rejects.toMatchObject({ status: 403 });
    } finally {
      delete process.env[credEnv];
    }
  });
});

describe("secret reads from PostgreSQL", () => {
  it("a node loading the config writes one GATEWAY audit entry naming provider and source, never the value", async () => {
    const a = await buildApp({
      env: testEnv({ DATABASE_URL: t.url, SLUICE_MASTER_KEY: MASTER, SLUICE_NODE_ID: "node-audit" }),
      config: { kind: "database", url: t.url },
      db: t.db,
      usageSink: new MemoryUsageSink(),
      logger: false,
    });
    try {
      await a.ready();
      let entries = await listAuditLog({ action: "gateway.secrets_read" }, t.db);
      for (let i = 0; i < 100 && entries.items.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        entries = await listAuditLog({ action: "gateway.secrets_read" }, t.db);
      }
      expect(entries.items).toHaveLength(1);
      expect(entries.items[0]).toMatchObject({
        actorType: "GATEWAY",
        actorId: "node-audit",
        entityType: "gateway_node",
        after: { reads: [{ provider: "openai-main", source: "encrypted", count: 1 }] },
      });
      expect(JSON.stringify(entries.items[0])).not.toContain(UPSTREAM_SECRET);
    } finally {
      await a.close();
    }
  });
});
