// The config service layer against a real throwaway PostgreSQL: every mutation bumps the version and writes an audit
// entry without secrets; credentials are encrypted and rotate with grace; keys and tokens are stored only as hashes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  acceptInvite,
  addPromptTemplateVersion,
  authenticateAdminToken,
  ConfigError,
  createAdminToken,
  createBudget,
  createConsumer,
  createGroup,
  createPolicy,
  createPrice,
  createPromptTemplate,
  createProvider,
  createRoute,
  createTeam,
  deleteProvider,
  deleteScheduledPrice,
  inviteUser,
  issueApiKey,
  listApiKeys,
  listAuditLog,
  listPrices,
  listProviders,
  listRoutes,
  reorderPolicies,
  revokeAdminToken,
  revokeApiKey,
  rotateApiKey,
  rotateProviderCredentials,
  setPromptTemplateCurrentVersion,
  updatePolicy,
  updateProvider,
  updateRoute,
  updateUser,
} from "../src/config/index.ts";
import { getConfigVersion } from "../src/config-version.ts";
import { decryptSecret, parseMasterKeys, sha256Hex } from "../src/crypto.ts";
import { createUser } from "../src/queries/users.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

const ring = parseMasterKeys(Buffer.alloc(32, 7).toString("base64"));
const SECRET = "sk-upstream-very-secret-value";

let t: TestDatabase;
let actor: Actor;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
  const admin = await createUser({ email: "root@example.com", password: "correct horse battery", roles: ["ADMIN"] }, t.db);
  actor = { type: "USER", id: admin.id, label: admin.email, ip: "127.0.0.1" };
});
afterAll(() => t?.drop());

