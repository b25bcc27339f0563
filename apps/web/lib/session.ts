// Server-side access checks. Every page, route handler and server action calls one of these; hiding a link in the
// UI is never the check. The decisions themselves are pure (./roles.ts) and unit-tested.

import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "./auth";
import { decideAccess, type Role, type SessionUser } from "./roles";

export type { Role, SessionUser };

export async function getSessionUser(): Promise<SessionUser | null> {
  const decision = decideAccess(await getServerSession(authOptions), []);
  return decision.ok ? decision.user : null;
}

/** Pages: the signed-in user, or a redirect to /signin. */
export async function requireUser(): Promise<SessionUser> {
  return requireRole();
}

/** Pages: a user holding one of `roles` (none = any signed-in user); else /signin (401) or /forbidden (403). */
export async function requireRole(...roles: Role[]): Promise<SessionUser> {
  const decision = decideAccess(await getServerSession(authOptions), roles);
  if (decision.ok) return decision.user;
  redirect(decision.status === 401 ? "/signin" : "/forbidden");
}

export type RouteAccess = { user: SessionUser; response: null } | { user: null; response: Response };

/** Route handlers: the user, or a ready 401/403 JSON response to return as is. */
export async function authorizeRoute(...roles: Role[]): Promise<RouteAccess> {
  const decision = decideAccess(await getServerSession(authOptions), roles);
  if (decision.ok) return { user: decision.user, response: null };
  const body =
    decision.status === 401
      ? { error: { code: "unauthenticated", message: "Sign in first." } }
      : { error: { code: "forbidden", message: `This needs the ${roles.join(" or ")} role.` } };
  return { user: null, response: Response.json(body, { status: decision.status }) };
}
