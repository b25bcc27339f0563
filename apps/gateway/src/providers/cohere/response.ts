// Cohere chat v2 response -> OpenAI chat completion. Text content parts are joined; thinking parts (reasoning
// models) and tool_plan have no OpenAI field and are left out. Usage: billed_units (what Cohere charges) when present,
// else tokens; cached_tokens when Cohere reports it.

import { asNumber, asString, isRecord } from "../openai-compatible/util.ts";
import type { ChatResponse, FinishReason, ToolCall, TransformContext, Usage } from "../types.ts";
import { ProviderFormatError } from "../types.ts";

const FINISH: Readonly<Record<string, FinishReason>> = {
  COMPLETE: "stop",
  STOP_SEQUENCE: "stop",
  MAX_TOKENS: "length",
  TOOL_CALL: "tool_calls",
  // v1-era values still seen on some deployments
  ERROR_TOXIC: "content_filter",
  ERROR_LIMIT: "length",
  USER_CANCEL: "stop",
};

export function mapCohereFinishReason(reason: unknown): FinishReason {
  if (typeof reason !== "string") throw new ProviderFormatError("cohere", "finish_reason is missing");
  const mapped = FINISH[reason];
  if (mapped) return mapped;
  if (reason === "ERROR" || reason === "TIMEOUT") {
    throw new ProviderFormatError("cohere", `cohere stopped with finish_reason ${reason}: the generation failed`);
  }
  throw new ProviderFormatError("cohere", `unknown cohere finish_reason ${reason}`);
}

export function mapCohereUsage(raw: unknown): Usage | undefined {
  if (!isRecord(raw)) return undefined;
  const billed = isRecord(raw.billed_units) ? raw.billed_units : undefined;
  const tokens = isRecord(raw.tokens) ? raw.tokens : undefined;
  const prompt = asNumber(billed?.input_tokens) ?? asNumber(tokens?.input_tokens);
  const completion = asNumber(billed?.output_tokens) ?? asNumber(tokens?.output_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  const usage: Usage = {
    prompt_tokens: prompt ?? 0,
    completion_tokens: completion ?? 0,
    total_tokens: (prompt ?? 0) + (completion ?? 0),
  };
  const cached = asNumber(raw.cached_tokens);
  if (cached !== undefined) usage.prompt_tokens_details = { cached_tokens: cached };
  return usage;
}

export function mapCohereToolCall(raw: unknown, i: number): ToolCall {
  if (!isRecord(raw) || !isRecord(raw.function)) throw new ProviderFormatError("cohere", `tool_calls[${i}] is malformed`);
  const name = asString(raw.function.name);
  if (!name) throw new ProviderFormatError("cohere", `tool_calls[${i}] has no function name`);
  const args = raw.function.arguments;
  return {
    id: asString(raw.id) ?? `call_${i}`,
    type: "function",
    function: { name, arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
  };
}

export function parseCohereChatResponse(body: unknown, ctx: TransformContext): ChatResponse {
  if (!isRecord(body) || !isRecord(body.message)) throw new ProviderFormatError("cohere", "chat response has no message");
  const message = body.message;
  let text: string | null = null;
  if (Array.isArray(message.content)) {
    for (const part of message.content) {
      if (!isRecord(part)) throw new ProviderFormatError("cohere", "content part is not an object");
      if (part.type === "text") {
        if (typeof part.text !== "string") throw new ProviderFormatError("cohere", "text content part without text");
        text = (text ?? "") + part.text;
      }
    }
  } else if (message.content !== undefined && message.content !== null) {
    throw new ProviderFormatError("cohere", "message content is not an array");
  }
  let toolCalls: ToolCall[] | undefined;
  if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
    toolCalls = message.tool_calls.map(mapCohereToolCall);
  }
  const usage = mapCohereUsage(body.usage);
  const response: ChatResponse = {
    id: asString(body.id) || `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: ctx.now,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: toolCalls ? { role: "assistant", content: text, tool_calls: toolCalls } : { role: "assistant", content: text },
        finish_reason: mapCohereFinishReason(body.finish_reason),
        logprobs: null,
      },
    ],
  };
  if (usage) response.usage = usage;
  return response;
}
