// The provider call for chat, completions and embeddings: validate, pick the target for the model, apply target
// options and templating, let the adapter build the upstream request, call it through the origin's undici Pool,
// and translate the answer back. Streams are de-framed and mapped incrementally and written with backpressure; the
// fast lane (adapter.openaiCompatible) forwards upstream bytes as they are and only parses the event carrying usage.

import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Dispatcher } from "undici";
import type { AttemptResult } from "../balancer/index.ts";
import type { ProviderEntry, RouteEntry, TargetEntry } from "../config/snapshot.ts";
import { GatewayError } from "../lib/errors.ts";
import { createDeframer } from "../lib/framing/index.ts";
import { renderTemplate, TemplateError } from "../lib/template.ts";
import {
  type ChatChunk,
  type Endpoint,
  type OpenAIErrorBody,
  type ProviderCredentials,
  ProviderFormatError,
  type StreamEvent,
  type TransformContext,
  UnsupportedRequestError,
  type UpstreamRequest,
  UpstreamStreamError,
  type Usage,
} from "../providers/types.ts";
import { previousCredentialsFor } from "../upstream/provider-check.ts";
import { priceContext } from "../usage/settle.ts";
import {
  type AttemptOutcome,
  attemptResultOfError,
  attemptResultOfStatus,
  ClientGoneError,
  deliverNothing,
  promptTextOf,
  type ReadyStep,
  runAttempts,
  runTracked,
  targetsFor,
} from "./attempts.ts";
import type { RequestContext } from "./context.ts";
import {
  applyRequestPolicies,
  applyUpstreamHeaders,
  createStreamTap,
  finishAnswer,
  governUpstream,
  type StreamTap,
  templateReferenceAsMessage,
} from "./policies.ts";
import { ChatRequestSchema, CompletionRequestSchema, EmbeddingsRequestSchema, validateRequest } from "./schemas.ts";

const SCHEMAS = { chat: ChatRequestSchema, completions: CompletionRequestSchema, embeddings: EmbeddingsRequestSchema };
const MAX_ERROR_BODY = 64 * 1024;
const LFLF = Buffer.from("\n\n");
const USAGE_KEY = Buffer.from('"usage":');

const ClientGone = ClientGoneError;

// ─── target selection and request preparation ─────────────────────────────────────────────────────────────────

function applyTargetOptions(target: TargetEntry, body: Record<string, unknown>): void {
  for (const rule of target.optionRules) {
    if (rule.override) body[rule.name] = rule.value;
    else if (body[rule.name] === undefined || body[rule.name] === null) body[rule.name] = rule.value;
  }
}

function providerUnavailable(provider: ProviderEntry): GatewayError {
  const creds = /credential|environment variable|master key/i.test(provider.unavailable ?? "");
  return new GatewayError(
    creds ? "provider_credentials_unavailable" : "provider_unavailable",
    `Provider "${provider.name}" is not available on this gateway.`,
    { internal: `provider ${provider.name}: ${provider.unavailable}` },
  );
}

function upstreamFailure(err: unknown, provider: ProviderEntry, timedOut: boolean): GatewayError {
  const code = (err as { code?: string }).code;
  if (timedOut || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return new GatewayError("upstream_timeout", `Provider "${provider.name}" did not answer in time.`, {
      internal: `${provider.name}: ${code ?? "total timeout"} ${(err as Error).message ?? ""}`,
    });
  }
  return new GatewayError("upstream_connection_error", `Could not reach provider "${provider.name}".`, {
    internal: `${provider.name}: ${code ?? ""} ${(err as Error).message ?? String(err)}`,
  });
}

function badResponse(provider: ProviderEntry, detail: string): GatewayError {
  return new GatewayError(
    "upstream_bad_response",
    `Provider "${provider.name}" (${provider.kind}) returned a response the gateway could not translate.`,
    { internal: `${provider.name}: ${detail}` },
  );
}

