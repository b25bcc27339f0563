// Canonical request -> OpenAI-compatible upstream body. The body is the client's request with the upstream model
// put in (a shallow copy; messages are shared, never cloned), after checking the values OpenAI documents ranges
// for: out-of-range values are refused, never clamped.

import type { ProviderKind } from "@sluice/db/schemas";
import type { ChatRequest, CompletionRequest, EmbeddingsRequest } from "../types.ts";
import { UnsupportedRequestError } from "../types.ts";
import { checkInteger, checkNumberRange, isSet, messageHasImage, stopSequences } from "./util.ts";

export interface ChatDialect {
  kind: ProviderKind;
  /** sampling parameters outside OpenAI's set the server accepts (e.g. top_k on vLLM / llama.cpp) */
  extraParams: ReadonlySet<string>;
  /** whether the server takes image_url content parts */
  images: boolean;
  /** most stop sequences accepted */
  maxStop: number;
  /** whether to ask for usage in streams with stream_options.include_usage */
  streamUsageOption: boolean;
}

const NON_OPENAI_SAMPLING = ["top_k", "min_p", "repetition_penalty"] as const;

/** Range checks shared by every OpenAI-shaped chat request. */
export function checkChatRequest(req: ChatRequest, dialect: ChatDialect): void {
  if (!Array.isArray(req.messages) || req.messages.length === 0) {
    throw new UnsupportedRequestError("messages must be a non-empty array", "messages");
  }
  checkNumberRange(req.temperature, 0, 2, "temperature");
  checkNumberRange(req.top_p, 0, 1, "top_p");
  checkNumberRange(req.presence_penalty, -2, 2, "presence_penalty");
  checkNumberRange(req.frequency_penalty, -2, 2, "frequency_penalty");
  checkInteger(req.n, 1, 128, "n");
  checkInteger(req.max_tokens, 1, Number.MAX_SAFE_INTEGER, "max_tokens");
  checkInteger(req.max_completion_tokens, 1, Number.MAX_SAFE_INTEGER, "max_completion_tokens");
  checkInteger(req.top_logprobs, 0, 20, "top_logprobs");
  checkInteger(req.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "seed");
  if (isSet(req.top_logprobs) && req.logprobs !== true) {
    throw new UnsupportedRequestError("top_logprobs requires logprobs: true", "top_logprobs");
  }
  stopSequences(req.stop, dialect.maxStop);
  for (const param of NON_OPENAI_SAMPLING) {
    if (isSet(req[param]) && !dialect.extraParams.has(param)) {
      throw new UnsupportedRequestError(`${param} is not supported by ${dialect.kind}`, param);
    }
  }
  if (isSet(req.top_k)) checkInteger(req.top_k, 0, Number.MAX_SAFE_INTEGER, "top_k");
  if (!dialect.images) {
    for (const message of req.messages) {
      if (messageHasImage(message)) throw new UnsupportedRequestError(`${dialect.kind} does not accept images`, "messages");
    }
  }
}

export function buildChatBody(req: ChatRequest, model: string, dialect: ChatDialect): Record<string, unknown> {
  checkChatRequest(req, dialect);
  const body: Record<string, unknown> = { ...req, model };
  for (const param of NON_OPENAI_SAMPLING) if (req[param] === null) delete body[param];
  if (req.stream === true && dialect.streamUsageOption) {
    // always ask for usage; the pipeline strips the usage chunk again when the client did not ask for it
    body.stream_options = { ...(req.stream_options ?? {}), include_usage: true };
  }
  return body;
}

export function buildCompletionBody(req: CompletionRequest, model: string, dialect: ChatDialect): Record<string, unknown> {
  const prompt = req.prompt;
  if (typeof prompt !== "string" && !(Array.isArray(prompt) && prompt.length > 0)) {
    throw new UnsupportedRequestError("prompt must be a string or a non-empty array", "prompt");
  }
  checkNumberRange(req.temperature, 0, 2, "temperature");
  checkNumberRange(req.top_p, 0, 1, "top_p");
  checkInteger(req.n, 1, 128, "n");
  checkInteger(req.max_tokens, 1, Number.MAX_SAFE_INTEGER, "max_tokens");
  stopSequences(req.stop, dialect.maxStop);
  const body: Record<string, unknown> = { ...req, model };
  if (req.stream === true && dialect.streamUsageOption) {
    body.stream_options = { ...(req.stream_options ?? {}), include_usage: true };
  }
  return body;
}

export function buildEmbeddingsBody(req: EmbeddingsRequest, model: string): Record<string, unknown> {
  const input = req.input;
  if (typeof input !== "string" && !(Array.isArray(input) && input.length > 0)) {
    throw new UnsupportedRequestError("input must be a string or a non-empty array", "input");
  }
  checkInteger(req.dimensions, 1, Number.MAX_SAFE_INTEGER, "dimensions");
  if (isSet(req.encoding_format) && req.encoding_format !== "float" && req.encoding_format !== "base64") {
    throw new UnsupportedRequestError("encoding_format must be float or base64", "encoding_format");
  }
  return { ...req, model };
}
