// Native Anthropic Messages format: POST /v1/messages (JSON or SSE) and POST /v1/messages/count_tokens (forwarded,
// not billed). Targets: Anthropic itself (body unchanged unless the model alias maps; x-api-key + anthropic-version),
// and Claude on Vertex AI (:rawPredict / :streamRawPredict, `model` moved to the URL, `anthropic_version` in the body,
// OAuth bearer). References: https://docs.anthropic.com/en/api/messages, .../messages-count-tokens, .../errors,
// https://docs.anthropic.com/en/api/claude-on-vertex-ai
//
// The stream tap parses only `message_start`, `message_delta` (usage, stop reason) and `error` events, through the
// adapter's own stream mapper; every other event costs a string compare on its `event:` name.

import { z } from "zod";
import { mapAnthropicError } from "../providers/anthropic/errors.ts";
import { anthropicHeaders } from "../providers/anthropic/request.ts";
import { type AnthropicUsage, mapStopReason, mapUsage } from "../providers/anthropic/response.ts";
import { type AnthropicStreamState, createAnthropicStreamState, mapAnthropicStreamEvent } from "../providers/anthropic/stream.ts";
import { mapGoogleError } from "../providers/gemini/errors.ts";
import { type StreamEvent, UnsupportedRequestError } from "../providers/types.ts";
import { isClaude, modelUrl, VERTEX_ANTHROPIC_VERSION, vertexHeaders } from "../providers/vertex/request.ts";
import {
  defaultClock,
  errorHeaders,
  headerValue,
  isObject,
  pushTexts,
  recordMapperErrors,
  splitPath,
  TAP_CONTEXT,
  type TapRecord,
  validateBody,
} from "./shared.ts";
import type {
  HeaderMap,
  NativeBody,
  NativeErrorResponse,
  NativeFormat,
  NativeMatch,
  NativeStreamTap,
  NativeStreamTapOptions,
  NativeTransformContext,
  NativeUpstreamInput,
  NativeUpstreamRequest,
  NativeUsageResult,
} from "./types.ts";

// ─── request shape ───────────────────────────────────────────────────────────────────────────────────────────────

const Block = z.looseObject({ type: z.string() });
const Content = z.union([z.string(), z.array(Block)]);
const Message = z.looseObject({ role: z.enum(["user", "assistant"]), content: Content });
const Tool = z.looseObject({ name: z.string().min(1) });

/** the essential shape of a Messages request; the rest is Anthropic's to judge */
export const AnthropicMessagesSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().min(1),
  messages: z.array(Message).min(1),
  system: Content.optional(),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  tools: z.array(Tool).optional(),
  metadata: z.looseObject({}).optional(),
});

export const AnthropicCountTokensSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  system: Content.optional(),
  tools: z.array(Tool).optional(),
});

const MESSAGES: NativeMatch = Object.freeze({
  format: "anthropic",
  operation: "messages",
  kind: "generate",
  billable: true,
  stream: "body",
  framing: "sse",
  captures: Object.freeze({}),
});

const COUNT_TOKENS: NativeMatch = Object.freeze({
  format: "anthropic",
  operation: "count_tokens",
  kind: "count-tokens",
  billable: false,
  stream: false,
  framing: null,
  captures: Object.freeze({}),
});

function match(method: string, path: string): NativeMatch | null {
  if (method !== "POST") return null;
  const [p] = splitPath(path);
  if (p === "/v1/messages") return MESSAGES;
  if (p === "/v1/messages/count_tokens") return COUNT_TOKENS;
  return null;
}

function validate(body: unknown, m: NativeMatch): NativeBody {
  return validateBody(m.operation === "count_tokens" ? AnthropicCountTokensSchema : AnthropicMessagesSchema, body);
}

function extractModel(body: NativeBody): string | null {
  return typeof body.model === "string" ? body.model : null;
}

function promptText(body: NativeBody): string {
  const out: string[] = [];
  pushTexts(out, body.system);
  if (Array.isArray(body.messages)) for (const m of body.messages) if (isObject(m)) pushTexts(out, m.content);
  return out.join("\n");
}

function streams(m: NativeMatch, body: NativeBody): boolean {
  return m.operation === "messages" && body.stream === true;
}

// ─── upstream request ────────────────────────────────────────────────────────────────────────────────────────────

/** `anthropic-beta` values of the provider settings and of the client, each once */
function mergeBeta(configured: string | undefined, client: string | undefined): string | undefined {
  if (!client) return configured;
  if (!configured) return client;
  const all = new Set<string>();
  for (const v of `${configured},${client}`.split(",")) {
    const t = v.trim();
    if (t) all.add(t);
  }
  return [...all].join(",");
}

function buildUpstream(input: NativeUpstreamInput, ctx: NativeTransformContext): NativeUpstreamRequest {
  const { match: m, body, rawBody, clientHeaders } = input;
  const count = m.operation === "count_tokens";
  if (ctx.provider === "anthropic") {
    const headers = anthropicHeaders(ctx);
    // the client's body follows the client's API version, so its anthropic-version wins over the default
    const version = headerValue(clientHeaders, "anthropic-version");
    if (version) headers["anthropic-version"] = version;
    const beta = mergeBeta(headers["anthropic-beta"], headerValue(clientHeaders, "anthropic-beta"));
    if (beta) headers["anthropic-beta"] = beta;
    const url = `${ctx.baseUrl}/v1/messages${count ? "/count_tokens" : ""}`;
    if (body.model === ctx.model && !input.bodyModified) return { method: "POST", url, headers, body: rawBody, rewritten: false };
    // the route maps an alias (or a policy edited the body): only now is it re-serialised (keys keep their order)
    return { method: "POST", url, headers, body: JSON.stringify({ ...body, model: ctx.model }), rewritten: true };
  }
  if (ctx.provider === "vertex") return buildVertexUpstream(m, body, clientHeaders, ctx);
  throw new UnsupportedRequestError(`a ${ctx.provider} target cannot serve the Anthropic Messages API`, "model");
}

