// Every provider kind -> its adapter. A kind without an adapter fails to compile (`satisfies Record<...>`).

import type { ProviderKind } from "@sluice/db/schemas";
import { adapter as anthropic } from "./anthropic/index.ts";
import { adapter as azure } from "./azure/index.ts";
import { adapter as bedrock } from "./bedrock/index.ts";
import { adapter as cohere } from "./cohere/index.ts";
import { adapter as gemini } from "./gemini/index.ts";
import { adapter as huggingface } from "./huggingface/index.ts";
import { adapter as llama } from "./llama/index.ts";
import { adapter as mistral } from "./mistral/index.ts";
import { adapter as ollama } from "./ollama/index.ts";
import { adapter as openai } from "./openai/index.ts";
import { adapter as openaiCompatible } from "./openai-compatible/index.ts";
import type { ProviderAdapter } from "./types.ts";
import { adapter as vertex } from "./vertex/index.ts";

export const providers = {
  openai,
  azure,
  anthropic,
  gemini,
  vertex,
  bedrock,
  cohere,
  mistral,
  ollama,
  llama,
  huggingface,
  "openai-compatible": openaiCompatible,
} satisfies Record<ProviderKind, ProviderAdapter>;

export function getAdapter(kind: ProviderKind): ProviderAdapter {
  return providers[kind];
}
