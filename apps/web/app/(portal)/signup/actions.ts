"use server";

// Self sign-up (public): allowed only when an admin enabled it (app_settings "portal.signup"), only for the allowed
// e-mail domains; new users are developers in the default team. Throttled per client address.

import { signUpDeveloper } from "@sluice/db";
import { headers } from "next/headers";
import { AttemptLimiter } from "@/lib/rate-limit";
import { type ActionResult, toActionResult } from "../portal/action-result";

const limiter = (() => {
  const g = globalThis as unknown as { __sluiceSignUpLimiter?: AttemptLimiter };
  g.__sluiceSignUpLimiter ??= new AttemptLimiter({ max: 20, windowMs: 60 * 60_000 });
  return g.__sluiceSignUpLimiter;
})();

export async function signUpAction(input: {
  email: string;
  name?: string | null;
  password: string;
}): Promise<ActionResult<{ email: string }>> {
  const h = await headers();
  const ip = h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || "unknown";
  if (!limiter.check(ip).ok) return { ok: false, error: "Too many sign-ups from this address. Try again later." };
  limiter.recordFailure(ip);
  return toActionResult(async () => {
    const user = await signUpDeveloper({
      email: String(input.email ?? ""),
      name: input.name ?? null,
      password: String(input.password ?? ""),
    });
    return { email: user.email };
  });
}
