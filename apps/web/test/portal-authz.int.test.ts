// Authorization of the developer portal and the finance dashboards, against a real throwaway PostgreSQL: every page
// loader, server action and route handler is called as a given session (next-auth's lookup replaced by a fake), and
// must neither show nor change another developer's applications, keys or usage; finance cannot change configuration;
// developers cannot read finance data.

import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@sluice/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// ─── Next.js and next-auth fakes ────────────────────────────────────────────────────────────────────────────────

type SessionUser = { id: string; email: string; name: string | null; roles: string[] };
let current: SessionUser | null = null;
vi.mock("next-auth", () => ({ getServerSession: async () => (current ? { user: current, expires: "" } : null) }));
vi.mock("@/lib/auth", () => ({ authOptions: {} }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error(`REDIRECT ${url}`), { digest: `NEXT_REDIRECT;${url}` });
  },
  notFound: () => {
    throw Object.assign(new Error("NOT_FOUND"), { digest: "NEXT_HTTP_ERROR_FALLBACK;404" });
  },
  useRouter: () => ({}),
  usePathname: () => "/",
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "10.9.9.9" }),
  cookies: async () => ({}),
}));

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

let t: TestDatabase;
let db: typeof import("@sluice/db");
let actions: typeof import("@/app/(portal)/portal/actions");
let signUp: typeof import("@/app/(portal)/signup/actions");

const users: Record<"devA" | "devB" | "finance" | "admin", SessionUser> = {} as never;
const ids = {
  teamA: "",
  teamB: "",
  group: "",
  otherGroup: "",
  route: "",
  closedRoute: "",
  appA: "",
  keyA: "",
  keyAPlain: "",
  appB: "",
};
const as = (u: SessionUser | null) => {
  current = u;
};

async function configVersion(): Promise<bigint> {
  return (await db.getDb().configState.findUnique({ where: { id: 1 } }))?.version ?? 0n;
}

/** Everything a React element tree carries as data (props), for "does this page show X" checks. */
function rendered(node: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(node, (k, v) => {
    if (k === "type" || k === "_owner" || k === "_store" || typeof v === "function") return undefined;
    if (typeof v === "bigint") return v.toString();
    if (v && typeof v === "object") {
      if (seen.has(v)) return undefined;
      seen.add(v);
    }
    return v;
  });
}

