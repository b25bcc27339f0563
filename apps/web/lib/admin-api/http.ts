// The Admin API's HTTP edge: bearer admin tokens (hashed lookup, scopes, expiry, revocation, lastUsedAt), OpenAI-style
// error bodies, and JSON that carries no bigint or Decimal surprises. Route handlers call `withAdminToken`.

import { type Actor, type AdminTokenView, authenticateAdminToken, isConfigError } from "@sluice/db";
import type { AdminScope } from "@sluice/db/schemas";

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "api_error";

const TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  409: "conflict_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
};

export function apiError(
  status: number,
  message: string,
  code: string,
  extra: { param?: string | null; fields?: Record<string, string[]>; headers?: Record<string, string> } = {},
): Response {
  const body = {
    error: {
      message,
      type: TYPE_BY_STATUS[status] ?? "api_error",
      code,
      param: extra.param ?? null,
      ...(extra.fields && Object.keys(extra.fields).length ? { fields: extra.fields } : {}),
    },
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...extra.headers },
  });
}

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  return new Response(text, { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });
}

/** The token from `Authorization: Bearer sat-sluice-…`, or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? (m[1] as string) : null;
}

function clientIp(request: Request): string | null {
  return request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || request.headers.get("x-real-ip") || null;
}

export interface AdminContext {
  token: AdminTokenView;
  actor: Actor;
}

/** Authenticate, check the scope, run, and turn every failure into an OpenAI-style error. */
export async function withAdminToken(
  request: Request,
  scope: AdminScope,
  fn: (ctx: AdminContext) => Promise<Response>,
  deps: { authenticate?: typeof authenticateAdminToken } = {},
): Promise<Response> {
  const plaintext = bearerToken(request);
  if (!plaintext)
    return apiError(401, "Missing admin API token: send Authorization: Bearer sat-sluice-…", "missing_token", {
      headers: { "www-authenticate": "Bearer" },
    });
  let token: AdminTokenView | null;
  try {
    token = await (deps.authenticate ?? authenticateAdminToken)(plaintext);
  } catch (err) {
    console.error("[admin-api] token lookup failed", err);
    return apiError(503, "The token could not be checked; try again.", "unavailable");
  }
  if (!token)
    return apiError(401, "Invalid, expired or revoked admin API token.", "invalid_token", {
      headers: { "www-authenticate": "Bearer" },
    });
  if (!token.scopes.includes(scope))
    return apiError(403, `This token lacks the ${scope} scope.`, "insufficient_scope", { param: scope });
  try {
    return await fn({ token, actor: { type: "ADMIN_TOKEN", id: token.id, label: token.name, ip: clientIp(request) } });
  } catch (err) {
    return errorResponse(err);
  }
}

export function errorResponse(err: unknown): Response {
  if (err instanceof BodyError) return apiError(400, err.message, "invalid_json");
  if (isConfigError(err)) {
    const param = Object.keys(err.fields)[0] ?? null;
    const code = err.code === "invalid" ? "invalid_value" : err.code;
    return apiError(err.status, err.message, code, { param, fields: err.fields });
  }
  console.error("[admin-api] request failed", err);
  return apiError(500, "Internal error; nothing was changed.", "internal_error");
}

export class BodyError extends Error {}

const MAX_BODY = 5 * 1024 * 1024;

/** The JSON body (an empty body is `{}`); malformed JSON is a 400, never a 500. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > MAX_BODY) throw new BodyError("request body is too large");
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError("request body is not valid JSON");
  }
}
