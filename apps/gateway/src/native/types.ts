// Native passthrough formats: the contract between the gateway pipeline and one provider wire format that a client
// speaks end to end (Anthropic Messages, Google generateContent, Bedrock Converse). A native route keeps the
// provider's own shape: the request body goes upstream as received (re-serialised only when the model must change or
// the target needs a different envelope), the answer comes back byte for byte, and the gateway only *watches* it for
// usage, finish reason and time to first content. Policies, limits and usage events work exactly as on the OpenAI
// routes, because the pipeline gets canonical `Usage` out of these functions.
//
// A format is data plus small pure functions (no I/O; Bedrock's SigV4 signing is async crypto, hence the Promise).
// How the pipeline calls one, per request:
//
//   const m = format.match(method, pathAfterRoutePrefix)        // null -> 404 (route_not_found)
//   const body = format.validate(parsedJson, m)                  // throws GatewayError("invalid_request") -> 400
//   const model = format.extractModel(body, m.captures)          // the model the client asked for (alias lookup)
//   const stream = format.streams(m, body)                       // Anthropic: body.stream; others: the path
//   ... policies that read the prompt use format.promptText(body, m); one that edits `body` sets bodyModified ...
//   ... auth, ACL, limits, balancer pick a target; ctx = TransformContext + { provider: target kind } ...
//   const up = await format.buildUpstream({ match: m, body, rawBody, clientHeaders, bodyModified }, ctx)
//   ... undici.request(up.url, { method, headers: up.headers, body: up.body }) ...
//   2xx JSON:   forward bytes; settle with format.usageFromResponse(JSON.parse(text)) when m.billable
//   2xx stream: tap = format.createStreamTap(m); deframer = createDeframer(tap.framing);
//               every network chunk: write it to the client UNCHANGED, then deframer.push(chunk).forEach(tap.push)
//               (or use createByteTap(tap) from ./index.ts, which does the de-framing and never throws);
//               at end / abort: tap.result() -> usage, finish reason, first-content time, in-stream error
//   non-2xx:    forward status + body unchanged (see "Errors" below); log format.errorFromUpstream(...)
//   gateway-side rejection (401/403/404/429/400/5xx): reply = format.gatewayError(status, code, message, requestId)
//   upstream response headers named in format.forwardResponseHeaders are copied to the client
//
// Errors, which shape is used when:
//  - The gateway's own rejections on a native route (bad key, ACL, IP, rate limit, budget, guard, validation, model
//    not served, upstream timeout / connection failure, gateway 5xx) are rendered with `gatewayError` in the native
//    error shape, so the native SDK raises its usual typed error (Anthropic AuthenticationError, RateLimitError ...;
//    Google ApiError with status; AWS exceptions named by x-amzn-errortype). The gateway code (`invalid_api_key`,
//    `rate_limited` ...) rides along where the shape has room for it (Anthropic `error.details.error_code`, Google
//    `ErrorInfo.reason`) and always in the `x-sluice-error-code` header. `validate` produces the gateway's canonical
//    OpenAI-shaped error (GatewayError -> `{error:{message,type:"invalid_request_error",code,param}}`); on a native
//    route the pipeline renders that GatewayError with `gatewayError(err.status, err.code, err.publicMessage)`.
//  - An upstream non-2xx answer is passed to the client UNCHANGED (status, body, and the headers named in
//    `forwardResponseHeaders`, e.g. `x-amzn-errortype`, `retry-after`): the client talks to "the
//    provider", and its SDK already understands the provider's own error bodies, including fields the gateway does not
//    model (Anthropic error details, Google error details, AWS error names). `errorFromUpstream` maps the same body to
//    the OpenAI shape only for logs, metrics and the usage event's error code.
//  - An error inside a 200 stream (Anthropic `event: error`, a Google `{error}` element, an AWS event-stream
//    exception) is forwarded as-is too; the tap records it (`result().error`) for the usage event.

