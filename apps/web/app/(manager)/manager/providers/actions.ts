"use server";

import { createProvider, deleteProvider, rotateProviderCredentials, setProviderEnabled, updateProvider } from "@sluice/db";
import type { ProviderCreateInput, ProviderRotateInput, ProviderUpdateInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";

const done = <T>(r: T) => {
  revalidatePath("/manager/providers");
  return r;
};

export async function createProviderAction(input: ProviderCreateInput) {
  return runAdminAction(async (actor) => done((await createProvider(input, actor)).id));
}

export async function updateProviderAction(id: string, input: ProviderUpdateInput) {
  return runAdminAction(async (actor) => done((await updateProvider(id, input, actor)).id));
}

export async function rotateProviderCredentialsAction(id: string, input: ProviderRotateInput) {
  return runAdminAction(async (actor) => done((await rotateProviderCredentials(id, input, actor)).id));
}

export async function setProviderEnabledAction(id: string, enabled: boolean) {
  return runAdminAction(async (actor) => done((await setProviderEnabled(id, enabled, actor)).id));
}

export async function deleteProviderAction(id: string) {
  return runAdminAction(async (actor) => done(await deleteProvider(id, actor)));
}