function readUsage(raw: unknown): Usage | null {
  if (typeof raw !== "object" || raw === null) return null;
  const u = raw as Record<string, unknown>;
  const prompt = typeof u.prompt_tokens === "number" ? u.prompt_tokens : 0;
  const completion = typeof u.completion_tokens === "number" ? u.completion_tokens : 0;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof u.total_tokens === "number" ? u.total_tokens : prompt + completion,
  };
  const pd = u.prompt_tokens_details as { cached_tokens?: unknown } | undefined;
  if (pd && typeof pd.cached_tokens === "number") usage.prompt_tokens_details = { cached_tokens: pd.cached_tokens };
  const cd = u.completion_tokens_details as { reasoning_tokens?: unknown } | undefined;
  if (cd && typeof cd.reasoning_tokens === "number") usage.completion_tokens_details = { reasoning_tokens: cd.reasoning_tokens };
  return usage;
}

function setAnswerHeaders(reply: FastifyReply, ctx: RequestContext): void {
  const target = ctx.target as TargetEntry;
  reply.header("x-sluice-route", (ctx.route as RouteEntry).name);
  reply.header("x-sluice-provider", target.provider.name);
  reply.header("x-sluice-model", ctx.upstreamModel ?? "");
}

function setUsageHeaders(reply: FastifyReply, ctx: RequestContext): void {
  const u = ctx.usage;
  if (!u) return;
  reply.header("x-sluice-tokens-prompt", String(u.prompt_tokens));
  reply.header("x-sluice-tokens-completion", String(u.completion_tokens));
  if (ctx.cost) reply.header("x-sluice-cost", ctx.cost.toString());
}

async function readText(body: Dispatcher.ResponseData["body"], limit: number): Promise<string> {
  let text = "";
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (text.length < limit) text += chunk.toString("utf8");
  }
  return text.length > limit ? text.slice(0, limit) : text;
}

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

// ─── the handler ───────────────────────────────────────────────────────────────────────────────────────────────

export async function proxyRequest(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  endpoint: Endpoint,
): Promise<FastifyReply | undefined> {
  return runTracked(app, request, reply, (ctx) => run(app, request, reply, endpoint, ctx));
}

async function run(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  endpoint: Endpoint,
  ctx: RequestContext,
): Promise<FastifyReply | undefined> {
  let body = request.body as Record<string, unknown>;
  if (!body) throw new GatewayError("invalid_json", "The request body is empty; send a JSON object.");
  ctx.body = body;
  if (endpoint === "chat") templateReferenceAsMessage(body);
  validateRequest(SCHEMAS[endpoint], body);
  const model = body.model as string;
  ctx.model = model;
  const stream = endpoint !== "embeddings" && body.stream === true;
  ctx.stream = stream;

  const route = ctx.route as RouteEntry;
  if (ctx.key?.allowedModels && !ctx.key.allowedModels.has(model)) {
    throw new GatewayError("model_not_allowed", `This API key may not use model "${model}".`, { param: "model" });
  }
  let list = targetsFor(route, model);
  if (!list) {
    throw new GatewayError("model_not_found", `The model \`${model}\` does not exist or you do not have access to it.`, {
      param: "model",
    });
  }
  // policies (pipeline/policies.ts): access + prompt phases may answer or rewrite the body; then the cache (a hit
  // answers) and one reservation for every limit and budget (a 429 answers; a downgrade narrows the targets)
  const governed = await applyRequestPolicies(app, request, reply, ctx, endpoint, body);
  if (!governed) return reply;
  body = governed;
  const gate = await governUpstream(app, request, reply, ctx, endpoint, body, list);
  if (gate.answered) return gate.reply;
  list = gate.targets;
  // the balancer picks the target(s); each attempt translates for its own provider (see attempts.ts)
  return runAttempts(app, request, reply, list, (step) => callTarget(app, request, reply, endpoint, ctx, body, step), {
    promptText: () => promptTextOf(body),
  });
}

