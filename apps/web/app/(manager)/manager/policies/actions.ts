"use server";

import { createPolicy, deletePolicy, movePolicy, setPolicyEnabled, updatePolicy } from "@sluice/db";
import type { PolicyCreateInput, PolicyUpdateInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

const done = <T>(r: T) => {
  revalidatePath("/manager/policies");
  return r;
};

export async function createPolicyAction(input: PolicyCreateInput) {
  return runAdminAction(async (actor) => done((await createPolicy(input, actor)).id));
}

export async function updatePolicyAction(id: string, input: PolicyUpdateInput) {
  return runAdminAction(async (actor) => done((await updatePolicy(id, input, actor)).id));
}

export async function setPolicyEnabledAction(id: string, enabled: boolean) {
  return runAdminAction(async (actor) => done((await setPolicyEnabled(id, enabled, actor)).id));
}

export async function deletePolicyAction(id: string) {
  return runAdminAction(async (actor) => done(await deletePolicy(id, actor)));
}

/** Move a policy one place up or down in the order (positions are renumbered 0, 10, 20 …). */
export async function movePolicyAction(id: string, direction: "up" | "down") {
  return runAdminAction(async (actor) => done(await movePolicy(id, direction, actor)));
}
