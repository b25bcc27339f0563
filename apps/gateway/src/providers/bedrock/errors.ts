// AWS error -> OpenAI error shape. Bedrock answers {"message":"..."} (sometimes "Message") with the error name in the
// `x-amzn-errortype` header ("ValidationException:http://internal.amazon.com/..."); without the header the name is
// derived from the status. The OpenAI `type` follows the status; the AWS error name is the `code`.

import type { OpenAIErrorBody } from "../types.ts";

export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

const NAME_BY_STATUS: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

/** event-stream exception names (camelCase) -> HTTP status */
export const STATUS_BY_EXCEPTION: Record<string, number> = {
  validationException: 400,
  accessDeniedException: 403,
  resourceNotFoundException: 404,
  modelTimeoutException: 408,
  modelStreamErrorException: 424,
  throttlingException: 429,
  internalServerException: 500,
  serviceUnavailableException: 503,
};

export function mapBedrockError(
  status: number,
  body: unknown,
  headers?: Record<string, string | string[] | undefined>,
): OpenAIErrorBody {
  const header = headers?.["x-amzn-errortype"];
  const headerName = (Array.isArray(header) ? header[0] : header)?.split(":", 1)[0];
  let message: string | undefined;
  let bodyName: string | undefined;
  if (typeof body === "object" && body !== null) {
    const b = body as { message?: unknown; Message?: unknown; __type?: unknown };
    if (typeof b.message === "string") message = b.message;
    else if (typeof b.Message === "string") message = b.Message;
    if (typeof b.__type === "string") bodyName = b.__type.split("#").pop();
  } else if (typeof body === "string" && body.trim() !== "") {
    message = body.slice(0, 1000);
  }
  return {
    error: {
      message: message ?? `Bedrock returned ${status}`,
      type: openAIErrorType(status),
      code: headerName || bodyName || NAME_BY_STATUS[status] || null,
      param: null,
    },
  };
}
