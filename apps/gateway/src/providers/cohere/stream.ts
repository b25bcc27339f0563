// Cohere chat v2 SSE events -> OpenAI chunks, with an explicit state object:
//   message-start -> role chunk; content-delta (text blocks) -> content chunks; thinking blocks, tool-plan-delta and
//   citations are not forwarded; tool-call-start/-delta -> tool_calls deltas whose `index` counts tool calls from 0;
//   message-end -> finish chunk, then OpenAI's trailing `choices: []` usage chunk.

import { isRecord, parseEventJson } from "../openai-compatible/util.ts";
import type { ChatChunk, StreamEvent, StreamState, ToolCallDelta, TransformContext } from "../types.ts";
import { ProviderFormatError } from "../types.ts";
import { mapCohereFinishReason, mapCohereUsage } from "./response.ts";

export interface CohereStreamState extends StreamState {
  /** content block index -> block type ("text" | "thinking") */
  blockTypes: Record<number, string>;
  /** Cohere tool-call index -> OpenAI tool_calls index */
  toolIndex: Record<number, number>;
  toolCount: number;
  lastTool: number;
}

export function createCohereStreamState(ctx: TransformContext): CohereStreamState {
  return {
    id: `chatcmpl-${ctx.requestId}`,
    model: ctx.model,
    created: ctx.now,
    finishReason: null,
    blockTypes: {},
    toolIndex: {},
    toolCount: 0,
    lastTool: -1,
  };
}

function chunk(
  state: StreamState,
  delta: ChatChunk["choices"][number]["delta"],
  finish: ChatChunk["choices"][number]["finish_reason"] = null,
): ChatChunk {
  return {
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

/** delta.message of an event, or undefined */
function deltaMessage(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const delta = value.delta;
  if (!isRecord(delta)) return undefined;
  return isRecord(delta.message) ? delta.message : undefined;
}

function toolCallPayload(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const message = deltaMessage(value);
  return message && isRecord(message.tool_calls) ? message.tool_calls : undefined;
}

export function mapCohereStreamEvent(ev: StreamEvent, state: CohereStreamState): ChatChunk[] {
  const value = parseEventJson(ev.data);
  if (!isRecord(value)) throw new ProviderFormatError("cohere", "stream event is not a JSON object");
  const type = typeof value.type === "string" ? value.type : ev.event;
  const index = typeof value.index === "number" ? value.index : 0;
  switch (type) {
    case "message-start": {
      if (typeof value.id === "string" && value.id) state.id = value.id;
      return [chunk(state, { role: "assistant", content: "" })];
    }
    case "content-start": {
      const content = deltaMessage(value)?.content;
      const blockType = isRecord(content) && typeof content.type === "string" ? content.type : "text";
      state.blockTypes[index] = blockType;
      if (blockType === "text" && isRecord(content) && typeof content.text === "string" && content.text.length > 0) {
        return [chunk(state, { content: content.text })];
      }
      return [];
    }
    case "content-delta": {
      if ((state.blockTypes[index] ?? "text") !== "text") return [];
      const content = deltaMessage(value)?.content;
      if (!isRecord(content) || typeof content.text !== "string") return [];
      return content.text.length > 0 ? [chunk(state, { content: content.text })] : [];
    }
    case "tool-call-start": {
      const call = toolCallPayload(value);
      if (!call) throw new ProviderFormatError("cohere", "tool-call-start without tool_calls");
      const fn = isRecord(call.function) ? call.function : {};
      const openaiIndex = state.toolCount++;
      state.toolIndex[index] = openaiIndex;
      state.lastTool = openaiIndex;
      const delta: ToolCallDelta = {
        index: openaiIndex,
        id: typeof call.id === "string" ? call.id : `call_${openaiIndex}`,
        type: "function",
        function: {
          name: typeof fn.name === "string" ? fn.name : "",
          arguments: typeof fn.arguments === "string" ? fn.arguments : "",
        },
      };
      return [chunk(state, { tool_calls: [delta] })];
    }
    case "tool-call-delta": {
      const call = toolCallPayload(value);
      const fn = call && isRecord(call.function) ? call.function : undefined;
      const args = fn && typeof fn.arguments === "string" ? fn.arguments : "";
      if (args.length === 0) return [];
      const openaiIndex = state.toolIndex[index] ?? state.lastTool;
      if (openaiIndex < 0) throw new ProviderFormatError("cohere", "tool-call-delta before tool-call-start");
      return [chunk(state, { tool_calls: [{ index: openaiIndex, function: { arguments: args } }] })];
    }
    case "message-end": {
      const delta = isRecord(value.delta) ? value.delta : {};
      const finish = mapCohereFinishReason(delta.finish_reason);
      state.finishReason = finish;
      const out = [chunk(state, {}, finish)];
      const usage = mapCohereUsage(delta.usage);
      if (usage) {
        state.usage = usage;
        out.push({
          id: state.id,
          object: "chat.completion.chunk",
          created: state.created,
          model: state.model,
          choices: [],
          usage,
        });
      }
      return out;
    }
    default:
      // content-end, tool-plan-delta, tool-call-end, citation-start/-end, debug: nothing for an OpenAI client
      return [];
  }
}
