// Small pieces the three native formats share: path/query splitting, header reading, body validation with the
// gateway's error wording, and the context the stream taps hand to the provider stream mappers.

import type { z } from "zod";
import { GatewayError } from "../lib/errors.ts";
import { validateRequest } from "../pipeline/schemas.ts";
import { ProviderFormatError, type TransformContext, UpstreamStreamError } from "../providers/types.ts";
import type { HeaderMap, NativeBody, NativeStreamResult } from "./types.ts";

/** "/a/b?x=1" -> ["/a/b", "x=1"]; a trailing slash on the path is ignored */
export function splitPath(path: string): [string, string] {
  const q = path.indexOf("?");
  let p = q < 0 ? path : path.slice(0, q);
  if (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  return [p, q < 0 ? "" : path.slice(q + 1)];
}

export function headerValue(headers: HeaderMap | undefined, name: string): string | undefined {
  const v = headers?.[name];
  return Array.isArray(v) ? v.join(",") : v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** the gateway's request validation (same wording and param paths as the OpenAI routes) on a JSON object body */
export function validateBody(schema: z.ZodType, body: unknown): NativeBody {
  if (!isObject(body)) throw new GatewayError("invalid_request", "The request body must be a JSON object.");
  validateRequest(schema, body);
  return body;
}

/**
 * Appends the texts of a content value: a string, Anthropic blocks (`{type:"text",text}`, tool_result content) or a
 * Google / Bedrock parts list (`{text}`). Images, tool calls and thinking are not prompt text.
 */
export function pushTexts(out: string[], content: unknown): void {
  if (typeof content === "string") {
    out.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const b of content) {
    if (!isObject(b)) continue;
    if (typeof b.text === "string") out.push(b.text);
    else if (b.type === "tool_result") pushTexts(out, b.content);
  }
}

/** rawBody as the string SigV4 hashes and undici sends (identical bytes for the valid UTF-8 a JSON body is) */
export function bodyText(rawBody: string | Uint8Array): string {
  return typeof rawBody === "string"
    ? rawBody
    : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString("utf8");
}

/** The stream mappers want a TransformContext; the taps only read usage / finish off their state. */
export const TAP_CONTEXT: TransformContext = {
  baseUrl: "",
  model: "",
  settings: {},
  credentials: {},
  requestId: "",
  now: 0,
};

/** What a tap keeps; `result()` copies it out. */
export interface TapRecord {
  firstContentAt: number | null;
  complete: boolean;
  error: NativeStreamResult["error"];
}

/** Runs a stream mapper call and records (never rethrows) what it throws: the bytes are the client's anyway. */
export function recordMapperErrors(record: TapRecord, provider: string, run: () => void): void {
  try {
    run();
  } catch (err) {
    if (err instanceof UpstreamStreamError) record.error = { status: err.status, body: err.body };
    else {
      const message = err instanceof ProviderFormatError ? err.message : `${provider} stream: ${String(err)}`;
      record.error = { status: 502, body: { error: { message, type: "api_error", code: "upstream_bad_response", param: null } } };
    }
  }
}

export function defaultClock(): number {
  return performance.now();
}

export function errorHeaders(code: string): Record<string, string> {
  return { "content-type": "application/json", "x-sluice-error-code": code };
}
