"use server";

import { createAdminToken, revokeAdminToken } from "@sluice/db";
import type { AdminTokenCreateInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

export async function createAdminTokenAction(input: AdminTokenCreateInput) {
  return runAdminAction(async (actor) => {
    const { token, plaintext } = await createAdminToken(input, actor);
    revalidatePath("/manager/admin-tokens");
    return { id: token.id, plaintext };
  });
}

export async function revokeAdminTokenAction(id: string) {
  return runAdminAction(async (actor) => {
    await revokeAdminToken(id, actor);
    revalidatePath("/manager/admin-tokens");
    return id;
  });
}
