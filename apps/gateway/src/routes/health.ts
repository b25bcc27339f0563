// GET /health: liveness plus what an operator wants at a glance. Never authenticated, never a usage event.

import type { FastifyInstance } from "fastify";

export async function healthRoutes(app: FastifyInstance) {
  app.get("/health", async (request, reply) => {
    request.sluice.track = false;
    const gw = app.gw;
    const s = gw.store.snapshot;
    const database = gw.dbSource ? (gw.dbSource.connected ? "connected" : "disconnected") : "disabled";
    const body = {
      status: gw.draining ? "draining" : "ok",
      database,
      redis: gw.redis ? gw.redis.status() : "disabled",
      configVersion: Number(s.version),
      configSource: s.source,
      configError: gw.store.lastError,
      nodeId: gw.nodeId,
      snapshotAgeMs: Math.max(0, gw.clock.now() - s.builtAt),
      usage: gw.usage.stats(),
    };
    return reply.code(gw.draining ? 503 : 200).send(body);
  });

  app.get("/metrics", async (request, reply) => {
    request.sluice.track = false;
    const text = await app.gw.metrics.registry.metrics();
    return reply.header("content-type", app.gw.metrics.registry.contentType).send(text);
  });
}
