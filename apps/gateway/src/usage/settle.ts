// Settling a request: exactly one usage event per tracked request (success, upstream error, rejection, abort),
// metrics, and one log line. Runs after the response is done (the response's 'close', or the end of a stream),
// never on the way to the client. Tokens come from the provider's usage; only when it gave none for an answer that
// was (partly) produced are they estimated and flagged.

import type { Prisma, UsageEventInput } from "@sluice/db";
import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "../lib/clock.ts";
import { newUsageId } from "../lib/ids.ts";
import type { RequestContext } from "../pipeline/context.ts";
import { settleGovernance, usageCacheFields } from "../pipeline/policies.ts";
import type { GatewayMetrics } from "../plugins/metrics.ts";
import { computeCost, findPrice, ZERO } from "./cost.ts";
import { estimatePromptTokens, estimateTextTokens } from "./estimate.ts";
import type { UsageSink } from "./writer.ts";

export interface SettleDeps {
  usage: UsageSink;
  metrics: GatewayMetrics;
  log: FastifyBaseLogger;
  clock: Clock;
  nodeId: string;
  /** log sinks and tracing (pipeline/observe.ts), given the event; absent when unconfigured */
  observe?: (ctx: RequestContext, event: UsageEventInput) => void;
}

function tokensOf(ctx: RequestContext) {
  const u = ctx.usage;
  if (!u) return null;
  return {
    promptTokens: u.prompt_tokens | 0,
    completionTokens: u.completion_tokens | 0,
    cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** Tokens and cost for the response headers (non-streaming answers), computed once and kept on the context. */
export function priceContext(ctx: RequestContext): void {
  const t = tokensOf(ctx);
  const target = ctx.target;
  if (!t || !target) return;
  const price = findPrice(ctx.snapshot, target.provider.kind, ctx.upstreamModel ?? target.clientModel, ctx.ts);
  if (price) {
    ctx.cost = computeCost(price, t);
    ctx.currency = price.currency;
  } else ctx.cost = ZERO;
}

async function estimate(ctx: RequestContext): Promise<boolean> {
  // an answer was (at least partly) produced but the provider said nothing about tokens
  if (ctx.usage || !ctx.target || ctx.upstreamStatus !== 200) return false;
  if (ctx.endpoint !== "chat" && ctx.endpoint !== "completions" && ctx.endpoint !== "embeddings") return false;
  try {
    const prompt = await estimatePromptTokens(ctx.body);
    const completion = ctx.completionText !== null ? await estimateTextTokens(ctx.completionText) : ctx.chunks;
    ctx.usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    return true;
  } catch {
    return false;
  }
}

export async function settle(ctx: RequestContext, deps: SettleDeps): Promise<void> {
  const latencyMs = deps.clock.mono() - ctx.start;
  const estimated = await estimate(ctx);
  if (ctx.cost === null || estimated) priceContext(ctx);
  // limits and budgets settle to the same tokens the event records (pipeline/policies.ts)
  await settleGovernance(ctx, deps.log);
  const t = tokensOf(ctx) ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0 };
  const cost = ctx.cost ?? ZERO;
  const target = ctx.target;
  const provider = target?.provider ?? null;
  const upstreamMs = ctx.upstreamStart !== null && ctx.upstreamEnd !== null ? ctx.upstreamEnd - ctx.upstreamStart : null;
  const status = ctx.status || (ctx.aborted ? 499 : 0);

  const event: UsageEventInput = {
    id: newUsageId(),
    requestId: ctx.id,
    ts: new Date(ctx.ts),
    nodeId: deps.nodeId,
    consumerId: ctx.consumer?.id ?? null,
    apiKeyId: ctx.key?.id ?? null,
    teamId: ctx.consumer?.teamId ?? null,
    routeId: ctx.route?.id ?? null,
    providerId: provider?.id ?? null,
    providerKind: provider?.kind ?? null,
    targetId: target?.id ?? null,
    model: ctx.model,
    upstreamModel: ctx.upstreamModel,
    status,
    upstreamStatus: ctx.upstreamStatus,
    errorType: ctx.errorType,
    errorCode: ctx.errorCode,
    stream: ctx.stream,
    aborted: ctx.aborted,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    cachedTokens: t.cachedTokens,
    reasoningTokens: t.reasoningTokens,
    totalTokens: t.promptTokens + t.completionTokens,
    estimated,
    cost,
    currency: ctx.currency,
    latencyMs: Math.round(latencyMs),
    ttftMs: ctx.ttftMs === null ? null : Math.round(ctx.ttftMs),
    upstreamLatencyMs: upstreamMs === null ? null : Math.round(upstreamMs),
    attempts: ctx.attempts && ctx.attempts.length > 0 ? (ctx.attempts as unknown as Prisma.InputJsonValue) : undefined,
    arm: ctx.arm,
    ...usageCacheFields(ctx),
  };
  deps.usage.push(event);
  deps.observe?.(ctx, event);

  const routeName = ctx.route?.name ?? "";
  const providerName = provider?.name ?? "";
  // the target's client-facing name, not the request's text: a label set clients cannot grow
  const model = target?.clientModel ?? "";
  const consumer = ctx.consumer?.name ?? "";
  deps.metrics.observe({
    route: routeName,
    provider: providerName,
    model,
    consumer,
    status,
    errorType: ctx.errorType,
    errorCode: ctx.errorCode,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    cost: cost.isZero() ? 0 : cost.toNumber(),
    currency: ctx.currency,
    latencyS: latencyMs / 1000,
    upstreamS: upstreamMs === null ? null : upstreamMs / 1000,
    ttftS: ctx.ttftMs === null ? null : ctx.ttftMs / 1000,
  });

  deps.log.info(
    {
      reqId: ctx.id,
      status,
      route: routeName || undefined,
      provider: providerName || undefined,
      model: ctx.model ?? undefined,
      consumer: consumer || undefined,
      ms: Math.round(latencyMs * 100) / 100,
      upstreamMs: upstreamMs === null ? undefined : Math.round(upstreamMs * 100) / 100,
      tokens: t.promptTokens + t.completionTokens || undefined,
      err: ctx.errorCode ?? undefined,
      aborted: ctx.aborted || undefined,
    },
    "request",
  );
}
