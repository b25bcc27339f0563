// What a portal server action answers: data, or a public message with per-field messages for the form. Expected
// failures (not found, forbidden, invalid input) are values; anything else is logged and answered generically.

import { isPortalError } from "@sluice/db";

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: string; fields?: Record<string, string[]> };

export async function toActionResult<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    if (isPortalError(err)) return { ok: false, error: err.message, fields: err.fields };
    // Next's redirect()/notFound() are thrown on purpose: let them through
    if (err instanceof Error && "digest" in err) throw err;
    console.error("[portal] action failed", err);
    return { ok: false, error: "Something went wrong on the server. Try again." };
  }
}
