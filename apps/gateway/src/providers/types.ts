// The contract between the gateway pipeline and one provider folder. A provider is data plus pure functions:
// canonical (OpenAI-shaped) request -> provider HTTP request, provider response -> canonical response, provider
// stream events -> canonical chunks, provider error -> OpenAI error. No I/O here except `sign` (SigV4 needs async
// crypto); the pipeline does the HTTP call, the framing (SSE / NDJSON / JSON array / AWS event-stream) and usage.

import type { ProviderKind } from "@sluice/db/schemas";

// ─── canonical (OpenAI) shapes ─────────────────────────────────────────────────────────────────────────────────

export type ChatRole = "system" | "developer" | "user" | "assistant" | "tool" | "function";

export interface TextPart {
  type: "text";
  text: string;
}
export interface ImagePart {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
}
export type ContentPart = TextPart | ImagePart | { type: string; [k: string]: unknown };

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface ToolDefinition {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = "none" | "auto" | "required" | { type: "function"; function: { name: string } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  /** not OpenAI, but accepted by several providers (Anthropic, Gemini, Cohere, Ollama) */
  top_k?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  seed?: number | null;
  user?: string;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?:
    | { type: "text" }
    | { type: "json_object" }
    | { type: "json_schema"; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean } };
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  reasoning_effort?: "minimal" | "low" | "medium" | "high" | null;
  [extra: string]: unknown;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export interface ChatResponse {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: "assistant"; content: string | null; tool_calls?: ToolCall[]; refusal?: string | null };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }>;
  usage?: Usage;
  system_fingerprint?: string | null;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: "assistant"; content?: string | null; tool_calls?: ToolCallDelta[]; refusal?: string | null };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }>;
  usage?: Usage | null;
  system_fingerprint?: string | null;
}

export interface CompletionRequest {
  model: string;
  prompt: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  seed?: number | null;
  [extra: string]: unknown;
}

export interface CompletionResponse {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: FinishReason | null; logprobs: unknown }>;
  usage?: Usage;
}

export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: "float" | "base64";
  dimensions?: number;
  user?: string;
}

