// Server-side authorization of every manager server action: each exported action of every actions.ts under
// app/(manager)/manager is called as a visitor without a session (401), a DEVELOPER, a FINANCE user (403 each) and an
// ADMIN (runs the service). The list of actions is read from the modules, so a new action is covered automatically.

import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it, vi } from "vitest";

const getServerSession = vi.fn();
vi.mock("next-auth", () => ({ getServerSession: (...args: unknown[]) => getServerSession(...args) }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-forwarded-for": "203.0.113.9" }) }));
vi.mock("@/lib/auth", () => ({ authOptions: {} }));

// every service is a spy answering with a value that has any property (ids, keys, plaintexts …)
const fake: unknown = new Proxy(() => fake, {
  get: (_t, p) => (p === "then" ? undefined : p === Symbol.toPrimitive ? () => "x" : fake),
});
const calls: Array<{ name: string; args: unknown[] }> = [];
vi.mock("@sluice/db", async (importOriginal) => {
  const actual = await importOriginal<Record<string, unknown>>();
  const keep = new Set(["isConfigError", "ConfigError"]);
  return Object.fromEntries(
    Object.entries(actual).map(([k, v]) => [
      k,
      typeof v === "function" && !keep.has(k) && /^[a-z]/.test(k)
        ? vi.fn(async (...args: unknown[]) => {
            calls.push({ name: k, args });
            return fake;
          })
        : v,
    ]),
  );
});

const managerDir = fileURLToPath(new URL("../app/(manager)/manager", import.meta.url));
const actionFiles = readdirSync(managerDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(path.join(managerDir, d.name)).includes("actions.ts"))
  .map((d) => path.join(managerDir, d.name, "actions.ts"));

const modules = await Promise.all(
  actionFiles.map(async (f) => ({ file: path.relative(managerDir, f), mod: (await import(f)) as Record<string, unknown> })),
);
const actions = modules.flatMap(({ file, mod }) =>
  Object.entries(mod)
    .filter(([, v]) => typeof v === "function")
    .map(([name, fn]) => ({
      label: `${file} ${name}`,
      fn: fn as (...args: unknown[]) => Promise<{ ok: boolean; status?: number }>,
    })),
);

const user = (roles: string[]) => ({
  user: { id: `usr_${roles.join("_") || "none"}`, email: "u@x.test", name: null, roles },
  expires: "",
});
const ARGS = ["id_1", { name: "n" }];
/** actions whose first argument must be well formed before any service runs */
const ARGS_FOR: Record<string, unknown[]> = { "cache/actions.ts purgeCacheAction": [{ scope: "route", routeId: "id_1" }] };
const argsFor = (label: string) => ARGS_FOR[label] ?? ARGS;

// actions that call the gateway's admin endpoints get a stand-in gateway
process.env.SLUICE_GATEWAY_ADMIN_TOKEN = "test-admin-token-0123456789";
process.env.SLUICE_GATEWAY_URL = "http://gateway.test";
const gatewayCalls: string[] = [];
vi.stubGlobal("fetch", async (url: string) => {
  gatewayCalls.push(String(url));
  return new Response(
    JSON.stringify({ purged: 1, byBackend: { memory: 1 }, ok: true, status: 200, latencyMs: 1, message: "OK" }),
  );
});

beforeEach(() => {
  getServerSession.mockReset();
  calls.length = 0;
  gatewayCalls.length = 0;
});

describe("manager server actions: authorization", () => {
  it("finds every action module", () => {
    expect(modules.map((m) => m.file).sort()).toEqual(
      [
        "admin-tokens/actions.ts",
        "cache/actions.ts",
        "consumers/actions.ts",
        "keys/actions.ts",
        "policies/actions.ts",
        "prices/actions.ts",
        "providers/actions.ts",
        "routes/actions.ts",
        "settings/actions.ts",
        "templates/actions.ts",
        "users/actions.ts",
      ].sort(),
    );
    expect(actions.length).toBeGreaterThanOrEqual(35);
  });

  for (const a of actions) {
    describe(a.label, () => {
      it("answers 401 without a session and touches nothing", async () => {
        getServerSession.mockResolvedValue(null);
        const r = await a.fn(...argsFor(a.label));
        expect(r).toMatchObject({ ok: false, status: 401 });
        expect(calls).toEqual([]);
        expect(gatewayCalls).toEqual([]);
      });

      it("answers 403 to DEVELOPER and FINANCE users and touches nothing", async () => {
        for (const roles of [["DEVELOPER"], ["FINANCE"], ["DEVELOPER", "FINANCE"]]) {
          getServerSession.mockResolvedValue(user(roles));
          expect(await a.fn(...argsFor(a.label))).toMatchObject({ ok: false, status: 403 });
        }
        expect(calls).toEqual([]);
        expect(gatewayCalls).toEqual([]);
      });

      it("runs the service for an ADMIN, as that user (audited actor)", async () => {
        getServerSession.mockResolvedValue(user(["ADMIN"]));
        const r = await a.fn(...argsFor(a.label));
        expect(r).toMatchObject({ ok: true });
        expect(calls.length).toBeGreaterThan(0);
        const actor = calls.flatMap((c) => c.args).find((x) => typeof x === "object" && x !== null && "type" in x);
        expect(actor).toMatchObject({ type: "USER", id: "usr_ADMIN", label: "u@x.test", ip: "203.0.113.9" });
      });
    });
  }
});
