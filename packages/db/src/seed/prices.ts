// Public list prices (USD per 1M tokens) of the main models of every provider kind, as published by each provider
// in 2025-2026. They seed the price table with effectiveFrom 2025-01-01; admins edit or add newer rows (a newer
// effectiveFrom applies to new usage only). Self-hosted kinds (ollama, llama, openai-compatible) cost nothing by
// default. cachedInput = price of cache reads; reasoning = null means reasoning tokens are billed as output.

import type { ProviderKind } from "../schemas/enums.ts";

export interface SeedPrice {
  kind: ProviderKind;
  model: string;
  input: string;
  output: string;
  cachedInput?: string;
  reasoning?: string;
  contextWindow?: number;
}

const openai: Array<Omit<SeedPrice, "kind">> = [
  { model: "gpt-5", input: "1.25", output: "10", cachedInput: "0.125", contextWindow: 400_000 },
  { model: "gpt-5-mini", input: "0.25", output: "2", cachedInput: "0.025", contextWindow: 400_000 },
  { model: "gpt-5-nano", input: "0.05", output: "0.4", cachedInput: "0.005", contextWindow: 400_000 },
  { model: "gpt-4.1", input: "2", output: "8", cachedInput: "0.5", contextWindow: 1_047_576 },
  { model: "gpt-4.1-mini", input: "0.4", output: "1.6", cachedInput: "0.1", contextWindow: 1_047_576 },
  { model: "gpt-4.1-nano", input: "0.1", output: "0.4", cachedInput: "0.025", contextWindow: 1_047_576 },
  { model: "gpt-4o", input: "2.5", output: "10", cachedInput: "1.25", contextWindow: 128_000 },
  { model: "gpt-4o-mini", input: "0.15", output: "0.6", cachedInput: "0.075", contextWindow: 128_000 },
  { model: "o3", input: "2", output: "8", cachedInput: "0.5", contextWindow: 200_000 },
  { model: "o4-mini", input: "1.1", output: "4.4", cachedInput: "0.275", contextWindow: 200_000 },
  { model: "gpt-3.5-turbo-instruct", input: "1.5", output: "2", contextWindow: 4_096 },
  { model: "text-embedding-3-small", input: "0.02", output: "0", contextWindow: 8_191 },
  { model: "text-embedding-3-large", input: "0.13", output: "0", contextWindow: 8_191 },
];

const anthropic: Array<Omit<SeedPrice, "kind">> = [
  { model: "claude-opus-4-5", input: "5", output: "25", cachedInput: "0.5", contextWindow: 200_000 },
  { model: "claude-opus-4-1", input: "15", output: "75", cachedInput: "1.5", contextWindow: 200_000 },
  { model: "claude-sonnet-4-5", input: "3", output: "15", cachedInput: "0.3", contextWindow: 200_000 },
  { model: "claude-sonnet-4-20250514", input: "3", output: "15", cachedInput: "0.3", contextWindow: 200_000 },
  { model: "claude-haiku-4-5", input: "1", output: "5", cachedInput: "0.1", contextWindow: 200_000 },
  { model: "claude-3-5-sonnet-20241022", input: "3", output: "15", cachedInput: "0.3", contextWindow: 200_000 },
  { model: "claude-3-5-haiku-20241022", input: "0.8", output: "4", cachedInput: "0.08", contextWindow: 200_000 },
];

const gemini: Array<Omit<SeedPrice, "kind">> = [
  { model: "gemini-2.5-pro", input: "1.25", output: "10", cachedInput: "0.125", contextWindow: 1_048_576 },
  { model: "gemini-2.5-flash", input: "0.3", output: "2.5", cachedInput: "0.03", contextWindow: 1_048_576 },
  { model: "gemini-2.5-flash-lite", input: "0.1", output: "0.4", cachedInput: "0.01", contextWindow: 1_048_576 },
  { model: "gemini-2.0-flash", input: "0.1", output: "0.4", cachedInput: "0.025", contextWindow: 1_048_576 },
  { model: "gemini-embedding-001", input: "0.15", output: "0", contextWindow: 2_048 },
  { model: "text-embedding-004", input: "0", output: "0", contextWindow: 2_048 },
];

