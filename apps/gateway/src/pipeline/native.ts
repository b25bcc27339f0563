// Native passthrough routes (type "native": Anthropic Messages, Gemini generateContent, Bedrock Converse): the
// client speaks the provider's own API end to end. The gateway authenticates the consumer, validates the essential
// shape, picks the target with the balancer (retries / fallback like any route), rebuilds only the envelope
// (credentials, target model) with native/`buildUpstream`, and forwards the client's bytes unchanged. The answer comes
// back byte for byte; a tap reads usage out of it for the usage event. Gateway rejections use the format's own
// error shape (sendNativeError), so the provider SDK raises its usual typed errors. Governance runs through the same
// hooks as the OpenAI routes (pipeline/policies.ts) on a read-only view of the body (`nativePolicyView`); no cache.

import type { ServerResponse } from "node:http";
import type { NativeFormat as NativeFormatName } from "@sluice/db/schemas";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Dispatcher } from "undici";
import type { RouteEntry } from "../config/snapshot.ts";
import { GatewayError } from "../lib/errors.ts";
import { renderTemplate, TemplateError } from "../lib/template.ts";
import { createByteTap, getNativeFormat } from "../native/index.ts";
import type { NativeFormat, NativeMatch, NativeTransformContext, NativeUpstreamRequest } from "../native/types.ts";
import { UnsupportedRequestError } from "../providers/types.ts";
import { priceContext } from "../usage/settle.ts";
import {
  type AttemptOutcome,
  attemptResultOfError,
  attemptResultOfStatus,
  ClientGoneError,
  deliverNothing,
  type ReadyStep,
  runAttempts,
  runTracked,
  targetsFor,
} from "./attempts.ts";
import type { RequestContext } from "./context.ts";
import { matchNativeRoute } from "./native-match.ts";
import { applyRequestPolicies, applyUpstreamHeaders, governUpstream } from "./policies.ts";

const MAX_ERROR_BODY = 1024 * 1024;

/** A gateway-side rejection on a native route, in the format's error shape (401 -> Anthropic AuthenticationError ...). */
export function sendNativeError(
  reply: FastifyReply,
  format: NativeFormatName,
  err: GatewayError,
  requestId: string,
): FastifyReply {
  const e = getNativeFormat(format).gatewayError(err.status, err.code, err.publicMessage, requestId);
  return reply.code(e.status).headers(e.headers).send(e.body);
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

function answerHeaders(ctx: RequestContext, format: NativeFormat, upstream: Dispatcher.ResponseData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of format.forwardResponseHeaders) {
    const v = upstream.headers[name];
    if (typeof v === "string") out[name] = v;
    else if (Array.isArray(v)) out[name] = v.join(", ");
  }
  const target = ctx.target;
  out["x-sluice-request-id"] = ctx.id;
  out["x-sluice-route"] = (ctx.route as RouteEntry).name;
  if (target) out["x-sluice-provider"] = target.provider.name;
  out["x-sluice-model"] = ctx.upstreamModel ?? "";
  return out;
}

export async function proxyNative(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  return runTracked(app, request, reply, (ctx) => runNative(app, request, reply, ctx));
}

