// Bedrock Converse response -> OpenAI chat completion.

import {
  type ChatResponse,
  type FinishReason,
  ProviderFormatError,
  type ToolCall,
  type TransformContext,
  type Usage,
} from "../types.ts";

export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

interface ConverseBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: unknown;
}

interface ConverseResponse {
  output?: { message?: { role?: string; content?: ConverseBlock[] } };
  stopReason?: string;
  usage?: BedrockUsage;
}

/**
 * end_turn / stop_sequence -> stop, max_tokens -> length, tool_use -> tool_calls,
 * content_filtered / guardrail_intervened -> content_filter.
 */
export function mapStopReason(reason: string | undefined): FinishReason | null {
  switch (reason) {
    case undefined:
      return null;
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "content_filtered":
    case "guardrail_intervened":
      return "content_filter";
    default:
      return "stop";
  }
}

/** inputTokens excludes cache reads/writes (as with Anthropic); OpenAI prompt_tokens is the whole prompt */
export function mapUsage(u: BedrockUsage): Usage {
  const cacheRead = u.cacheReadInputTokens ?? 0;
  const prompt = (u.inputTokens ?? 0) + cacheRead + (u.cacheWriteInputTokens ?? 0);
  const completion = u.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}

export function parseChatResponse(body: unknown, ctx: TransformContext): ChatResponse {
  const r = (typeof body === "object" && body !== null ? body : {}) as ConverseResponse;
  const content = r.output?.message?.content;
  if (!Array.isArray(content)) throw new ProviderFormatError("bedrock", "response has no output.message.content");
  let text: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (typeof block.text === "string") text = (text ?? "") + block.text;
    else if (block.toolUse) {
      const { toolUseId, name, input } = block.toolUse;
      if (typeof toolUseId !== "string" || typeof name !== "string")
        throw new ProviderFormatError("bedrock", "toolUse without id or name");
      toolCalls.push({ id: toolUseId, type: "function", function: { name, arguments: JSON.stringify(input ?? {}) } });
    }
  }
  const response: ChatResponse = {
    id: `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: ctx.now,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message:
          toolCalls.length > 0
            ? { role: "assistant", content: text, tool_calls: toolCalls }
            : { role: "assistant", content: text },
        finish_reason: mapStopReason(r.stopReason),
      },
    ],
  };
  if (r.usage) response.usage = mapUsage(r.usage);
  return response;
}
