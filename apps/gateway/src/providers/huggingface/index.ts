// Hugging Face Inference Providers through the router's OpenAI-compatible chat endpoint, with an HF token as bearer.
// The router serves chat only (embeddings go through a different, non-OpenAI task API).

import { createOpenAICompatibleAdapter } from "../openai-compatible/factory.ts";
import type { ProviderAdapter } from "../types.ts";

export const adapter: ProviderAdapter = createOpenAICompatibleAdapter({
  kind: "huggingface",
  defaultBaseUrl: () => "https://router.huggingface.co/v1",
  completions: false,
  embeddings: false,
});