beforeAll(async () => {
  t = await createTestDatabase({ prefix: "sluice_web_portal" });
  process.env.DATABASE_URL = t.url;
  process.env.SLUICE_GATEWAY_URL = "http://127.0.0.1:9"; // nothing listens: the playground must fail closed
  db = await import("@sluice/db");
  actions = await import("@/app/(portal)/portal/actions");
  signUp = await import("@/app/(portal)/signup/actions");
  const system = db.SYSTEM_ACTOR;
  const conn = db.getDb();

  ids.teamA = (await db.createTeam({ name: "Team A", slug: "team-a" }, system, conn)).id;
  ids.teamB = (await db.createTeam({ name: "Team B", slug: "team-b" }, system, conn)).id;
  ids.group = (await db.createGroup({ name: "developers" }, system, conn)).id;
  ids.otherGroup = (await db.createGroup({ name: "internal" }, system, conn)).id;
  const provider = await db.createProvider(
    { name: "mock", kind: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1", settings: { authHeader: "none" } },
    system,
    conn,
  );
  ids.route = (
    await db.createRoute(
      {
        name: "chat",
        paths: ["/v1"],
        targets: [{ providerId: provider.id, model: "gpt-4o-mini", alias: "fast" }],
        allowedGroupIds: [ids.group],
      },
      system,
      conn,
    )
  ).id;
  ids.closedRoute = (
    await db.createRoute(
      {
        name: "internal-only",
        paths: ["/internal/v1"],
        targets: [{ providerId: provider.id, model: "gpt-4o" }],
        allowedGroupIds: [ids.otherGroup],
      },
      system,
      conn,
    )
  ).id;
  await db.setPortalSignupSettings(
    { enabled: true, allowedDomains: ["example.test"], defaultTeamId: ids.teamA, defaultGroupId: ids.group },
    conn,
  );

  for (const [name, roles, teamId] of [
    ["devB", ["DEVELOPER"], ids.teamB],
    ["finance", ["FINANCE"], null],
    ["admin", ["ADMIN"], null],
  ] as const) {
    const u = await db.createUser(
      { email: `${name}@example.test`, password: "right-password-1", roles: [...roles], teamId },
      conn,
    );
    users[name] = { id: u.id, email: u.email, name: null, roles: [...u.roles] };
  }
}, 120_000);

afterAll(async () => {
  await db?.getDb().$disconnect();
  await t?.drop();
});

beforeEach(() => as(null));

// ─── sign-up ────────────────────────────────────────────────────────────────────────────────────────────────────

describe("self sign-up", () => {
  it("creates a DEVELOPER in the default team, only for allowed domains, once per e-mail", async () => {
    const denied = await signUp.signUpAction({ email: "mallory@elsewhere.test", password: "long-enough-password" });
    expect(denied).toMatchObject({ ok: false });
    const weak = await signUp.signUpAction({ email: "a@example.test", password: "short" });
    expect(weak).toMatchObject({ ok: false, fields: { password: expect.any(Array) } });

    const ok = await signUp.signUpAction({ email: "A@Example.test", name: "Dev A", password: "long-enough-password" });
    expect(ok).toEqual({ ok: true, data: { email: "a@example.test" } });
    const row = await db.getDb().user.findUniqueOrThrow({ where: { email: "a@example.test" } });
    expect(row.roles).toEqual(["DEVELOPER"]);
    expect(row.teamId).toBe(ids.teamA);
    users.devA = { id: row.id, email: row.email, name: row.name, roles: ["DEVELOPER"] };

    expect(await signUp.signUpAction({ email: "a@example.test", password: "long-enough-password" })).toMatchObject({
      ok: false,
    });
  });

  it("is refused when an admin has not enabled it", async () => {
    const conn = db.getDb();
    const before = await db.getPortalSignupSettings(conn);
    await db.setPortalSignupSettings({ ...before, enabled: false }, conn);
    try {
      const r = await signUp.signUpAction({ email: "late@example.test", password: "long-enough-password" });
      expect(r).toMatchObject({ ok: false, error: expect.stringContaining("not enabled") });
      expect(await conn.user.findUnique({ where: { email: "late@example.test" } })).toBeNull();
    } finally {
      await db.setPortalSignupSettings(before, conn);
    }
  });
});

// ─── the owner's own journey ────────────────────────────────────────────────────────────────────────────────────

describe("a developer's applications and keys", () => {
  it("creates an application in their team and the default group, through writeConfig with an audit entry", async () => {
    as(users.devA);
    const v0 = await configVersion();
    const r = await actions.createApplicationAction({ name: "support-bot" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    ids.appA = r.data.id;
    const app = await db.getDb().consumer.findUniqueOrThrow({ where: { id: ids.appA }, include: { groups: true } });
    expect(app).toMatchObject({ ownerUserId: users.devA.id, teamId: ids.teamA });
    expect(app.groups.map((g) => g.groupId)).toEqual([ids.group]);
    expect(await configVersion()).toBe(v0 + 1n);
    const audit = await db.getDb().auditLog.findFirst({ where: { entityId: ids.appA } });
    expect(audit).toMatchObject({ action: "consumer.create", actorId: users.devA.id, ip: "10.9.9.9" });

    as(users.devB);
    const b = await actions.createApplicationAction({ name: "b-app" });
    expect(b.ok).toBe(true);
    if (b.ok) ids.appB = b.data.id;
  });

  it("issues a scoped key with a budget; the plaintext is returned once and only its hash is stored", async () => {
    as(users.devA);
    const r = await actions.issueKeyAction({
      consumerId: ids.appA,
      name: "prod",
      allowedRoutes: [ids.route],
      allowedModels: ["fast"],
      budgetLimit: "25.50",
      budgetPeriod: "MONTH",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.plaintext).toMatch(/^sk-sluice-/);
    ids.keyA = r.data.id;
    ids.keyAPlain = r.data.plaintext;
    const key = await db.getDb().apiKey.findUniqueOrThrow({ where: { id: ids.keyA } });
    expect(key.hash).not.toContain(r.data.plaintext);
    expect(key.allowedRoutes).toEqual([ids.route]);
    expect(key.allowedModels).toEqual(["fast"]);
    const budget = await db.getDb().budget.findFirstOrThrow({ where: { apiKeyId: ids.keyA } });
    expect(budget).toMatchObject({ scope: "KEY", metric: "COST" });
    expect(budget.limit.toString()).toBe("25.5");
    const audit = await db.getDb().auditLog.findFirstOrThrow({ where: { entityId: ids.keyA } });
    expect(JSON.stringify(audit.after)).not.toContain(r.data.plaintext);
  });

  it("refuses key scopes outside what the developer may use (checked on the server)", async () => {
    as(users.devA);
    const route = await actions.issueKeyAction({ consumerId: ids.appA, name: "x", allowedRoutes: [ids.closedRoute] });
    expect(route).toMatchObject({ ok: false, fields: { allowedRoutes: [ids.closedRoute] } });
    const model = await actions.issueKeyAction({ consumerId: ids.appA, name: "x", allowedModels: ["gpt-4o"] });
    expect(model).toMatchObject({ ok: false, fields: { allowedModels: ["gpt-4o"] } });
    const byName = await actions.issueKeyAction({ consumerId: ids.appA, name: "x", allowedRoutes: ["internal-only"] });
    expect(byName.ok).toBe(false);
  });

  it("the catalog lists only routes open to the developer's groups, with prices", async () => {
    const catalog = await db.listCatalogForDeveloper(users.devA.id);
    expect(catalog.map((r) => r.name)).toEqual(["chat"]);
    expect(catalog[0]?.models[0]).toMatchObject({ name: "fast", upstreamModel: "gpt-4o-mini" });
  });
});

// ─── developer B against developer A ────────────────────────────────────────────────────────────────────────────

describe("developer B cannot read or change developer A's applications, keys or usage", () => {
  beforeAll(async () => {
    // usage of A's key, and one error
    const base = { teamId: ids.teamA, consumerId: ids.appA, apiKeyId: ids.keyA, routeId: ids.route, model: "fast" };
    await db.insertUsageEvents(db.getDb(), [
      {
        id: "use_a1",
        requestId: "req_secret_of_A_1",
        ts: new Date(),
        status: 200,
        promptTokens: 10,
        completionTokens: 5,
        totalTokens: 15,
        cost: "0.000123",
        latencyMs: 40,
        ...base,
      },
      {
        id: "use_a2",
        requestId: "req_secret_of_A_2",
        ts: new Date(),
        status: 429,
        errorType: "policy",
        errorCode: "rate_limited",
        latencyMs: 2,
        ...base,
      },
    ]);
  });

  it("server actions: issue, revoke and rotate on A's rows find nothing and change nothing", async () => {
    as(users.devB);
    const v0 = await configVersion();
    expect(await actions.issueKeyAction({ consumerId: ids.appA, name: "stolen" })).toMatchObject({
      ok: false,
      error: "No such application.",
    });
    expect(await actions.revokeKeyAction(ids.keyA)).toMatchObject({ ok: false, error: "No such key." });
    expect(await actions.rotateKeyAction(ids.keyA)).toMatchObject({ ok: false, error: "No such key." });
    expect(await configVersion()).toBe(v0);
    const key = await db.getDb().apiKey.findUniqueOrThrow({ where: { id: ids.keyA } });
    expect(key.status).toBe("ACTIVE");
    expect(await db.getDb().apiKey.count({ where: { consumerId: ids.appA } })).toBe(1);
  });

  it("the playground refuses A's key in B's hands (before any call to the gateway)", async () => {
    as(users.devB);
    const r = await actions.sendPlaygroundPromptAction({ key: ids.keyAPlain, routeId: ids.route, model: "fast", prompt: "hi" });
    expect(r).toMatchObject({ ok: false, error: "That is not one of your active keys." });
  });

  it("page loaders: A's application page is not found for B; B's lists and usage pages show nothing of A", async () => {
    const AppPage = (await import("@/app/(portal)/portal/applications/[id]/page")).default;
    const AppsPage = (await import("@/app/(portal)/portal/applications/page")).default;
    const UsagePage = (await import("@/app/(portal)/portal/usage/page")).default;
    const HomePage = (await import("@/app/(portal)/portal/page")).default;

    as(users.devA);
    expect(rendered(await AppPage({ params: Promise.resolve({ id: ids.appA }) }))).toContain("support-bot");
    const usageA = rendered(await UsagePage({ searchParams: Promise.resolve({}) }));
    expect(usageA).toContain("req_secret_of_A_1");
    expect(usageA).toContain("rate_limited");

    as(users.devB);
    await expect(AppPage({ params: Promise.resolve({ id: ids.appA }) })).rejects.toThrow("NOT_FOUND");
    expect(rendered(await AppsPage())).not.toContain("support-bot");
    for (const sp of [{}, { app: ids.appA }, { app: ids.appA, group: "key" }]) {
      const page = rendered(await UsagePage({ searchParams: Promise.resolve(sp) }));
      expect(page).not.toContain("req_secret_of_A");
      expect(page).not.toContain(ids.keyA);
      expect(page).not.toContain("0.000123");
    }
    const home = rendered(await HomePage());
    expect(home).not.toContain("support-bot");
  });

  it("query layer: owner-scoped reads return nothing of A for B even when B names A's ids", async () => {
    const filter = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 3_600_000), consumerIds: [ids.appA] };
    expect((await db.getPortalUsageTotals(users.devB.id, filter)).requests).toBe(0);
    expect((await db.getPortalUsageTotals(users.devA.id, filter)).requests).toBe(2);
    expect((await db.listPortalRecentRequests(users.devB.id, { consumerIds: [ids.appA] })).events).toEqual([]);
    expect(await db.listPortalBudgets(users.devB.id)).toEqual([]);
    expect((await db.listApplicationsForOwner(users.devB.id)).map((a) => a.id)).toEqual([ids.appB]);
  });

  it("route handler: B's CSV export of usage and requests carries none of A's rows", async () => {
    const { GET } = await import("@/app/api/portal/export/route");
    as(users.devB);
    for (const view of ["portal-usage", "portal-events"]) {
      const res = await GET(new Request(`http://web/api/portal/export?view=${view}&app=${ids.appA}&group=key`));
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain("req_secret_of_A");
      expect(text).not.toContain(ids.keyA);
    }
    as(users.devA);
    const mine = await (await GET(new Request("http://web/api/portal/export?view=portal-events"))).text();
    expect(mine).toContain("req_secret_of_A_1");
  });

  it("route handler: B's live usage data (react-query) has none of A's requests", async () => {
    const { GET } = await import("@/app/api/portal/usage/route");
    as(users.devB);
    const b = await (await GET(new Request(`http://web/api/portal/usage?range=7d&app=${ids.appA}`))).json();
    expect(b.totals.requests).toBe(0);
    expect(b.recent).toEqual([]);
    as(users.devA);
    const a = await (await GET(new Request("http://web/api/portal/usage?range=7d"))).json();
    expect(a.totals).toMatchObject({ requests: 2, cost: "0.000123000000" });
    as(users.finance);
    expect((await GET(new Request("http://web/api/portal/usage"))).status).toBe(403);
  });

  it("A can still revoke and rotate their own key afterwards", async () => {
    as(users.devA);
    const rotated = await actions.rotateKeyAction(ids.keyA);
    expect(rotated.ok).toBe(true);
    if (!rotated.ok) return;
    const old = await db.getDb().apiKey.findUniqueOrThrow({ where: { id: ids.keyA } });
    expect(old.status).toBe("REVOKED");
    const fresh = await db.getDb().apiKey.findUniqueOrThrow({ where: { id: rotated.data.id } });
    expect(fresh).toMatchObject({ status: "ACTIVE", rotatedFromId: ids.keyA, allowedRoutes: [ids.route] });
    // the key's budget follows it
    expect(await db.getDb().budget.count({ where: { apiKeyId: rotated.data.id } })).toBe(1);
    expect(await actions.revokeKeyAction(rotated.data.id)).toEqual({ ok: true, data: null });
  });
});

// ─── finance and developers across the boundary ─────────────────────────────────────────────────────────────────

/** Every "use server" module under app/ (the portal's and the manager's). */
function serverActionModules(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(name) && /^\s*(\/\/[^\n]*\n|\s)*["']use server["']/.test(readFileSync(p, "utf8"))) out.push(p);
    }
  };
  walk(path.join(webRoot, "app"));
  return out;
}

describe("finance cannot change configuration", () => {
  it("the portal's mutations redirect a FINANCE session to /forbidden and change nothing", async () => {
    as(users.finance);
    const v0 = await configVersion();
    await expect(actions.createApplicationAction({ name: "finance-app" })).rejects.toThrow("REDIRECT /forbidden");
    await expect(actions.issueKeyAction({ consumerId: ids.appA, name: "f" })).rejects.toThrow("REDIRECT /forbidden");
    await expect(actions.revokeKeyAction(ids.keyA)).rejects.toThrow("REDIRECT /forbidden");
    await expect(actions.rotateKeyAction(ids.keyA)).rejects.toThrow("REDIRECT /forbidden");
    await expect(
      actions.sendPlaygroundPromptAction({ key: ids.keyAPlain, routeId: ids.route, model: "fast", prompt: "x" }),
    ).rejects.toThrow("REDIRECT /forbidden");
    expect(await configVersion()).toBe(v0);
  });

  it("no server action in the app (portal or manager) changes config for a FINANCE session", async () => {
    const modules = serverActionModules().filter((p) => !p.includes(`${path.sep}signup${path.sep}`));
    expect(modules.length).toBeGreaterThan(0);
    const conn = db.getDb();
    const audit0 = await conn.auditLog.count();
    const v0 = await configVersion();
    const tried: string[] = [];
    as(users.finance);
    for (const file of modules) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, fn] of Object.entries(mod)) {
        if (typeof fn !== "function") continue;
        tried.push(`${path.relative(webRoot, file)}#${name}`);
        const form = new FormData();
        form.set("name", "finance-was-here");
        form.set("id", ids.appA);
        // whatever the signature ((input), (id), (prevState, formData), (id, input)), nothing may be written
        for (const args of [[{ name: "finance-was-here", id: ids.appA }], [ids.appA, { name: "x" }], [null, form]]) {
          try {
            await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
          } catch {
            // a redirect to /forbidden (or a validation error) is fine; only writes count
          }
        }
      }
    }
    expect(tried.length).toBeGreaterThan(4);
    expect(await configVersion()).toBe(v0);
    expect(await conn.auditLog.count()).toBe(audit0);
  }, 60_000);
});