import type { NativeFormat as NativeFormatName, ProviderKind } from "@sluice/db/schemas";
import type { FinishReason, OpenAIErrorBody, StreamEvent, StreamFraming, TransformContext, Usage } from "../providers/types.ts";

export type { NativeFormatName };

/** The native operations the gateway serves, by format. */
export type AnthropicOperation = "messages" | "count_tokens";
export type GeminiOperation = "generateContent" | "streamGenerateContent" | "countTokens" | "embedContent";
export type BedrockOperation = "converse" | "converse-stream";
export type NativeOperation = AnthropicOperation | GeminiOperation | BedrockOperation;

/** What an operation is for the usage event: a generation (billed), an embedding (billed), or a free token count. */
export type NativeOperationKind = "generate" | "embed" | "count-tokens";

/** What `match` returns; treat it as read-only (Anthropic's are shared frozen objects). */
export interface NativeMatch {
  format: NativeFormatName;
  operation: NativeOperation;
  kind: NativeOperationKind;
  /** false for count-tokens calls: forwarded and logged, but no usage is billed or reserved */
  billable: boolean;
  /** true / false when the path decides (Gemini, Bedrock); "body" when the request body does (Anthropic `stream`) */
  stream: boolean | "body";
  /** framing of the streamed answer when the operation can stream (the same on both sides of the gateway) */
  framing: StreamFraming | null;
  /** path captures: `model` (Gemini, Bedrock: decoded), `apiVersion` (Gemini: v1beta / v1 / v1alpha) */
  captures: Record<string, string>;
}

/** A parsed JSON request body whose essential shape `validate` has checked. Unknown fields are kept. */
export type NativeBody = Record<string, unknown>;

/** Request headers as Fastify / node:http give them: lower-case names. */
export type HeaderMap = Record<string, string | string[] | undefined>;

export interface NativeUpstreamInput {
  match: NativeMatch;
  /** the body `validate` returned */
  body: NativeBody;
  /** the request body bytes exactly as the client sent them (string or Buffer) */
  rawBody: string | Uint8Array;
  /**
   * the client's request headers; only a per-format allow-list is forwarded (e.g. `anthropic-beta`), never the
   * client's credentials (authorization, x-api-key, x-goog-api-key, x-amz-*), which belong to the gateway
   */
  clientHeaders?: HeaderMap;
  /**
   * set when something in the pipeline changed `body` after `validate` (prompt template, decorator, PII redaction):
   * the raw bytes are stale then, and the body is re-serialised
   */
  bodyModified?: boolean;
  /** `traceparent` / `tracestate` of the attempt's span: sent upstream (signed along, for SigV4) */
  traceHeaders?: Record<string, string>;
}

/** The provider call's context plus the kind of the chosen target (Gemini and Claude are also served by Vertex). */
export interface NativeTransformContext extends TransformContext {
  provider: ProviderKind;
}

export interface NativeUpstreamRequest {
  method: "POST";
  /** absolute URL; never carries a credential (`?key=` from the client is dropped) */
  url: string;
  headers: Record<string, string>;
  /** `rawBody` itself when nothing had to change (the hot path), else the re-serialised body */
  body: string | Uint8Array;
  /** whether the body was re-serialised (model alias, Vertex envelope); for tests and debug logs */
  rewritten: boolean;
}

export interface NativeUsageResult {
  /** canonical usage from the provider's own numbers; null when the answer carries none (estimate, flagged) */
  usage: Usage | null;
  finishReason: FinishReason | null;
}

export interface NativeStreamResult extends NativeUsageResult {
  /** clock value (see createStreamTap) when the first content event arrived; null when none did */
  firstContentAt: number | null;
  /** the stream reached its terminal event (Anthropic message_stop, Gemini finishReason, Bedrock metadata) */
  complete: boolean;
  /** an error the upstream reported inside the 200 stream, or a stream the tap could not read */
  error: { status: number; body: OpenAIErrorBody } | null;
}

