// OIDC sign-in wiring: the provider exists only when SLUICE_OIDC_ISSUER / _CLIENT_ID / _CLIENT_SECRET are all set
// (discovery through wellKnown, PKCE + state), the IdP profile maps to a next-auth user without roles, and the pure
// decision who a profile signs in as (link by e-mail, create a DEVELOPER when self sign-up allows the domain, refuse).

import { afterEach, describe, expect, it, vi } from "vitest";
import { decideOidcSignIn, oidcConfigFromEnv, oidcProvider, oidcProviders } from "@/lib/oidc";

const FULL = {
  SLUICE_OIDC_ISSUER: "https://idp.example.test/realms/acme/",
  SLUICE_OIDC_CLIENT_ID: "sluice",
  SLUICE_OIDC_CLIENT_SECRET: "s3cret",
};

describe("OIDC configuration from the environment", () => {
  it("is off unless issuer, client id and client secret are all set", () => {
    expect(oidcConfigFromEnv({})).toBeNull();
    for (const missing of Object.keys(FULL)) {
      expect(oidcConfigFromEnv({ ...FULL, [missing]: undefined })).toBeNull();
      expect(oidcConfigFromEnv({ ...FULL, [missing]: "  " })).toBeNull();
    }
    expect(oidcConfigFromEnv(FULL)).toEqual({
      issuer: "https://idp.example.test/realms/acme",
      clientId: "sluice",
      clientSecret: "s3cret",
      name: "SSO",
    });
    expect(oidcConfigFromEnv({ ...FULL, SLUICE_OIDC_NAME: "Okta" })?.name).toBe("Okta");
    expect(oidcProviders({})).toEqual([]);
  });

  it("builds a generic OAuth provider with discovery, PKCE and state", () => {
    const [p] = oidcProviders(FULL);
    expect(p).toMatchObject({
      id: "oidc",
      type: "oauth",
      wellKnown: "https://idp.example.test/realms/acme/.well-known/openid-configuration",
      clientId: "sluice",
      clientSecret: "s3cret",
      idToken: true,
      checks: ["pkce", "state"],
      authorization: { params: { scope: "openid email profile" } },
    });
  });

  it("maps the IdP profile to a user without roles (roles come from Sluice)", async () => {
    const p = oidcProvider(oidcConfigFromEnv(FULL)!);
    const user = await p.profile({ sub: "abc", email: " Jane@Example.TEST", given_name: "Jane", family_name: "Doe" }, {});
    expect(user).toEqual({ id: "abc", email: "jane@example.test", name: "Jane Doe", roles: [] });
    expect((await p.profile({ sub: "x", preferred_username: "jd" }, {})).name).toBe("jd");
  });

  describe("next-auth options", () => {
    afterEach(() => {
      for (const k of Object.keys(FULL)) delete process.env[k];
      vi.resetModules();
    });
    it("list the OIDC provider only when configured", async () => {
      vi.resetModules();
      const off = (await import("@/lib/auth")).authOptions;
      expect(off.providers.map((p) => p.id)).toEqual(["credentials"]);
      Object.assign(process.env, FULL);
      vi.resetModules();
      const on = (await import("@/lib/auth")).authOptions;
      expect(on.providers.map((p) => p.id)).toEqual(["credentials", "oidc"]);
    });
  });
});

describe("decideOidcSignIn (profile -> user)", () => {
  const off = { enabled: false, allowedDomains: [], defaultTeamId: null };
  const on = { enabled: true, allowedDomains: ["example.test"], defaultTeamId: "team_dev" };

  it("links an existing account by e-mail, whatever sign-up says", () => {
    expect(decideOidcSignIn({ email: "Ann@Example.test" }, { id: "usr_1", disabled: false }, off)).toEqual({
      kind: "link",
      userId: "usr_1",
      email: "ann@example.test",
    });
    expect(
      decideOidcSignIn({ email: "ann@other.test", email_verified: true }, { id: "usr_1", disabled: false }, on),
    ).toMatchObject({
      kind: "link",
    });
  });

  it("creates a DEVELOPER in the default team when self sign-up allows the domain", () => {
    expect(decideOidcSignIn({ email: "new@example.test", name: "New Dev" }, null, on)).toEqual({
      kind: "create",
      email: "new@example.test",
      name: "New Dev",
      roles: ["DEVELOPER"],
      teamId: "team_dev",
    });
    expect(decideOidcSignIn({ email: "new@any.test" }, null, { ...on, allowedDomains: [] })).toMatchObject({ kind: "create" });
  });

  it("refuses: sign-up off or domain not allowed, disabled user, no or unverified e-mail", () => {
    expect(decideOidcSignIn({ email: "new@example.test" }, null, off)).toEqual({ kind: "deny", reason: "no_account" });
    expect(decideOidcSignIn({ email: "new@evil.test" }, null, on)).toEqual({ kind: "deny", reason: "no_account" });
    expect(decideOidcSignIn({ email: "a@example.test" }, { id: "u", disabled: true }, on)).toEqual({
      kind: "deny",
      reason: "disabled",
    });
    expect(decideOidcSignIn({ sub: "x" }, null, on)).toEqual({ kind: "deny", reason: "no_email" });
    expect(decideOidcSignIn({ email: "a@example.test", email_verified: false }, { id: "u", disabled: false }, on)).toEqual({
      kind: "deny",
      reason: "email_unverified",
    });
  });
});
