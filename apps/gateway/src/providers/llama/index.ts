// llama.cpp's `llama-server` (default http://127.0.0.1:8080/v1) and Meta's Llama API compatibility endpoint
// (set the base URL to https://api.llama.com/compat/v1). Both speak OpenAI chat; llama.cpp also takes top_k / min_p /
// repetition_penalty and has /completions and /embeddings.

import { createOpenAICompatibleAdapter } from "../openai-compatible/factory.ts";
import type { ProviderAdapter } from "../types.ts";

export const adapter: ProviderAdapter = createOpenAICompatibleAdapter({
  kind: "llama",
  defaultBaseUrl: () => "http://127.0.0.1:8080/v1",
  extraParams: ["top_k", "min_p", "repetition_penalty"],
  maxStop: 16,
});
