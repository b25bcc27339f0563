// OpenAI chat request -> Mistral /v1/chat/completions. Mistral refuses unknown fields (422 extra_forbidden), so the
// body is built field by field: seed -> random_seed, max_completion_tokens -> max_tokens, developer -> system, no
// stream_options (Mistral always puts usage on its last chunk). OpenAI-only behaviour is refused, never dropped;
// only pure metadata (user, metadata, store) is left out.

import { type ChatDialect, checkChatRequest } from "../openai-compatible/request.ts";
import { isSet, stopSequences } from "../openai-compatible/util.ts";
import type { ChatMessage, ChatRequest, EmbeddingsRequest, TransformContext } from "../types.ts";
import { UnsupportedRequestError } from "../types.ts";

const MAPPED = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "user",
  "metadata",
  "store",
]);

function mapMessage(message: ChatMessage, i: number): Record<string, unknown> {
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: message.content ?? "" };
    case "user":
      return { role: "user", content: message.content ?? "" };
    case "assistant": {
      const out: Record<string, unknown> = { role: "assistant" };
      if (message.content !== null && message.content !== undefined) out.content = message.content;
      if (message.tool_calls && message.tool_calls.length > 0) out.tool_calls = message.tool_calls;
      return out;
    }
    case "tool": {
      const out: Record<string, unknown> = { role: "tool", content: message.content ?? "", tool_call_id: message.tool_call_id };
      if (message.name) out.name = message.name;
      return out;
    }
    default:
      throw new UnsupportedRequestError(`messages[${i}]: role "${message.role}" is not supported by mistral`, "messages");
  }
}

export function buildMistralChatBody(req: ChatRequest, ctx: TransformContext, dialect: ChatDialect): Record<string, unknown> {
  checkChatRequest(req, dialect);
  for (const key of Object.keys(req)) {
    if (MAPPED.has(key)) continue;
    const value = req[key];
    if (value === null || value === undefined || value === false) continue;
    throw new UnsupportedRequestError(`${key} is not supported by mistral`, key);
  }
  if (isSet(req.max_tokens) && isSet(req.max_completion_tokens) && req.max_tokens !== req.max_completion_tokens) {
    throw new UnsupportedRequestError("give either max_tokens or max_completion_tokens, not both", "max_completion_tokens");
  }
  const body: Record<string, unknown> = { model: ctx.model, messages: req.messages.map(mapMessage) };
  if (isSet(req.temperature)) body.temperature = req.temperature;
  if (isSet(req.top_p)) body.top_p = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (isSet(maxTokens)) body.max_tokens = maxTokens;
  if (req.stream === true) body.stream = true;
  const stop = stopSequences(req.stop, dialect.maxStop);
  if (stop) body.stop = stop;
  if (isSet(req.seed)) body.random_seed = req.seed;
  if (isSet(req.n)) body.n = req.n;
  if (isSet(req.presence_penalty)) body.presence_penalty = req.presence_penalty;
  if (isSet(req.frequency_penalty)) body.frequency_penalty = req.frequency_penalty;
  if (req.response_format) body.response_format = req.response_format;
  if (req.tools && req.tools.length > 0) body.tools = req.tools;
  if (isSet(req.tool_choice)) body.tool_choice = req.tool_choice;
  if (isSet(req.parallel_tool_calls)) body.parallel_tool_calls = req.parallel_tool_calls;
  return body;
}

export function buildMistralEmbeddingsBody(req: EmbeddingsRequest, ctx: TransformContext): Record<string, unknown> {
  const input = req.input;
  const texts = typeof input === "string" ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === "string")) {
    throw new UnsupportedRequestError("mistral embeddings take a string or an array of strings (no token arrays)", "input");
  }
  const body: Record<string, unknown> = { model: ctx.model, input: texts };
  if (isSet(req.dimensions)) {
    if (!Number.isInteger(req.dimensions) || req.dimensions < 1) {
      throw new UnsupportedRequestError("dimensions must be a positive integer", "dimensions");
    }
    body.output_dimension = req.dimensions;
  }
  if (isSet(req.encoding_format)) {
    if (req.encoding_format !== "float" && req.encoding_format !== "base64") {
      throw new UnsupportedRequestError("encoding_format must be float or base64", "encoding_format");
    }
    body.encoding_format = req.encoding_format;
  }
  return body;
}
