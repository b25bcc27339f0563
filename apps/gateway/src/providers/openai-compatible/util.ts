// Small narrowing and validation helpers shared by the OpenAI-compatible family and Cohere. No `any`: upstream
// JSON arrives as `unknown` and is narrowed here.

import type { ChatMessage, ContentPart, ProviderCredentials, TransformContext } from "../types.ts";
import { UnsupportedRequestError } from "../types.ts";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** `value` is set when it is neither undefined nor null (OpenAI treats an explicit null as "not given"). */
export function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

export function checkNumberRange(value: unknown, min: number, max: number, param: string): void {
  if (!isSet(value)) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new UnsupportedRequestError(`${param} must be a number between ${min} and ${max}`, param);
  }
}

export function checkInteger(value: unknown, min: number, max: number, param: string): void {
  if (!isSet(value)) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new UnsupportedRequestError(`${param} must be an integer between ${min} and ${max}`, param);
  }
}

/** stop as given by OpenAI (string or array) -> array; rejects more than `max` entries. */
export function stopSequences(stop: unknown, max: number): string[] | undefined {
  if (!isSet(stop)) return undefined;
  const list = typeof stop === "string" ? [stop] : stop;
  if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) {
    throw new UnsupportedRequestError("stop must be a string or an array of strings", "stop");
  }
  if (list.length > max) throw new UnsupportedRequestError(`stop accepts at most ${max} sequences`, "stop");
  return list as string[];
}

export function messageHasImage(message: ChatMessage): boolean {
  const content = message.content;
  if (!Array.isArray(content)) return false;
  for (const part of content) if (part.type === "image_url") return true;
  return false;
}

/** The text of a message whose content must be text only (string or text parts). */
export function textOfContent(content: string | ContentPart[] | null, param: string): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  let text = "";
  for (const part of content) {
    if (part.type !== "text" || typeof part.text !== "string") {
      throw new UnsupportedRequestError(`${param}: only text content parts are supported here, got ${part.type}`, param);
    }
    text += part.text;
  }
  return text;
}

/** Headers every upstream request carries: JSON, static extras from settings.headers, then the auth headers. */
export function baseHeaders(ctx: TransformContext, auth: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const extra = ctx.settings.headers;
  if (isRecord(extra)) {
    for (const [name, value] of Object.entries(extra)) if (typeof value === "string") headers[name.toLowerCase()] = value;
  }
  for (const [name, value] of Object.entries(auth)) headers[name] = value;
  return headers;
}

export function bearerAuth(credentials: ProviderCredentials): Record<string, string> {
  return credentials.apiKey ? { authorization: `Bearer ${credentials.apiKey}` } : {};
}

/** Parses one JSON stream event; a 200 stream with a non-JSON event is a format error (the caller names the provider). */
export function parseEventJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
