// Upstream error bodies -> the OpenAI error shape {error:{message,type,code,param}}. One normaliser covers the
// dialects of the family: OpenAI/Azure/vLLM/llama.cpp ({error:{...}}), HF/TGI ({error:"text"}), Mistral
// ({object:"error",message,type} or FastAPI {detail:[...]}) and Cohere ({id,message}). Non-JSON bodies are wrapped.

import type { OpenAIErrorBody } from "../types.ts";
import { asString, isRecord } from "./util.ts";

const MAX_MESSAGE = 2000;

/** OpenAI's error `type` for an HTTP status. */
export function errorTypeForStatus(status: number): string {
  if (status === 400 || status === 404 || status === 409 || status === 413 || status === 422) {
    return status === 404 ? "not_found_error" : "invalid_request_error";
  }
  if (status === 401 || status === 498) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status === 408 || status === 504) return "timeout_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

function codeOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return null;
}

function messageOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return undefined;
  return JSON.stringify(value);
}

/** FastAPI / pydantic validation errors: {detail: "text"} or {detail: [{loc, msg, type}]} */
function detailMessage(detail: unknown): { message: string; param: string | null } | undefined {
  if (typeof detail === "string") return { message: detail, param: null };
  if (!Array.isArray(detail)) return undefined;
  const parts: string[] = [];
  let param: string | null = null;
  for (const item of detail) {
    if (!isRecord(item)) continue;
    const loc = Array.isArray(item.loc) ? item.loc.filter((l) => l !== "body").join(".") : "";
    if (param === null && loc) param = loc;
    parts.push(loc ? `${loc}: ${asString(item.msg) ?? "invalid"}` : (asString(item.msg) ?? "invalid"));
  }
  return parts.length > 0 ? { message: parts.join("; "), param } : undefined;
}

export function normaliseErrorBody(status: number, body: unknown, provider: string): OpenAIErrorBody {
  const fallbackType = errorTypeForStatus(status);
  if (typeof body === "string" || body instanceof Uint8Array) {
    const text = typeof body === "string" ? body : new TextDecoder().decode(body);
    const trimmed = text.trim();
    return {
      error: {
        message: clip(trimmed.length > 0 ? trimmed : `${provider} returned HTTP ${status}`),
        type: fallbackType,
        code: null,
        param: null,
      },
    };
  }
  if (isRecord(body)) {
    const err = body.error;
    if (isRecord(err)) {
      const message = messageOf(err.message) ?? messageOf(err.msg) ?? JSON.stringify(err);
      return {
        error: {
          message: clip(message),
          type: asString(err.type) ?? fallbackType,
          code: codeOf(err.code),
          param: asString(err.param) ?? null,
        },
      };
    }
    if (typeof err === "string") {
      return { error: { message: clip(err), type: asString(body.error_type) ?? fallbackType, code: null, param: null } };
    }
    const detail = detailMessage(body.detail);
    if (detail) {
      return { error: { message: clip(detail.message), type: fallbackType, code: codeOf(body.code), param: detail.param } };
    }
    // Mistral wraps validation errors: {object:"error", message:{detail:[...]}, type}
    const nested = isRecord(body.message) ? detailMessage(body.message.detail) : undefined;
    if (nested) {
      return { error: { message: clip(nested.message), type: fallbackType, code: codeOf(body.code), param: nested.param } };
    }
    const message = messageOf(body.message);
    if (message !== undefined) {
      return {
        error: {
          message: clip(message),
          type: asString(body.type) ?? fallbackType,
          code: codeOf(body.code),
          param: asString(body.param) ?? null,
        },
      };
    }
  }
  return {
    error: {
      message: clip(body === undefined || body === null ? `${provider} returned HTTP ${status}` : JSON.stringify(body)),
      type: fallbackType,
      code: null,
      param: null,
    },
  };
}

/** Thrown by defaultBaseUrl for kinds without a public endpoint (Azure, openai-compatible). */
export class MissingBaseUrlError extends Error {
  constructor(kind: string, hint: string) {
    super(`provider kind "${kind}" has no public endpoint: set the provider's base URL (${hint})`);
    this.name = "MissingBaseUrlError";
  }
}
