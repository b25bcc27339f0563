// Native Google generateContent format: POST /{v1beta|v1|v1alpha}/models/{model}:generateContent |
// :streamGenerateContent (`?alt=sse` -> SSE, otherwise a streamed JSON array) | :countTokens (not billed) |
// :embedContent. Targets: Gemini (AI Studio, x-goog-api-key) and Gemini models on Vertex AI (publishers/google, OAuth
// bearer). The model lives in the URL, so an alias changes the URL and the body goes upstream as received (only an
// embedContent / countTokens body that names the model itself is rewritten). The client's `?key=` is never forwarded.
// References: https://ai.google.dev/api/generate-content, .../api/tokens, .../api/embeddings,
// https://cloud.google.com/apis/design/errors
//
// The stream tap parses nothing per event: every GenerateContentResponse carries a cumulative usageMetadata, so it
// keeps a reference to the last event that has one (and the last with a finishReason) and parses that once, when
// the result is asked for. Substring checks find them: a `"usageMetadata"` key with an unescaped quote cannot occur
// inside a JSON string value.

import { z } from "zod";
import { mapGoogleError } from "../providers/gemini/errors.ts";
import { geminiHeaders, stripModelsPrefix } from "../providers/gemini/request.ts";
import { type GeminiResponse, type GeminiUsageMetadata, mapFinishReason, mapUsage } from "../providers/gemini/response.ts";
import { createGeminiStreamState, mapGeminiStreamEvent } from "../providers/gemini/stream.ts";
import { type FinishReason, type StreamEvent, UnsupportedRequestError } from "../providers/types.ts";
import { isClaude, modelUrl, vertexHeaders } from "../providers/vertex/request.ts";
import {
  defaultClock,
  errorHeaders,
  isObject,
  pushTexts,
  recordMapperErrors,
  splitPath,
  TAP_CONTEXT,
  type TapRecord,
  validateBody,
} from "./shared.ts";
import type {
  GeminiOperation,
  NativeBody,
  NativeErrorResponse,
  NativeFormat,
  NativeMatch,
  NativeStreamResult,
  NativeStreamTap,
  NativeStreamTapOptions,
  NativeTransformContext,
  NativeUpstreamInput,
  NativeUpstreamRequest,
  NativeUsageResult,
} from "./types.ts";

// ─── request shape ───────────────────────────────────────────────────────────────────────────────────────────────

const Part = z.looseObject({});
const Content = z.looseObject({ role: z.string().optional(), parts: z.array(Part).min(1) });
const GenerationConfig = z.looseObject({
  maxOutputTokens: z.number().int().min(1).optional(),
  candidateCount: z.number().int().min(1).optional(),
  stopSequences: z.array(z.string()).optional(),
  temperature: z.number().optional(),
  topP: z.number().optional(),
  topK: z.number().optional(),
});

export const GeminiGenerateSchema = z.looseObject({
  contents: z.array(Content).min(1),
  systemInstruction: z.looseObject({ parts: z.array(Part).min(1) }).optional(),
  generationConfig: GenerationConfig.optional(),
  tools: z.array(z.looseObject({})).optional(),
  toolConfig: z.looseObject({}).optional(),
  safetySettings: z.array(z.looseObject({})).optional(),
  cachedContent: z.string().optional(),
});

export const GeminiCountTokensSchema = z
  .looseObject({
    contents: z.array(Content).min(1).optional(),
    generateContentRequest: z.looseObject({ contents: z.array(Content).min(1) }).optional(),
  })
  .refine((b) => b.contents !== undefined || b.generateContentRequest !== undefined, {
    message: "contents or generateContentRequest is required",
    path: ["contents"],
  });

export const GeminiEmbedSchema = z.looseObject({
  content: z.looseObject({ parts: z.array(Part).min(1) }),
  model: z.string().optional(),
  taskType: z.string().optional(),
  title: z.string().optional(),
  outputDimensionality: z.number().int().min(1).optional(),
});

const SCHEMAS: Record<GeminiOperation, z.ZodType> = {
  generateContent: GeminiGenerateSchema,
  streamGenerateContent: GeminiGenerateSchema,
  countTokens: GeminiCountTokensSchema,
  embedContent: GeminiEmbedSchema,
};

const PATH_RE = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens|embedContent)$/;

function match(method: string, path: string): NativeMatch | null {
  if (method !== "POST") return null;
  const [p, query] = splitPath(path);
  const m = PATH_RE.exec(p);
  if (!m) return null;
  let model: string;
  try {
    model = decodeURIComponent(m[2]!);
  } catch {
    return null;
  }
  const operation = m[3] as GeminiOperation;
  const captures = { model, apiVersion: m[1]! };
  switch (operation) {
    case "generateContent":
      return { format: "gemini", operation, kind: "generate", billable: true, stream: false, framing: null, captures };
    case "streamGenerateContent": {
      const sse = query !== "" && new URLSearchParams(query).get("alt") === "sse";
      return {
        format: "gemini",
        operation,
        kind: "generate",
        billable: true,
        stream: true,
        framing: sse ? "sse" : "json-array",
        captures,
      };
    }
    case "countTokens":
      return { format: "gemini", operation, kind: "count-tokens", billable: false, stream: false, framing: null, captures };
    case "embedContent":
      return { format: "gemini", operation, kind: "embed", billable: true, stream: false, framing: null, captures };
  }
}