export const SEED_PRICES: SeedPrice[] = [
  ...openai.map((p) => ({ ...p, kind: "openai" as const })),
  ...openai
    .filter((p) =>
      [
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-5",
        "gpt-5-mini",
        "text-embedding-3-small",
        "text-embedding-3-large",
      ].includes(p.model),
    )
    .map((p) => ({ ...p, kind: "azure" as const })),
  ...anthropic.map((p) => ({ ...p, kind: "anthropic" as const })),
  ...gemini.map((p) => ({ ...p, kind: "gemini" as const })),
  ...gemini.filter((p) => p.model !== "text-embedding-004").map((p) => ({ ...p, kind: "vertex" as const })),
  { kind: "vertex", model: "claude-sonnet-4-5", input: "3", output: "15", cachedInput: "0.3", contextWindow: 200_000 },
  {
    kind: "bedrock",
    model: "anthropic.claude-sonnet-4-5-20250929-v1:0",
    input: "3",
    output: "15",
    cachedInput: "0.3",
    contextWindow: 200_000,
  },
  {
    kind: "bedrock",
    model: "anthropic.claude-sonnet-4-20250514-v1:0",
    input: "3",
    output: "15",
    cachedInput: "0.3",
    contextWindow: 200_000,
  },
  {
    kind: "bedrock",
    model: "anthropic.claude-3-5-sonnet-20241022-v2:0",
    input: "3",
    output: "15",
    cachedInput: "0.3",
    contextWindow: 200_000,
  },
  {
    kind: "bedrock",
    model: "anthropic.claude-3-5-haiku-20241022-v1:0",
    input: "0.8",
    output: "4",
    cachedInput: "0.08",
    contextWindow: 200_000,
  },
  { kind: "bedrock", model: "amazon.nova-pro-v1:0", input: "0.8", output: "3.2", cachedInput: "0.2", contextWindow: 300_000 },
  {
    kind: "bedrock",
    model: "amazon.nova-lite-v1:0",
    input: "0.06",
    output: "0.24",
    cachedInput: "0.015",
    contextWindow: 300_000,
  },
  {
    kind: "bedrock",
    model: "amazon.nova-micro-v1:0",
    input: "0.035",
    output: "0.14",
    cachedInput: "0.00875",
    contextWindow: 128_000,
  },
  { kind: "bedrock", model: "meta.llama3-1-70b-instruct-v1:0", input: "0.72", output: "0.72", contextWindow: 128_000 },
  { kind: "bedrock", model: "amazon.titan-embed-text-v2:0", input: "0.02", output: "0", contextWindow: 8_192 },
  { kind: "cohere", model: "command-a-03-2025", input: "2.5", output: "10", contextWindow: 256_000 },
  { kind: "cohere", model: "command-r-plus-08-2024", input: "2.5", output: "10", contextWindow: 128_000 },
  { kind: "cohere", model: "command-r-08-2024", input: "0.15", output: "0.6", contextWindow: 128_000 },
  { kind: "cohere", model: "command-r7b-12-2024", input: "0.0375", output: "0.15", contextWindow: 128_000 },
  { kind: "cohere", model: "embed-v4.0", input: "0.12", output: "0", contextWindow: 128_000 },
  { kind: "cohere", model: "embed-english-v3.0", input: "0.1", output: "0", contextWindow: 512 },
  { kind: "mistral", model: "mistral-large-latest", input: "2", output: "6", contextWindow: 128_000 },
  { kind: "mistral", model: "mistral-medium-latest", input: "0.4", output: "2", contextWindow: 128_000 },
  { kind: "mistral", model: "mistral-small-latest", input: "0.1", output: "0.3", contextWindow: 128_000 },
  { kind: "mistral", model: "codestral-latest", input: "0.3", output: "0.9", contextWindow: 256_000 },
  { kind: "mistral", model: "mistral-embed", input: "0.1", output: "0", contextWindow: 8_192 },
  { kind: "huggingface", model: "meta-llama/Llama-3.3-70B-Instruct", input: "0.88", output: "0.88", contextWindow: 128_000 },
  { kind: "huggingface", model: "Qwen/Qwen2.5-72B-Instruct", input: "0.9", output: "0.9", contextWindow: 32_768 },
  { kind: "ollama", model: "llama3.1", input: "0", output: "0", contextWindow: 128_000 },
  { kind: "ollama", model: "qwen2.5", input: "0", output: "0", contextWindow: 32_768 },
  { kind: "ollama", model: "nomic-embed-text", input: "0", output: "0", contextWindow: 8_192 },
  { kind: "llama", model: "llama-3.3-70b-instruct", input: "0", output: "0", contextWindow: 128_000 },
];

export const SEED_PRICES_EFFECTIVE_FROM = new Date("2025-01-01T00:00:00Z");
