import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { proxyRequest } from "../../pipeline/proxy.ts";

/** POST <route prefix>/chat/completions */
export function chatCompletions(app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply) => proxyRequest(app, request, reply, "chat");
}
