// Anthropic Messages response -> OpenAI chat completion.

import {
  type ChatResponse,
  type FinishReason,
  ProviderFormatError,
  type ToolCall,
  type TransformContext,
  type Usage,
} from "../types.ts";

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

interface AnthropicContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

interface AnthropicMessageResponse {
  id: string;
  type: "message";
  model?: string;
  content: AnthropicContentBlock[];
  stop_reason: string | null;
  usage?: AnthropicUsage;
}

/** end_turn / stop_sequence / pause_turn -> stop, max_tokens -> length, tool_use -> tool_calls, refusal -> content_filter */
export function mapStopReason(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      // end_turn, stop_sequence, pause_turn and anything newer: the model stopped on its own
      return "stop";
  }
}

/**
 * Anthropic's input_tokens counts only the uncached part of the prompt; OpenAI's prompt_tokens is the whole prompt.
 * prompt_tokens = input + cache reads + cache writes; cached_tokens = cache reads.
 */
export function mapUsage(u: AnthropicUsage): Usage {
  const input = u.input_tokens ?? 0;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const prompt = input + cacheRead + cacheWrite;
  const completion = u.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}

function isMessage(body: unknown): body is AnthropicMessageResponse {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  return b.type === "message" && typeof b.id === "string" && Array.isArray(b.content);
}

export function parseChatResponse(body: unknown, ctx: TransformContext): ChatResponse {
  if (!isMessage(body)) throw new ProviderFormatError("anthropic", "response is not an Anthropic message object");
  let text: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const block of body.content) {
    if (block.type === "text" && typeof block.text === "string") text = (text ?? "") + block.text;
    else if (block.type === "tool_use") {
      if (typeof block.id !== "string" || typeof block.name !== "string") {
        throw new ProviderFormatError("anthropic", "tool_use block without id or name");
      }
      toolCalls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
    // thinking / redacted_thinking blocks have no place in the OpenAI chat shape
  }
  const finish = mapStopReason(body.stop_reason);
  const response: ChatResponse = {
    id: body.id,
    object: "chat.completion",
    created: ctx.now,
    model: body.model ?? ctx.model,
    choices: [
      {
        index: 0,
        message:
          toolCalls.length > 0
            ? { role: "assistant", content: text, tool_calls: toolCalls }
            : { role: "assistant", content: text },
        finish_reason: finish,
      },
    ],
  };
  if (body.usage) response.usage = mapUsage(body.usage);
  return response;
}
