// Mistral La Plateforme: OpenAI-shaped chat and embeddings with its own request dialect (see request.ts) and an
// extra finish reason (model_length). No /completions (Mistral's FIM endpoint is a different API).

import { createOpenAICompatibleAdapter } from "../openai-compatible/factory.ts";
import type { ProviderAdapter } from "../types.ts";
import { buildMistralChatBody, buildMistralEmbeddingsBody } from "./request.ts";

export const adapter: ProviderAdapter = createOpenAICompatibleAdapter({
  kind: "mistral",
  defaultBaseUrl: () => "https://api.mistral.ai/v1",
  // its stream differs (usage on the last content chunk, model_length): translate, do not forward bytes
  openaiCompatible: false,
  streamUsageOption: false,
  completions: false,
  maxStop: 16,
  finishReasons: { model_length: "length" },
  chatBody: buildMistralChatBody,
  embeddingsBody: buildMistralEmbeddingsBody,
});