describe("developers cannot read finance data", () => {
  it("the finance CSV route answers 403 to a developer and 401 to nobody, and streams for finance", async () => {
    const { GET } = await import("@/app/api/finance/export/route");
    as(users.devA);
    expect((await GET(new Request("http://web/api/finance/export?view=chargeback"))).status).toBe(403);
    as(null);
    expect((await GET(new Request("http://web/api/finance/export?view=chargeback"))).status).toBe(401);
    as(users.finance);
    const res = await GET(new Request("http://web/api/finance/export?view=events&range=7d"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(await res.text()).toContain("req_secret_of_A_1");
    expect((await GET(new Request("http://web/api/finance/export?view=nope"))).status).toBe(400);
  });

  it("the finance pages redirect a developer to /forbidden", async () => {
    const FinancePage = (await import("@/app/(finance)/finance/page")).default;
    const ChargebackPage = (await import("@/app/(finance)/finance/chargeback/page")).default;
    as(users.devA);
    await expect(FinancePage({ searchParams: Promise.resolve({}) })).rejects.toThrow("REDIRECT /forbidden");
    await expect(ChargebackPage({ searchParams: Promise.resolve({}) })).rejects.toThrow("REDIRECT /forbidden");
    as(users.finance);
    const page = rendered(await FinancePage({ searchParams: Promise.resolve({ range: "7d", group: "team" }) }));
    expect(page).toContain("Team A");
    const cb = rendered(await ChargebackPage({ searchParams: Promise.resolve({}) }));
    expect(cb).toContain("Team A");
  });

  it("the finance filter params parse into the analytics filter (and the export is the same view)", async () => {
    const { parseFinanceParams, financeCsvRequest, financeQuery } = await import("@/app/(finance)/finance/params");
    const p = parseFinanceParams(
      new URLSearchParams("from=2026-11-01&to=2026-11-30&bucket=week&group=model&team=t1&team=__none__&provider="),
    );
    expect(p.filter).toMatchObject({
      teamIds: ["t1", ""],
      from: new Date("2026-11-01T00:00:00Z"),
      to: new Date("2026-12-01T00:00:00Z"),
    });
    expect(p.filter).not.toHaveProperty("providerIds");
    expect(p.bucket).toBe("week");
    expect(financeCsvRequest("spend-over-time", p)).toMatchObject({
      view: "spend-over-time",
      input: { groupBy: "model", bucket: "week" },
    });
    expect(parseFinanceParams(new URLSearchParams(financeQuery(p)))).toMatchObject({
      filter: p.filter,
      bucket: "week",
      groupBy: "model",
    });
  });
});
