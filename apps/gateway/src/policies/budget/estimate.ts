// Worst-case size of a request, reserved before forwarding: prompt tokens plus the completion ceiling
// (max_completion_tokens / max_tokens, else the route's defaultMaxTokens, else a fallback), times `n` choices.
//
// Prompt tokens: a request whose prompt text is at most EXACT_ABOVE_BYTES of UTF-8 reserves its byte count, a hard
// upper bound (every o200k token, like every byte-level BPE token, is at least one byte; measured: 1.5 bytes/token
// for base64, 2 for digits, 2.7 for code, 3.2 for JSON, 5 for English). Over-reserving at most 4 KB of tokens is
// in the same range as the completion ceiling (often 4096), and settle (usage/settle.ts) corrects every
// reservation to the provider's exact usage. Larger prompts are counted exactly with gpt-tokenizer's o200k_base
// (the GPT-4o/GPT-5 encoding; other providers differ by a few percent, which settle corrects), loaded on first
// use: tokenizing cost ~40 us of CPU per KB of English on the request path, and importing the tables at start-up
// kept ~30 MB of heap resident in every gateway, limits or not.

import { createRequire } from "node:module";
import type { ChatMessage, ChatRequest } from "../../providers/types.ts";

/** prompts up to this many UTF-8 bytes reserve their byte count instead of being tokenized */
export const EXACT_ABOVE_BYTES = 4096;

type Count = (text: string) => number;
let exactCounter: Count | null = null;

function exactCount(text: string): number {
  if (text.length === 0) return 0;
  exactCounter ??= (createRequire(import.meta.url)("gpt-tokenizer/encoding/o200k_base") as { countTokens: Count }).countTokens;
  return exactCounter(text);
}

function byteCount(text: string): number {
  return text.length === 0 ? 0 : Buffer.byteLength(text, "utf8");
}

/** OpenAI's chat format overhead: per message, and for the reply's priming */
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
/** an image part counts as a high-detail 512px tile set (the content is not inspected) */
const PER_IMAGE = 765;
/** completion ceiling when neither the client nor the route sets one */
export const FALLBACK_MAX_TOKENS = 4096;

function contentTokens(content: ChatMessage["content"], countTokens: Count): number {
  if (content === null) return 0;
  if (typeof content === "string") return countTokens(content);
  let n = 0;
  for (const part of content) {
    if (part.type === "text" && typeof part.text === "string") n += countTokens(part.text);
    else if (part.type === "image_url") n += PER_IMAGE;
    else n += countTokens(JSON.stringify(part));
  }
  return n;
}

export function estimatePromptTokens(req: ChatRequest): number {
  const bound = promptTokens(req, byteCount);
  return bound <= EXACT_ABOVE_BYTES ? bound : promptTokens(req, exactCount);
}

function promptTokens(req: ChatRequest, countTokens: Count): number {
  let n = REPLY_PRIMING;
  for (const m of req.messages) {
    n += PER_MESSAGE + contentTokens(m.content, countTokens);
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
