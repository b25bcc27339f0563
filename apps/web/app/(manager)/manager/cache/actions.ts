"use server";

import { ConfigError, recordAdminOperation } from "@sluice/db";
import { z } from "zod";
import { runAdminAction } from "@/lib/admin-action";
import { callGatewayAdmin, gatewayAdminBaseUrl } from "@/lib/gateway-admin";

export type CachePurgeInput = { scope: "all" } | { scope: "route"; routeId: string } | { scope: "consumer"; consumerId: string };

export interface CachePurgeResult {
  purged: number;
  byBackend: Record<string, number>;
  gateway: string;
}

const PurgeInputSchema = z.discriminatedUnion("scope", [
  z.object({ scope: z.literal("all") }).strict(),
  z.object({ scope: z.literal("route"), routeId: z.string().min(1, "choose a route") }).strict(),
  z.object({ scope: z.literal("consumer"), consumerId: z.string().min(1, "choose a consumer") }).strict(),
]);

/** Purge cached answers on the gateway (POST /admin/cache/purge), then audit who purged what. */
export async function purgeCacheAction(input: CachePurgeInput) {
  return runAdminAction(async (actor): Promise<CachePurgeResult> => {
    const parsed = PurgeInputSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || "scope";
      throw new ConfigError("invalid", issue?.message ?? "invalid purge", { [field]: [issue?.message ?? "invalid"] });
    }
    const p = parsed.data;
    const selector =
      p.scope === "all" ? { all: true } : p.scope === "route" ? { routeId: p.routeId } : { consumerId: p.consumerId };
    const answer = await callGatewayAdmin<{ purged: number; byBackend: Record<string, number> }>("/admin/cache/purge", selector);
    const gateway = gatewayAdminBaseUrl();
    await recordAdminOperation(
      {
        action: "cache.purge",
        entityType: "cache",
        entityId: p.scope === "all" ? "all" : p.scope === "route" ? p.routeId : p.consumerId,
        after: { selector, purged: answer?.purged ?? 0, byBackend: answer?.byBackend ?? {}, gateway },
      },
      actor,
    );
    return { purged: answer?.purged ?? 0, byBackend: answer?.byBackend ?? {}, gateway };
  });
}
