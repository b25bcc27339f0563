"use server";

import { acceptInvite, isConfigError } from "@sluice/db";
import type { ActionResult } from "@/lib/admin-action";

/** Public: the invite token is the credential (one use, expiring, only its hash stored). */
export async function acceptInviteAction(input: {
  token: string;
  name: string;
  password: string;
}): Promise<ActionResult<string>> {
  try {
    const user = await acceptInvite({ token: input.token, name: input.name || null, password: input.password });
    return { ok: true, data: user.email };
  } catch (err) {
    if (isConfigError(err)) return { ok: false, status: err.status, message: err.message, fields: err.fields };
    console.error("[invite] accept failed", err);
    return { ok: false, status: 500, message: "Something went wrong; try again." };
  }
}
