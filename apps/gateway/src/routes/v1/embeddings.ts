import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { proxyRequest } from "../../pipeline/proxy.ts";

/** POST <route prefix>/embeddings */
export function embeddings(app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply) => proxyRequest(app, request, reply, "embeddings");
}