async function runNative(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: RequestContext,
): Promise<FastifyReply | undefined> {
  const found = matchNativeRoute(ctx.snapshot, request.method, request.url);
  if (!found || found.route !== ctx.route) {
    throw new GatewayError("route_not_found", `Unknown request URL: ${request.method} ${request.url.split("?")[0]}.`);
  }
  const { format, match: m, route } = found;
  const body = format.validate(request.body, m);
  ctx.body = body;
  const model = format.extractModel(body, m.captures);
  if (!model) throw new GatewayError("invalid_request", "The request names no model.", { param: "model" });
  ctx.model = model;
  ctx.stream = format.streams(m, body);
  if (ctx.key?.allowedModels && !ctx.key.allowedModels.has(model)) {
    throw new GatewayError("model_not_allowed", `This API key may not use model "${model}".`, { param: "model" });
  }
  let list = targetsFor(route, model);
  if (!list) {
    throw new GatewayError("model_not_found", `The model \`${model}\` does not exist or you do not have access to it.`, {
      param: "model",
    });
  }
  // governance (pipeline/policies.ts), on a read-only view of the native body: access + prompt policies, then one
  // reservation for every limit and budget (billable operations only); no response cache on native routes
  const gov = ctx.snapshot.governance;
  if (!gov.empty || gov.caches.length > 0) {
    const view = nativePolicyView(format, m, body, model);
    if (!(await applyRequestPolicies(app, request, reply, ctx, "native", view))) return reply;
    if (m.billable) {
      const gate = await governUpstream(app, request, reply, ctx, "native", view, list);
      if (gate.answered) return gate.reply;
      list = gate.targets;
    }
  }
  const rawBody = ctx.rawBody ?? JSON.stringify(body);
  return runAttempts(app, request, reply, list, (step) => callNative(app, request, reply, ctx, format, m, body, rawBody, step), {
    promptText: () => format.promptText(body, m),
  });
}

/**
 * What the policy hooks see of a native request (never sent upstream): one user message with the format's
 * promptText() (system + messages, text parts), and the native completion ceiling as `max_tokens`, so prompt guard /
 * PII read the prompt and the limit step reserves prompt estimate + max_tokens (maxOutputTokens, inferenceConfig...).
 */
export function nativePolicyView(
  format: NativeFormat,
  m: NativeMatch,
  body: Record<string, unknown>,
  model: string,
): Record<string, unknown> {
  const view: Record<string, unknown> = { model, messages: [{ role: "user", content: format.promptText(body, m) }] };
  const max = format.maxOutputTokens(body, m);
  if (max !== null) view.max_tokens = max;
  return view;
}

/**
 * Bytes of `buf` that end on a complete event of `framing` (SSE: a blank line; AWS event-stream: whole length-
 * prefixed messages). A stream is forwarded in such pieces so that a gateway error event written after an upstream
 * break starts at an event boundary.
 */
function completeEventsLength(framing: "sse" | "aws-eventstream", buf: Buffer): number {
  if (framing === "sse") {
    const lf = buf.lastIndexOf("\n\n");
    const crlf = buf.lastIndexOf("\r\n\r\n");
    return Math.max(lf === -1 ? 0 : lf + 2, crlf === -1 ? 0 : crlf + 4);
  }
  let off = 0;
  while (buf.length - off >= 4) {
    const len = buf.readUInt32BE(off);
    if (len < 16 || off + len > buf.length) break;
    off += len;
  }
  return off;
}