export interface EmbeddingsResponse {
  object: "list";
  data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

// ─── what a provider builds and receives ───────────────────────────────────────────────────────────────────────

export type Endpoint = "chat" | "completions" | "embeddings";

/** How the upstream frames a streamed answer. The pipeline de-frames; the provider maps events. */
export type StreamFraming = "sse" | "ndjson" | "json-array" | "aws-eventstream";

/** One de-framed upstream stream event. */
export interface StreamEvent {
  /** SSE `event:` field, or the AWS event-stream `:event-type` header */
  event?: string;
  /** SSE `data:` text (joined lines), or the raw JSON text of an NDJSON line / array element / event-stream payload */
  data: string;
}

export interface ProviderCredentials {
  apiKey?: string;
  /** AWS */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Vertex: an OAuth access token (service-account exchange happens outside the transform) */
  accessToken?: string;
  [k: string]: string | undefined;
}

export interface TransformContext {
  /** provider base URL (override or the kind's default), without trailing slash */
  baseUrl: string;
  /** the upstream model after alias resolution and templating */
  model: string;
  /** ProviderSettings JSON of the provider row (api-version, region, project, location, deployment ...) */
  settings: Record<string, unknown>;
  credentials: ProviderCredentials;
  /** whether the client asked for usage in the stream (so the pipeline can strip it again) */
  clientWantsStreamUsage?: boolean;
  /** request id, for ids in synthesised responses */
  requestId: string;
  /** unix seconds, injected so golden tests are deterministic */
  now: number;
}

export interface UpstreamRequest {
  method: "POST" | "GET";
  /** absolute URL */
  url: string;
  headers: Record<string, string>;
  /** serialised body; undefined for GET */
  body?: string;
}

/** Mutable state a stream translator keeps between events (explicit, per STYLE.md). */
export interface StreamState {
  id: string;
  model: string;
  created: number;
  usage?: Usage;
  finishReason?: FinishReason | null;
  /** provider-specific scratch space (open tool-call indices, block types ...) */
  [k: string]: unknown;
}

export interface ChatTransform {
  /** canonical request -> upstream request (without credentials for providers that `sign`) */
  buildRequest(req: ChatRequest, ctx: TransformContext): UpstreamRequest;
  /** upstream JSON body -> canonical response; throws ProviderFormatError if it cannot */
  parseResponse(body: unknown, ctx: TransformContext): ChatResponse;
  /** framing of the streamed answer */
  streamFraming: StreamFraming;
  createStreamState(ctx: TransformContext): StreamState;
  /** one upstream event -> zero or more canonical chunks; usage/finish are recorded on `state` */
  mapStreamEvent(ev: StreamEvent, state: StreamState, ctx: TransformContext): ChatChunk[];
  /** called once at end of stream: chunks still owed (e.g. a final finish_reason chunk) */
  endStream?(state: StreamState, ctx: TransformContext): ChatChunk[];
}

export interface CompletionsTransform {
  buildRequest(req: CompletionRequest, ctx: TransformContext): UpstreamRequest;
  parseResponse(body: unknown, ctx: TransformContext): CompletionResponse;
  streamFraming: StreamFraming;
  createStreamState(ctx: TransformContext): StreamState;
  mapStreamEvent(ev: StreamEvent, state: StreamState, ctx: TransformContext): unknown[];
}

export interface EmbeddingsTransform {
  buildRequest(req: EmbeddingsRequest, ctx: TransformContext): UpstreamRequest;
  parseResponse(body: unknown, ctx: TransformContext): EmbeddingsResponse;
}

export interface ProviderAdapter {
  kind: ProviderKind;
  /** the public endpoint, used when the provider row has no baseUrl */
  defaultBaseUrl(settings: Record<string, unknown>): string;
  /**
   * True when the upstream speaks OpenAI chat natively: the pipeline may then forward bytes and only watch the
   * stream for the usage chunk instead of parsing and re-serialising every event (the hot-path fast lane).
   */
  openaiCompatible: boolean;
  chat: ChatTransform;
  completions?: CompletionsTransform;
  embeddings?: EmbeddingsTransform;
  /** async request signing (Bedrock SigV4); other providers put credentials in headers inside buildRequest */
  sign?(req: UpstreamRequest, ctx: TransformContext): Promise<UpstreamRequest>;
  /** a cheap, non-billing request for health checks and "test connection" (e.g. GET /v1/models) */
  healthCheck?(ctx: TransformContext): UpstreamRequest;
  /**
   * upstream error body (parsed JSON or text) -> OpenAI error shape. `headers` (optional, lower-case names) lets
   * providers that put the error code in a header use it (AWS `x-amzn-errortype`).
   */
  mapError(status: number, body: unknown, headers?: Record<string, string | string[] | undefined>): OpenAIErrorBody;
}

/** Thrown by parseResponse / mapStreamEvent when a 200 answer cannot be translated (the pipeline answers 502). */
export class ProviderFormatError extends Error {
  constructor(
    readonly provider: ProviderKind,
    message: string,
  ) {
    super(message);
    this.name = "ProviderFormatError";
  }
}

/** Thrown by buildRequest for a request the provider cannot serve (the pipeline answers 400 with this param). */
export class UnsupportedRequestError extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = "UnsupportedRequestError";
  }
}

/**
 * Thrown by mapStreamEvent when the upstream reports an error inside a 200 stream (Anthropic `error` event, Google
 * `{error}` element, AWS event-stream exception). A ProviderFormatError subtype so a pipeline that only knows the
 * parent still ends the stream; `body` is the error already in OpenAI shape and `status` the HTTP status it maps to.
 */
export class UpstreamStreamError extends ProviderFormatError {
  constructor(
    provider: ProviderKind,
    readonly status: number,
    readonly body: OpenAIErrorBody,
  ) {
    super(provider, body.error.message);
    this.name = "UpstreamStreamError";
  }
}
