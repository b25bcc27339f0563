// Anthropic Messages SSE stream -> OpenAI chat.completion.chunk objects.
//
// Event sequence: message_start, then per content block content_block_start / content_block_delta* /
// content_block_stop, ping at any time, message_delta (stop_reason + cumulative usage), message_stop; or `error`.
// Tool-use blocks become OpenAI tool_calls deltas: the block's start carries id + name, each input_json_delta
// carries a piece of the arguments. OpenAI numbers tool calls 0.. in order, Anthropic numbers all blocks, so the
// state maps Anthropic block index -> OpenAI tool index.

import {
  type ChatChunk,
  ProviderFormatError,
  type StreamEvent,
  type StreamState,
  type TransformContext,
  UpstreamStreamError,
} from "../types.ts";
import { mapAnthropicError } from "./errors.ts";
import { type AnthropicUsage, mapStopReason, mapUsage } from "./response.ts";

export interface AnthropicStreamState extends StreamState {
  /** Anthropic content block index -> OpenAI tool_calls index */
  toolIndexByBlock: Map<number, number>;
  toolCount: number;
  /** usage as reported so far (message_start has input, message_delta has the cumulative output) */
  rawUsage: AnthropicUsage;
  usageSent: boolean;
}

type Delta = ChatChunk["choices"][number]["delta"];

interface AnthropicStreamPayload {
  type?: string;
  index?: number;
  message?: { id?: string; model?: string; usage?: AnthropicUsage };
  content_block?: { type?: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

export function createAnthropicStreamState(ctx: TransformContext): AnthropicStreamState {
  return {
    id: `chatcmpl-${ctx.requestId}`,
    model: ctx.model,
    created: ctx.now,
    toolIndexByBlock: new Map(),
    toolCount: 0,
    rawUsage: {},
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

function usageChunk(state: AnthropicStreamState): ChatChunk {
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

function mergeUsage(state: AnthropicStreamState, u: AnthropicUsage): void {
  const raw = state.rawUsage;
  if (u.input_tokens != null) raw.input_tokens = u.input_tokens;
  if (u.output_tokens != null) raw.output_tokens = u.output_tokens;
  if (u.cache_read_input_tokens != null) raw.cache_read_input_tokens = u.cache_read_input_tokens;
  if (u.cache_creation_input_tokens != null) raw.cache_creation_input_tokens = u.cache_creation_input_tokens;
  state.usage = mapUsage(raw);
}

function parse(ev: StreamEvent): AnthropicStreamPayload {
  try {
    return JSON.parse(ev.data) as AnthropicStreamPayload;
  } catch {
    throw new ProviderFormatError("anthropic", `stream event is not JSON: ${ev.data.slice(0, 200)}`);
  }
}

export function mapAnthropicStreamEvent(ev: StreamEvent, s: StreamState, ctx: TransformContext): ChatChunk[] {
  const state = s as AnthropicStreamState;
  const p = parse(ev);
  switch (p.type ?? ev.event) {
    case "message_start": {
      const m = p.message;
      if (m?.id) state.id = m.id;
      if (m?.model) state.model = m.model;
      if (m?.usage) mergeUsage(state, m.usage);
      return [chunk(state, { role: "assistant", content: "" })];
    }
    case "content_block_start": {
      const block = p.content_block;
      if (block?.type !== "tool_use") return [];
      if (typeof p.index !== "number" || !block.id || !block.name) {
        throw new ProviderFormatError("anthropic", "tool_use content_block_start without index, id or name");
      }
      const toolIndex = state.toolCount++;
      state.toolIndexByBlock.set(p.index, toolIndex);
      return [
        chunk(state, {
          tool_calls: [{ index: toolIndex, id: block.id, type: "function", function: { name: block.name, arguments: "" } }],
        }),
      ];
    }
    case "content_block_delta": {
      const d = p.delta;
      if (d?.type === "text_delta") return d.text ? [chunk(state, { content: d.text })] : [];
      if (d?.type === "input_json_delta") {
        const toolIndex = typeof p.index === "number" ? state.toolIndexByBlock.get(p.index) : undefined;
        if (toolIndex === undefined) throw new ProviderFormatError("anthropic", "input_json_delta for an unknown block");
        if (!d.partial_json) return [];
        return [chunk(state, { tool_calls: [{ index: toolIndex, function: { arguments: d.partial_json } }] })];
      }
      // thinking_delta / signature_delta / citations_delta have no OpenAI chat equivalent
      return [];
    }
    case "message_delta": {
      if (p.usage) mergeUsage(state, p.usage);
      const finish = mapStopReason(p.delta?.stop_reason);
      if (finish === null) return [];
      state.finishReason = finish;
      return [chunk(state, {}, finish)];
    }
    case "message_stop":
      return ctx.clientWantsStreamUsage && state.usage && !state.usageSent ? [usageChunk(state)] : [];
    case "error": {
      const status = p.error?.type === "overloaded_error" ? 529 : 500;
      throw new UpstreamStreamError("anthropic", status, mapAnthropicError(status, p));
    }
    default:
      // ping and future event types
      return [];
  }
}

export function endAnthropicStream(s: StreamState, ctx: TransformContext): ChatChunk[] {
  const state = s as AnthropicStreamState;
  // message_stop went missing but usage arrived: still give the client its usage chunk
  return ctx.clientWantsStreamUsage && state.usage && !state.usageSent ? [usageChunk(state)] : [];
}
