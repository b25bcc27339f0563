// The auth-checked chain every manager server action runs through (Dub's safe-action idea): the session must hold the
// ADMIN role (checked here, on the server, on every call), the service validates with the shared zod schemas, and the
// answer is a plain result the form shows: field errors keep the user's input, nothing is thrown at the browser.

import type { Actor } from "@sluice/db";
import { isConfigError } from "@sluice/db";
import { headers } from "next/headers";
import { getServerSession } from "next-auth";
import { authOptions } from "./auth";
import { decideAccess, type SessionUser } from "./roles";

export type ActionResult<T = undefined> =
  | { ok: true; data: T }
  | { ok: false; status: number; message: string; fields?: Record<string, string[]> };

async function clientIp(): Promise<string | null> {
  try {
    const h = await headers();
    return h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || null;
  } catch {
    return null;
  }
}

export function actorFor(user: SessionUser, ip: string | null = null): Actor {
  return { type: "USER", id: user.id, label: user.email, ip };
}

/** Run `fn` as the signed-in admin; 401/403 results for anyone else, validation and conflicts as field errors. */
export async function runAdminAction<T>(fn: (actor: Actor, user: SessionUser) => Promise<T>): Promise<ActionResult<T>> {
  const decision = decideAccess(await getServerSession(authOptions), ["ADMIN"]);
  if (!decision.ok) {
    return {
      ok: false,
      status: decision.status,
      message: decision.status === 401 ? "Your session has ended. Sign in again." : "This needs the ADMIN role.",
    };
  }
  try {
    const data = await fn(actorFor(decision.user, await clientIp()), decision.user);
    return { ok: true, data };
  } catch (err) {
    if (isConfigError(err)) return { ok: false, status: err.status, message: err.message, fields: err.fields };
    console.error("[manager] action failed", err);
    return { ok: false, status: 500, message: "Something went wrong on the server; nothing was changed. Try again." };
  }
}
