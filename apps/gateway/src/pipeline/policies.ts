// Policies on the request path (ARCHITECTURE.md "Request pipeline"), called from small hook points in proxy.ts:
//   1. applyRequestPolicies  access phase, then prompt phase (template -> decorator -> guard / PII -> transformer);
//                            the rewritten request is what goes upstream (and what the cache keys)
//   2. governUpstream        exact / semantic cache lookup (pipeline/cache.ts; a hit answers at once), then one
//                            atomic reservation for every applicable rate limit and budget (429 naming the limit,
//                            retry-after, x-ratelimit-* on every response; a downgrade budget switches the target)
//   3. applyUpstreamHeaders  transformer header edits on the provider request
//   4. finishAnswer / createStreamTap  store the answer in the cache (as received), then response policies (PII
//                            restore, transformers) on complete answers and chunk by chunk on streams
//   5. settleGovernance      (from usage/settle.ts) settle the reservation to the real usage, or release it when no
//                            answer was produced; policies' settle hooks
// A request with no applicable policy, budget or cache policy pays one array scan and nothing else.
// Native passthrough routes (pipeline/native.ts) call hooks 1 and 2 with endpoint "native" and a read-only view of
// their body (no rewrites, no cache); denials then use the native format's error shape (sendDenial).

import type { Prisma } from "@sluice/db";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type CacheStatus, type CacheWriter, usageCacheStatus } from "../cache/index.ts";
import { compiledPriceFor, findTarget, type GovernanceSubject } from "../config/governance.ts";
import type { RouteEntry, Snapshot, TargetEntry } from "../config/snapshot.ts";
import { renderTemplate } from "../lib/template.ts";
import { getNativeFormat } from "../native/index.ts";
import type { GovernanceServices } from "../plugins/governance.ts";
import {
  actualUsage,
  type BoundPolicy,
  createPolicyContext,
  type Deny,
  type PolicyContext,
  type PolicyOutcome,
  reserveLimits,
} from "../policies/index.ts";
import type { ChatChunk, ChatRequest, Endpoint } from "../providers/types.ts";
import { lookupCache } from "./cache.ts";
import type { RequestContext } from "./context.ts";

export interface GovernanceState {
  services: GovernanceServices;
  subject: GovernanceSubject;
  pctx: PolicyContext;
  applicable: BoundPolicy[];
  /** transformer edits for the provider request (null removes) */
  upstreamHeaders: Record<string, string | null> | null;
  reservationId: string | null;
  cacheStatus: CacheStatus | null;
  /** what a cache hit would have cost upstream */
  savedCost: Prisma.Decimal | null;
  writer: CacheWriter | null;
}

const ERROR_TYPE_NAMES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
};

/**
 * Answers a policy denial (`code` is the policy's stable code) in the OpenAI error shape, or on a native route in
 * that format's own shape (Anthropic `{"type":"error",...}`, Google, AWS), so the native SDK raises its typed error.
 * `retry-after` / `x-ratelimit-*` come from the denial's headers either way.
 */
export function sendDenial(app: FastifyInstance, reply: FastifyReply, ctx: RequestContext, d: Deny): FastifyReply {
  ctx.status = d.status;
  ctx.errorType = d.status >= 500 ? "gateway" : "policy";
  ctx.errorCode = d.code;
  app.gw.governance.metrics.denial(ctx.route?.name ?? "", d.code);
  if (d.internal) app.log.info({ reqId: ctx.id, code: d.code, internal: d.internal }, "request denied by policy");
  if (d.headers) for (const [k, v] of Object.entries(d.headers)) reply.header(k, v);
  const message = d.status >= 500 ? "A gateway policy failed; the request id identifies it in the logs." : d.message;
  const nativeFormat = ctx.route?.type === "native" ? ctx.route.nativeFormat : null;
  if (nativeFormat) {
    const e = getNativeFormat(nativeFormat).gatewayError(d.status, d.code, message, ctx.id);
    return reply.code(e.status).headers(e.headers).send(e.body);
  }
  const body = {
    error: { message, type: ERROR_TYPE_NAMES[d.status] ?? "api_error", code: d.code, param: d.param ?? null },
  };
  return reply.code(d.status).header("content-type", "application/json; charset=utf-8").send(JSON.stringify(body));
}

function setHeaders(reply: FastifyReply, headers: Record<string, string | null> | undefined): void {
  if (!headers) return;
  for (const [k, v] of Object.entries(headers)) {
    if (v === null) reply.removeHeader(k);
    else reply.header(k, v);
  }
}

