// GET <prefix>/models: the models the caller's key may use on the routes under that prefix (OpenAI list shape).

import type { FastifyReply, FastifyRequest } from "fastify";
import { endpointOf } from "../../pipeline/route-match.ts";
import { checkRouteAccess } from "../../plugins/gateway-auth.plugin.ts";

export async function listModels(request: FastifyRequest, reply: FastifyReply) {
  const ctx = request.sluice;
  const path = request.url.split("?")[0] as string;
  const prefix = endpointOf("GET", path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path)?.prefix ?? "";
  const routes = ctx.snapshot.byPrefix.get(prefix) ?? [];
  const seen = new Set<string>();
  const data: Array<{ id: string; object: "model"; created: number; owned_by: string }> = [];
  for (const route of routes) {
    if (route.options.auth !== "none") {
      if (!ctx.consumer) continue;
      try {
        checkRouteAccess(route, ctx.consumer, ctx.key);
      } catch {
        continue;
      }
    }
    for (const name of route.modelNames) {
      if (seen.has(name) || (ctx.key?.allowedModels && !ctx.key.allowedModels.has(name))) continue;
      seen.add(name);
      const owner = route.byModel.get(name)?.[0]?.provider.name ?? "sluice";
      data.push({ id: name, object: "model", created: 0, owned_by: owner });
    }
  }
  ctx.status = 200;
  return reply.header("content-type", "application/json").send(JSON.stringify({ object: "list", data }));
}
