// One error class for everything the gateway answers with an error, and one table of codes: each code carries its
// HTTP status, its OpenAI `type`, and who is at fault (the usage event's errorType). The error handler turns a
// GatewayError into `{"error":{"message","type","code","param"}}`; 5xx internal messages never leave the process.

import type { ErrorType } from "@sluice/db/schemas";
import type { OpenAIErrorBody } from "../providers/types.ts";

interface CodeInfo {
  status: number;
  type: string;
  errorType: ErrorType;
  retryable?: boolean;
}

export const ERROR_CODES = {
  // caller
  invalid_json: { status: 400, type: "invalid_request_error", errorType: "caller" },
  invalid_request: { status: 400, type: "invalid_request_error", errorType: "caller" },
  unsupported_media_type: { status: 415, type: "invalid_request_error", errorType: "caller" },
  body_too_large: { status: 413, type: "invalid_request_error", errorType: "caller" },
  route_not_found: { status: 404, type: "not_found_error", errorType: "caller" },
  method_not_allowed: { status: 405, type: "invalid_request_error", errorType: "caller" },
  model_not_found: { status: 404, type: "invalid_request_error", errorType: "caller" },
  missing_api_key: { status: 401, type: "authentication_error", errorType: "caller" },
  invalid_api_key: { status: 401, type: "authentication_error", errorType: "caller" },
  expired_api_key: { status: 401, type: "authentication_error", errorType: "caller" },
  revoked_api_key: { status: 401, type: "authentication_error", errorType: "caller" },
  invalid_token: { status: 401, type: "authentication_error", errorType: "caller" },
  // policy
  route_not_allowed: { status: 403, type: "permission_error", errorType: "policy" },
  model_not_allowed: { status: 403, type: "permission_error", errorType: "policy" },
  consumer_disabled: { status: 403, type: "permission_error", errorType: "policy" },
  ip_not_allowed: { status: 403, type: "permission_error", errorType: "policy" },
  provider_key_override_not_allowed: { status: 403, type: "permission_error", errorType: "policy" },
  // provider
  upstream_error: { status: 502, type: "api_error", errorType: "provider", retryable: true },
  upstream_bad_response: { status: 502, type: "api_error", errorType: "provider", retryable: true },
  upstream_connection_error: { status: 502, type: "api_error", errorType: "provider", retryable: true },
  upstream_timeout: { status: 504, type: "timeout_error", errorType: "provider", retryable: true },
  // gateway
  provider_unavailable: { status: 502, type: "api_error", errorType: "gateway" },
  provider_credentials_unavailable: { status: 502, type: "api_error", errorType: "gateway" },
  no_healthy_target: { status: 503, type: "api_error", errorType: "gateway", retryable: true },
  config_unavailable: { status: 503, type: "api_error", errorType: "gateway", retryable: true },
  shutting_down: { status: 503, type: "api_error", errorType: "gateway", retryable: true },
  internal_error: { status: 500, type: "api_error", errorType: "gateway" },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface GatewayErrorOptions {
  /** what goes to the logs (never to the client for 5xx); defaults to the public message */
  internal?: string;
  param?: string | null;
  cause?: unknown;
  /** overrides the table's status (upstream pass-through) */
  status?: number;
}

export class GatewayError extends Error {
  override name = "GatewayError";
  readonly status: number;
  readonly type: string;
  readonly errorType: ErrorType;
  readonly retryable: boolean;
  readonly param: string | null;
  readonly internal: string;

  constructor(
    readonly code: ErrorCode,
    /** the message the client sees */
    readonly publicMessage: string,
    options: GatewayErrorOptions = {},
  ) {
    super(options.internal ?? publicMessage, options.cause === undefined ? undefined : { cause: options.cause });
    const info: CodeInfo = ERROR_CODES[code];
    this.status = options.status ?? info.status;
    this.type = info.type;
    this.errorType = info.errorType;
    this.retryable = info.retryable ?? false;
    this.param = options.param ?? null;
    this.internal = options.internal ?? publicMessage;
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.publicMessage, type: this.type, code: this.code, param: this.param } };
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}

/** OpenAI-style parameter path: ["messages", 0, "content"] -> "messages[0].content" */
export function paramPath(path: ReadonlyArray<PropertyKey>): string | null {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || null;
}