function validate(body: unknown, m: NativeMatch): NativeBody {
  return validateBody(SCHEMAS[m.operation as GeminiOperation], body);
}

function extractModel(_body: NativeBody, captures: Record<string, string>): string | null {
  return captures.model ? stripModelsPrefix(captures.model) : null;
}

/** text parts of a Content (`{parts:[{text}]}`) */
function pushContentTexts(out: string[], content: unknown): void {
  if (isObject(content)) pushTexts(out, content.parts);
}

function promptText(body: NativeBody, m: NativeMatch): string {
  const out: string[] = [];
  if (m.operation === "embedContent") {
    pushContentTexts(out, body.content);
    return out.join("\n");
  }
  const req = m.operation === "countTokens" && isObject(body.generateContentRequest) ? body.generateContentRequest : body;
  // the REST API also accepts the proto field name
  pushContentTexts(out, req.systemInstruction ?? req.system_instruction);
  if (Array.isArray(req.contents)) for (const c of req.contents) pushContentTexts(out, c);
  return out.join("\n");
}

function streams(m: NativeMatch): boolean {
  return m.stream === true;
}

// ─── upstream request ────────────────────────────────────────────────────────────────────────────────────────────

function sameModel(a: unknown, target: string): boolean {
  return typeof a === "string" && stripModelsPrefix(a) === target;
}

/**
 * The body to send: the client's bytes unless it names a model itself (embedContent `model`, countTokens
 * `generateContentRequest.model`) that differs from the target, Vertex needs countTokens unwrapped, or a policy
 * edited the body.
 */
function upstreamBody(
  m: NativeMatch,
  input: NativeUpstreamInput,
  target: string,
  vertex: boolean,
): { body: string | Uint8Array; rewritten: boolean } {
  const { body } = input;
  let out: NativeBody | null = input.bodyModified ? body : null;
  if (m.operation === "embedContent" && body.model !== undefined && (vertex || !sameModel(body.model, target))) {
    out = { ...body };
    // Vertex takes the model from the URL only
    if (vertex) delete out.model;
    else out.model = `models/${target}`;
  } else if (m.operation === "countTokens" && isObject(body.generateContentRequest)) {
    const inner = body.generateContentRequest;
    if (vertex) {
      // Vertex countTokens takes contents / systemInstruction / tools / generationConfig at the top level
      out = {};
      for (const [k, v] of Object.entries(inner)) if (k !== "model") out[k] = v;
    } else if (inner.model !== undefined && !sameModel(inner.model, target)) {
      out = { ...body, generateContentRequest: { ...inner, model: `models/${target}` } };
    }
  }
  return out === null ? { body: input.rawBody, rewritten: false } : { body: JSON.stringify(out), rewritten: true };
}

function buildUpstream(input: NativeUpstreamInput, ctx: NativeTransformContext): NativeUpstreamRequest {
  const m = input.match;
  const target = stripModelsPrefix(ctx.model);
  const alt = m.framing === "sse" ? "?alt=sse" : "";
  if (ctx.provider === "gemini") {
    const apiVersion = m.captures.apiVersion ?? "v1beta";
    const url = `${ctx.baseUrl}/${apiVersion}/models/${encodeURIComponent(target)}:${m.operation}${alt}`;
    return { method: "POST", url, headers: geminiHeaders(ctx), ...upstreamBody(m, input, target, false) };
  }
  if (ctx.provider === "vertex") {
    if (isClaude(target)) {
      throw new UnsupportedRequestError(`Vertex AI model "${target}" does not speak the Gemini generateContent API`, "model");
    }
    const url = `${modelUrl(ctx, "google", target)}:${m.operation}${alt}`;
    return { method: "POST", url, headers: vertexHeaders(ctx), ...upstreamBody(m, input, target, true) };
  }
  throw new UnsupportedRequestError(`a ${ctx.provider} target cannot serve the Gemini generateContent API`, "model");
}

// ─── usage ───────────────────────────────────────────────────────────────────────────────────────────────────────

function finishOf(r: GeminiResponse, sawToolCall: boolean): FinishReason | null {
  const c = r.candidates?.[0];
  if (!c) return r.promptFeedback?.blockReason ? "content_filter" : null;
  return mapFinishReason(c.finishReason, sawToolCall);
}

function hasFunctionCall(r: GeminiResponse): boolean {
  return (r.candidates?.[0]?.content?.parts ?? []).some((p) => p.functionCall !== undefined);
}

