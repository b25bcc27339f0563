// Fixtures for the cache tests: a hand-moved clock, requests, answers and stream chunks, config builders.

import { type CacheConfig, CacheConfigSchema } from "@sluice/db/schemas";
import type { ChatChunk, ChatRequest, ChatResponse } from "../../src/providers/types.ts";

export interface ManualClock {
  t: number;
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(t = Date.UTC(2026, 0, 6, 12, 0, 0)): ManualClock {
  const c: ManualClock = {
    t,
    now: () => c.t,
    advance: (ms) => {
      c.t += ms;
    },
  };
  return c;
}

export function cacheConfig(over: Record<string, unknown> = {}): CacheConfig {
  return CacheConfigSchema.parse(over);
}

export function chatRequest(over: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "What is the capital of France?" },
    ],
    temperature: 0.2,
    ...over,
  };
}

export function chatResponse(content = "Paris.", over: Partial<ChatResponse> = {}): ChatResponse {
  return {
    id: "chatcmpl-upstream1",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-mini-2024-07-18",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 },
    system_fingerprint: "fp_1",
    ...over,
  };
}

/** An OpenAI-style stream: role chunk, content pieces, finish chunk, and a usage chunk (choices: []). */
export function chatChunks(pieces: string[] = ["Pa", "ris", "."], withUsage = true): ChatChunk[] {
  const base = {
    id: "chatcmpl-upstream2",
    object: "chat.completion.chunk" as const,
    created: 1_700_000_001,
    model: "gpt-4o-mini-2024-07-18",
    system_fingerprint: "fp_1",
  };
  const out: ChatChunk[] = [
    { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    ...pieces.map((p) => ({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" as const }] },
  ];
  if (withUsage) out.push({ ...base, choices: [], usage: { prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 } });
  return out;
}

/** Parse replayed chunk texts and drop the fields a replay changes (id, created). */
export function stripIdentity(texts: string[]): unknown[] {
  return texts.map((t) => {
    const { id: _id, created: _created, ...rest } = JSON.parse(t) as Record<string, unknown>;
    return rest;
  });
}

export function withoutIdentity<T extends { id: string; created: number }>(x: T): Omit<T, "id" | "created"> {
  const { id: _id, created: _created, ...rest } = x;
  return rest;
}
