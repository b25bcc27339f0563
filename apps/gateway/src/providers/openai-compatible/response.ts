// Upstream OpenAI-shaped JSON -> canonical responses. The upstream body is validated, not rebuilt: fields the
// gateway does not know (service_tier, prompt_filter_results, logprobs ...) pass through; only what differs
// between servers (finish reasons, usage details, missing ids) is normalised.

import type { ProviderKind } from "@sluice/db/schemas";
import type { ChatResponse, CompletionResponse, EmbeddingsResponse, FinishReason, TransformContext, Usage } from "../types.ts";
import { ProviderFormatError } from "../types.ts";
import { asNumber, asString, isRecord } from "./util.ts";

const CANONICAL_FINISH: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
  function_call: "function_call",
  // dialects seen in the family
  eos: "stop",
  eos_token: "stop",
  stop_sequence: "stop",
  end_turn: "stop",
  model_length: "length",
  max_tokens: "length",
  tool_call: "tool_calls",
};

/** finish reasons that mean the upstream failed to generate: the answer cannot be passed off as a normal one */
const ERROR_FINISH = new Set(["error"]);

/**
 * Upstream finish reason -> OpenAI's. null stays null (not finished yet). A reason that reports a generation
 * error throws; an unknown one becomes "stop" (the text ended; the reason is not one OpenAI clients know).
 */
export function mapFinishReason(
  kind: ProviderKind,
  reason: unknown,
  extra?: Readonly<Record<string, FinishReason>>,
): FinishReason | null {
  if (reason === null || reason === undefined) return null;
  if (typeof reason !== "string") throw new ProviderFormatError(kind, "finish_reason is not a string");
  const mapped = extra?.[reason] ?? CANONICAL_FINISH[reason];
  if (mapped) return mapped;
  if (ERROR_FINISH.has(reason))
    throw new ProviderFormatError(kind, `${kind} reported a generation error (finish_reason "${reason}")`);
  return "stop";
}

/** Upstream usage -> canonical usage, keeping cached and reasoning token details; undefined when absent. */
export function normaliseUsage(raw: unknown): Usage | undefined {
  if (!isRecord(raw)) return undefined;
  const prompt = asNumber(raw.prompt_tokens) ?? 0;
  const completion = asNumber(raw.completion_tokens) ?? 0;
  const total = asNumber(raw.total_tokens) ?? prompt + completion;
  const usage: Usage = { ...raw, prompt_tokens: prompt, completion_tokens: completion, total_tokens: total };
  const promptDetails = isRecord(raw.prompt_tokens_details) ? raw.prompt_tokens_details : undefined;
  // DeepSeek-style servers report cache hits at the top level
  const cacheHits = asNumber(raw.prompt_cache_hit_tokens);
  if (promptDetails === undefined && cacheHits !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: cacheHits };
  }
  return usage;
}

export function parseChatResponse(
  kind: ProviderKind,
  body: unknown,
  ctx: TransformContext,
  extraFinish?: Readonly<Record<string, FinishReason>>,
): ChatResponse {
  if (!isRecord(body)) throw new ProviderFormatError(kind, "chat response is not a JSON object");
  const rawChoices = body.choices;
  if (!Array.isArray(rawChoices)) throw new ProviderFormatError(kind, "chat response has no choices array");
  const choices: ChatResponse["choices"] = [];
  for (let i = 0; i < rawChoices.length; i++) {
    const choice: unknown = rawChoices[i];
    if (!isRecord(choice) || !isRecord(choice.message)) {
      throw new ProviderFormatError(kind, `chat response choice ${i} has no message`);
    }
    const message = choice.message;
    const content = message.content;
    if (content !== undefined && content !== null && typeof content !== "string") {
      throw new ProviderFormatError(kind, `chat response choice ${i} content is not a string`);
    }
    if (message.tool_calls !== undefined && message.tool_calls !== null && !Array.isArray(message.tool_calls)) {
      throw new ProviderFormatError(kind, `chat response choice ${i} tool_calls is not an array`);
    }
    const finish = mapFinishReason(kind, choice.finish_reason, extraFinish);
    const normalised = {
      ...choice,
      index: asNumber(choice.index) ?? i,
      message: { ...message, role: "assistant", content: content ?? null },
      finish_reason: finish,
    };
    choices.push(normalised as ChatResponse["choices"][number]);
  }
  const response = {
    ...body,
    id: asString(body.id) || `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: asNumber(body.created) ?? ctx.now,
    model: asString(body.model) || ctx.model,
    choices,
  } as ChatResponse;
  const usage = normaliseUsage(body.usage);
  if (usage) response.usage = usage;
  else delete response.usage;
  return response;
}

export function parseCompletionResponse(kind: ProviderKind, body: unknown, ctx: TransformContext): CompletionResponse {
  if (!isRecord(body)) throw new ProviderFormatError(kind, "completion response is not a JSON object");
  if (!Array.isArray(body.choices)) throw new ProviderFormatError(kind, "completion response has no choices array");
  const choices: CompletionResponse["choices"] = body.choices.map((choice: unknown, i: number) => {
    if (!isRecord(choice) || typeof choice.text !== "string") {
      throw new ProviderFormatError(kind, `completion choice ${i} has no text`);
    }
    return {
      ...choice,
      index: asNumber(choice.index) ?? i,
      text: choice.text,
      finish_reason: mapFinishReason(kind, choice.finish_reason),
      logprobs: choice.logprobs ?? null,
    };
  });
  const response = {
    ...body,
    id: asString(body.id) || `cmpl-${ctx.requestId}`,
    object: "text_completion",
    created: asNumber(body.created) ?? ctx.now,
    model: asString(body.model) || ctx.model,
    choices,
  } as CompletionResponse;
  const usage = normaliseUsage(body.usage);
  if (usage) response.usage = usage;
  else delete response.usage;
  return response;
}

export function parseEmbeddingsResponse(kind: ProviderKind, body: unknown, ctx: TransformContext): EmbeddingsResponse {
  if (!isRecord(body)) throw new ProviderFormatError(kind, "embeddings response is not a JSON object");
  if (!Array.isArray(body.data)) throw new ProviderFormatError(kind, "embeddings response has no data array");
  const data: EmbeddingsResponse["data"] = body.data.map((item: unknown, i: number) => {
    if (!isRecord(item)) throw new ProviderFormatError(kind, `embedding ${i} is not an object`);
    const embedding = item.embedding;
    if (typeof embedding !== "string" && !(Array.isArray(embedding) && embedding.every((v) => typeof v === "number"))) {
      throw new ProviderFormatError(kind, `embedding ${i} is neither a number array nor base64`);
    }
    return { object: "embedding", index: asNumber(item.index) ?? i, embedding: embedding as number[] | string };
  });
  const usage = isRecord(body.usage) ? body.usage : {};
  const prompt = asNumber(usage.prompt_tokens) ?? 0;
  return {
    object: "list",
    data,
    model: asString(body.model) || ctx.model,
    usage: { prompt_tokens: prompt, total_tokens: asNumber(usage.total_tokens) ?? prompt },
  };
}
