// Anthropic error body -> OpenAI error shape. Anthropic: {"type":"error","error":{"type":"rate_limit_error","message":"..."}}
// (https://docs.anthropic.com/en/api/errors). The OpenAI `type` follows the status; the Anthropic error type is the `code`.

import type { OpenAIErrorBody } from "../types.ts";

export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export function mapAnthropicError(status: number, body: unknown): OpenAIErrorBody {
  if (typeof body === "object" && body !== null) {
    const err = (body as { error?: unknown }).error;
    if (typeof err === "object" && err !== null) {
      const e = err as { type?: unknown; message?: unknown };
      return {
        error: {
          message: typeof e.message === "string" ? e.message : `Anthropic returned ${status}`,
          type: openAIErrorType(status),
          code: typeof e.type === "string" ? e.type : null,
          param: null,
        },
      };
    }
  }
  const text = typeof body === "string" && body.trim() !== "" ? body.slice(0, 1000) : `Anthropic returned ${status}`;
  return { error: { message: text, type: openAIErrorType(status), code: null, param: null } };
}
