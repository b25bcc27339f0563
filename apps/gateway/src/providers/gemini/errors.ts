// Google API error -> OpenAI error shape. Google: {"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED"}}
// (https://cloud.google.com/apis/design/errors); a streamed JSON array may carry it as `[{"error":{...}}]`.
// The OpenAI `type` follows the HTTP status; the Google status name is the `code`.

import type { OpenAIErrorBody } from "../types.ts";

export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export function mapGoogleError(status: number, body: unknown, label = "Gemini"): OpenAIErrorBody {
  const b = Array.isArray(body) ? body[0] : body;
  if (typeof b === "object" && b !== null) {
    const err = (b as { error?: unknown }).error;
    if (typeof err === "object" && err !== null) {
      const e = err as { message?: unknown; status?: unknown };
      return {
        error: {
          message: typeof e.message === "string" ? e.message : `${label} returned ${status}`,
          type: openAIErrorType(status),
          code: typeof e.status === "string" ? e.status : null,
          param: null,
        },
      };
    }
  }
  const text = typeof body === "string" && body.trim() !== "" ? body.slice(0, 1000) : `${label} returned ${status}`;
  return { error: { message: text, type: openAIErrorType(status), code: null, param: null } };
}

export function mapGeminiError(status: number, body: unknown): OpenAIErrorBody {
  return mapGoogleError(status, body, "Gemini");
}