/**
 * What the hooks govern: an OpenAI endpoint (the body is the request), or "native" (passthrough routes): then `body`
 * is a read-only canonical view built by pipeline/native.ts (`nativePolicyView`: one user message with the format's
 * promptText(), `max_tokens` = the native ceiling), never sent upstream; policies may read it, not rewrite it.
 */
export type GovernedEndpoint = Endpoint | "native";

/**
 * Hook 1 (before the target is picked): access and prompt policies. Returns the (possibly rewritten) body, or null
 * when the request was answered with a denial.
 */
export async function applyRequestPolicies(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: RequestContext,
  endpoint: GovernedEndpoint,
  body: Record<string, unknown>,
): Promise<Record<string, unknown> | null> {
  const gov = ctx.snapshot.governance;
  const route = ctx.route as RouteEntry;
  const consumer = ctx.consumer;
  const subject: GovernanceSubject = {
    routeId: route.id,
    consumerId: consumer?.id ?? null,
    keyId: ctx.key?.id ?? null,
    teamId: consumer?.teamId ?? null,
    groupIds: consumer ? [...consumer.groups] : [],
  };
  if (gov.empty && gov.caches.length === 0) return body;
  const applicable = gov.policies.select(subject);
  const clock = app.gw.clock;
  const pctx = createPolicyContext({
    requestId: ctx.id,
    consumerId: subject.consumerId,
    keyId: subject.keyId,
    teamId: subject.teamId,
    groupIds: subject.groupIds,
    routeId: route.id,
    model: ctx.model ?? "",
    request: endpoint === "chat" || endpoint === "native" ? (body as unknown as ChatRequest) : null,
    headers: request.headers,
    now: () => clock.now(),
  });
  if (endpoint === "native") pctx.readOnly = true;
  const state: GovernanceState = {
    services: app.gw.governance,
    subject,
    pctx,
    applicable,
    upstreamHeaders: null,
    reservationId: null,
    cacheStatus: null,
    savedCost: null,
    writer: null,
  };
  ctx.gov = state;
  if (applicable.length === 0) return body;

  for (const phase of ["access", "prompt"] as const) {
    const d = await gov.policies.runPhase(phase, pctx, applicable);
    if (!d.ok) {
      sendDenial(app, reply, ctx, d);
      return null;
    }
    setHeaders(reply, d.headers);
    if (d.upstreamHeaders) state.upstreamHeaders = { ...state.upstreamHeaders, ...d.upstreamHeaders };
  }
  const rewritten = pctx.request as unknown as Record<string, unknown> | null;
  if (rewritten && rewritten !== body && endpoint !== "native") {
    ctx.body = rewritten;
    return rewritten;
  }
  return body;
}

function upstreamModelOf(target: TargetEntry, request: FastifyRequest, ctx: RequestContext): string {
  try {
    return renderTemplate(target.model, {
      headers: request.headers,
      uriCaptures: ctx.uriCaptures,
      query: request.query as Record<string, unknown> | undefined,
    });
  } catch {
    return target.clientModel;
  }
}

/** Rough prompt size of a completions / embeddings body (4 characters a token), for token limits only. */
function roughPromptTokens(body: Record<string, unknown>): number {
  const v = body.prompt ?? body.input;
  if (v === undefined) return 0;
  return Math.ceil((typeof v === "string" ? v.length : JSON.stringify(v).length) / 4);
}

export type UpstreamGate = { answered: true; reply: FastifyReply | undefined } | { answered: false; targets: TargetEntry[] };

/**
 * Hook 2 (the route's candidate targets known, before the balancer picks): cache lookup, then limits and budgets.
 * The worst case is priced at the first candidate (the settle uses the target that served); a downgrade budget
 * narrows the candidates to its target.
 */
