// Gemini streamGenerateContent -> OpenAI chunks. Each event (an SSE `data:` with alt=sse, or one element of the
// streamed JSON array) is a whole GenerateContentResponse holding the next piece of each candidate: text parts
// are deltas, a functionCall part arrives complete (so one tool_calls delta carries id, name and all arguments),
// finishReason arrives on the last piece, usageMetadata is cumulative (the last one wins).

import {
  type ChatChunk,
  ProviderFormatError,
  type StreamEvent,
  type StreamState,
  type TransformContext,
  UpstreamStreamError,
} from "../types.ts";
import { mapGoogleError } from "./errors.ts";
import { type GeminiResponse, mapFinishReason, mapUsage, toolCallId } from "./response.ts";

export interface GeminiStreamState extends StreamState {
  /** per candidate index: tool calls emitted so far (their OpenAI indices are 0..n-1) */
  toolCounts: Map<number, number>;
  /** candidates whose first chunk (with role) went out */
  started: Set<number>;
  /** tool calls over all candidates, for unique fallback ids */
  toolTotal: number;
  usageSent: boolean;
}

type Choice = ChatChunk["choices"][number];

export function createGeminiStreamState(ctx: TransformContext): GeminiStreamState {
  return {
    id: `chatcmpl-${ctx.requestId}`,
    model: ctx.model,
    created: ctx.now,
    toolCounts: new Map(),
    started: new Set(),
    toolTotal: 0,
    usageSent: false,
  };
}

function chunk(state: StreamState, choice: Choice): ChatChunk {
  return { id: state.id, object: "chat.completion.chunk", created: state.created, model: state.model, choices: [choice] };
}

export function mapGeminiStreamEvent(ev: StreamEvent, s: StreamState, ctx: TransformContext): ChatChunk[] {
  const state = s as GeminiStreamState;
  let r: GeminiResponse;
  try {
    r = JSON.parse(ev.data) as GeminiResponse;
  } catch {
    throw new ProviderFormatError("gemini", `stream event is not JSON: ${ev.data.slice(0, 200)}`);
  }
  if (typeof r !== "object" || r === null) throw new ProviderFormatError("gemini", "stream event is not an object");
  if (r.error) {
    const status = typeof r.error.code === "number" ? r.error.code : 500;
    throw new UpstreamStreamError("gemini", status, mapGoogleError(status, r));
  }
  if (state.started.size === 0) {
    if (r.responseId) state.id = r.responseId;
    if (r.modelVersion) state.model = r.modelVersion;
  }
  if (r.usageMetadata) state.usage = mapUsage(r.usageMetadata);

  const out: ChatChunk[] = [];
  const candidates = r.candidates ?? [];
  if (candidates.length === 0 && r.promptFeedback?.blockReason) {
    state.finishReason = "content_filter";
    out.push(chunk(state, { index: 0, delta: { role: "assistant", content: null }, finish_reason: "content_filter" }));
    return out;
  }
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const index = c.index ?? i;
    const delta: Choice["delta"] = {};
    if (!state.started.has(index)) {
      state.started.add(index);
      delta.role = "assistant";
    }
    let text: string | undefined;
    for (const part of c.content?.parts ?? []) {
      if (part.thought) continue;
      if (typeof part.text === "string") text = text === undefined ? part.text : text + part.text;
      else if (part.functionCall) {
        if (typeof part.functionCall.name !== "string") throw new ProviderFormatError("gemini", "functionCall without name");
        const toolIndex = state.toolCounts.get(index) ?? 0;
        state.toolCounts.set(index, toolIndex + 1);
        const id = part.functionCall.id ?? toolCallId(ctx, state.toolTotal);
        state.toolTotal++;
        if (!delta.tool_calls) delta.tool_calls = [];
        delta.tool_calls.push({
          index: toolIndex,
          id,
          type: "function",
          function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
        });
      }
    }
    if (text !== undefined && text.length > 0) delta.content = text;
    else if (delta.role) delta.content = "";
    if (delta.role || delta.content || delta.tool_calls) out.push(chunk(state, { index, delta, finish_reason: null }));
    const finish = mapFinishReason(c.finishReason, (state.toolCounts.get(index) ?? 0) > 0);
    if (finish !== null) {
      state.finishReason = finish;
      out.push(chunk(state, { index, delta: {}, finish_reason: finish }));
    }
  }
  return out;
}

export function endGeminiStream(s: StreamState, ctx: TransformContext): ChatChunk[] {
  const state = s as GeminiStreamState;
  if (!ctx.clientWantsStreamUsage || !state.usage || state.usageSent) return [];
  state.usageSent = true;
  return [
    {
      id: state.id,
      object: "chat.completion.chunk",
      created: state.created,
      model: state.model,
      choices: [],
      usage: state.usage,
    },
  ];
}
