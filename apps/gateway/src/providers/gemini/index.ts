// Gemini (Google AI Studio, generativelanguage.googleapis.com) adapter. Credentials: `apiKey`, sent as
// x-goog-api-key. Streams use `streamGenerateContent?alt=sse` (SSE); the same event mapper also takes the
// elements of the JSON-array framing used without alt=sse (native passthrough).

import type { ProviderAdapter, TransformContext, UpstreamRequest } from "../types.ts";
import { buildEmbeddingsRequest, parseEmbeddingsResponse } from "./embeddings.ts";
import { mapGeminiError } from "./errors.ts";
import { buildChatRequest, geminiHeaders } from "./request.ts";
import { parseChatResponse } from "./response.ts";
import { createGeminiStreamState, endGeminiStream, mapGeminiStreamEvent } from "./stream.ts";

export const adapter: ProviderAdapter = {
  kind: "gemini",
  defaultBaseUrl: () => "https://generativelanguage.googleapis.com",
  openaiCompatible: false,
  chat: {
    buildRequest: buildChatRequest,
    parseResponse: parseChatResponse,
    streamFraming: "sse",
    createStreamState: createGeminiStreamState,
    mapStreamEvent: mapGeminiStreamEvent,
    endStream: endGeminiStream,
  },
  embeddings: {
    buildRequest: buildEmbeddingsRequest,
    // encoding_format base64 needs the request; the contract passes only the body, so floats are returned here
    parseResponse: (body, ctx) => parseEmbeddingsResponse(body, ctx),
  },
  /** GET /v1beta/models lists models and is not billed */
  healthCheck(ctx: TransformContext): UpstreamRequest {
    const headers = geminiHeaders(ctx);
    delete headers["content-type"];
    return { method: "GET", url: `${ctx.baseUrl}/v1beta/models?pageSize=1`, headers };
  },
  mapError: mapGeminiError,
};
