// The gateway API. Route paths are configuration (a route = path prefixes + type), so Fastify sees catch-alls and
// the gateway-auth hook matches the snapshot's routes; the handler picks the endpoint the hook found.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { GatewayError } from "../../lib/errors.ts";
import { proxyNative } from "../../pipeline/native.ts";
import { chatCompletions } from "./chat-completions.ts";
import { completions } from "./completions.ts";
import { embeddings } from "./embeddings.ts";
import { listModels } from "./models.ts";

export async function v1Routes(app: FastifyInstance) {
  const handlers = { chat: chatCompletions(app), completions: completions(app), embeddings: embeddings(app) };
  const config = { gateway: true };

  app.post("/*", { config }, (request: FastifyRequest, reply: FastifyReply) => {
    const endpoint = request.sluice.endpoint;
    if (endpoint === "chat" || endpoint === "completions" || endpoint === "embeddings") return handlers[endpoint](request, reply);
    if (endpoint === "native") return proxyNative(app, request, reply);
    throw new GatewayError("route_not_found", `Unknown request URL: POST ${request.url.split("?")[0]}.`);
  });
  app.get("/*", { config }, listModels);
  // CORS preflight is answered by the gateway-auth hook; this only gives the path a route
  app.options("/*", { config }, async (_request, reply) => reply.code(204).send());
}