/**
 * Watches a native stream that the pipeline forwards unchanged. Never throws: a malformed event is recorded in
 * `result().error` and the bytes still reach the client. Only events that carry usage / finish / errors are parsed.
 */
export interface NativeStreamTap {
  readonly framing: StreamFraming;
  push(ev: StreamEvent): void;
  /** cheap to call more than once; reflects every event pushed so far (usable after an abort) */
  result(): NativeStreamResult;
}

export interface NativeStreamTapOptions {
  /** clock for `firstContentAt` (default performance.now, i.e. the monotonic ms the pipeline uses) */
  now?: () => number;
}

/** A gateway-side rejection rendered in the format's own error shape. */
export interface NativeErrorResponse {
  status: number;
  headers: Record<string, string>;
  /** serialised JSON */
  body: string;
}

export interface NativeFormat {
  name: NativeFormatName;
  /** provider kinds a route of this format may target (Vertex: Claude models for anthropic, the others for gemini) */
  targets: readonly ProviderKind[];
  /** whether a target (kind + upstream model) can serve this format; for config validation and the balancer */
  supportsTarget(provider: ProviderKind, model: string): boolean;
  /** `path` is the request path after the route prefix, with or without its query string */
  match(method: string, path: string): NativeMatch | null;
  /** checks the essential shape; returns the body (same object, unknown fields kept) or throws GatewayError (400) */
  validate(body: unknown, match: NativeMatch): NativeBody;
  /** the model the client asked for: from the body (Anthropic) or the path (Gemini, Bedrock); null when absent */
  extractModel(body: NativeBody, captures: Record<string, string>): string | null;
  /**
   * the prompt's text (system + messages / contents, text parts only, joined by "\n") for guard and PII policies and
   * for the token estimate when an answer carries no usage; computed only when a caller asks
   */
  promptText(body: NativeBody, match: NativeMatch): string;
  /** whether the answer will be a stream */
  streams(match: NativeMatch, body: NativeBody): boolean;
  /**
   * the completion ceiling the client set (Anthropic `max_tokens`, Gemini `generationConfig.maxOutputTokens`, Bedrock
   * `inferenceConfig.maxTokens`), times the candidates asked for; null when absent (the route default applies). The
   * limit step reserves prompt estimate + this.
   */
  maxOutputTokens(body: NativeBody, match: NativeMatch): number | null;
  /**
   * A gateway-made error event in the format's own stream framing, for a stream that breaks after its first byte
   * (Anthropic `event: error`, a Google `{error}` SSE element, an AWS event-stream exception); null when the framing
   * has no such event (Gemini's JSON-array stream), and the connection just ends. Written at an event boundary.
   */
  streamError(match: NativeMatch, status: number, code: string, message: string): string | Uint8Array | null;
  /**
   * The upstream request in the same native shape, with the target's credentials (via the provider adapter's header
   * logic or SigV4) and the target model. Throws UnsupportedRequestError when the target cannot serve the format
   * (e.g. a Gemini model behind an anthropic route), VertexConfigError / BedrockConfigError on incomplete settings.
   * Always `await` it (only Bedrock is actually async).
   */
  buildUpstream(input: NativeUpstreamInput, ctx: NativeTransformContext): NativeUpstreamRequest | Promise<NativeUpstreamRequest>;
  /** usage + finish reason of a non-streamed 2xx answer (parsed JSON) */
  usageFromResponse(json: unknown): NativeUsageResult;
  createStreamTap(match: NativeMatch, options?: NativeStreamTapOptions): NativeStreamTap;
  /** an upstream error answer (parsed JSON or text) in the OpenAI shape, for logs and the usage event only */
  errorFromUpstream(status: number, body: unknown, headers?: HeaderMap): OpenAIErrorBody;
  /** a gateway-side rejection in this format's error shape (see the header comment for when it is used) */
  gatewayError(status: number, code: string, message: string, requestId?: string): NativeErrorResponse;
  /** upstream response headers the pipeline copies to the client (lower-case) */
  forwardResponseHeaders: readonly string[];
}