/** One attempt: the request for `step.target`'s provider, the upstream call within the step's limits, the answer. */
async function callTarget(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  endpoint: Endpoint,
  ctx: RequestContext,
  clientBody: Record<string, unknown>,
  step: ReadyStep,
): Promise<AttemptOutcome> {
  const target = step.target;
  const route = ctx.route as RouteEntry;
  const stream = ctx.stream;
  ctx.target = target;
  const provider = target.provider;
  if (provider.unavailable) throw providerUnavailable(provider);

  let upstreamModel: string;
  try {
    upstreamModel = renderTemplate(target.model, {
      headers: request.headers,
      uriCaptures: ctx.uriCaptures,
      query: request.query as Record<string, unknown> | undefined,
    });
  } catch (err) {
    if (err instanceof TemplateError) throw new GatewayError("invalid_request", err.message, { param: "model" });
    throw err;
  }
  ctx.upstreamModel = upstreamModel;
  // target options apply to this attempt only (a fallback target has its own)
  const body = target.optionRules.length > 0 ? { ...clientBody } : clientBody;
  if (target.optionRules.length > 0) applyTargetOptions(target, body);

  let credentials: ProviderCredentials = provider.credentials;
  const override = request.headers["x-sluice-provider-key"];
  if (override !== undefined) {
    if (!provider.allowOverride) {
      throw new GatewayError(
        "provider_key_override_not_allowed",
        `Provider "${provider.name}" does not accept client-supplied provider keys.`,
      );
    }
    credentials = { ...credentials, apiKey: Array.isArray(override) ? override[0] : override };
  }

  const adapter = provider.adapter;
  const transform = endpoint === "chat" ? adapter.chat : endpoint === "completions" ? adapter.completions : adapter.embeddings;
  if (!transform) {
    throw new GatewayError("invalid_request", `Provider "${provider.name}" (${provider.kind}) does not serve ${endpoint}.`, {
      param: "model",
    });
  }
  const so = body.stream_options as { include_usage?: boolean } | null | undefined;
  const clientWantsStreamUsage = stream && so?.include_usage === true;
  const tctx: TransformContext = {
    baseUrl: provider.baseUrl,
    model: upstreamModel,
    settings: provider.settings,
    credentials,
    clientWantsStreamUsage,
    requestId: ctx.id,
    now: Math.floor(ctx.ts / 1000),
  };

  let up: UpstreamRequest;
  try {
    up = transform.buildRequest(body as never, tctx);
    if (target.headers) Object.assign(up.headers, target.headers);
    applyUpstreamHeaders(ctx, up.headers);
    // traceparent for the attempt's span, before signing (Bedrock's SigV4 covers it)
    if (app.gw.observability.tracer.enabled) app.gw.observability.tracer.injectTraceHeaders(ctx.attemptSpan, up.headers);
    if (adapter.sign) up = await adapter.sign(up, tctx);
  } catch (err) {
    if (err instanceof UnsupportedRequestError) throw new GatewayError("invalid_request", err.message, { param: err.param });
    throw err;
  }

  // ── the upstream call, within this attempt's limits ──
  let origin = provider.origin;
  let path: string;
  if (up.url.startsWith(origin) && up.url.charCodeAt(origin.length) === 47 /* / */) path = up.url.slice(origin.length);
  else {
    const u = new URL(up.url);
    origin = u.origin;
    path = u.pathname + u.search;
  }
  const timeouts = route.retry.timeouts;
  const pool = app.gw.pools.get(origin, provider.connections, timeouts.connectMs);
  const ac = new AbortController();
  ctx.abort = ac;
  if (ctx.aborted) throw new ClientGone();
  const firstByteMs = Math.min(target.timeoutMs ?? timeouts.firstByteMs, step.timeoutMs);
  let timedOut = false;
  const totalTimer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, step.timeoutMs);
  // undici's headersTimeout runs on its coarse (~1 s) timer wheel; the first-byte limit needs a precise one
  let firstByteTimedOut = false;
  const firstByteTimer = setTimeout(() => {
    firstByteTimedOut = true;
    ac.abort();
  }, firstByteMs);

  const clock = app.gw.clock;
  const started = clock.mono();
  ctx.upstreamStart = started;
  ctx.upstreamEnd = null;
  ctx.upstreamStatus = null;
  const latency = () => Math.round(clock.mono() - started);
  let res: Dispatcher.ResponseData;
  try {
    res = await pool.request({
      path,
      method: up.method,
      headers: up.headers,
      body: up.body,
      signal: ac.signal,
      headersTimeout: firstByteMs,
      bodyTimeout: firstByteMs,
    });
    // zero-downtime rotation: a 401 is retried once with the previous credential while its grace period lasts
    const previous = res.statusCode === 401 && override === undefined ? previousCredentialsFor(provider) : null;
    if (previous) {
      await res.body.dump().catch(() => {});
      const again: TransformContext = { ...tctx, credentials: previous };
      let retry = transform.buildRequest(body as never, again);
      if (target.headers) Object.assign(retry.headers, target.headers);
      applyUpstreamHeaders(ctx, retry.headers);
      if (adapter.sign) retry = await adapter.sign(retry, again);
      const u = new URL(retry.url);
      res = await pool.request({
        path: u.pathname + u.search,
        method: retry.method,
        headers: retry.headers,
        body: retry.body,
        signal: ac.signal,
        headersTimeout: firstByteMs,
        bodyTimeout: firstByteMs,
      });
    }
  } catch (err) {
    clearTimeout(totalTimer);
    clearTimeout(firstByteTimer);
    ctx.upstreamEnd = clock.mono();
    if (ctx.aborted) throw new ClientGone();
    const failure = upstreamFailure(err, provider, timedOut || firstByteTimedOut);
    return {
      result: firstByteTimedOut && !timedOut ? { kind: "timeout", phase: "first_byte" } : attemptResultOfError(err, timedOut),
      observed: { latencyMs: latency() },
      deliver: () => {
        throw failure;
      },
    };
  }
  clearTimeout(firstByteTimer);
  ctx.upstreamStatus = res.statusCode;

  try {
    if (res.statusCode !== 200) {
      const answer = await readUpstreamError(provider, res);
      ctx.upstreamEnd = clock.mono();
      return {
        result: attemptResultOfStatus(res.statusCode, answer.headers, clock.now(), override !== undefined),
        observed: { latencyMs: latency() },
        deliver: () => sendUpstreamError(reply, ctx, answer),
      };
    }
    if (stream) {
      setAnswerHeaders(reply, ctx);
      const end = await streamAnswer(
        app,
        reply,
        ctx,
        provider,
        res,
        tctx,
        endpoint as "chat" | "completions",
        ac,
        () => timedOut,
      );
      const observed = {
        latencyMs: latency(),
        ttftMs: end.firstByteAt === null ? undefined : Math.round(end.firstByteAt - started),
        streamStarted: end.started,
        tokens: ctx.usage ? ctx.usage.prompt_tokens + ctx.usage.completion_tokens : undefined,
      };
      if (end.error === undefined) return { result: { kind: "ok", status: 200 }, observed, deliver: deliverNothing };
      const err = end.error;
      const result: AttemptResult =
        err instanceof UpstreamStreamError
          ? { kind: "http", status: err.status }
          : err instanceof ProviderFormatError
            ? { kind: "error", code: "upstream_bad_response" }
            : attemptResultOfError(err, timedOut, end.started);
      // after the first byte the SSE error event was written: nothing left to deliver, no failover
      if (end.started) return { result, observed, deliver: deliverNothing };
      return {
        result,
        observed,
        deliver: () => {
          // nothing was sent yet: an ordinary error answer (502 naming the provider, 504 on timeouts)
          if (err instanceof UpstreamStreamError) {
            ctx.status = err.status;
            ctx.errorType = "provider";
            ctx.errorCode = err.body.error.code ?? "upstream_stream_error";
            setAnswerHeaders(reply, ctx);
            return reply.code(err.status).header("content-type", "application/json").send(JSON.stringify(err.body));
          }
          if (err instanceof ProviderFormatError) throw badResponse(provider, err.message);
          throw upstreamFailure(err, provider, timedOut);
        },
      };
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      if (ctx.aborted) throw new ClientGone();
      const failure = upstreamFailure(err, provider, timedOut);
      return {
        result: attemptResultOfError(err, timedOut),
        observed: { latencyMs: latency() },
        deliver: () => {
          throw failure;
        },
      };
    } finally {
      ctx.upstreamEnd = clock.mono();
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      const failure = badResponse(provider, `200 body is not JSON: ${text.slice(0, 200)}`);
      return {
        result: { kind: "error", code: "upstream_bad_response" },
        observed: { latencyMs: latency() },
        deliver: () => {
          throw failure;
        },
      };
    }
    let payload: string;
    let answer: unknown = json;
    const j = json as Record<string, unknown> | null;
    const fast =
      adapter.openaiCompatible &&
      j !== null &&
      typeof j === "object" &&
      Array.isArray(endpoint === "embeddings" ? j.data : j.choices) &&
      (j.error === undefined || j.error === null);
    if (fast) {
      payload = text;
      ctx.usage = readUsage(j.usage);
    } else {
      let out: { usage?: Usage | EmbeddingsUsage };
      try {
        out = transform.parseResponse(json, tctx) as { usage?: Usage };
      } catch (err) {
        if (err instanceof ProviderFormatError) {
          const failure = badResponse(provider, err.message);
          return {
            result: { kind: "error", code: "upstream_bad_response" },
            observed: { latencyMs: latency() },
            deliver: () => {
              throw failure;
            },
          };
        }
        throw err;
      }
      ctx.usage = readUsage(out.usage);
      answer = out;
      payload = JSON.stringify(out);
    }
    if (!ctx.usage && endpoint !== "embeddings") ctx.completionText = completionTextOf(answer);
    priceContext(ctx);
    const u = ctx.usage as Usage | null;
    return {
      result: { kind: "ok", status: 200 },
      observed: {
        latencyMs: latency(),
        tokens: u ? u.prompt_tokens + u.completion_tokens : undefined,
        cost: ctx.cost ? ctx.cost.toNumber() : undefined,
      },
      deliver: async () => {
        setAnswerHeaders(reply, ctx);
        setUsageHeaders(reply, ctx);
        // the cache stores the answer as received; response policies (PII restore, transformers) run after
        const sent = ctx.gov ? await finishAnswer(reply, ctx, answer, payload) : payload;
        if (route.logPayloads) {
          ctx.responsePayload = answer;
          request.log.info({ request: body, response: sent }, "payload");
        }
        return reply.code(200).header("content-type", "application/json").send(sent);
      },
    };
  } finally {
    clearTimeout(totalTimer);
  }
}

