// Cache keys. The key is sha256 over a canonical JSON of everything that can change the answer: the route, the
// provider-visible model, messages, tools, tool_choice, response_format, sampling parameters, seed and any other
// request field the gateway does not know to be inert. Fields that cannot change the answer (user, stream,
// stream_options, metadata, store, ...) are left out, so a streamed and a non-streamed request share one entry.
//
// Canonical means: object keys sorted, null treated as absent, and defaults normalised (temperature 1, top_p 1, n 1,
// penalties 0, `stop: "x"` = `stop: ["x"]`, `max_completion_tokens` = `max_tokens`, a single text part = a string,
// tool_choice "auto" with tools / "none" without, response_format text, parallel_tool_calls true), so requests that
// mean the same thing hash the same.
//
// Partitions keep tenants apart: the key's partition is `c:<consumerId>`, `t:<teamId>` or `shared`, chosen by the
// route's cache policy; it is part of every backend key, so a lookup can only ever see its own partition.

import { createHash } from "node:crypto";
import type { CacheConfig } from "@sluice/db/schemas";
import type { ChatMessage, ChatRequest } from "../providers/types.ts";
import type { CacheKey } from "./types.ts";

/** Request fields that never change the answer. */
const INERT_FIELDS = new Set([
  "model",
  "user",
  "stream",
  "stream_options",
  "metadata",
  "store",
  "service_tier",
  "prompt_cache_key",
  "safety_identifier",
]);

/** Field -> default value: a field equal to its default is dropped. */
const DEFAULTS: Record<string, unknown> = {
  temperature: 1,
  top_p: 1,
  n: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  parallel_tool_calls: true,
  logprobs: false,
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Canonical JSON text: sorted keys, undefined/null members dropped, no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortValue(value) ?? null);
}

function sortValue(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => sortValue(v) ?? null);
  if (typeof value === "object") {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(value).sort()) {
      const v = sortValue((value as Record<string, unknown>)[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  return undefined;
}

function normaliseContent(content: ChatMessage["content"]): unknown {
  if (Array.isArray(content) && content.length === 1) {
    const part = content[0];
    if (part && part.type === "text" && typeof (part as { text?: unknown }).text === "string") {
      return (part as { text: string }).text;
    }
  }
  return content;
}

function normaliseMessage(m: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { ...m, content: normaliseContent(m.content) };
  if (Array.isArray(m.tool_calls) && m.tool_calls.length === 0) delete out.tool_calls;
  return out;
}

/** The normalised request (no inert fields, defaults dropped) that the key hashes. Exported for tests. */
export function normaliseRequest(req: ChatRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req)) {
    if (INERT_FIELDS.has(k) || v === undefined || v === null) continue;
    if (k in DEFAULTS && DEFAULTS[k] === v) continue;
    out[k] = v;
  }
  if (out.max_completion_tokens !== undefined) {
    out.max_tokens = out.max_completion_tokens;
    delete out.max_completion_tokens;
  }
  if (typeof out.stop === "string") out.stop = [out.stop];
  if (Array.isArray(out.stop) && out.stop.length === 0) delete out.stop;
  const hasTools = Array.isArray(req.tools) && req.tools.length > 0;
  if (!hasTools) delete out.tools;
  if (out.tool_choice === (hasTools ? "auto" : "none")) delete out.tool_choice;
  if (
    typeof out.response_format === "object" &&
    out.response_format !== null &&
    (out.response_format as { type?: unknown }).type === "text"
  ) {
    delete out.response_format;
  }
  out.messages = req.messages.map(normaliseMessage);
  return out;
}

export type Partitioning = CacheConfig["partition"];

/** The partition a request's entries live in. No consumer (an anonymous route) -> "anon". */
export function partitionFor(partitioning: Partitioning, who: { consumerId: string | null; teamId: string | null }): string {
  if (partitioning === "shared") return "shared";
  if (partitioning === "team" && who.teamId) return teamPartition(who.teamId);
  // team partitioning for a consumer without a team falls back to the consumer's own partition (never wider)
  return who.consumerId ? consumerPartition(who.consumerId) : "anon";
}

export const consumerPartition = (consumerId: string) => `c:${consumerId}`;
export const teamPartition = (teamId: string) => `t:${teamId}`;

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface KeyInput {
  routeId: string;
  /** the model the provider will see; defaults to `request.model` */
  model?: string;
  request: ChatRequest;
  partition: string;
}

export function makeKey(routeId: string, partition: string, hash: string): CacheKey {
  // URI-encoded segments: unambiguous, and safe as a PostgreSQL text value (no NUL) and inside a Redis key
  return { routeId, partition, hash, id: `${encodeURIComponent(partition)}|${encodeURIComponent(routeId)}|${hash}` };
}

/** The cache key of a chat request. */
export function cacheKey(input: KeyInput): CacheKey {
  const text = canonicalJson({
    v: 1,
    route: input.routeId,
    model: input.model ?? input.request.model,
    request: normaliseRequest(input.request),
  });
  return makeKey(input.routeId, input.partition, sha256Hex(text));
}

/**
 * The semantic cache's bucket: a hash of everything except the conversation, so a semantic match is only looked
 * for among answers with the same route, model and parameters.
 */
export function semanticBucket(input: Omit<KeyInput, "partition">): string {
  const { messages: _messages, ...rest } = normaliseRequest(input.request);
  return sha256Hex(
    canonicalJson({ v: 1, semantic: true, route: input.routeId, model: input.model ?? input.request.model, request: rest }),
  );
}