export async function governUpstream(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: RequestContext,
  endpoint: GovernedEndpoint,
  body: Record<string, unknown>,
  targets: TargetEntry[],
): Promise<UpstreamGate> {
  const state = ctx.gov;
  if (!state) return { answered: false, targets };
  const snapshot: Snapshot = ctx.snapshot;
  const gov = snapshot.governance;
  const primary = targets[0] as TargetEntry;

  if (endpoint === "chat") {
    // the provider-visible model is known when the route has one candidate; else the client's model keys the entry
    const model = targets.length === 1 ? upstreamModelOf(primary, request, ctx) : null;
    const hit = await lookupCache(app, request, reply, ctx, state, body as unknown as ChatRequest, primary, model);
    if (hit) return { answered: true, reply: reply.sent && !ctx.stream ? reply : undefined };
  }

  const rateLimits = gov.policies.rateLimits(state.applicable);
  if (rateLimits.length === 0 && gov.budgets.length === 0) return { answered: false, targets };
  const route = ctx.route as RouteEntry;
  // native routes: a downgrade target must speak the same API (config validation keeps a route's own targets so)
  const native = route.type === "native" && route.nativeFormat ? getNativeFormat(route.nativeFormat) : null;
  const servesRequest = (t: TargetEntry) => !native || native.supportsTarget(t.provider.kind, upstreamModelOf(t, request, ctx));
  const chatLike = endpoint === "chat" || endpoint === "native";
  const r = await reserveLimits({
    limiter: state.services.limiter,
    rateLimits,
    budgets: gov.budgets,
    subject: state.subject,
    request: chatLike ? (body as unknown as ChatRequest) : null,
    promptTokens: chatLike ? undefined : roughPromptTokens(body),
    defaultMaxTokens: route.options.defaultMaxTokens ?? null,
    priceFor: (downgradeTargetId) => {
      const t = downgradeTargetId === null ? primary : findTarget(snapshot, route.id, downgradeTargetId);
      return t ? compiledPriceFor(snapshot, t, upstreamModelOf(t, request, ctx), ctx.ts) : null;
    },
    now: app.gw.clock.now(),
    ...(native
      ? {
          canDowngradeTo: (id: string) => {
            const t = findTarget(snapshot, route.id, id);
            return t !== null && servesRequest(t);
          },
        }
      : {}),
  });
  const d = r.decision;
  if (!d.ok) return { answered: true, reply: sendDenial(app, reply, ctx, d) };
  setHeaders(reply, d.headers);
  state.reservationId = r.reservationId;
  if (r.downgradeTargetId) {
    const target = findTarget(snapshot, route.id, r.downgradeTargetId);
    if (target) {
      reply.header("x-sluice-downgraded", target.clientModel);
      return { answered: false, targets: [target] };
    }
    app.log.warn(
      { reqId: ctx.id, target: r.downgradeTargetId },
      "budget downgrade target is not in the config; serving as asked",
    );
  }
  return { answered: false, targets };
}

/** Hook 3: transformer header edits on the provider request. */
export function applyUpstreamHeaders(ctx: RequestContext, headers: Record<string, string>): void {
  const edits = ctx.gov?.upstreamHeaders;
  if (!edits) return;
  for (const [k, v] of Object.entries(edits)) {
    if (v === null) delete headers[k];
    else headers[k] = v;
  }
}

function hasResponseHooks(state: GovernanceState): boolean {
  return state.applicable.some((b) => b.policy.onResponse !== undefined);
}

/**
 * Response policies over a complete answer: returns the replacement JSON text, or null when nothing changed.
 * Header edits go to the reply.
 */
export function applyResponsePolicies(reply: FastifyReply, ctx: RequestContext, answer: unknown): string | null {
  const state = ctx.gov;
  if (!state || !hasResponseHooks(state)) return null;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = String(v);
  const out = ctx.snapshot.governance.policies.applyResponse(state.pctx, state.applicable, {
    status: 200,
    headers,
    body: answer,
  });
  for (const k of Object.keys(headers)) if (!(k in out.headers)) reply.removeHeader(k);
  for (const [k, v] of Object.entries(out.headers)) if (headers[k] !== v) reply.header(k, v);
  return out.body === answer ? null : JSON.stringify(out.body);
}

/**
 * Hook 4 (non-streamed 200 answers): store the canonical answer in the cache (before response policies, so a
 * caller's restored PII is never stored), then response policies. Returns the payload to send.
 */
export async function finishAnswer(reply: FastifyReply, ctx: RequestContext, answer: unknown, payload: string): Promise<string> {
  const state = ctx.gov;
  if (!state) return payload;
  if (state.writer) {
    await state.writer.storeResponse(200, answer as never);
    state.writer = null;
  }
  return applyResponsePolicies(reply, ctx, answer) ?? payload;
}

/** What the stream path feeds each canonical chunk through. */
export interface StreamTap {
  /** the chunks to send for one upstream chunk (held-back text is flushed before a finish chunk) */
  chunk(c: ChatChunk): ChatChunk[];
  /** the stream ended normally: what is still held back, as chunks */
  end(): ChatChunk[];
  /** store the recording (ok) or give it up */
  finish(ok: boolean): Promise<void>;
}

