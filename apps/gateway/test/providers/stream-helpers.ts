// Test helpers for provider streams: feed recorded upstream bytes, cut into chunks at chosen places, through the
// real de-framer and the adapter's stream mapper, exactly as the pipeline would.

import { readFileSync } from "node:fs";
import { AwsEventStreamDeframer } from "../../src/lib/framing/aws-eventstream.ts";
import { JsonArrayDeframer } from "../../src/lib/framing/json-array.ts";
import { createSseDeframer } from "../../src/lib/framing/sse.ts";
import type { Deframer } from "../../src/lib/framing/types.ts";
import type { ChatChunk, ChatTransform, StreamFraming, TransformContext } from "../../src/providers/types.ts";

export const NOW = 1700000000;

export function testContext(over: Partial<TransformContext> = {}): TransformContext {
  return {
    baseUrl: "https://upstream.test",
    model: "test-model",
    settings: {},
    credentials: {},
    requestId: "req_test",
    now: NOW,
    ...over,
  };
}

export function fixture(dir: string, name: string): Buffer {
  return readFileSync(new URL(`../../src/providers/${dir}/__fixtures__/${name}`, import.meta.url));
}

export function jsonFixture<T = unknown>(dir: string, name: string): T {
  return JSON.parse(fixture(dir, name).toString("utf8")) as T;
}

export function deframerFor(framing: StreamFraming): Deframer {
  if (framing === "sse") return createSseDeframer();
  if (framing === "json-array") return new JsonArrayDeframer();
  if (framing === "aws-eventstream") return new AwsEventStreamDeframer();
  throw new Error(`no deframer for ${framing} in these tests`);
}

/** cuts `bytes` into pieces: every `n` bytes, or at the given offsets */
export function cut(bytes: Uint8Array, how: number | number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (typeof how === "number") {
    for (let i = 0; i < bytes.byteLength; i += how) out.push(bytes.subarray(i, i + how));
    return out;
  }
  let prev = 0;
  for (const at of [...how].sort((a, b) => a - b)) {
    out.push(bytes.subarray(prev, at));
    prev = at;
  }
  out.push(bytes.subarray(prev));
  return out;
}

export function runStream(
  chat: ChatTransform,
  ctx: TransformContext,
  pieces: Uint8Array[],
  framing: StreamFraming = chat.streamFraming,
): ChatChunk[] {
  const deframer = deframerFor(framing);
  const state = chat.createStreamState(ctx);
  const chunks: ChatChunk[] = [];
  for (const piece of pieces) for (const ev of deframer.push(piece)) chunks.push(...chat.mapStreamEvent(ev, state, ctx));
  for (const ev of deframer.end()) chunks.push(...chat.mapStreamEvent(ev, state, ctx));
  if (chat.endStream) chunks.push(...chat.endStream(state, ctx));
  return chunks;
}

/** the byte offset just after the first byte of the first multi-byte UTF-8 character (a cut inside it) */
export function insideFirstMultibyte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.byteLength; i++) if (bytes[i]! >= 0xc0) return i + 1;
  throw new Error("no multi-byte character");
}

/** builds the expected chunk list compactly */
export function chunkMaker(id: string, model: string) {
  return (
    delta: ChatChunk["choices"][number]["delta"],
    finish: ChatChunk["choices"][number]["finish_reason"] = null,
    index = 0,
  ): ChatChunk => ({
    id,
    object: "chat.completion.chunk",
    created: NOW,
    model,
    choices: [{ index, delta, finish_reason: finish }],
  });
}

/** concatenated content and per-index tool calls rebuilt from chunks, the way an OpenAI client does */
export function accumulate(chunks: ChatChunk[]): {
  content: string;
  tools: Array<{ id: string; name: string; arguments: string }>;
  finish: string | null;
} {
  let content = "";
  let finish: string | null = null;
  const tools: Array<{ id: string; name: string; arguments: string }> = [];
  for (const c of chunks) {
    for (const choice of c.choices) {
      if (choice.delta.content) content += choice.delta.content;
      for (const t of choice.delta.tool_calls ?? []) {
        const slot = tools[t.index] ?? { id: "", name: "", arguments: "" };
        tools[t.index] = slot;
        if (t.id) slot.id = t.id;
        if (t.function?.name) slot.name += t.function.name;
        if (t.function?.arguments) slot.arguments += t.function.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  return { content, tools, finish };
}