/** The generated text of a (canonical) answer, for a token estimate when the provider reported no usage. */
function completionTextOf(body: unknown): string {
  const choices = (body as { choices?: unknown })?.choices;
  if (!Array.isArray(choices)) return "";
  let text = "";
  for (const c of choices as Array<{ text?: unknown; message?: { content?: unknown; tool_calls?: unknown } }>) {
    if (typeof c?.text === "string") text += c.text;
    const m = c?.message;
    if (typeof m?.content === "string") text += m.content;
    if (Array.isArray(m?.tool_calls)) {
      for (const call of m.tool_calls as Array<{ function?: { name?: unknown; arguments?: unknown } }>) {
        if (typeof call?.function?.name === "string") text += call.function.name;
        if (typeof call?.function?.arguments === "string") text += call.function.arguments;
      }
    }
  }
  return text;
}

interface EmbeddingsUsage {
  prompt_tokens: number;
  total_tokens: number;
}

/** An upstream error answer, read and mapped to the OpenAI shape; sent only if no other attempt follows. */
interface UpstreamErrorAnswer {
  status: number;
  mapped: OpenAIErrorBody;
  headers: Record<string, string | string[] | undefined>;
}

async function readUpstreamError(provider: ProviderEntry, res: Dispatcher.ResponseData): Promise<UpstreamErrorAnswer> {
  let text = "";
  try {
    text = await readText(res.body, MAX_ERROR_BODY);
  } catch {
    // the status is what matters
  }
  let parsed: unknown = text;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // a non-JSON error body is wrapped as text
    }
  }
  let mapped: OpenAIErrorBody;
  try {
    mapped = provider.adapter.mapError(res.statusCode, parsed, res.headers as Record<string, string | string[] | undefined>);
  } catch {
    mapped = {
      error: {
        message: text.slice(0, 2000) || `upstream returned HTTP ${res.statusCode}`,
        type: "api_error",
        code: null,
        param: null,
      },
    };
  }
  return { status: res.statusCode, mapped, headers: res.headers as Record<string, string | string[] | undefined> };
}