function usageFromResponse(json: unknown): NativeUsageResult {
  if (!isObject(json)) return { usage: null, finishReason: null };
  const r = json as GeminiResponse;
  return {
    usage: isObject(r.usageMetadata) ? mapUsage(r.usageMetadata) : null,
    finishReason: finishOf(r, hasFunctionCall(r)),
  };
}

const ERROR_ELEMENT = /^\s*\{\s*"error"\s*:/;

function createStreamTap(m: NativeMatch, options: NativeStreamTapOptions = {}): NativeStreamTap {
  const now = options.now ?? defaultClock;
  const record: TapRecord = { firstContentAt: null, complete: false, error: null };
  const errorState = createGeminiStreamState(TAP_CONTEXT);
  let lastUsage: string | null = null;
  let lastFinish: string | null = null;
  let sawToolCall = false;
  let cached: NativeStreamResult | null = null;

  function parse(data: string): GeminiResponse | null {
    try {
      const v: unknown = JSON.parse(data);
      return isObject(v) ? (v as GeminiResponse) : null;
    } catch {
      return null;
    }
  }

  return {
    framing: m.framing ?? "sse",
    push(ev: StreamEvent) {
      const d = ev.data;
      cached = null;
      if (ERROR_ELEMENT.test(d)) {
        recordMapperErrors(record, "gemini", () => mapGeminiStreamEvent(ev, errorState, TAP_CONTEXT));
        return;
      }
      if (record.firstContentAt === null && d.includes('"parts"')) record.firstContentAt = now();
      if (!sawToolCall && d.includes('"functionCall"')) sawToolCall = true;
      if (d.includes('"usageMetadata"')) lastUsage = d;
      if (d.includes('"finishReason"') || d.includes('"blockReason"')) lastFinish = d;
    },
    result() {
      if (cached) return cached;
      const usageEvent = lastUsage === null ? null : parse(lastUsage);
      const finishEvent = lastFinish === null ? null : lastFinish === lastUsage ? usageEvent : parse(lastFinish);
      let error = record.error;
      if (!error && ((lastUsage !== null && !usageEvent) || (lastFinish !== null && !finishEvent))) {
        error = {
          status: 502,
          body: {
            error: { message: "gemini stream event is not JSON", type: "api_error", code: "upstream_bad_response", param: null },
          },
        };
      }
      const meta: GeminiUsageMetadata | undefined = usageEvent?.usageMetadata;
      cached = {
        usage: isObject(meta) ? mapUsage(meta) : null,
        finishReason: finishEvent ? finishOf(finishEvent, sawToolCall) : null,
        firstContentAt: record.firstContentAt,
        complete: finishEvent !== null,
        error,
      };
      return cached;
    },
  };
}

// ─── errors ──────────────────────────────────────────────────────────────────────────────────────────────────────

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** https://cloud.google.com/apis/design/errors: HTTP status -> canonical status name */
export function googleStatusName(status: number): string {
  return STATUS_NAMES[status] ?? (status >= 500 ? "INTERNAL" : status === 402 ? "FAILED_PRECONDITION" : "INVALID_ARGUMENT");
}

/**
 * `{"error":{"code","message","status","details":[ErrorInfo]}}`, the shape every Google client parses; the gateway
 * code is the ErrorInfo `reason` (UPPER_SNAKE_CASE as Google's reasons are), domain `sluice.gateway`.
 */
function gatewayError(status: number, code: string, message: string, requestId?: string): NativeErrorResponse {
  const info: Record<string, unknown> = {
    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
    reason: code.toUpperCase(),
    domain: "sluice.gateway",
  };
  if (requestId) info.metadata = { requestId };
  const body = { error: { code: status, message, status: googleStatusName(status), details: [info] } };
  return { status, headers: errorHeaders(code), body: JSON.stringify(body) };
}

/** `generationConfig.maxOutputTokens` x `candidateCount`; null for embeddings and token counts */
function maxOutputTokens(body: NativeBody, m: NativeMatch): number | null {
  if (m.kind !== "generate") return m.kind === "embed" ? 0 : null;
  const g = isObject(body.generationConfig) ? body.generationConfig : null;
  const max = typeof g?.maxOutputTokens === "number" ? g.maxOutputTokens : null;
  const n = typeof g?.candidateCount === "number" && g.candidateCount > 1 ? g.candidateCount : 1;
  return max === null ? null : max * n;
}

/** `?alt=sse` streams end with a `{error}` element (what Google sends, and what its SDKs raise); JSON arrays: none */
function streamError(m: NativeMatch, status: number, code: string, message: string): string | null {
  return m.framing === "sse" ? `data: ${gatewayError(status, code, message).body}\n\n` : null;
}

export const geminiFormat: NativeFormat = {
  name: "gemini",
  targets: ["gemini", "vertex"],
  supportsTarget: (provider, model) => provider === "gemini" || (provider === "vertex" && !isClaude(model)),
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
  errorFromUpstream: (status, body) => mapGoogleError(status, body, "Google"),
  gatewayError,
  forwardResponseHeaders: ["content-type", "retry-after"],
};
