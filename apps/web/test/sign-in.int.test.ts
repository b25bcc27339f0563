// Credentials sign-in against a real (throwaway) PostgreSQL: the authorize() next-auth calls, the session
// callbacks, and the user queries behind them.

import { createTestDatabase, type TestDatabase } from "@sluice/db/testing";
import type { NextAuthOptions } from "next-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Authorize = (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown>;

let t: TestDatabase;
let authOptions: NextAuthOptions;
let authorize: Authorize;
let db: typeof import("@sluice/db");

beforeAll(async () => {
  t = await createTestDatabase({ seed: false, prefix: "sluice_web" });
  process.env.DATABASE_URL = t.url; // getDb() reads it on first use
  db = await import("@sluice/db");
  ({ authOptions } = await import("@/lib/auth"));
  const provider = authOptions.providers[0] as unknown as { options: { authorize: Authorize } };
  authorize = provider.options.authorize;
  await db.createUser({ email: "Admin@Example.test", name: "Admin", password: "right-password-1", roles: ["ADMIN"] });
  await db.createUser({ email: "dev@example.test", password: "right-password-1", roles: ["DEVELOPER", "DEVELOPER"] });
  const gone = await db.createUser({ email: "gone@example.test", password: "right-password-1", roles: ["FINANCE"] });
  await db.getDb().user.update({ where: { id: gone.id }, data: { disabled: true } });
}, 60_000);

afterAll(async () => {
  await db?.getDb().$disconnect();
  await t?.drop();
});

const from = (ip: string) => ({ headers: { "x-forwarded-for": ip } });

describe("credentials sign-in", () => {
  it("signs in with the right password (email case-insensitive) and records the login", async () => {
    const user = await authorize({ email: " admin@EXAMPLE.test", password: "right-password-1" }, from("10.0.0.1"));
    expect(user).toMatchObject({ email: "admin@example.test", roles: ["ADMIN"] });
    expect(user).not.toHaveProperty("passwordHash");
    const row = await db.getDb().user.findUnique({ where: { email: "admin@example.test" } });
    expect(row?.lastLoginAt).toBeInstanceOf(Date);
    // the client omits the hash by default; only findUserForSignIn reads it
    expect(row).not.toHaveProperty("passwordHash");
    expect((await db.findUserForSignIn("admin@example.test"))?.passwordHash).toMatch(/^scrypt\$/);
  });

  it("refuses a wrong password, an unknown user and empty fields", async () => {
    expect(await authorize({ email: "admin@example.test", password: "wrong" }, from("10.0.0.2"))).toBeNull();
    expect(await authorize({ email: "nobody@example.test", password: "right-password-1" }, from("10.0.0.2"))).toBeNull();
    expect(await authorize({ email: "", password: "" }, from("10.0.0.2"))).toBeNull();
  });

  it("refuses a disabled user even with the right password", async () => {
    await expect(authorize({ email: "gone@example.test", password: "right-password-1" }, from("10.0.0.3"))).rejects.toThrow(
      "AccountDisabled",
    );
  });

  it("locks an email+IP out after 10 failures, even for the right password, but not other IPs", async () => {
    for (let i = 0; i < 10; i++) {
      expect(await authorize({ email: "dev@example.test", password: `guess-${i}` }, from("10.0.0.4"))).toBeNull();
    }
    await expect(authorize({ email: "dev@example.test", password: "right-password-1" }, from("10.0.0.4"))).rejects.toThrow(
      "RateLimited",
    );
    expect(await authorize({ email: "dev@example.test", password: "right-password-1" }, from("10.0.0.5"))).toMatchObject({
      roles: ["DEVELOPER"],
    });
  });
});

describe("session callbacks", () => {
  it("put id, email and roles into the token and the session", async () => {
    const jwt = authOptions.callbacks!.jwt!;
    const session = authOptions.callbacks!.session!;
    const user = { id: "usr_x", email: "x@example.test", name: "X", roles: ["FINANCE" as const] };
    const token = await jwt({ token: { email: user.email, name: user.name }, user, account: null } as never);
    expect(token).toMatchObject({ uid: "usr_x", roles: ["FINANCE"] });
    const s = await session({ session: { expires: "soon" }, token } as never);
    expect(s).toMatchObject({ user: { id: "usr_x", email: "x@example.test", roles: ["FINANCE"] } });
  });

  it("revoke the session of a user disabled after sign-in (on the next check)", async () => {
    const jwt = authOptions.callbacks!.jwt!;
    const session = authOptions.callbacks!.session!;
    const u = await db.createUser({ email: "later@example.test", password: "right-password-1", roles: ["ADMIN"] });
    await db.getDb().user.update({ where: { id: u.id }, data: { disabled: true } });
    const stale = { uid: u.id, email: u.email, roles: ["ADMIN" as const], checkedAt: Date.now() - 120_000 };
    const token = await jwt({ token: stale } as never);
    expect(token.revoked).toBe(true);
    const s = await session({ session: { expires: "soon" }, token } as never);
    expect(s).not.toHaveProperty("user");
  });

  it("pick up role changes on the next check", async () => {
    const jwt = authOptions.callbacks!.jwt!;
    const u = await db.createUser({ email: "promoted@example.test", password: "right-password-1", roles: ["DEVELOPER"] });
    await db.getDb().user.update({ where: { id: u.id }, data: { roles: ["DEVELOPER", "ADMIN"] } });
    const token = await jwt({ token: { uid: u.id, email: u.email, roles: ["DEVELOPER"], checkedAt: 0 } } as never);
    expect(token.roles).toEqual(["DEVELOPER", "ADMIN"]);
    expect(token.revoked).toBeUndefined();
  });
});

describe("manager overview queries", () => {
  it("count config entities and list gateway nodes newest first", async () => {
    expect(await db.countConfigEntities()).toEqual({ providers: 0, routes: 0, consumers: 0, keys: 0 });
    const now = Date.now();
    await db.getDb().gatewayNode.createMany({
      data: [
        { id: "gw_old", appliedVersion: 3n, heartbeatAt: new Date(now - 60_000) },
        { id: "gw_new", hostname: "h", appliedVersion: 4n, heartbeatAt: new Date(now) },
      ],
    });
    const nodes = await db.listGatewayNodes();
    expect(nodes.map((n) => [n.id, n.appliedVersion])).toEqual([
      ["gw_new", 4],
      ["gw_old", 3],
    ]);
  });
});
