// Ollama through its OpenAI-compatible /v1 endpoints (chat, completions, embeddings, models). Local servers need no
// key; one is sent as a bearer token when set (for a proxy in front of Ollama).

import { createOpenAICompatibleAdapter } from "../openai-compatible/factory.ts";
import type { ProviderAdapter } from "../types.ts";

export const adapter: ProviderAdapter = createOpenAICompatibleAdapter({
  kind: "ollama",
  defaultBaseUrl: () => "http://127.0.0.1:11434/v1",
  maxStop: 16,
});
