// Bedrock converse-stream (AWS event-stream, de-framed into {event: <:event-type>, data: <JSON payload>}) ->
// OpenAI chunks. Events: messageStart, contentBlockStart (toolUse start: id + name), contentBlockDelta (text, or
// toolUse.input pieces), contentBlockStop, messageStop (stopReason), metadata (usage, after messageStop).
// Every toolUse block becomes its own OpenAI tool call index (Kong kept only the last one).
// Exceptions arrive as event "exception:<name>" (see lib/framing/aws-eventstream.ts).

import {
  type ChatChunk,
  ProviderFormatError,
  type StreamEvent,
  type StreamState,
  type TransformContext,
  UpstreamStreamError,
} from "../types.ts";
import { mapBedrockError, STATUS_BY_EXCEPTION } from "./errors.ts";
import { type BedrockUsage, mapStopReason, mapUsage } from "./response.ts";

export interface BedrockStreamState extends StreamState {
  /** Converse contentBlockIndex -> OpenAI tool_calls index */
  toolIndexByBlock: Map<number, number>;
  toolCount: number;
  usageSent: boolean;
}

interface BedrockStreamPayload {
  role?: string;
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
  delta?: { text?: string; toolUse?: { input?: string }; reasoningContent?: unknown };
  stopReason?: string;
  usage?: BedrockUsage;
  message?: string;
  code?: string;
}

type Delta = ChatChunk["choices"][number]["delta"];

export function createBedrockStreamState(ctx: TransformContext): BedrockStreamState {
  return {
    id: `chatcmpl-${ctx.requestId}`,
    model: ctx.model,
    created: ctx.now,
    toolIndexByBlock: new Map(),
    toolCount: 0,
    usageSent: false,
  };
}

function chunk(state: StreamState, delta: Delta, finish: ChatChunk["choices"][number]["finish_reason"] = null): ChatChunk {
  return {
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function usageChunk(state: BedrockStreamState): ChatChunk {
  state.usageSent = true;
  return {
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices: [],
    usage: state.usage ?? null,
  };
}

export function mapBedrockStreamEvent(ev: StreamEvent, s: StreamState, ctx: TransformContext): ChatChunk[] {
  const state = s as BedrockStreamState;
  let p: BedrockStreamPayload;
  try {
    p = JSON.parse(ev.data) as BedrockStreamPayload;
  } catch {
    throw new ProviderFormatError("bedrock", `stream event is not JSON: ${ev.data.slice(0, 200)}`);
  }
  const name = ev.event ?? "";
  if (name.startsWith("exception:") || name === "error") {
    const exception = name === "error" ? (p.code ?? "error") : name.slice(10);
    const status = STATUS_BY_EXCEPTION[exception] ?? 500;
    const upper = exception.charAt(0).toUpperCase() + exception.slice(1);
    throw new UpstreamStreamError("bedrock", status, mapBedrockError(status, p, { "x-amzn-errortype": upper }));
  }
  switch (name) {
    case "messageStart":
      return [chunk(state, { role: "assistant", content: "" })];
    case "contentBlockStart": {
      const tool = p.start?.toolUse;
      if (!tool) return [];
      if (typeof p.contentBlockIndex !== "number" || !tool.toolUseId || !tool.name) {
        throw new ProviderFormatError("bedrock", "contentBlockStart toolUse without index, id or name");
      }
      const index = state.toolCount++;
      state.toolIndexByBlock.set(p.contentBlockIndex, index);
      return [
        chunk(state, {
          tool_calls: [{ index, id: tool.toolUseId, type: "function", function: { name: tool.name, arguments: "" } }],
        }),
      ];
    }
    case "contentBlockDelta": {
      const d = p.delta;
      if (typeof d?.text === "string") return d.text ? [chunk(state, { content: d.text })] : [];
      if (d?.toolUse) {
        const index = typeof p.contentBlockIndex === "number" ? state.toolIndexByBlock.get(p.contentBlockIndex) : undefined;
        if (index === undefined) throw new ProviderFormatError("bedrock", "toolUse delta for a block that never started");
        const args = d.toolUse.input ?? "";
        return args ? [chunk(state, { tool_calls: [{ index, function: { arguments: args } }] })] : [];
      }
      // reasoningContent has no OpenAI chat equivalent
      return [];
    }
    case "messageStop": {
      const finish = mapStopReason(p.stopReason) ?? "stop";
      state.finishReason = finish;
      return [chunk(state, {}, finish)];
    }
    case "metadata":
      if (p.usage) state.usage = mapUsage(p.usage);
      return ctx.clientWantsStreamUsage && state.usage && !state.usageSent ? [usageChunk(state)] : [];
    default:
      // contentBlockStop and future events
      return [];
  }
}

export function endBedrockStream(s: StreamState, ctx: TransformContext): ChatChunk[] {
  const state = s as BedrockStreamState;
  return ctx.clientWantsStreamUsage && state.usage && !state.usageSent ? [usageChunk(state)] : [];
}