function sendUpstreamError(reply: FastifyReply, ctx: RequestContext, answer: UpstreamErrorAnswer): FastifyReply {
  const { mapped } = answer;
  const status = answer.status >= 400 && answer.status <= 599 ? answer.status : 502;
  ctx.status = status;
  ctx.upstreamStatus = answer.status;
  ctx.errorType = status === 400 || status === 404 || status === 413 || status === 422 ? "caller" : "provider";
  ctx.errorCode = mapped.error.code ?? `upstream_${answer.status}`;
  setAnswerHeaders(reply, ctx);
  const retryAfter = answer.headers["retry-after"];
  if (retryAfter) reply.header("retry-after", retryAfter);
  return reply.code(status).header("content-type", "application/json").send(JSON.stringify(mapped));
}

// ─── streams ───────────────────────────────────────────────────────────────────────────────────────────────────

function streamErrorBody(err: unknown, provider: ProviderEntry, ctx: RequestContext, timedOut: boolean): OpenAIErrorBody {
  if (err instanceof UpstreamStreamError) {
    ctx.errorType = "provider";
    ctx.errorCode = err.body.error.code ?? "upstream_stream_error";
    return err.body;
  }
  if (err instanceof ProviderFormatError) {
    ctx.errorType = "provider";
    ctx.errorCode = "upstream_bad_response";
    return badResponse(provider, err.message).toBody();
  }
  const g = upstreamFailure(err, provider, timedOut);
  ctx.errorType = g.errorType;
  ctx.errorCode = g.code;
  return g.toBody();
}