async function rawAudit() {
  return JSON.stringify(await t.db.auditLog.findMany(), (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

async function expectConfigError(p: Promise<unknown>, code: ConfigError["code"], field?: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).code).toBe(code);
  if (field) expect(Object.keys((err as ConfigError).fields)).toContain(field);
  return err as ConfigError;
}

describe("providers", () => {
  it("encrypts credentials, never returns them, bumps the version and audits without the secret", async () => {
    const v0 = await getConfigVersion(t.db);
    const p = await createProvider(
      { name: "openai-main", kind: "openai", baseUrl: "http://127.0.0.1:9/v1", credentials: { apiKey: SECRET } },
      actor,
      t.db,
      { ring },
    );
    expect(p.hasCredentials).toBe(true);
    expect(JSON.stringify(p)).not.toContain(SECRET);
    expect(await getConfigVersion(t.db)).toBe(v0 + 1n);

    const row = await t.db.provider.findUniqueOrThrow({ where: { id: p.id }, omit: { credentialsEncrypted: false } });
    expect(row.credentialsEncrypted).toMatch(/^v1\./);
    expect(JSON.parse(decryptSecret(row.credentialsEncrypted!, ring))).toEqual({ apiKey: SECRET });

    const audit = await listAuditLog({ entityType: "provider", entityId: p.id }, t.db);
    expect(audit.items[0]).toMatchObject({ action: "provider.create", actorId: actor.id, actorType: "USER", ip: "127.0.0.1" });
    expect(await rawAudit()).not.toContain(SECRET);
    expect(await rawAudit()).not.toContain(row.credentialsEncrypted!);
  });

  it("rotates with a grace period: the old envelope is kept until it expires", async () => {
    const p = await createProvider({ name: "rot", kind: "openai", credentials: { apiKey: "old-key" } }, actor, t.db, { ring });
    const now = new Date("2026-11-22T10:00:00Z");
    const rotated = await rotateProviderCredentials(
      p.id,
      { credentials: { apiKey: "new-key" }, graceSeconds: 600 },
      actor,
      t.db,
      {
        ring,
        now,
      },
    );
    expect(rotated.previousCredentialsExpiresAt?.toISOString()).toBe("2026-11-22T10:10:00.000Z");
    const row = await t.db.provider.findUniqueOrThrow({
      where: { id: p.id },
      omit: { credentialsEncrypted: false, previousCredentialsEncrypted: false },
    });
    expect(JSON.parse(decryptSecret(row.credentialsEncrypted!, ring)).apiKey).toBe("new-key");
    expect(JSON.parse(decryptSecret(row.previousCredentialsEncrypted!, ring)).apiKey).toBe("old-key");
    expect(await rawAudit()).not.toMatch(/old-key|new-key/);
  });

  it("takes a credentials reference instead, and refuses both at once", async () => {
    const p = await createProvider(
      { name: "ref", kind: "anthropic", credentialsRef: { env: { apiKey: "ANTHROPIC_API_KEY" } } },
      actor,
      t.db,
    );
    expect(p).toMatchObject({ hasCredentials: false, credentialsRef: { env: { apiKey: "ANTHROPIC_API_KEY" } } });
    await expectConfigError(
      createProvider(
        { name: "both", kind: "openai", credentials: { apiKey: "x" }, credentialsRef: { file: "/x" } },
        actor,
        t.db,
        {
          ring,
        },
      ),
      "invalid",
      "credentialsRef",
    );
    // switching to stored credentials drops the reference
    const updated = await updateProvider(p.id, { credentials: { apiKey: "k" } }, actor, t.db, { ring });
    expect(updated).toMatchObject({ hasCredentials: true, credentialsRef: null });
  });

  it("refuses a duplicate name as a conflict on the name field, and lists with paging and filters", async () => {
    await expectConfigError(createProvider({ name: "ref", kind: "openai" }, actor, t.db), "conflict", "name");
    const page = await listProviders({ pageSize: 2, sort: "name", order: "asc" }, t.db);
    expect(page.total).toBe(3);
    expect(page.items.map((p) => p.name)).toEqual(["openai-main", "ref"]);
    expect((await listProviders({ kind: "anthropic" }, t.db)).items.map((p) => p.name)).toEqual(["ref"]);
    expect((await listProviders({ q: "ROT" }, t.db)).items.map((p) => p.name)).toEqual(["rot"]);
  });
});

describe("routes, groups, policies", () => {
  it("writes a route with targets and allowed groups; an edit keeps target ids; a used provider cannot be deleted", async () => {
    const provider = (await listProviders({ q: "openai-main" }, t.db)).items[0]!;
    const group = await createGroup({ name: "premium" }, actor, t.db);
    const route = await createRoute(
      {
        name: "chat",
        paths: ["/v1"],
        targets: [
          { providerId: provider.id, model: "gpt-4o-mini", weight: 80 },
          { providerId: provider.id, model: "gpt-4o", alias: "big", weight: 20 },
        ],
        allowedGroupIds: [group.id],
        retry: { attempts: 3 },
      },
      actor,
      t.db,
    );
    expect(route.targets.map((x) => [x.model, x.weight, x.position])).toEqual([
      ["gpt-4o-mini", 80, 0],
      ["gpt-4o", 20, 1],
    ]);
    expect(route.retry.attempts).toBe(3);
    expect(route.allowedGroups).toEqual([{ id: group.id, name: "premium" }]);

    const first = route.targets[0]!;
    const edited = await updateRoute(
      route.id,
      { targets: [{ id: first.id, providerId: provider.id, model: first.model, weight: 100 }], paths: ["/v1", "/team/v1"] },
      actor,
      t.db,
    );
    expect(edited.targets).toHaveLength(1);
    expect(edited.targets[0]).toMatchObject({ id: first.id, weight: 100 });
    expect(edited.paths).toEqual(["/v1", "/team/v1"]);
    expect(edited.allowedGroups).toHaveLength(1); // untouched when not sent
    expect((await listRoutes({ q: "/team/v1" }, t.db)).total).toBe(1);

    await expectConfigError(deleteProvider(provider.id, actor, t.db), "conflict");
    await expectConfigError(
      createRoute({ name: "bad", paths: ["/x"], targets: [{ providerId: "prov_missing", model: "m" }] }, actor, t.db),
      "invalid",
    );
  });

  it("validates policy configs with the type's schema: an invalid regex is refused with its field path", async () => {
    const err = await expectConfigError(
      createPolicy({ name: "guard", type: "prompt-guard", config: { deny: ["(unclosed"] } }, actor, t.db),
      "invalid",
    );
    expect(err.fields["config.deny.0"]).toEqual(["invalid regular expression"]);
    await expectConfigError(
      createPolicy({ name: "scoped", type: "pii", scope: "ROUTE", config: {} }, actor, t.db),
      "invalid",
      "routeId",
    );

    const route = (await listRoutes({}, t.db)).items[0]!;
    const a = await createPolicy(
      { name: "limit", type: "rate-limit", scope: "ROUTE", routeId: route.id, config: { limit: 10, windowMs: 60_000 } },
      actor,
      t.db,
    );
    expect(a.config).toMatchObject({ limit: 10, metric: "requests", per: "consumer" }); // stored parsed, defaults filled
    expect(a.attachedTo).toBe("chat");
    const b = await createPolicy({ name: "guard", type: "prompt-guard", config: { deny: ["secret\\s+plan"] } }, actor, t.db);
    await reorderPolicies([b.id, a.id], actor, t.db);
    expect((await t.db.policy.findUniqueOrThrow({ where: { id: a.id } })).position).toBe(10);

    // changing the scope drops the old attachment; a config update is checked against the stored type
    const moved = await updatePolicy(a.id, { scope: "GLOBAL" }, actor, t.db);
    expect(moved).toMatchObject({ scope: "GLOBAL", routeId: null });
    await expectConfigError(updatePolicy(a.id, { config: { limit: -1, windowMs: 1 } }, actor, t.db), "invalid", "config.limit");
  });
});

describe("consumers and keys", () => {
  it("issues a key shown once and stored only as sha256; rotation keeps the old key for the grace; revoke", async () => {
    const team = await createTeam({ name: "Data", slug: "data" }, actor, t.db);
    const consumer = await createConsumer({ name: "etl", teamId: team.id, metadata: { tier: "premium" } }, actor, t.db);
    const issued = await issueApiKey({ consumerId: consumer.id, name: "prod" }, actor, t.db);
    expect(issued.plaintext).toMatch(/^sk-sluice-[0-9A-Za-z]{32}$/);
    expect(issued.key.start).toBe(issued.plaintext.slice(0, 14));
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: issued.key.id } });
    expect(row.hash).toBe(sha256Hex(issued.plaintext));
    expect(await rawAudit()).not.toContain(issued.plaintext);
    expect(await rawAudit()).not.toContain(row.hash);

    const now = new Date("2026-11-22T12:00:00Z");
    const rotated = await rotateApiKey(issued.key.id, { graceSeconds: 3600 }, actor, t.db, now);
    expect(rotated.key.rotatedFromId).toBe(issued.key.id);
    const old = await t.db.apiKey.findUniqueOrThrow({ where: { id: issued.key.id } });
    expect(old).toMatchObject({ status: "ACTIVE", expiresAt: new Date("2026-11-22T13:00:00Z") });

    await revokeApiKey(rotated.key.id, actor, t.db);
    await expectConfigError(revokeApiKey(rotated.key.id, actor, t.db), "conflict");
    const keys = await listApiKeys({ consumerId: consumer.id, status: "ACTIVE" }, t.db);
    expect(keys.items.map((k) => k.id)).toEqual([issued.key.id]);
    expect(JSON.stringify(keys)).not.toContain(row.hash);
  });
});

