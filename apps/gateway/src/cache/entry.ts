// Entry encoding and replay. An entry's payload is serialised once when the answer is recorded; a hit splices a
// fresh `id` and `created` in front of the stored JSON text instead of parsing and re-serialising it. Only a hit that
// changes shape (a streamed answer served to a non-streaming request, or the reverse) parses the payload.
//
// Wire form for backends that store text (Redis, PostgreSQL): "S1" + meta JSON + "\n" + payload. The meta line is
// small; the payload is never parsed by decodeEntry.

import { randomId } from "../lib/ids.ts";
import type { ChatChunk, ChatResponse, FinishReason, ToolCall } from "../providers/types.ts";
import type { CacheEntry } from "./types.ts";

const MAGIC = "S1";

export function encodeEntry(entry: CacheEntry): string {
  const { payload, ...meta } = entry;
  return `${MAGIC}${JSON.stringify(meta)}\n${payload}`;
}

/** Parses an encoded entry; null for anything not written by encodeEntry (a foreign or older value = a miss). */
export function decodeEntry(text: string): CacheEntry | null {
  if (!text.startsWith(MAGIC)) return null;
  const nl = text.indexOf("\n");
  if (nl < 0) return null;
  try {
    const meta = JSON.parse(text.slice(MAGIC.length, nl)) as Omit<CacheEntry, "payload">;
    if (meta.kind !== "response" && meta.kind !== "stream") return null;
    return { ...meta, payload: text.slice(nl + 1) };
  } catch {
    return null;
  }
}

/** Approximate stored size in bytes (payload chars + meta); used for budgets and stats. */
export function entrySize(entry: CacheEntry): number {
  return entry.payload.length + entry.routeId.length + entry.partition.length + entry.model.length + 256;
}

export interface FreshIdentity {
  /** defaults to a new `chatcmpl-...` id */
  id?: string;
  /** unix seconds; defaults to now */
  created?: number;
}

function identity(opts: FreshIdentity, now: number): { idJson: string; created: number } {
  return { idJson: JSON.stringify(opts.id ?? randomId("chatcmpl-", 24)), created: opts.created ?? Math.floor(now / 1000) };
}

/** `{"a":1}` + id/created -> `{"id":"...","created":N,"a":1}` without parsing the stored text. */
function splice(stored: string, idJson: string, created: number): string {
  const head = `{"id":${idJson},"created":${created}`;
  return stored.length > 2 ? `${head},${stored.slice(1)}` : `${head}}`;
}

// ─── recording ─────────────────────────────────────────────────────────────────────────────────────────────────

/** The payload of a complete non-streamed answer (id and created dropped). */
export function responsePayload(response: ChatResponse): string {
  const { id: _id, created: _created, ...rest } = response;
  return JSON.stringify(rest);
}

/** Prefix of the stored line of a usage-only chunk (`choices: []`): replayed only when the client asks for usage. */
export const USAGE_LINE = "U";

/**
 * The stored line of one chunk: id and created dropped; a usage-only chunk kept whole behind USAGE_LINE; usage
 * dropped from a chunk that also carries choices (it is in the entry's `usage`).
 */
export function chunkLine(chunk: ChatChunk): string {
  const { id: _id, created: _created, usage, ...rest } = chunk;
  if (rest.choices.length === 0 && usage) return USAGE_LINE + JSON.stringify({ ...rest, usage });
  return JSON.stringify(rest);
}

// ─── replay ────────────────────────────────────────────────────────────────────────────────────────────────────

/** The JSON body of a non-streamed hit. */
export function replayResponse(entry: CacheEntry, opts: FreshIdentity = {}, now = Date.now()): string {
  const { idJson, created } = identity(opts, now);
  if (entry.kind === "response") return splice(entry.payload, idJson, created);
  const assembled = assembleResponse(entry);
  return splice(JSON.stringify(assembled), idJson, created);
}

/**
 * The chunk JSON texts of a streamed hit, in the recorded order, with one fresh id/created for all of them and a
 * final usage chunk (`choices: []`) when the client asked for usage and the original answer had one.
 */
export function replayChunks(
  entry: CacheEntry,
  opts: FreshIdentity & { includeUsage?: boolean } = {},
  now = Date.now(),
): string[] {
  const { idJson, created } = identity(opts, now);
  const out: string[] = [];
  let usageSent = false;
  const lines = entry.kind === "stream" ? splitLines(entry.payload) : synthesiseChunkLines(entry);
  for (const line of lines) {
    if (line.startsWith(USAGE_LINE)) {
      if (!opts.includeUsage) continue;
      usageSent = true;
      out.push(splice(line.slice(USAGE_LINE.length), idJson, created));
    } else {
      out.push(splice(line, idJson, created));
    }
  }
  if (opts.includeUsage && !usageSent && entry.usage) {
    out.push(
      splice(
        JSON.stringify({ object: "chat.completion.chunk", model: entry.model, choices: [], usage: entry.usage }),
        idJson,
        created,
      ),
    );
  }
  return out;
}