/**
 * How a stream attempt ended. `started`: bytes reached the client (the attempt is committed); `error`: what broke
 * it (after the start, the SSE error event was already written; before it, nothing was sent and the caller decides
 * between failover and an ordinary error answer).
 */
interface StreamEnd {
  started: boolean;
  error?: unknown;
  /** monotonic ms of the first byte written to the client */
  firstByteAt: number | null;
}

async function streamAnswer(
  app: FastifyInstance,
  reply: FastifyReply,
  ctx: RequestContext,
  provider: ProviderEntry,
  upstream: Dispatcher.ResponseData,
  tctx: TransformContext,
  endpoint: "chat" | "completions",
  ac: AbortController,
  timedOut: () => boolean,
): Promise<StreamEnd> {
  const res = reply.raw;
  const clock = app.gw.clock;
  // the status line goes out with the first bytes, so an answer that fails before any output is still a 502
  let headed = false;
  const head = () => {
    if (headed) return;
    headed = true;
    const headers = reply.getHeaders();
    headers["content-type"] = "text/event-stream; charset=utf-8";
    headers["cache-control"] = "no-cache";
    headers["x-accel-buffering"] = "no";
    reply.hijack();
    res.writeHead(200, headers as Record<string, string>);
    ctx.status = 200;
  };

  const wantsUsage = tctx.clientWantsStreamUsage === true;
  const body = upstream.body as unknown as Readable;
  // the cache recorder and stream policies (PII restore) need each chunk parsed: such streams take the slow lane
  const tap = endpoint === "chat" ? createStreamTap(ctx) : null;
  let slow: SlowState | null =
    provider.adapter.openaiCompatible && !tap ? null : createSlowState(ctx, provider, tctx, endpoint, tap);

  let firstByteAt: number | null = null;
  const write = async (data: string | Buffer) => {
    head();
    if (firstByteAt === null) firstByteAt = clock.mono();
    if (ctx.ttftMs === null) ctx.ttftMs = clock.mono() - ctx.start;
    if (!res.write(data)) await waitDrain(res);
  };

  let pending: Buffer | null = null;
  let first = true;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (ctx.aborted) break;
      // fast lane: forward whole events as they are; CRLF framing goes to the slow lane (never seen from OpenAI)
      if (first) {
        first = false;
        if (!slow && chunk.indexOf(13) !== -1) slow = createSlowState(ctx, provider, tctx, endpoint, tap);
      }
      if (slow) {
        const out = slow.push(chunk);
        if (out) await write(out);
        continue;
      }
      const buf: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
      const out = fastLaneEvents(buf, ctx, wantsUsage);
      pending = out.rest;
      if (out.data) await write(out.data);
    }
    if (ctx.aborted) throw new ClientGone();
    let tail = "";
    if (slow) tail = slow.end();
    else if (pending && pending.length > 0) {
      const out = fastLaneEvents(Buffer.concat([pending, LFLF]), ctx, wantsUsage);
      if (out.data) tail = out.data.toString("utf8");
    }
    ctx.upstreamEnd = clock.mono();
    if (slow) {
      tail += "data: [DONE]\n\n";
      ctx.usage ??= slow.usage();
    }
    head();
    if (firstByteAt === null) firstByteAt = clock.mono();
    if (ctx.ttftMs === null) ctx.ttftMs = clock.mono() - ctx.start;
    res.end(tail);
    await tap?.finish(true);
    return { started: true, firstByteAt };
  } catch (err) {
    void tap?.finish(false);
    ctx.upstreamEnd ??= clock.mono();
    if (slow) ctx.usage ??= slow.usage();
    ac.abort();
    if (ctx.aborted || err instanceof ClientGone) {
      if (!headed) throw new ClientGone();
      if (!res.destroyed) res.destroy();
      throw new ClientGone();
    }
    // nothing was sent yet: the attempt loop fails over or answers with an ordinary error
    if (!headed) return { started: false, error: err, firstByteAt };
    const errBody = streamErrorBody(err, provider, ctx, timedOut());
    app.log.warn(
      { reqId: ctx.id, provider: provider.name, err: { message: (err as Error).message } },
      "stream ended with an error",
    );
    if (!res.destroyed) res.end(`data: ${JSON.stringify(errBody)}\n\n`);
    return { started: true, error: err, firstByteAt };
  }
}