function buildVertexUpstream(
  m: NativeMatch,
  body: NativeBody,
  clientHeaders: HeaderMap | undefined,
  ctx: NativeTransformContext,
): NativeUpstreamRequest {
  if (!isClaude(ctx.model)) {
    throw new UnsupportedRequestError(`Vertex AI model "${ctx.model}" does not speak the Anthropic Messages API`, "model");
  }
  const headers = vertexHeaders(ctx);
  const beta = mergeBeta(headers["anthropic-beta"], headerValue(clientHeaders, "anthropic-beta"));
  if (beta) headers["anthropic-beta"] = beta;
  if (m.operation === "count_tokens") {
    // the count-tokens "model" takes the real model in the body
    return {
      method: "POST",
      url: `${modelUrl(ctx, "anthropic", "count-tokens")}:rawPredict`,
      headers,
      body: JSON.stringify({ ...body, model: ctx.model }),
      rewritten: true,
    };
  }
  // Vertex: model in the URL (never in the body), the Vertex API version in the body
  const out: Record<string, unknown> = { anthropic_version: VERTEX_ANTHROPIC_VERSION };
  for (const [k, v] of Object.entries(body)) if (k !== "model") out[k] = v;
  const action = body.stream === true ? "streamRawPredict" : "rawPredict";
  return {
    method: "POST",
    url: `${modelUrl(ctx, "anthropic", ctx.model)}:${action}`,
    headers,
    body: JSON.stringify(out),
    rewritten: true,
  };
}

// ─── usage ───────────────────────────────────────────────────────────────────────────────────────────────────────

function usageFromResponse(json: unknown): NativeUsageResult {
  if (!isObject(json)) return { usage: null, finishReason: null };
  const usage = isObject(json.usage) ? mapUsage(json.usage as AnthropicUsage) : null;
  const stop = typeof json.stop_reason === "string" ? json.stop_reason : null;
  return { usage, finishReason: mapStopReason(stop) };
}

function createStreamTap(_m: NativeMatch, options: NativeStreamTapOptions = {}): NativeStreamTap {
  const now = options.now ?? defaultClock;
  const state: AnthropicStreamState = createAnthropicStreamState(TAP_CONTEXT);
  const record: TapRecord = { firstContentAt: null, complete: false, error: null };
  return {
    framing: "sse",
    push(ev: StreamEvent) {
      switch (ev.event) {
        case "content_block_delta":
          if (record.firstContentAt === null) record.firstContentAt = now();
          return;
        case "message_start":
        case "message_delta":
        case "error":
          recordMapperErrors(record, "anthropic", () => mapAnthropicStreamEvent(ev, state, TAP_CONTEXT));
          return;
        case "message_stop":
          record.complete = true;
          return;
        default:
          // content_block_start / stop, ping, future events: forwarded, not read
          return;
      }
    },
    result() {
      return {
        usage: state.usage ?? null,
        finishReason: state.finishReason ?? null,
        firstContentAt: record.firstContentAt,
        complete: record.complete,
        error: record.error,
      };
    },
  };
}

// ─── errors ──────────────────────────────────────────────────────────────────────────────────────────────────────

function errorFromUpstream(status: number, body: unknown) {
  // Claude on Vertex: errors of the Vertex front door (auth, quota) come in Google's shape
  if (isObject(body) && body.type !== "error" && isObject(body.error) && typeof body.error.code === "number") {
    return mapGoogleError(status, body, "Vertex AI");
  }
  return mapAnthropicError(status, body);
}

/** https://docs.anthropic.com/en/api/errors: the HTTP status decides the error type */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/**
 * `{"type":"error","error":{"type","message","details":{"error_code"}},"request_id"}`: the SDK picks its error class
 * from the status, shows `error.message`, exposes `details.error_code` as `err.errorCode` (unknown codes are to be
 * treated as the bare type, so the gateway's codes are safe there) and the `request-id` header as `err.requestID`.
 */
function gatewayError(status: number, code: string, message: string, requestId?: string): NativeErrorResponse {
  const headers = errorHeaders(code);
  if (requestId) headers["request-id"] = requestId;
  const body = {
    type: "error",
    error: { type: anthropicErrorType(status), message, details: { error_code: code } },
    request_id: requestId ?? null,
  };
  return { status, headers, body: JSON.stringify(body) };
}

/** `max_tokens` (required on /v1/messages); null for count_tokens */
function maxOutputTokens(body: NativeBody, m: NativeMatch): number | null {
  return m.operation === "messages" && typeof body.max_tokens === "number" ? body.max_tokens : null;
}

/** Anthropic's in-stream error event: `event: error` with the error body the SDK raises as an APIError */
function streamError(_m: NativeMatch, status: number, code: string, message: string): string {
  return `event: error\ndata: ${gatewayError(status, code, message).body}\n\n`;
}

export const anthropicFormat: NativeFormat = {
  name: "anthropic",
  targets: ["anthropic", "vertex"],
  supportsTarget: (provider, model) => provider === "anthropic" || (provider === "vertex" && isClaude(model)),
  match,
  validate,
  extractModel,
  promptText,
  streams,
  maxOutputTokens,
  streamError,
  buildUpstream,
  usageFromResponse,
  createStreamTap,
  errorFromUpstream,
  gatewayError,
  forwardResponseHeaders: ["content-type", "retry-after", "x-should-retry"],
};
