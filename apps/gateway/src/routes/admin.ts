// The gateway's own admin endpoints, for the manager UI (which calls every node):
//   POST /admin/cache/purge  { routeId? , consumerId? , teamId? } | { all: true }  -> { purged, byBackend }
//   POST /admin/cache/warm   { routeId, consumerId?, teamId?, requests: [chat request, ...], force? }
//                            -> { warmed, skipped, failed }: each request's answer is fetched upstream (no policies,
//                            limits or usage event) and stored under the route's cache policy and partition
//   POST /admin/providers/:id/test                  -> { ok, status, latencyMs, message }: the provider's non-billing
//                            check (GET /v1/models or its equivalent) with its resolved credentials on the traffic's
//                            upstream pool ("Test connection" in the manager); never the credential
// Protected by SLUICE_GATEWAY_ADMIN_TOKEN in `x-sluice-admin-token` (compared in constant time); without the
// variable the endpoints do not exist (404). Never a usage event.

import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { type CacheLookupInput, warmCache } from "../cache/index.ts";
import type { PurgeSelector } from "../cache/types.ts";
import { cacheConfigFor } from "../config/governance.ts";
import { GatewayError } from "../lib/errors.ts";
import { fetchChatAnswer } from "../pipeline/direct-call.ts";
import { ChatRequestSchema, validateRequest } from "../pipeline/schemas.ts";
import type { ChatRequest } from "../providers/types.ts";
import { testProviderConnection } from "../upstream/provider-check.ts";

export const ADMIN_TOKEN_HEADER = "x-sluice-admin-token";

const PurgeSchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z
    .object({
      routeId: z.string().min(1).optional(),
      consumerId: z.string().min(1).optional(),
      teamId: z.string().min(1).optional(),
    })
    .strict()
    .refine((s) => s.routeId !== undefined || s.consumerId !== undefined || s.teamId !== undefined, {
      message: 'name routeId, consumerId or teamId, or send {"all": true}',
    }),
]);

const WarmSchema = z
  .object({
    routeId: z.string().min(1),
    consumerId: z.string().min(1).nullable().optional(),
    teamId: z.string().min(1).nullable().optional(),
    requests: z.array(z.record(z.string(), z.unknown())).min(1).max(1000),
    force: z.boolean().optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    throw new GatewayError("invalid_request", `${i?.path.join(".") || "body"}: ${i?.message ?? "invalid"}`);
  }
  return r.data;
}

export async function adminRoutes(app: FastifyInstance) {
  const token = app.gw.env.SLUICE_GATEWAY_ADMIN_TOKEN;
  if (!token) return;
  const expected = Buffer.from(token);

  const authorize = async (request: FastifyRequest, _reply: FastifyReply) => {
    request.sluice.track = false;
    const given = request.headers[ADMIN_TOKEN_HEADER];
    const value = Buffer.from(typeof given === "string" ? given : "");
    if (value.length !== expected.length || !timingSafeEqual(value, expected)) {
      throw new GatewayError("invalid_api_key", "A valid admin token is required.", { status: 401 });
    }
  };

  app.post("/admin/cache/purge", { onRequest: authorize }, async (request, reply) => {
    const selector = parse(PurgeSchema, request.body) as PurgeSelector;
    const { total, byBackend } = await app.gw.governance.cache.purge(selector);
    request.log.info({ selector, purged: total }, "cache purged");
    return reply.send({ purged: total, byBackend });
  });

  app.post("/admin/cache/warm", { onRequest: authorize }, async (request, reply) => {
    const body = parse(WarmSchema, request.body);
    const snapshot = app.gw.store.snapshot;
    const route = snapshot.routesById.get(body.routeId);
    if (!route) throw new GatewayError("route_not_found", `Unknown route id "${body.routeId}".`);
    const consumer = body.consumerId ? snapshot.consumersById.get(body.consumerId) : undefined;
    if (body.consumerId && !consumer) throw new GatewayError("invalid_request", `Unknown consumer id "${body.consumerId}".`);
    const teamId = body.teamId ?? consumer?.teamId ?? null;
    const config = cacheConfigFor(snapshot.governance, {
      routeId: route.id,
      consumerId: consumer?.id ?? null,
      keyId: null,
      teamId,
      groupIds: consumer ? [...consumer.groups] : [],
    });
    if (!config) throw new GatewayError("invalid_request", `No cache policy applies to route "${route.name}".`);
    const inputs: CacheLookupInput[] = body.requests.map((r, i) => {
      try {
        validateRequest(ChatRequestSchema, r);
      } catch (err) {
        throw new GatewayError("invalid_request", `requests[${i}]: ${(err as GatewayError).publicMessage}`);
      }
      const req = r as unknown as ChatRequest;
      const list = route.byModel.get(req.model) ?? route.wildcard;
      const model = list.length === 1 && list[0]?.model.parts === null ? list[0].model.text : undefined;
      return { config, routeId: route.id, model, request: req, consumerId: consumer?.id ?? null, teamId };
    });
    const result = await warmCache(
      app.gw.governance.cache,
      inputs,
      (input) => fetchChatAnswer(app.gw.pools, app.gw.store.snapshot, input.routeId, input.request),
      { force: body.force, concurrency: body.concurrency },
    );
    request.log.info({ route: route.name, ...result }, "cache warmed");
    return reply.send(result);
  });

  app.post<{ Params: { id: string } }>("/admin/providers/:id/test", { onRequest: authorize }, async (request, reply) => {
    const snapshot = app.gw.store.snapshot;
    const provider = snapshot.providersById.get(request.params.id);
    if (!provider) {
      throw new GatewayError(
        "route_not_found",
        `Unknown provider id "${request.params.id}" (config version ${snapshot.version}).`,
      );
    }
    // a model this provider serves, for checks that name one
    let model: string | undefined;
    for (const route of snapshot.routesById.values()) {
      const t = route.targets.find((x) => x.provider.id === provider.id && x.model.parts === null);
      if (t) {
        model = t.model.text;
        break;
      }
    }
    const result = await testProviderConnection(provider, { pools: app.gw.pools, model });
    request.log.info({ provider: provider.name, ok: result.ok, status: result.status }, "provider connection tested");
    return reply.send(result);
  });
}
