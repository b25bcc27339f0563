// Anthropic Messages API adapter. Credentials: `apiKey` (x-api-key). Settings: `anthropicVersion` (default
// 2023-06-01), `headers` (e.g. anthropic-beta). Streams are SSE.

import type { ProviderAdapter, TransformContext, UpstreamRequest } from "../types.ts";
import { mapAnthropicError } from "./errors.ts";
import { anthropicHeaders, buildChatRequest } from "./request.ts";
import { parseChatResponse } from "./response.ts";
import { createAnthropicStreamState, endAnthropicStream, mapAnthropicStreamEvent } from "./stream.ts";

export const adapter: ProviderAdapter = {
  kind: "anthropic",
  defaultBaseUrl: () => "https://api.anthropic.com",
  openaiCompatible: false,
  chat: {
    buildRequest: buildChatRequest,
    parseResponse: parseChatResponse,
    streamFraming: "sse",
    createStreamState: createAnthropicStreamState,
    mapStreamEvent: mapAnthropicStreamEvent,
    endStream: endAnthropicStream,
  },
  /** GET /v1/models lists models and is not billed */
  healthCheck(ctx: TransformContext): UpstreamRequest {
    const headers = anthropicHeaders(ctx);
    delete headers["content-type"];
    return { method: "GET", url: `${ctx.baseUrl}/v1/models?limit=1`, headers };
  },
  mapError: mapAnthropicError,
};
