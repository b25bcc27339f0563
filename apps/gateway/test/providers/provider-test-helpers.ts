// Helpers for the provider golden tests: a deterministic TransformContext, fixture loading, feeding a recorded stream
// through the real de-framer in awkward chunk sizes, and folding OpenAI chunks back into text / tool calls.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createSseDeframer } from "../../src/lib/framing/sse.ts";
import type { Deframer } from "../../src/lib/framing/types.ts";
import type { ChatChunk, ChatTransform, ProviderAdapter, StreamEvent, TransformContext } from "../../src/providers/types.ts";

export const NOW = 1_700_000_000;

export function makeCtx(overrides: Partial<TransformContext> = {}): TransformContext {
  return {
    baseUrl: "https://upstream.test/v1",
    model: "test-model",
    settings: {},
    credentials: { apiKey: "sk-test-123" },
    requestId: "req_test01",
    now: NOW,
    ...overrides,
  };
}

const providersDir = fileURLToPath(new URL("../../src/providers/", import.meta.url));

export function fixtureText(provider: string, name: string): string {
  return readFileSync(`${providersDir}${provider}/__fixtures__/${name}`, "utf8");
}

export function fixtureJson<T = unknown>(provider: string, name: string): T {
  return JSON.parse(fixtureText(provider, name)) as T;
}

/** Splits bytes into pieces of `size` (the last may be shorter). */
export function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** Splits bytes right after the first byte of every multibyte UTF-8 character (the nastiest boundary). */
export function splitInsideMultibyte(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0xc0) {
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  out.push(bytes.subarray(start));
  return out.filter((c) => c.length > 0);
}

export function deframeAll(deframer: Deframer, pieces: Uint8Array[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const piece of pieces) events.push(...deframer.push(piece));
  events.push(...deframer.end());
  return events;
}

export const SPLITS: Array<[string, (b: Uint8Array) => Uint8Array[]]> = [
  ["whole", (b) => [b]],
  ["every 7 bytes", (b) => splitEvery(b, 7)],
  ["every byte", (b) => splitEvery(b, 1)],
  ["inside multibyte characters", splitInsideMultibyte],
];

/** Runs a recorded SSE stream through the de-framer (split by `split`) and the provider's stream mapper. */
export function runSseStream(
  chat: ChatTransform,
  raw: string,
  ctx: TransformContext,
  split: (b: Uint8Array) => Uint8Array[],
): ChatChunk[] {
  const events = deframeAll(createSseDeframer(), split(new TextEncoder().encode(raw)));
  return mapEvents(chat, events, ctx);
}

export function mapEvents(chat: ChatTransform, events: StreamEvent[], ctx: TransformContext): ChatChunk[] {
  const state = chat.createStreamState(ctx);
  const chunks: ChatChunk[] = [];
  for (const ev of events) chunks.push(...chat.mapStreamEvent(ev, state, ctx));
  if (chat.endStream) chunks.push(...chat.endStream(state, ctx));
  return chunks;
}

export interface Folded {
  text: string;
  role: string | undefined;
  toolCalls: Array<{ index: number; id: string | undefined; name: string; arguments: string }>;
  finishReason: string | null;
  usage: ChatChunk["usage"];
}

/** Folds chunks back into what a client SDK would assemble. */
export function foldChunks(chunks: ChatChunk[]): Folded {
  const folded: Folded = { text: "", role: undefined, toolCalls: [], finishReason: null, usage: undefined };
  for (const chunk of chunks) {
    if (chunk.usage) folded.usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.delta.role) folded.role = choice.delta.role;
      if (typeof choice.delta.content === "string") folded.text += choice.delta.content;
      for (const call of choice.delta.tool_calls ?? []) {
        let slot = folded.toolCalls.find((c) => c.index === call.index);
        if (!slot) {
          slot = { index: call.index, id: undefined, name: "", arguments: "" };
          folded.toolCalls.push(slot);
        }
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.name += call.function.name;
        if (call.function?.arguments) slot.arguments += call.function.arguments;
      }
      if (choice.finish_reason) folded.finishReason = choice.finish_reason;
    }
  }
  return folded;
}

/** The JSON payloads of an OpenAI-style recorded stream, without [DONE] (what an identity transform must give). */
export function sseDataPayloads(raw: string): unknown[] {
  return raw
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice(6)));
}

export function parsedBody(req: { body?: string }): unknown {
  return req.body === undefined ? undefined : JSON.parse(req.body);
}

export type { ProviderAdapter };

/** Sends an UpstreamRequest with fetch (tests only; the gateway uses undici pools) and reads the whole answer. */
export async function send(req: { method: string; url: string; headers: Record<string, string>; body?: string }): Promise<{
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  json(): unknown;
}> {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    status: res.status,
    headers: res.headers,
    bytes,
    json: () => JSON.parse(new TextDecoder().decode(bytes)),
  };
}

/** Sends a streaming request and pipes the body, as it arrives, through the de-framer and the mapper. */
export async function sendStream(
  chat: ChatTransform,
  req: { method: string; url: string; headers: Record<string, string>; body?: string },
  ctx: TransformContext,
): Promise<{ status: number; chunks: ChatChunk[]; contentType: string | null }> {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  const deframer = createSseDeframer();
  const state = chat.createStreamState(ctx);
  const chunks: ChatChunk[] = [];
  if (!res.body) throw new Error("no body");
  for await (const piece of res.body) {
    for (const ev of deframer.push(piece)) chunks.push(...chat.mapStreamEvent(ev, state, ctx));
  }
  for (const ev of deframer.end()) chunks.push(...chat.mapStreamEvent(ev, state, ctx));
  if (chat.endStream) chunks.push(...chat.endStream(state, ctx));
  return { status: res.status, chunks, contentType: res.headers.get("content-type") };
}