/** One attempt of a native request: rebuild the envelope for the target, call it, forward the answer unchanged. */
async function callNative(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: RequestContext,
  format: NativeFormat,
  m: NativeMatch,
  body: Record<string, unknown>,
  rawBody: string,
  step: ReadyStep,
): Promise<AttemptOutcome> {
  const target = step.target;
  const route = ctx.route as RouteEntry;
  ctx.target = target;
  const provider = target.provider;
  if (provider.unavailable) {
    throw new GatewayError("provider_unavailable", `Provider "${provider.name}" is not available on this gateway.`, {
      internal: `provider ${provider.name}: ${provider.unavailable}`,
    });
  }
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
  const nctx: NativeTransformContext = {
    provider: provider.kind,
    baseUrl: provider.baseUrl,
    model: upstreamModel,
    settings: provider.settings,
    credentials: provider.credentials,
    requestId: ctx.id,
    now: Math.floor(ctx.ts / 1000),
  };
  let up: NativeUpstreamRequest;
  const tracer = app.gw.observability.tracer;
  const traceHeaders = tracer.enabled ? tracer.injectTraceHeaders(ctx.attemptSpan, {}) : undefined;
  try {
    up = await format.buildUpstream({ match: m, body, rawBody, clientHeaders: request.headers, traceHeaders }, nctx);
  } catch (err) {
    if (err instanceof UnsupportedRequestError) throw new GatewayError("invalid_request", err.message, { param: err.param });
    throw new GatewayError("provider_unavailable", `Provider "${provider.name}" is not configured for this API.`, {
      internal: `provider ${provider.name}: ${(err as Error).message}`,
    });
  }
  if (target.headers) Object.assign(up.headers, target.headers);
  applyUpstreamHeaders(ctx, up.headers);
  if (traceHeaders) Object.assign(up.headers, traceHeaders);

  const u = new URL(up.url);
  const timeouts = route.retry.timeouts;
  const pool = app.gw.pools.get(u.origin, provider.connections, timeouts.connectMs);
  const ac = new AbortController();
  ctx.abort = ac;
  if (ctx.aborted) throw new ClientGoneError();
  const firstByteMs = Math.min(target.timeoutMs ?? timeouts.firstByteMs, step.timeoutMs);
  let timedOut = false;
  let firstByteTimedOut = false;
  const totalTimer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, step.timeoutMs);
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
  const failure = (err: unknown): GatewayError => {
    if (timedOut || firstByteTimedOut || /TIMEOUT/.test((err as { code?: string }).code ?? ""))
      return new GatewayError("upstream_timeout", `Provider "${provider.name}" did not answer in time.`);
    return new GatewayError("upstream_connection_error", `Could not reach provider "${provider.name}".`, {
      internal: `${provider.name}: ${(err as Error).message}`,
    });
  };
  const failed = (err: unknown, streamStarted = false): AttemptOutcome => {
    const g = failure(err);
    return {
      result:
        firstByteTimedOut && !timedOut && !streamStarted
          ? { kind: "timeout", phase: "first_byte" }
          : attemptResultOfError(err, timedOut, streamStarted),
      observed: { latencyMs: latency(), streamStarted },
      deliver: () => {
        throw g;
      },
    };
  };

  let res: Dispatcher.ResponseData;
  try {
    res = await pool.request({
      path: u.pathname + u.search,
      method: up.method,
      headers: up.headers,
      body: up.body,
      signal: ac.signal,
      headersTimeout: firstByteMs,
      bodyTimeout: firstByteMs,
    });
  } catch (err) {
    clearTimeout(totalTimer);
    clearTimeout(firstByteTimer);
    ctx.upstreamEnd = clock.mono();
    if (ctx.aborted) throw new ClientGoneError();
    return failed(err);
  }
  clearTimeout(firstByteTimer);
  ctx.upstreamStatus = res.statusCode;

  try {
    const status = res.statusCode;
    if (status < 200 || status >= 300) {
      // forwarded unchanged; mapped to the OpenAI shape only for the usage event's error code
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await res.body.arrayBuffer());
      } catch (err) {
        if (ctx.aborted) throw new ClientGoneError();
        return failed(err);
      }
      ctx.upstreamEnd = clock.mono();
      if (bytes.length > MAX_ERROR_BODY) bytes = bytes.subarray(0, MAX_ERROR_BODY);
      let parsed: unknown = bytes.toString("utf8");
      try {
        parsed = JSON.parse(parsed as string);
      } catch {
        // a text error body
      }
      const mapped = format.errorFromUpstream(status, parsed, res.headers as Record<string, string | string[] | undefined>);
      const headers = answerHeaders(ctx, format, res);
      return {
        result: attemptResultOfStatus(status, res.headers as Record<string, string>, clock.now(), false),
        observed: { latencyMs: latency() },
        deliver: () => {
          ctx.status = status;
          ctx.upstreamStatus = status;
          ctx.errorType = status === 400 || status === 404 || status === 413 || status === 422 ? "caller" : "provider";
          ctx.errorCode = mapped.error.code ?? `upstream_${status}`;
          return reply.code(status).headers(headers).send(bytes);
        },
      };
    }

    if (!ctx.stream) {
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await res.body.arrayBuffer());
      } catch (err) {
        if (ctx.aborted) throw new ClientGoneError();
        return failed(err);
      } finally {
        ctx.upstreamEnd = clock.mono();
      }
      if (m.billable) {
        try {
          ctx.usage = format.usageFromResponse(JSON.parse(bytes.toString("utf8"))).usage;
        } catch {
          // not JSON: forwarded as it is, estimated never (no prompt estimate for native shapes)
        }
        priceContext(ctx);
      }
      const headers = answerHeaders(ctx, format, res);
      const usage = ctx.usage;
      if (route.logPayloads && app.gw.observability.sinks.enabled) {
        try {
          ctx.responsePayload = JSON.parse(bytes.toString("utf8"));
        } catch {
          // not JSON: no payload in the log record
        }
      }
      return {
        result: { kind: "ok", status },
        observed: {
          latencyMs: latency(),
          tokens: usage ? usage.prompt_tokens + usage.completion_tokens : undefined,
          cost: ctx.cost ? ctx.cost.toNumber() : undefined,
        },
        deliver: () => reply.code(status).headers(headers).send(bytes),
      };
    }

    // a stream: forwarded chunk by chunk as it arrives; committed with the first chunk
    const tap = createByteTap(format.createStreamTap(m, { now: () => clock.mono() }));
    const out = reply.raw;
    // x-ratelimit-* and other headers the policy hooks set on the reply go out with the stream's head
    const head = () => ({ ...reply.getHeaders(), ...answerHeaders(ctx, format, res) }) as Record<string, string>;
    // SSE / event-stream: forward whole events only (a torn tail waits for its rest), see completeEventsLength
    const framing = m.framing === "sse" || m.framing === "aws-eventstream" ? m.framing : null;
    let held: Buffer | null = null;
    let startedAt: number | null = null;
    let streamError: unknown;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (ctx.aborted) break;
        if (startedAt === null) {
          startedAt = clock.mono();
          ctx.ttftMs = startedAt - ctx.start;
          reply.hijack();
          out.writeHead(status, head());
          ctx.status = status;
        }
        tap.write(chunk);
        let data: Buffer = chunk;
        if (framing) {
          const buf: Buffer = held ? Buffer.concat([held, chunk]) : chunk;
          const n = completeEventsLength(framing, buf);
          held = n < buf.length ? buf.subarray(n) : null;
          data = n === buf.length ? buf : buf.subarray(0, n);
          if (data.length === 0) continue;
        }
        if (!out.write(data)) await waitDrain(out);
      }
    } catch (err) {
      streamError = err;
    }
    ctx.upstreamEnd = clock.mono();
    const result = streamError === undefined && !ctx.aborted ? tap.end() : tap.result();
    if (m.billable) ctx.usage = result.usage;
    if (result.firstContentAt !== null) ctx.ttftMs = result.firstContentAt - ctx.start;
    if (result.error && streamError === undefined) {
      ctx.errorType = "provider";
      ctx.errorCode = result.error.body.error.code ?? "upstream_stream_error";
    }
    if (ctx.aborted) {
      ac.abort();
      throw new ClientGoneError();
    }
    const observed = {
      latencyMs: latency(),
      ttftMs: result.firstContentAt === null ? undefined : Math.round(result.firstContentAt - started),
      streamStarted: startedAt !== null,
      tokens: ctx.usage ? ctx.usage.prompt_tokens + ctx.usage.completion_tokens : undefined,
    };
    if (streamError !== undefined) {
      ac.abort();
      if (startedAt === null) return failed(streamError);
      // after the first byte: no failover; the stream ends with the format's own error event where it has one
      // (Anthropic `event: error`, ...; a torn event is dropped first), else the connection just ends
      ctx.errorType = "provider";
      ctx.errorCode = timedOut ? "upstream_timeout" : "upstream_connection_error";
      const g = failure(streamError);
      const ev = format.streamError(m, g.status, g.code, g.publicMessage);
      if (!out.destroyed) {
        if (ev) out.end(ev);
        else out.destroy();
      }
      return { result: attemptResultOfError(streamError, timedOut, true), observed, deliver: deliverNothing };
    }
    if (startedAt === null) {
      // an empty 2xx stream
      reply.hijack();
      out.writeHead(status, head());
      ctx.status = status;
    }
    out.end(held ?? undefined);
    return { result: { kind: "ok", status }, observed, deliver: deliverNothing };
  } finally {
    clearTimeout(totalTimer);
  }
}
