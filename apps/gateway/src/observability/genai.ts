// OpenTelemetry GenAI semantic-convention names (spans and log attributes), and the gateway's words mapped to them.
// gen_ai.system is kept beside its successor gen_ai.provider.name: backends read one or the other.

export const GEN_AI = {
  system: "gen_ai.system",
  providerName: "gen_ai.provider.name",
  operationName: "gen_ai.operation.name",
  requestModel: "gen_ai.request.model",
  requestMaxTokens: "gen_ai.request.max_tokens",
  requestTemperature: "gen_ai.request.temperature",
  requestTopP: "gen_ai.request.top_p",
  responseModel: "gen_ai.response.model",
  responseId: "gen_ai.response.id",
  responseFinishReasons: "gen_ai.response.finish_reasons",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
} as const;

export type GenAiOperation = "chat" | "text_completion" | "embeddings" | "generate_content";

const SYSTEMS: Readonly<Record<string, string>> = {
  openai: "openai",
  azure: "az.ai.openai",
  anthropic: "anthropic",
  gemini: "gcp.gemini",
  vertex: "gcp.vertex_ai",
  bedrock: "aws.bedrock",
  cohere: "cohere",
  mistral: "mistral_ai",
  llama: "meta",
};

/** gen_ai.system for a provider kind: the well-known value where semconv has one, else the kind itself. */
export function genAiSystemOf(providerKind: string): string {
  return SYSTEMS[providerKind] ?? providerKind;
}

/** gen_ai.operation.name for a gateway endpoint ("chat" | "completions" | "embeddings"), null for others. */
export function genAiOperationOf(endpoint: string | null): GenAiOperation | null {
  switch (endpoint) {
    case "chat":
      return "chat";
    case "completions":
      return "text_completion";
    case "embeddings":
      return "embeddings";
    default:
      return null;
  }
}