/** Fast lane: split `buf` at event boundaries; returns the bytes to forward and the unfinished tail. */
export function fastLaneEvents(
  buf: Buffer,
  ctx: RequestContext,
  wantsUsage: boolean,
): { data: Buffer | null; rest: Buffer | null } {
  let start = 0;
  let usageAt = buf.indexOf(USAGE_KEY);
  let pieces: Buffer[] | null = null;
  let copiedTo = 0;
  for (;;) {
    const idx = buf.indexOf(LFLF, start);
    if (idx === -1) break;
    const end = idx + 2;
    while (usageAt !== -1 && usageAt < start) usageAt = buf.indexOf(USAGE_KEY, start);
    let hasUsage = false;
    if (usageAt !== -1 && usageAt < end) {
      let p = usageAt + USAGE_KEY.length;
      while (buf[p] === 32) p++;
      hasUsage = buf[p] === 123; // {
      usageAt = buf.indexOf(USAGE_KEY, end);
    }
    if (hasUsage) {
      const replacement = usageEvent(buf.subarray(start, end), ctx, wantsUsage);
      if (replacement !== null) {
        pieces ??= [];
        if (start > copiedTo) pieces.push(buf.subarray(copiedTo, start));
        if (replacement.length > 0) pieces.push(replacement);
        copiedTo = end;
      }
    } else ctx.chunks++;
    start = end;
  }
  const rest = start < buf.length ? buf.subarray(start) : null;
  if (start === 0) return { data: null, rest };
  if (!pieces) return { data: buf.subarray(0, start), rest };
  if (start > copiedTo) pieces.push(buf.subarray(copiedTo, start));
  return { data: pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces), rest };
}

