// The Admin API against a real (throwaway) PostgreSQL: hashed token lookup with scopes, revocation and lastUsedAt;
// zod-validated bodies with OpenAI-style errors; secrets never in answers; audit entries name the token.

import { createTestDatabase, type TestDatabase } from "@sluice/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let t: TestDatabase;
let db: typeof import("@sluice/db");
let collection: typeof import("@/app/api/admin/v1/[resource]/route");
let item: typeof import("@/app/api/admin/v1/[resource]/[id]/route");
let action: typeof import("@/app/api/admin/v1/[resource]/[id]/[action]/route");
let openapi: typeof import("@/app/api/admin/v1/openapi.json/route");
let writer: string;
let reader: string;
let usersToken: string;

beforeAll(async () => {
  t = await createTestDatabase({ seed: false, prefix: "sluice_adminapi" });
  process.env.DATABASE_URL = t.url;
  process.env.SLUICE_MASTER_KEY = Buffer.alloc(32, 3).toString("base64");
  db = await import("@sluice/db");
  collection = await import("@/app/api/admin/v1/[resource]/route");
  item = await import("@/app/api/admin/v1/[resource]/[id]/route");
  action = await import("@/app/api/admin/v1/[resource]/[id]/[action]/route");
  openapi = await import("@/app/api/admin/v1/openapi.json/route");
  writer = (await db.createAdminToken({ name: "ci", scopes: ["config:read", "config:write", "audit:read"] }, db.SYSTEM_ACTOR))
    .plaintext;
  reader = (await db.createAdminToken({ name: "reader", scopes: ["config:read"] }, db.SYSTEM_ACTOR)).plaintext;
  usersToken = (await db.createAdminToken({ name: "people", scopes: ["users:write"] }, db.SYSTEM_ACTOR)).plaintext;
}, 60_000);

afterAll(async () => {
  await db?.getDb().$disconnect();
  await t?.drop();
});

function call(method: string, path: string, token: string | null, body?: unknown | string) {
  const [resource, id, act] = path.split("?")[0]!.split("/").filter(Boolean);
  const request = new Request(`http://sluice.test/api/admin/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const params = Promise.resolve({ resource: resource!, id: id!, action: act! });
  if (act) return (method === "GET" ? action.GET : action.POST)(request, { params });
  if (id) return ({ GET: item.GET, PATCH: item.PATCH, DELETE: item.DELETE } as const)[method as "GET"](request, { params });
  return (method === "GET" ? collection.GET : collection.POST)(request, { params });
}

describe("Admin API", () => {
  let providerId: string;
  let consumerId: string;

  it("creates a provider; the credential is encrypted and never answered back", async () => {
    const res = await call("POST", "/providers", writer, {
      name: "upstream",
      kind: "openai-compatible",
      baseUrl: "http://127.0.0.1:9/v1",
      credentials: { apiKey: "sk-very-secret" },
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain("sk-very-secret");
    const body = JSON.parse(text);
    expect(body).toMatchObject({ name: "upstream", kind: "openai-compatible", hasCredentials: true });
    providerId = body.id;
    const list = await (await call("GET", "/providers?sort=name&pageSize=1", reader)).json();
    expect(list).toMatchObject({ total: 1, page: 1, pageSize: 1 });
  });

  it("answers invalid input with an OpenAI-style error naming the field", async () => {
    const res = await call("POST", "/policies", writer, { name: "g", type: "prompt-guard", config: { deny: ["(("] } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: "config.deny.0: invalid regular expression",
        type: "invalid_request_error",
        code: "invalid_value",
        param: "config.deny.0",
        fields: { "config.deny.0": ["invalid regular expression"] },
      },
    });
    const bad = await call("POST", "/routes", writer, "{not json");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_json");
    expect((await call("GET", "/nothing", writer)).status).toBe(404);
    expect((await call("GET", "/routes/rt_missing", writer)).status).toBe(404);
    const dup = await call("POST", "/providers", writer, { name: "upstream", kind: "openai" });
    expect(dup.status).toBe(409);
    expect((await dup.json()).error).toMatchObject({ type: "conflict_error", param: "name" });
  });

  it("creates a route, a consumer and a key; the key's plaintext comes once", async () => {
    const route = await call("POST", "/routes", writer, { name: "chat", paths: ["/v1"], targets: [{ providerId, model: "m1" }] });
    expect(route.status).toBe(201);
    const consumer = await (await call("POST", "/consumers", writer, { name: "app" })).json();
    consumerId = consumer.id;
    const issued = await call("POST", "/keys", writer, { consumerId, name: "prod" });
    expect(issued.status).toBe(201);
    const { key, plaintext } = await issued.json();
    expect(plaintext).toMatch(/^sk-sluice-/);
    const again = await (await call("GET", `/keys/${key.id}`, reader)).text();
    expect(again).not.toContain(plaintext);
    expect(again).not.toContain("hash");
    const rotated = await call("POST", `/keys/${key.id}/rotate`, writer, { graceSeconds: 0 });
    expect(rotated.status).toBe(201);
    expect((await rotated.json()).plaintext).toMatch(/^sk-sluice-/);
  });

  it("records the token as the actor in the audit log", async () => {
    const audit = await (await call("GET", "/audit?entityType=route", writer)).json();
    expect(audit.items[0]).toMatchObject({ action: "route.create", actorType: "ADMIN_TOKEN", actorLabel: "ci" });
  });

  it("checks scopes, records lastUsedAt and refuses a revoked token", async () => {
    expect((await call("POST", "/groups", reader, { name: "x" })).status).toBe(403);
    expect((await call("GET", "/users", writer)).status).toBe(403);
    const tokens = await (await call("GET", "/admin-tokens", usersToken)).json();
    const ci = tokens.items.find((x: { name: string }) => x.name === "ci");
    expect(ci.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(tokens)).not.toMatch(/"hash"/);
    const revoked = await call("DELETE", `/admin-tokens/${ci.id}`, usersToken);
    expect(revoked.status).toBe(200);
    const after = await call("GET", "/providers", writer);
    expect(after.status).toBe(401);
    expect((await after.json()).error.code).toBe("invalid_token");
  });

  it("serves an OpenAPI 3.1 document generated from the schemas", async () => {
    const doc = await openapi.GET().json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/providers", "/routes/{id}", "/keys/{id}/rotate", "/config/apply"]),
    );
    expect(doc.components.schemas.RouteCreate.properties.paths.type).toBe("array");
  });
});
