// Pure authorization decisions (no Next.js, no database): the session helpers in ./session.ts act on these, and
// unit tests check them directly.

import type { Role } from "@sluice/db/schemas";

export type { Role };

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
}

export type AccessDecision = { ok: true; user: SessionUser } | { ok: false; status: 401 | 403; reason: string };

/**
 * Whether a session may use something that needs one of `roles` (any one suffices; none = any signed-in user).
 * No session, or a session without a usable user, is 401; a user without a matching role is 403.
 */
export function decideAccess(
  session: { user?: Partial<SessionUser> | null } | null | undefined,
  roles: readonly Role[],
): AccessDecision {
  const user = session?.user;
  if (!user || typeof user.id !== "string" || !user.id || typeof user.email !== "string" || !Array.isArray(user.roles)) {
    return { ok: false, status: 401, reason: "not signed in" };
  }
  const held = user.roles;
  if (roles.length > 0 && !roles.some((r) => held.includes(r))) {
    return { ok: false, status: 403, reason: `needs role ${roles.join(" or ")}` };
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name ?? null, roles: [...held] } };
}

/** Where a user lands after signing in: the manager for admins, else finance, else the developer portal. */
export function homePathFor(roles: readonly Role[]): string {
  if (roles.includes("ADMIN")) return "/manager";
  if (roles.includes("FINANCE")) return "/finance";
  if (roles.includes("DEVELOPER")) return "/portal";
  return "/forbidden";
}

/** The sections a user may open, in nav order. */
export function sectionsFor(roles: readonly Role[]): Array<{ href: string; label: string }> {
  const out: Array<{ href: string; label: string }> = [];
  if (roles.includes("ADMIN")) out.push({ href: "/manager", label: "Manager" });
  if (roles.includes("ADMIN") || roles.includes("DEVELOPER")) out.push({ href: "/portal", label: "Portal" });
  if (roles.includes("ADMIN") || roles.includes("FINANCE")) out.push({ href: "/finance", label: "Finance" });
  return out;
}

/**
 * A post-sign-in redirect target from the query string, accepted only when it is a same-origin path the user may
 * open; anything else falls back to the user's home (no open redirects).
 */
export function safeCallbackPath(callbackUrl: string | null | undefined, roles: readonly Role[]): string {
  const home = homePathFor(roles);
  if (!callbackUrl?.startsWith("/") || callbackUrl.startsWith("//") || callbackUrl.includes("\\")) return home;
  const section = sectionsFor(roles).find((s) => callbackUrl === s.href || callbackUrl.startsWith(`${s.href}/`));
  return section ? callbackUrl : home;
}