describe("prompt templates, prices, budgets", () => {
  it("versions templates and extracts their variables", async () => {
    const tpl = await createPromptTemplate(
      { name: "summarise", body: { messages: [{ role: "system", content: "Summarise {{text}} in {{ language }}." }] } },
      actor,
      t.db,
    );
    expect(tpl.current?.variables).toEqual(["text", "language"]);
    const v2 = await addPromptTemplateVersion(
      tpl.id,
      { body: { messages: [{ role: "user", content: "TL;DR {{text}}" }] } },
      actor,
      t.db,
    );
    expect(v2).toMatchObject({ currentVersion: 2, versionCount: 2 });
    const back = await setPromptTemplateCurrentVersion(tpl.id, 1, actor, t.db);
    expect(back.current?.variables).toEqual(["text", "language"]);
  });

  it("adds prices as new rows and never rewrites one in effect", async () => {
    const now = new Date();
    const before = (await listPrices({ providerKind: "openai", q: "gpt-4o-mini", currentOnly: true }, t.db, now)).items[0]!;
    const future = await createPrice(
      {
        providerKind: "openai",
        model: "gpt-4o-mini",
        inputPer1M: "0.1",
        outputPer1M: "0.5",
        effectiveFrom: new Date(now.getTime() + 86_400_000),
      },
      actor,
      t.db,
      now,
    );
    expect(future.current).toBe(false);
    const current = (await listPrices({ providerKind: "openai", q: "gpt-4o-mini", currentOnly: true }, t.db, now)).items;
    expect(current.map((p) => p.id)).toEqual([before.id]);
    await expectConfigError(deleteScheduledPrice(before.id, actor, t.db, now), "conflict");
    await deleteScheduledPrice(future.id, actor, t.db, now);
    await expectConfigError(
      createPrice({ providerKind: "openai", model: "m", inputPer1M: "-1", outputPer1M: "1" }, actor, t.db),
      "invalid",
      "inputPer1M",
    );
  });

  it("validates budgets (scope reference, downgrade target, time zone)", async () => {
    await expectConfigError(createBudget({ name: "b", scope: "TEAM", limit: "10" }, actor, t.db), "invalid", "teamId");
    await expectConfigError(createBudget({ name: "b", limit: "10", timezone: "Mars/Base" }, actor, t.db), "invalid", "timezone");
    const b = await createBudget({ name: "monthly", limit: "100.5", timezone: "Europe/Berlin" }, actor, t.db);
    expect(b).toMatchObject({ scope: "GLOBAL", limit: "100.5", period: "MONTH", action: "REJECT" });
  });
});

