// OIDC sign-in against a real (throwaway) PostgreSQL: the next-auth callbacks for the "oidc" provider link an IdP
// profile to the existing user with that e-mail (keeping their roles), create a DEVELOPER when self sign-up allows
// the domain (audited), and refuse everyone else with an error code for /signin.

import { createTestDatabase, type TestDatabase } from "@sluice/db/testing";
import type { NextAuthOptions } from "next-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let t: TestDatabase;
let authOptions: NextAuthOptions;
let db: typeof import("@sluice/db");

beforeAll(async () => {
  t = await createTestDatabase({ seed: false, prefix: "sluice_web_oidc" });
  process.env.DATABASE_URL = t.url;
  Object.assign(process.env, {
    SLUICE_OIDC_ISSUER: "https://idp.example.test",
    SLUICE_OIDC_CLIENT_ID: "sluice",
    SLUICE_OIDC_CLIENT_SECRET: "s3cret",
  });
  db = await import("@sluice/db");
  ({ authOptions } = await import("@/lib/auth"));
  await db.createUser({ email: "boss@example.test", name: "Boss", password: "right-password-1", roles: ["ADMIN"] });
  const team = await db.getDb().team.create({ data: { id: "team_dev", name: "Dev", slug: "dev" } });
  await db.setPortalSignupSettings({ enabled: true, allowedDomains: ["example.test"], defaultTeamId: team.id });
}, 60_000);

afterAll(async () => {
  await db?.getDb().$disconnect();
  await t?.drop();
});

const account = { provider: "oidc", type: "oauth", providerAccountId: "sub-1" } as never;

async function signInAs(profile: Record<string, unknown>) {
  const user = { id: String(profile.sub), email: String(profile.email ?? ""), name: null, roles: [] } as never;
  const allowed = await authOptions.callbacks!.signIn!({ user, account, profile } as never);
  if (allowed !== true) return { allowed, token: null };
  const token = await authOptions.callbacks!.jwt!({ token: {}, user, account, profile, trigger: "signIn" } as never);
  return { allowed, token };
}

describe("OIDC sign-in", () => {
  it("links the IdP user to the existing account by e-mail and keeps its roles", async () => {
    const { allowed, token } = await signInAs({ sub: "sub-boss", email: "BOSS@example.test", email_verified: true });
    expect(allowed).toBe(true);
    const boss = await db.findUserForSignIn("boss@example.test");
    expect(token).toMatchObject({ uid: boss?.id, roles: ["ADMIN"], email: "boss@example.test" });
  });

  it("creates a DEVELOPER in the default team when self sign-up allows the domain, audited", async () => {
    const { allowed, token } = await signInAs({ sub: "sub-new", email: "newdev@example.test", name: "New Dev" });
    expect(allowed).toBe(true);
    const row = await db.getDb().user.findUnique({ where: { email: "newdev@example.test" } });
    expect(row).toMatchObject({ roles: ["DEVELOPER"], teamId: "team_dev", name: "New Dev" });
    expect(token).toMatchObject({ uid: row?.id, roles: ["DEVELOPER"] });
    const audit = await db.listAuditLog({ action: "user.signup_oidc" });
    expect(audit.items[0]).toMatchObject({ entityId: row?.id, actorType: "USER" });
  });

  it("refuses other domains and unverified e-mails with an error code for /signin", async () => {
    expect((await signInAs({ sub: "x", email: "who@evil.test" })).allowed).toBe("/signin?error=OidcNoAccount");
    expect((await signInAs({ sub: "y", email: "boss@example.test", email_verified: false })).allowed).toBe(
      "/signin?error=OidcEmailUnverified",
    );
    expect(await db.getDb().user.count({ where: { email: "who@evil.test" } })).toBe(0);
  });
});
