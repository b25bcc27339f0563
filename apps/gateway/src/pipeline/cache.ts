// The response cache on the request path (cache/response-cache.ts explains keys, partitions and what is stored).
// Called from governUpstream after the prompt phase, with the provider-visible model known: a hit answers at once
// (JSON, or the recorded stream replayed as SSE), costs 0, and records what it saved; a miss leaves a writer on the
// request state that stores the fresh answer once it is complete.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CACHE_HEADER } from "../cache/index.ts";
import { cacheConfigFor } from "../config/governance.ts";
import type { RouteEntry, TargetEntry } from "../config/snapshot.ts";
import type { ChatChunk, ChatRequest } from "../providers/types.ts";
import { computeCost, findPrice, ZERO } from "../usage/cost.ts";
import type { RequestContext } from "./context.ts";
import { applyResponsePolicies, createStreamTap, type GovernanceState } from "./policies.ts";

/** Looks the request up; true when a hit was sent. */
export async function lookupCache(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: RequestContext,
  state: GovernanceState,
  body: ChatRequest,
  target: TargetEntry,
  upstreamModel: string | null,
): Promise<boolean> {
  const config = cacheConfigFor(ctx.snapshot.governance, state.subject);
  if (!config) return false;
  const lookup = await state.services.cache.lookup({
    config,
    routeId: state.subject.routeId,
    model: upstreamModel ?? undefined,
    request: body,
    consumerId: state.subject.consumerId,
    teamId: state.subject.teamId,
    headers: request.headers,
  });
  reply.header(CACHE_HEADER, lookup.header);
  state.cacheStatus = lookup.status;
  state.writer = lookup.writer;
  const hit = lookup.hit;
  if (!hit) return false;

  const model = upstreamModel ?? target.clientModel;
  ctx.target = target;
  ctx.upstreamModel = model;
  ctx.cost = ZERO;
  const u = hit.usage;
  const price = u ? findPrice(ctx.snapshot, target.provider.kind, model, ctx.ts) : null;
  if (u && price) {
    state.savedCost = computeCost(price, {
      promptTokens: u.prompt_tokens,
      completionTokens: u.completion_tokens,
      cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
      reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
    });
    ctx.currency = price.currency;
  }
  reply.header("x-sluice-route", (ctx.route as RouteEntry).name);
  reply.header("x-sluice-provider", target.provider.name);
  reply.header("x-sluice-model", model);
  if (hit.similarity !== null) reply.header("x-sluice-cache-similarity", hit.similarity.toFixed(4));

  if (!ctx.stream) {
    const text = hit.body();
    let payload = text;
    if (state.applicable.some((b) => b.policy.onResponse)) {
      payload = applyResponsePolicies(reply, ctx, JSON.parse(text)) ?? text;
    }
    reply.code(200).header("content-type", "application/json").send(payload);
    return true;
  }

  // a replayed stream goes through the same stream policies (PII restore) as a fresh one
  const tap = createStreamTap(ctx);
  let sse = "";
  if (!tap) sse = hit.sse();
  else {
    for (const text of hit.chunks())
      for (const c of tap.chunk(JSON.parse(text) as ChatChunk)) sse += `data: ${JSON.stringify(c)}\n\n`;
    for (const c of tap.end()) sse += `data: ${JSON.stringify(c)}\n\n`;
    sse += "data: [DONE]\n\n";
  }
  const headers = reply.getHeaders();
  headers["content-type"] = "text/event-stream; charset=utf-8";
  headers["cache-control"] = "no-cache";
  reply.hijack();
  reply.raw.writeHead(200, headers as Record<string, string>);
  ctx.status = 200;
  ctx.ttftMs = app.gw.clock.mono() - ctx.start;
  reply.raw.end(sse);
  return true;
}
