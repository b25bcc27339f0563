// Worst-case size of a request, reserved before forwarding: prompt tokens (counted with gpt-tokenizer's o200k_base,
// the GPT-4o/GPT-5 encoding: other providers' tokenizers differ by a few percent, which settle corrects) plus the
// completion ceiling (max_completion_tokens / max_tokens, else the route's defaultMaxTokens, else a fallback),
// times `n` choices.

import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage, ChatRequest } from "../../providers/types.ts";

/** OpenAI's chat format overhead: per message, and for the reply's priming */
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
/** an image part counts as a high-detail 512px tile set (the content is not inspected) */
const PER_IMAGE = 765;
/** completion ceiling when neither the client nor the route sets one */
export const FALLBACK_MAX_TOKENS = 4096;

function contentTokens(content: ChatMessage["content"]): number {
  if (content === null) return 0;
  if (typeof content === "string") return content.length === 0 ? 0 : countTokens(content);
  let n = 0;
  for (const part of content) {
    if (part.type === "text" && typeof part.text === "string") n += countTokens(part.text);
    else if (part.type === "image_url") n += PER_IMAGE;
    else n += countTokens(JSON.stringify(part));
  }
  return n;
}

export function estimatePromptTokens(req: ChatRequest): number {
  let n = REPLY_PRIMING;
  for (const m of req.messages) {
    n += PER_MESSAGE + contentTokens(m.content);
    if (m.name) n += PER_NAME + countTokens(m.name);
    if (m.tool_calls) n += countTokens(JSON.stringify(m.tool_calls));
  }
  if (req.tools && req.tools.length > 0) n += countTokens(JSON.stringify(req.tools));
  if (req.response_format && req.response_format.type === "json_schema") n += countTokens(JSON.stringify(req.response_format));
  return n;
}

export interface WorstCase {
  promptTokens: number;
  completionTokens: number;
}

export interface WorstCaseOptions {
  /** the route's defaultMaxTokens */
  defaultMaxTokens?: number | null;
  fallbackMaxTokens?: number;
  /** a prompt estimate already computed (templates, PII) */
  promptTokens?: number;
}

export function worstCaseTokens(req: ChatRequest, options: WorstCaseOptions = {}): WorstCase {
  const ceiling =
    req.max_completion_tokens ?? req.max_tokens ?? options.defaultMaxTokens ?? options.fallbackMaxTokens ?? FALLBACK_MAX_TOKENS;
  const choices = req.n != null && req.n > 1 ? req.n : 1;
  return { promptTokens: options.promptTokens ?? estimatePromptTokens(req), completionTokens: ceiling * choices };
}
