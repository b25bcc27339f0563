// First hook of every request: the request id (header x-sluice-request-id), the pipeline context, and the one
// listener that settles the request when the response is done or the client went away. A client that disconnects
// aborts the upstream call (ctx.abort); settle then runs when the handler has finished with what was produced.

import type { FastifyInstance } from "fastify";
import { createContext, type RequestContext } from "../pipeline/context.ts";
import { observeSettled, startRequestTrace } from "../pipeline/observe.ts";
import { settle } from "../usage/settle.ts";
import { global } from "./plugin.ts";

export const requestContextPlugin = global(async function requestContext(app: FastifyInstance) {
  const gw = app.gw;
  app.decorateRequest("sluice", null as unknown as RequestContext);

  const obs = gw.observability;
  const tracer = obs.tracer;
  const observe =
    obs.tracer.enabled || obs.sinks.enabled
      ? (ctx: RequestContext, event: Parameters<typeof observeSettled>[2]) => {
          try {
            observeSettled(obs, ctx, event);
          } catch (err) {
            app.log.warn({ err, reqId: ctx.id }, "observability: recording a request failed");
          }
        }
      : undefined;
  const deps = { usage: gw.usage, metrics: gw.metrics, log: app.log, clock: gw.clock, nodeId: gw.nodeId, observe };

  function maybeSettle(ctx: RequestContext): void {
    if (!ctx.closed || ctx.inFlight || ctx.settled) return;
    ctx.settled = true;
    if (!ctx.track) {
      gw.inFlight--;
      return;
    }
    settle(ctx, deps)
      .catch((err) => app.log.error({ err, reqId: ctx.id }, "settling a request failed"))
      .finally(() => {
        gw.inFlight--;
      });
  }

  app.decorate("settleWhenDone", maybeSettle);

  app.addHook("onRequest", (request, reply, done) => {
    const ctx = createContext(request.id, gw.clock.mono(), gw.clock.now(), gw.store.snapshot);
    request.sluice = ctx;
    // untracked requests (/health, /metrics) never end their span, so it is never exported
    if (tracer.enabled) startRequestTrace(tracer, ctx, request.headers, request.method, request.url);
    gw.inFlight++;
    reply.header("x-sluice-request-id", ctx.id);
    const res = reply.raw;
    res.once("close", () => {
      if (!res.writableFinished) {
        ctx.aborted = true;
        ctx.abort?.abort();
      }
      ctx.closed = true;
      maybeSettle(ctx);
    });
    done();
  });

  // the status the client got (for replies Fastify sends; streams set it themselves)
  app.addHook("onSend", (request, reply, payload, done) => {
    const ctx = request.sluice;
    if (ctx && !ctx.status) ctx.status = reply.statusCode;
    done(null, payload);
  });
}, "sluice-request-context");

declare module "fastify" {
  interface FastifyInstance {
    settleWhenDone(ctx: RequestContext): void;
  }
}
