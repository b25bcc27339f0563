// GET /health/targets: the balancer's view of every configured target (breaker state, cool-down, last active
// check, in-flight, EWMA latency), as HealthRegistry.snapshot() gives it. Never authenticated, never a usage event;
// the same JSON goes into gateway_nodes.health with each heartbeat.

import type { FastifyInstance } from "fastify";

export async function healthTargetsRoute(app: FastifyInstance) {
  app.get("/health/targets", async (request, reply) => {
    request.sluice.track = false;
    return reply.send({ nodeId: app.gw.nodeId, ...app.gw.balancing.snapshot() });
  });
}