/** Hook 5 (streams): null when neither the cache records nor a policy transforms this stream (the fast lane stays). */
export function createStreamTap(ctx: RequestContext): StreamTap | null {
  const state = ctx.gov;
  if (!state) return null;
  // a new recorder per attempt: a failed-over stream records the answer that is finally sent
  const recorder = state.writer?.recordStream() ?? null;
  const transforms = ctx.snapshot.governance.policies.streamTransforms(state.pctx, state.applicable);
  if (!recorder && transforms.length === 0) return null;
  let last: ChatChunk | null = null;
  const flush = (): ChatChunk[] => {
    const out: ChatChunk[] = [];
    for (const t of transforms) {
      for (const held of t.end()) {
        out.push({
          id: last?.id ?? "",
          object: "chat.completion.chunk",
          created: last?.created ?? Math.floor(Date.now() / 1000),
          model: last?.model ?? "",
          choices: [{ index: held.index, delta: { content: held.content }, finish_reason: null }],
        });
      }
    }
    return out;
  };
  return {
    chunk(c) {
      recorder?.push(c);
      last = c;
      if (transforms.length === 0) return [c];
      let cur = c;
      for (const t of transforms) cur = t.chunk(cur);
      const finishing = cur.choices.some((ch) => ch.finish_reason);
      return finishing ? [...flush(), cur] : [cur];
    },
    end: () => (transforms.length > 0 ? flush() : []),
    async finish(ok) {
      if (!recorder) return;
      if (ok) await recorder.end();
      else recorder.abandon("error");
    },
  };
}

/** Hook 6 (usage/settle.ts, after the usage is final): settle or release the reservation; policies' settle hooks. */
export async function settleGovernance(ctx: RequestContext, log: FastifyInstance["log"]): Promise<void> {
  const state = ctx.gov;
  if (!state) return;
  const u = ctx.usage;
  const produced = ctx.upstreamStatus === 200 && u !== null;
  if (state.reservationId) {
    const rid = state.reservationId;
    state.reservationId = null;
    try {
      if (produced) {
        const t = ctx.target;
        const price = t ? compiledPriceFor(ctx.snapshot, t, ctx.upstreamModel ?? t.clientModel, ctx.ts) : null;
        await state.services.limiter.settle(
          rid,
          actualUsage(
            {
              promptTokens: u.prompt_tokens | 0,
              completionTokens: u.completion_tokens | 0,
              cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
              reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
            },
            price,
          ),
        );
      } else await state.services.limiter.release(rid);
    } catch (err) {
      log.warn({ reqId: ctx.id, err: { message: (err as Error).message } }, "settling the limit reservation failed");
    }
  }
  if (state.applicable.some((b) => b.policy.settle)) {
    const outcome: PolicyOutcome = {
      status: ctx.status,
      usage: u
        ? {
            promptTokens: u.prompt_tokens,
            completionTokens: u.completion_tokens,
            cachedTokens: u.prompt_tokens_details?.cached_tokens,
          }
        : null,
      costNano: null,
      aborted: ctx.aborted,
      error: ctx.errorCode ? { code: ctx.errorCode, message: ctx.errorCode } : null,
    };
    await ctx.snapshot.governance.policies.settle(state.pctx, state.applicable, outcome, (b, err) =>
      log.warn({ reqId: ctx.id, policy: b.name, err: { message: (err as Error).message } }, "policy settle failed"),
    );
  }
}

/** The usage event's cache fields. */
export function usageCacheFields(ctx: RequestContext): {
  cacheStatus: ReturnType<typeof usageCacheStatus>;
  savedCost?: Prisma.Decimal;
} {
  const state = ctx.gov;
  if (!state) return { cacheStatus: "none" };
  return {
    cacheStatus: usageCacheStatus(state.cacheStatus),
    ...(state.savedCost ? { savedCost: state.savedCost } : {}),
  };
}

const TEMPLATE_REFERENCE = /^\{template:\/\/[A-Za-z0-9_.-]+\}$/;

/**
 * Before validation: `"messages": "{template://name}"` (Kong's form) becomes one user message carrying the
 * reference, which the prompt-template policy renders; any other string stays and fails validation as before.
 */
export function templateReferenceAsMessage(body: Record<string, unknown>): void {
  const m = body.messages;
  if (typeof m === "string" && TEMPLATE_REFERENCE.test(m.trim())) body.messages = [{ role: "user", content: m.trim() }];
}
