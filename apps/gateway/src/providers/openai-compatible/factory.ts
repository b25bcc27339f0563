// The shared base of the OpenAI-compatible family: a ProviderAdapter made from a few options, so a compatible
// provider is its defaults plus whatever its dialect changes (Azure's URLs and api-key, Mistral's body).

import type { ProviderKind } from "@sluice/db/schemas";
import type {
  ChatRequest,
  CompletionsTransform,
  EmbeddingsRequest,
  EmbeddingsTransform,
  FinishReason,
  ProviderAdapter,
  TransformContext,
  UpstreamRequest,
} from "../types.ts";
import { normaliseErrorBody } from "./errors.ts";
import { buildChatBody, buildCompletionBody, buildEmbeddingsBody, type ChatDialect } from "./request.ts";
import { parseChatResponse, parseCompletionResponse, parseEmbeddingsResponse } from "./response.ts";
import { createOpenAIStreamState, mapCompletionStreamEvent, mapOpenAIStreamEvent, type OpenAIStreamState } from "./stream.ts";
import { baseHeaders, bearerAuth } from "./util.ts";

export type UpstreamPath = "chat/completions" | "completions" | "embeddings" | "models";

export interface OpenAICompatibleOptions {
  kind: ProviderKind;
  defaultBaseUrl(settings: Record<string, unknown>): string;
  /** credential headers; default `Authorization: Bearer <apiKey>` when a key is set */
  auth?(ctx: TransformContext): Record<string, string>;
  /** absolute URL of an endpoint; default `${baseUrl}/${path}` (baseUrl includes /v1) */
  url?(path: UpstreamPath, ctx: TransformContext): string;
  /** whether the server has /completions and /embeddings (default true) */
  completions?: boolean;
  embeddings?: boolean;
  /** non-OpenAI sampling params the server accepts (top_k, min_p, repetition_penalty) */
  extraParams?: readonly string[];
  /** image_url content parts accepted (default true) */
  images?: boolean;
  /** most stop sequences (default 4, OpenAI's limit) */
  maxStop?: number;
  /** send stream_options.include_usage on streams (default true) */
  streamUsageOption?: boolean;
  /** the pipeline may forward the upstream's bytes (default true) */
  openaiCompatible?: boolean;
  /** finish reasons beyond OpenAI's own */
  finishReasons?: Readonly<Record<string, FinishReason>>;
  /** replaces the default chat body (for dialects that refuse unknown fields) */
  chatBody?(req: ChatRequest, ctx: TransformContext, dialect: ChatDialect): Record<string, unknown>;
  /** replaces the default embeddings body */
  embeddingsBody?(req: EmbeddingsRequest, ctx: TransformContext): Record<string, unknown>;
}

export function createOpenAICompatibleAdapter(options: OpenAICompatibleOptions): ProviderAdapter {
  const { kind } = options;
  const dialect: ChatDialect = {
    kind,
    extraParams: new Set(options.extraParams ?? []),
    images: options.images ?? true,
    maxStop: options.maxStop ?? 4,
    streamUsageOption: options.streamUsageOption ?? true,
  };
  const auth = options.auth ?? ((ctx: TransformContext) => bearerAuth(ctx.credentials));
  const url = options.url ?? ((path: UpstreamPath, ctx: TransformContext) => `${ctx.baseUrl}/${path}`);
  const finishReasons = options.finishReasons;

  function post(path: UpstreamPath, body: Record<string, unknown>, ctx: TransformContext): UpstreamRequest {
    return { method: "POST", url: url(path, ctx), headers: baseHeaders(ctx, auth(ctx)), body: JSON.stringify(body) };
  }

  const completions: CompletionsTransform = {
    buildRequest: (req, ctx) => post("completions", buildCompletionBody(req, ctx.model, dialect), ctx),
    parseResponse: (body, ctx) => parseCompletionResponse(kind, body, ctx),
    streamFraming: "sse",
    createStreamState: (ctx) => createOpenAIStreamState(ctx),
    mapStreamEvent: (ev, state) => mapCompletionStreamEvent(kind, ev, state),
  };

  const embeddings: EmbeddingsTransform = {
    buildRequest: (req, ctx) =>
      post("embeddings", options.embeddingsBody ? options.embeddingsBody(req, ctx) : buildEmbeddingsBody(req, ctx.model), ctx),
    parseResponse: (body, ctx) => parseEmbeddingsResponse(kind, body, ctx),
  };

  return {
    kind,
    defaultBaseUrl: options.defaultBaseUrl,
    openaiCompatible: options.openaiCompatible ?? true,
    chat: {
      buildRequest(req, ctx) {
        const body = options.chatBody ? options.chatBody(req, ctx, dialect) : buildChatBody(req, ctx.model, dialect);
        return post("chat/completions", body, ctx);
      },
      parseResponse: (body, ctx) => parseChatResponse(kind, body, ctx, finishReasons),
      streamFraming: "sse",
      createStreamState: (ctx) => createOpenAIStreamState(ctx),
      mapStreamEvent: (ev, state, _ctx) => mapOpenAIStreamEvent(kind, ev, state as OpenAIStreamState, finishReasons),
    },
    completions: options.completions === false ? undefined : completions,
    embeddings: options.embeddings === false ? undefined : embeddings,
    healthCheck: (ctx) => ({ method: "GET", url: url("models", ctx), headers: baseHeaders(ctx, auth(ctx)) }),
    mapError: (status, body) => normaliseErrorBody(status, body, kind),
  };
}
