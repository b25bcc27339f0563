import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { proxyRequest } from "../../pipeline/proxy.ts";

/** POST <route prefix>/completions */
export function completions(app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply) => proxyRequest(app, request, reply, "completions");
}
