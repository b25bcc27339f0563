"use server";

import {
  createProvider,
  deleteProvider,
  recordAdminOperation,
  rotateProviderCredentials,
  setProviderEnabled,
  updateProvider,
} from "@sluice/db";
import type { ProviderCreateInput, ProviderRotateInput, ProviderUpdateInput } from "@sluice/db/schemas";
import { revalidatePath } from "next/cache";
import { runAdminAction } from "@/lib/admin-action";
import { callGatewayAdmin, gatewayAdminBaseUrl } from "@/lib/gateway-admin";

export interface ProviderConnectionTest {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  message: string;
}

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

/** "Test connection": the gateway runs the provider's non-billing check with its resolved credentials; audited. */
export async function testProviderConnectionAction(id: string) {
  return runAdminAction(async (actor): Promise<ProviderConnectionTest> => {
    const r = await callGatewayAdmin<ProviderConnectionTest>(
      `/admin/providers/${encodeURIComponent(id)}/test`,
      {},
      {
        timeoutMs: 20_000,
      },
    );
    const result = {
      ok: Boolean(r?.ok),
      status: r?.status ?? null,
      latencyMs: r?.latencyMs ?? 0,
      message: String(r?.message ?? ""),
    };
    await recordAdminOperation(
      {
        action: "provider.test_connection",
        entityType: "provider",
        entityId: id,
        after: { ...result, gateway: gatewayAdminBaseUrl() },
      },
      actor,
    );
    return result;
  });
}