/** A streamed hit as SSE text, `data: [DONE]` included. */
export function replaySse(entry: CacheEntry, opts: FreshIdentity & { includeUsage?: boolean } = {}, now = Date.now()): string {
  let out = "";
  for (const chunk of replayChunks(entry, opts, now)) out += `data: ${chunk}\n\n`;
  return `${out}data: [DONE]\n\n`;
}

function splitLines(payload: string): string[] {
  return payload.length === 0 ? [] : payload.split("\n");
}

// ─── shape changes (rare: stream recorded, JSON asked, or the reverse) ────────────────────────────────────────

type StoredChunk = Omit<ChatChunk, "id" | "created" | "usage">;
type StoredResponse = Omit<ChatResponse, "id" | "created">;

interface ChoiceAcc {
  index: number;
  content: string | null;
  refusal: string | null;
  toolCalls: Map<number, ToolCall>;
  finish: FinishReason | null;
}

function assembleResponse(entry: CacheEntry): StoredResponse {
  const choices = new Map<number, ChoiceAcc>();
  let fingerprint: string | null | undefined;
  for (const line of splitLines(entry.payload)) {
    if (line.startsWith(USAGE_LINE)) continue;
    const chunk = JSON.parse(line) as StoredChunk;
    if (chunk.system_fingerprint !== undefined) fingerprint = chunk.system_fingerprint;
    for (const c of chunk.choices) {
      let acc = choices.get(c.index);
      if (!acc) {
        acc = { index: c.index, content: null, refusal: null, toolCalls: new Map(), finish: null };
        choices.set(c.index, acc);
      }
      if (typeof c.delta.content === "string") acc.content = (acc.content ?? "") + c.delta.content;
      if (typeof c.delta.refusal === "string") acc.refusal = (acc.refusal ?? "") + c.delta.refusal;
      for (const tc of c.delta.tool_calls ?? []) {
        const prev = acc.toolCalls.get(tc.index);
        if (!prev) {
          acc.toolCalls.set(tc.index, {
            id: tc.id ?? "",
            type: "function",
            function: { name: tc.function?.name ?? "", arguments: tc.function?.arguments ?? "" },
          });
        } else {
          if (tc.id) prev.id = tc.id;
          if (tc.function?.name) prev.function.name += tc.function.name;
          if (tc.function?.arguments) prev.function.arguments += tc.function.arguments;
        }
      }
      if (c.finish_reason) acc.finish = c.finish_reason;
    }
  }
  const out: StoredResponse = {
    object: "chat.completion",
    model: entry.model,
    choices: [...choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((acc) => {
        const message: StoredResponse["choices"][number]["message"] = { role: "assistant", content: acc.content };
        if (acc.toolCalls.size > 0)
          message.tool_calls = [...acc.toolCalls.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
        if (acc.refusal !== null) message.refusal = acc.refusal;
        return { index: acc.index, message, finish_reason: acc.finish };
      }),
  };
  if (entry.usage) out.usage = entry.usage;
  if (fingerprint !== undefined) out.system_fingerprint = fingerprint;
  return out;
}

function synthesiseChunkLines(entry: CacheEntry): string[] {
  const resp = JSON.parse(entry.payload) as StoredResponse;
  const base = { object: "chat.completion.chunk" as const, model: resp.model };
  const extra = resp.system_fingerprint !== undefined ? { system_fingerprint: resp.system_fingerprint } : {};
  const lines: string[] = [];
  const push = (choice: StoredChunk["choices"][number]) =>
    lines.push(JSON.stringify({ ...base, ...extra, choices: [choice] } satisfies StoredChunk));
  for (const c of resp.choices) {
    push({ index: c.index, delta: { role: "assistant", content: "" }, finish_reason: null });
    if (c.message.content) push({ index: c.index, delta: { content: c.message.content }, finish_reason: null });
    if (c.message.refusal) push({ index: c.index, delta: { refusal: c.message.refusal }, finish_reason: null });
    if (c.message.tool_calls && c.message.tool_calls.length > 0) {
      push({
        index: c.index,
        delta: {
          tool_calls: c.message.tool_calls.map((tc, i) => ({
            index: i,
            id: tc.id,
            type: "function" as const,
            function: { name: tc.function.name, arguments: tc.function.arguments },
          })),
        },
        finish_reason: null,
      });
    }
    push({ index: c.index, delta: {}, finish_reason: c.finish_reason ?? "stop" });
  }
  return lines;
}
