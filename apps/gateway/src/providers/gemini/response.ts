// Gemini GenerateContentResponse -> OpenAI chat completion.

import {
  type ChatResponse,
  type FinishReason,
  ProviderFormatError,
  type ToolCall,
  type TransformContext,
  type Usage,
} from "../types.ts";

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

export interface GeminiResponsePart {
  text?: string;
  thought?: boolean;
  functionCall?: { name?: string; args?: unknown; id?: string };
}

export interface GeminiCandidate {
  index?: number;
  content?: { role?: string; parts?: GeminiResponsePart[] };
  finishReason?: string;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  error?: { code?: number; message?: string; status?: string };
}

/** STOP -> stop, MAX_TOKENS -> length, safety family -> content_filter; STOP after a function call -> tool_calls */
export function mapFinishReason(reason: string | undefined, sawToolCall: boolean): FinishReason | null {
  switch (reason) {
    case undefined:
    case "FINISH_REASON_UNSPECIFIED":
      return null;
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
      return "content_filter";
    default:
      // STOP, OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL ...
      return sawToolCall ? "tool_calls" : "stop";
  }
}

/**
 * promptTokenCount already includes cached tokens (cachedContentTokenCount is a subset). candidatesTokenCount
 * excludes thinking; OpenAI's completion_tokens includes reasoning, so completion = candidates + thoughts.
 */
export function mapUsage(u: GeminiUsageMetadata): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const thoughts = u.thoughtsTokenCount ?? 0;
  const completion = (u.candidatesTokenCount ?? 0) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u.totalTokenCount ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}

export function toolCallId(ctx: TransformContext, n: number): string {
  return `call_${ctx.requestId}_${n}`;
}

export function parseChatResponse(body: unknown, ctx: TransformContext): ChatResponse {
  if (typeof body !== "object" || body === null) throw new ProviderFormatError("gemini", "response is not a JSON object");
  const r = body as GeminiResponse;
  const blocked = r.promptFeedback?.blockReason;
  if (!Array.isArray(r.candidates) && !blocked) throw new ProviderFormatError("gemini", "response has no candidates");

  const choices: ChatResponse["choices"] = [];
  let toolN = 0;
  const candidates = r.candidates ?? [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    let text: string | null = null;
    const toolCalls: ToolCall[] = [];
    for (const part of c.content?.parts ?? []) {
      if (part.thought) continue;
      if (typeof part.text === "string") text = (text ?? "") + part.text;
      else if (part.functionCall) {
        if (typeof part.functionCall.name !== "string") throw new ProviderFormatError("gemini", "functionCall without name");
        toolCalls.push({
          id: part.functionCall.id ?? toolCallId(ctx, toolN),
          type: "function",
          function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
        });
        toolN++;
      }
    }
    choices.push({
      index: c.index ?? i,
      message:
        toolCalls.length > 0 ? { role: "assistant", content: text, tool_calls: toolCalls } : { role: "assistant", content: text },
      finish_reason: mapFinishReason(c.finishReason, toolCalls.length > 0),
    });
  }
  if (choices.length === 0) {
    // the prompt itself was blocked
    choices.push({ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter" });
  }
  const response: ChatResponse = {
    id: r.responseId ?? `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: ctx.now,
    model: r.modelVersion ?? ctx.model,
    choices,
  };
  if (r.usageMetadata) response.usage = mapUsage(r.usageMetadata);
  return response;
}
