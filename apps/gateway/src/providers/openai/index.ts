// OpenAI itself: the canonical shape, so the base does everything; streams always ask for usage.

import { createOpenAICompatibleAdapter } from "../openai-compatible/factory.ts";
import type { ProviderAdapter } from "../types.ts";

export const adapter: ProviderAdapter = createOpenAICompatibleAdapter({
  kind: "openai",
  defaultBaseUrl: () => "https://api.openai.com/v1",
});