/** The event with usage: record it; returns null to forward as is, or the bytes to forward instead ("" = drop). */
function usageEvent(event: Buffer, ctx: RequestContext, wantsUsage: boolean): Buffer | null {
  const text = event.toString("utf8");
  const i = text.indexOf("data:");
  if (i === -1) return null;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text.slice(i + 5));
  } catch {
    return null;
  }
  const usage = readUsage(value.usage);
  if (usage) ctx.usage = usage;
  if (wantsUsage) return null;
  const choices = value.choices;
  if (!Array.isArray(choices) || choices.length === 0) return Buffer.alloc(0);
  ctx.chunks++;
  delete value.usage;
  return Buffer.from(`data: ${JSON.stringify(value)}\n\n`);
}

interface SlowState {
  push(chunk: Buffer): string;
  end(): string;
  usage(): Usage | null;
}

/** The slow lane: de-frame, map each event with the adapter, serialise OpenAI chunks. */
function createSlowState(
  ctx: RequestContext,
  provider: ProviderEntry,
  tctx: TransformContext,
  endpoint: "chat" | "completions",
  tap: StreamTap | null = null,
): SlowState {
  const transform = endpoint === "chat" ? provider.adapter.chat : provider.adapter.completions;
  if (!transform) throw badResponse(provider, `no ${endpoint} transform`);
  const deframer = createDeframer(transform.streamFraming);
  const state = transform.createStreamState(tctx);
  const wantsUsage = tctx.clientWantsStreamUsage === true;
  ctx.completionText = "";

  const serialise = (events: StreamEvent[]): string => {
    let out = "";
    for (const ev of events) {
      const chunks = transform.mapStreamEvent(ev, state, tctx) as ChatChunk[];
      for (const c of chunks) out += tapped(c);
    }
    return out;
  };
  const serialiseChunk = (c: ChatChunk): string => {
    const choices = c.choices as Array<{ delta?: { content?: unknown }; text?: unknown }> | undefined;
    if (c.usage && !wantsUsage) {
      if (!choices || choices.length === 0) return "";
      delete c.usage;
    }
    if (choices) {
      for (const ch of choices) {
        const piece = ch.delta?.content ?? ch.text;
        if (typeof piece === "string") ctx.completionText += piece;
      }
    }
    return `data: ${JSON.stringify(c)}\n\n`;
  };
  const tapped = (c: ChatChunk): string => {
    if (!tap) return serialiseChunk(c);
    let out = "";
    for (const t of tap.chunk(c)) out += serialiseChunk(t);
    return out;
  };

  return {
    push: (chunk) => serialise(deframer.push(chunk)),
    end: () => {
      let out = serialise(deframer.end());
      const owed = endpoint === "chat" ? provider.adapter.chat.endStream?.(state, tctx) : undefined;
      if (owed) for (const c of owed) out += tapped(c);
      if (tap) for (const c of tap.end()) out += serialiseChunk(c);
      return out;
    },
    usage: () => (state.usage ? readUsage(state.usage) : null),
  };
}
