// Cohere: chat v2 (/v2/chat, SSE with typed events) and embed v2 (/v2/embed), bearer auth. Not OpenAI-shaped, so
// every stream event is translated (see stream.ts). Health check: GET /v1/models (list models, not billed).

import { normaliseErrorBody } from "../openai-compatible/errors.ts";
import { baseHeaders, bearerAuth } from "../openai-compatible/util.ts";
import type { ProviderAdapter, TransformContext } from "../types.ts";
import { buildCohereEmbedBody, parseCohereEmbedResponse } from "./embeddings.ts";
import { buildCohereChatBody } from "./request.ts";
import { parseCohereChatResponse } from "./response.ts";
import { type CohereStreamState, createCohereStreamState, mapCohereStreamEvent } from "./stream.ts";

function headers(ctx: TransformContext): Record<string, string> {
  return baseHeaders(ctx, bearerAuth(ctx.credentials));
}

export const adapter: ProviderAdapter = {
  kind: "cohere",
  defaultBaseUrl: () => "https://api.cohere.com",
  openaiCompatible: false,
  chat: {
    buildRequest: (req, ctx) => ({
      method: "POST",
      url: `${ctx.baseUrl}/v2/chat`,
      headers: headers(ctx),
      body: JSON.stringify(buildCohereChatBody(req, ctx.model)),
    }),
    parseResponse: parseCohereChatResponse,
    streamFraming: "sse",
    createStreamState: createCohereStreamState,
    mapStreamEvent: (ev, state) => mapCohereStreamEvent(ev, state as CohereStreamState),
  },
  embeddings: {
    buildRequest: (req, ctx) => ({
      method: "POST",
      url: `${ctx.baseUrl}/v2/embed`,
      headers: headers(ctx),
      body: JSON.stringify(buildCohereEmbedBody(req, ctx.model)),
    }),
    parseResponse: parseCohereEmbedResponse,
  },
  healthCheck: (ctx) => ({ method: "GET", url: `${ctx.baseUrl}/v1/models?page_size=1`, headers: headers(ctx) }),
  mapError: (status, body) => normaliseErrorBody(status, body, "cohere"),
};
