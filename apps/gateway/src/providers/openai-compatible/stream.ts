// OpenAI-shaped SSE chunks -> canonical chunks. Each event is parsed once; a chunk object is re-used as is unless a
// field differs between servers (finish reason dialects, missing tool-call indices, usage inside a content chunk).
// Canonical form of usage: one trailing `choices: []` chunk, which is what OpenAI sends with include_usage (the
// pipeline strips it again when the client did not ask for it).

import type { ProviderKind } from "@sluice/db/schemas";
import type { ChatChunk, FinishReason, StreamEvent, StreamState, TransformContext, Usage } from "../types.ts";
import { ProviderFormatError } from "../types.ts";
import { mapFinishReason, normaliseUsage } from "./response.ts";
import { asNumber, asString, isRecord, parseEventJson } from "./util.ts";

export interface OpenAIStreamState extends StreamState {
  /** `data: [DONE]` seen */
  done: boolean;
}

export function createOpenAIStreamState(ctx: TransformContext): OpenAIStreamState {
  return { id: `chatcmpl-${ctx.requestId}`, model: ctx.model, created: ctx.now, finishReason: null, done: false };
}

function upstreamStreamError(kind: ProviderKind, value: Record<string, unknown>): ProviderFormatError {
  const err = value.error;
  const message = isRecord(err) ? (asString(err.message) ?? JSON.stringify(err)) : String(err);
  return new ProviderFormatError(kind, `${kind} stream error: ${message}`);
}

function usageChunk(state: StreamState, usage: Usage): ChatChunk {
  return { id: state.id, object: "chat.completion.chunk", created: state.created, model: state.model, choices: [], usage };
}

/** Normalises one parsed choice in place when needed; returns the finish reason it carries. */
function normaliseChoice(
  kind: ProviderKind,
  choice: Record<string, unknown>,
  extraFinish: Readonly<Record<string, FinishReason>> | undefined,
): FinishReason | null {
  const raw = choice.finish_reason;
  const finish = mapFinishReason(kind, raw, extraFinish);
  if (finish !== raw) choice.finish_reason = finish;
  const delta = choice.delta;
  if (!isRecord(delta)) {
    if (delta === undefined) choice.delta = {};
    else throw new ProviderFormatError(kind, "stream choice delta is not an object");
    return finish;
  }
  const calls = delta.tool_calls;
  if (Array.isArray(calls)) {
    for (let i = 0; i < calls.length; i++) {
      const call: unknown = calls[i];
      if (!isRecord(call)) throw new ProviderFormatError(kind, "stream tool call is not an object");
      // some servers (older Ollama, some vLLM parsers) omit the index when they send whole calls
      if (typeof call.index !== "number") call.index = i;
    }
  } else if (calls === null) {
    delete delta.tool_calls;
  }
  return finish;
}

export function mapOpenAIStreamEvent(
  kind: ProviderKind,
  ev: StreamEvent,
  state: OpenAIStreamState,
  extraFinish?: Readonly<Record<string, FinishReason>>,
): ChatChunk[] {
  const data = ev.data;
  if (data === "[DONE]" || data.trim() === "[DONE]") {
    state.done = true;
    return [];
  }
  const value = parseEventJson(data);
  if (!isRecord(value)) throw new ProviderFormatError(kind, "stream event is not a JSON object");
  if (value.error !== undefined && value.error !== null) throw upstreamStreamError(kind, value);
  const choices = value.choices;
  if (!Array.isArray(choices)) throw new ProviderFormatError(kind, "stream chunk has no choices array");

  const id = asString(value.id);
  if (id) state.id = id;
  else value.id = state.id;
  const model = asString(value.model);
  if (model) state.model = model;
  else value.model = state.model;
  const created = asNumber(value.created);
  if (created !== undefined) state.created = created;
  else value.created = state.created;
  if (value.object !== "chat.completion.chunk") value.object = "chat.completion.chunk";

  const usage = value.usage === null || value.usage === undefined ? undefined : normaliseUsage(value.usage);
  if (choices.length === 0) {
    // Azure opens with a prompt_filter_results chunk without choices or usage: nothing for the client
    if (!usage) return [];
    state.usage = usage;
    value.usage = usage;
    return [value as unknown as ChatChunk];
  }
  for (const choice of choices) {
    if (!isRecord(choice)) throw new ProviderFormatError(kind, "stream choice is not an object");
    const finish = normaliseChoice(kind, choice, extraFinish);
    if (finish) state.finishReason = finish;
  }
  if (!usage) return [value as unknown as ChatChunk];
  // usage riding on a content/finish chunk (Mistral, llama.cpp): split it into OpenAI's trailing usage chunk
  state.usage = usage;
  delete value.usage;
  return [value as unknown as ChatChunk, usageChunk(state, usage)];
}

/** Text-completion stream events are passed through as parsed JSON (usage recorded on the state). */
export function mapCompletionStreamEvent(kind: ProviderKind, ev: StreamEvent, state: StreamState): unknown[] {
  if (ev.data.trim() === "[DONE]") return [];
  const value = parseEventJson(ev.data);
  if (!isRecord(value)) throw new ProviderFormatError(kind, "stream event is not a JSON object");
  if (value.error !== undefined && value.error !== null) throw upstreamStreamError(kind, value);
  if (!Array.isArray(value.choices)) throw new ProviderFormatError(kind, "completion stream chunk has no choices array");
  const usage = value.usage === null || value.usage === undefined ? undefined : normaliseUsage(value.usage);
  if (usage) {
    state.usage = usage;
    value.usage = usage;
  }
  for (const choice of value.choices) {
    if (isRecord(choice) && choice.finish_reason !== undefined && choice.finish_reason !== null) {
      const finish = mapFinishReason(kind, choice.finish_reason);
      choice.finish_reason = finish;
      state.finishReason = finish;
    }
  }
  return [value];
}