describe("users and admin tokens", () => {
  it("invites with a one-time token, accepts it once, and keeps the last admin", async () => {
    const { invite, token } = await inviteUser({ email: "Dev@Example.com", roles: ["DEVELOPER"] }, actor, t.db);
    expect(invite.email).toBe("dev@example.com");
    expect(await rawAudit()).not.toContain(token);
    const user = await acceptInvite({ token, password: "a long enough password" }, t.db);
    expect(user).toMatchObject({ email: "dev@example.com", roles: ["DEVELOPER"] });
    await expectConfigError(acceptInvite({ token, password: "a long enough password" }, t.db), "invalid");

    await expectConfigError(updateUser(actor.id!, { roles: ["FINANCE"] }, actor, t.db), "forbidden");
    const other: Actor = { type: "USER", id: user.id, label: user.email };
    await expectConfigError(updateUser(actor.id!, { disabled: true }, other, t.db), "conflict"); // last admin
    await updateUser(user.id, { roles: ["DEVELOPER", "ADMIN"] }, actor, t.db);
    const disabled = await updateUser(actor.id!, { disabled: true }, other, t.db);
    expect(disabled.disabled).toBe(true);
    await updateUser(actor.id!, { disabled: false }, other, t.db);
  });

  it("creates hashed, scoped admin tokens that authenticate until revoked or expired", async () => {
    const { token, plaintext } = await createAdminToken({ name: "ci", scopes: ["config:read", "config:write"] }, actor, t.db);
    expect(plaintext).toMatch(/^sat-sluice-/);
    const row = await t.db.adminToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.hash).toBe(sha256Hex(plaintext));
    const authed = await authenticateAdminToken(plaintext, t.db);
    expect(authed?.scopes).toEqual(["config:read", "config:write"]);
    expect((await t.db.adminToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt).not.toBeNull();
    expect(await authenticateAdminToken(`${plaintext}x`, t.db)).toBeNull();
    await revokeAdminToken(token.id, actor, t.db);
    expect(await authenticateAdminToken(plaintext, t.db)).toBeNull();

    const expiring = await createAdminToken(
      { name: "old", scopes: ["config:read"], expiresAt: new Date(Date.now() + 1000) },
      actor,
      t.db,
    );
    expect(await authenticateAdminToken(expiring.plaintext, t.db, new Date(Date.now() + 5000))).toBeNull();
    expect(await rawAudit()).not.toContain(plaintext);
  });

  it("filters the audit log by entity, action and actor", async () => {
    const keys = await listAuditLog({ entityType: "key" }, t.db);
    expect(keys.items.map((e) => e.action)).toEqual(["key.revoke", "key.rotate", "key.issue"]);
    const rotations = await listAuditLog({ action: "provider.rotate" }, t.db);
    expect(rotations.total).toBe(1);
    const page = await listAuditLog({ actorId: actor.id!, pageSize: 3 }, t.db);
    expect(page.items).toHaveLength(3);
    expect(page.total).toBeGreaterThan(10);
  });
});
