// Sign-in with any OpenID Connect provider (Okta, Entra ID, Google, Keycloak, ...) through next-auth's generic OAuth
// provider and the issuer's discovery document (`wellKnown`). On when SLUICE_OIDC_ISSUER, SLUICE_OIDC_CLIENT_ID and
// SLUICE_OIDC_CLIENT_SECRET are all set (SLUICE_OIDC_NAME names the button). The IdP's redirect URI is
// `<SLUICE_PUBLIC_URL>/api/auth/callback/oidc`.
//
// Who gets in: the IdP's e-mail (not marked unverified) is matched to an existing Sluice user, who keeps their roles;
// a disabled user is refused. An unknown e-mail gets a new DEVELOPER account only when developer self sign-up is on
// and allows its domain (Manager → Settings), with the sign-up's default team; otherwise the sign-in is refused.
// The decision is the pure decideOidcSignIn(); the database side is resolveOidcUser().

import {
  createUser,
  emailDomainAllowed,
  findUserForSignIn,
  getPortalSignupSettings,
  normalizeEmail,
  type PortalSignupSettings,
  recordAdminOperation,
  recordLogin,
  type SessionUserRecord,
} from "@sluice/db";
import type { OAuthConfig } from "next-auth/providers/oauth";

export const OIDC_PROVIDER_ID = "oidc";

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** shown on the button: "Sign in with <name>" */
  name: string;
}

/** The OIDC settings from the environment; null unless issuer, client id and client secret are all set. */
export function oidcConfigFromEnv(env: Record<string, string | undefined> = process.env): OidcConfig | null {
  const issuer = env.SLUICE_OIDC_ISSUER?.trim();
  const clientId = env.SLUICE_OIDC_CLIENT_ID?.trim();
  const clientSecret = env.SLUICE_OIDC_CLIENT_SECRET?.trim();
  if (!issuer || !clientId || !clientSecret) return null;
  return { issuer: issuer.replace(/\/+$/, ""), clientId, clientSecret, name: env.SLUICE_OIDC_NAME?.trim() || "SSO" };
}

export interface OidcProfile {
  sub?: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  preferred_username?: string;
  given_name?: string;
  family_name?: string;
}

/** next-auth's generic OAuth provider for an OIDC issuer (discovery, PKCE + state, id token checked). */
export function oidcProvider(c: OidcConfig): OAuthConfig<OidcProfile> {
  return {
    id: OIDC_PROVIDER_ID,
    name: c.name,
    type: "oauth",
    wellKnown: `${c.issuer}/.well-known/openid-configuration`,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile(profile) {
      return {
        id: String(profile.sub ?? ""),
        email: profile.email ? normalizeEmail(profile.email) : null,
        name: oidcDisplayName(profile),
        // roles come from the Sluice user this profile resolves to (resolveOidcUser), never from the IdP
        roles: [],
      };
    },
  };
}

/** The providers to add to next-auth: the OIDC one when configured. */
export function oidcProviders(env: Record<string, string | undefined> = process.env): OAuthConfig<OidcProfile>[] {
  const c = oidcConfigFromEnv(env);
  return c ? [oidcProvider(c)] : [];
}

export function oidcDisplayName(p: OidcProfile): string | null {
  const joined = [p.given_name, p.family_name].filter(Boolean).join(" ");
  return p.name?.trim() || joined || p.preferred_username?.trim() || null;
}

export interface ExistingUser {
  id: string;
  disabled: boolean;
}

export type OidcDecision =
  | { kind: "link"; userId: string; email: string }
  | { kind: "create"; email: string; name: string | null; roles: ["DEVELOPER"]; teamId: string | null }
  | { kind: "deny"; reason: "no_email" | "email_unverified" | "disabled" | "no_account" };

/** Pure: who an IdP profile signs in as, given the user with that e-mail (if any) and the self sign-up settings. */
export function decideOidcSignIn(
  profile: OidcProfile,
  existing: ExistingUser | null,
  signup: Pick<PortalSignupSettings, "enabled" | "allowedDomains" | "defaultTeamId">,
): OidcDecision {
  const raw = typeof profile.email === "string" ? profile.email : "";
  const email = normalizeEmail(raw);
  if (!email.includes("@")) return { kind: "deny", reason: "no_email" };
  if (profile.email_verified === false || profile.email_verified === "false") return { kind: "deny", reason: "email_unverified" };
  if (existing) return existing.disabled ? { kind: "deny", reason: "disabled" } : { kind: "link", userId: existing.id, email };
  if (signup.enabled && emailDomainAllowed(email, signup.allowedDomains)) {
    return { kind: "create", email, name: oidcDisplayName(profile), roles: ["DEVELOPER"], teamId: signup.defaultTeamId ?? null };
  }
  return { kind: "deny", reason: "no_account" };
}

/** Error codes on /signin?error=... for refused SSO sign-ins. */
export const OIDC_ERRORS: Record<Exclude<OidcDecision, { kind: "link" | "create" }>["reason"], string> = {
  no_email: "OidcNoEmail",
  email_unverified: "OidcEmailUnverified",
  disabled: "AccountDisabled",
  no_account: "OidcNoAccount",
};

/** The Sluice user an OIDC sign-in becomes (created when allowed), or the refusal's error code. */
export async function resolveOidcUser(
  profile: OidcProfile,
): Promise<{ ok: true; user: Omit<SessionUserRecord, "disabled"> } | { ok: false; error: string }> {
  const email = typeof profile.email === "string" ? normalizeEmail(profile.email) : "";
  const existing = email ? await findUserForSignIn(email) : null;
  const decision = decideOidcSignIn(
    profile,
    existing,
    existing ? { enabled: false, allowedDomains: [] } : await getPortalSignupSettings(),
  );
  if (decision.kind === "deny") return { ok: false, error: OIDC_ERRORS[decision.reason] };
  if (decision.kind === "link" && existing) {
    await recordLogin(existing.id);
    return { ok: true, user: { id: existing.id, email: existing.email, name: existing.name, roles: existing.roles } };
  }
  if (decision.kind !== "create") return { ok: false, error: OIDC_ERRORS.no_account };
  const user = await createUser({
    email: decision.email,
    name: decision.name,
    password: null,
    roles: decision.roles,
    teamId: decision.teamId,
  });
  await recordAdminOperation(
    { action: "user.signup_oidc", entityType: "user", entityId: user.id, after: { ...user, teamId: decision.teamId } },
    { type: "USER", id: user.id, label: user.email },
  );
  await recordLogin(user.id);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, roles: user.roles } };
}
