// Vertex AI adapter: Gemini models (Gemini transforms) and Claude models (Anthropic transforms), chosen by the
// upstream model name ("claude..." -> publishers/anthropic). Credentials: `accessToken` (an OAuth token; the
// service-account exchange happens outside the transform). Settings: `project`, `location` (or `region`).

import { mapAnthropicError } from "../anthropic/errors.ts";
import { parseChatResponse as parseAnthropicResponse } from "../anthropic/response.ts";
import { createAnthropicStreamState, endAnthropicStream, mapAnthropicStreamEvent } from "../anthropic/stream.ts";
import { mapGoogleError } from "../gemini/errors.ts";
import { parseChatResponse as parseGeminiResponse } from "../gemini/response.ts";
import { createGeminiStreamState, endGeminiStream, mapGeminiStreamEvent } from "../gemini/stream.ts";
import type { OpenAIErrorBody, ProviderAdapter, TransformContext, UpstreamRequest } from "../types.ts";
import { buildEmbeddingsRequest, parseEmbeddingsResponse } from "./embeddings.ts";
import { buildChatRequest, isClaude, modelUrl, vertexBaseUrl, vertexHeaders } from "./request.ts";

/** Claude on Vertex answers errors in Anthropic's shape, everything else in Google's */
function mapVertexError(status: number, body: unknown): OpenAIErrorBody {
  if (typeof body === "object" && body !== null && (body as { type?: unknown }).type === "error")
    return mapAnthropicError(status, body);
  return mapGoogleError(status, body, "Vertex AI");
}

export const adapter: ProviderAdapter = {
  kind: "vertex",
  defaultBaseUrl: vertexBaseUrl,
  openaiCompatible: false,
  chat: {
    buildRequest: buildChatRequest,
    parseResponse: (body, ctx) => (isClaude(ctx.model) ? parseAnthropicResponse(body, ctx) : parseGeminiResponse(body, ctx)),
    // both publishers stream SSE (Gemini with alt=sse, Claude natively)
    streamFraming: "sse",
    createStreamState: (ctx) => (isClaude(ctx.model) ? createAnthropicStreamState(ctx) : createGeminiStreamState(ctx)),
    mapStreamEvent: (ev, state, ctx) =>
      isClaude(ctx.model) ? mapAnthropicStreamEvent(ev, state, ctx) : mapGeminiStreamEvent(ev, state, ctx),
    endStream: (state, ctx) => (isClaude(ctx.model) ? endAnthropicStream(state, ctx) : endGeminiStream(state, ctx)),
  },
  embeddings: {
    buildRequest: buildEmbeddingsRequest,
    parseResponse: (body, ctx) => parseEmbeddingsResponse(body, ctx),
  },
  /**
   * countTokens is free and needs the same permission as generation, so it checks token, project and model at once
   * (Vertex has no cheap "list models" under a project).
   */
  healthCheck(ctx: TransformContext): UpstreamRequest {
    if (isClaude(ctx.model)) {
      return {
        method: "POST",
        url: `${modelUrl(ctx, "anthropic", "count-tokens")}:rawPredict`,
        headers: vertexHeaders(ctx),
        body: JSON.stringify({ model: ctx.model, messages: [{ role: "user", content: "ping" }] }),
      };
    }
    return {
      method: "POST",
      url: `${modelUrl(ctx, "google", ctx.model)}:countTokens`,
      headers: vertexHeaders(ctx),
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "ping" }] }] }),
    };
  },
  mapError: mapVertexError,
};
