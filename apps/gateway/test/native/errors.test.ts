// Gateway-side rejections in each native error shape, and upstream error bodies normalised (for logs only).

import { describe, expect, it } from "vitest";
import { anthropicFormat, bedrockFormat, geminiFormat } from "../../src/native/index.ts";
import { anthropicErrorBody } from "../mocks/anthropic.ts";
import { bedrockErrorBody } from "../mocks/bedrock.ts";
import { googleErrorBody } from "../mocks/gemini.ts";

describe("gatewayError", () => {
  it("Anthropic: {type:error, error:{type,message,details.error_code}, request_id} + request-id header", () => {
    const r = anthropicFormat.gatewayError(401, "invalid_api_key", "Invalid API key.", "req_abc");
    expect(r.status).toBe(401);
    expect(r.headers).toEqual({
      "content-type": "application/json",
      "x-sluice-error-code": "invalid_api_key",
      "request-id": "req_abc",
    });
    expect(JSON.parse(r.body)).toEqual({
      type: "error",
      error: { type: "authentication_error", message: "Invalid API key.", details: { error_code: "invalid_api_key" } },
      request_id: "req_abc",
    });
  });

  it.each([
    [400, "invalid_request_error"],
    [401, "authentication_error"],
    [402, "billing_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [413, "request_too_large"],
    [415, "invalid_request_error"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [502, "api_error"],
    [503, "api_error"],
    [504, "timeout_error"],
  ])("Anthropic: status %i -> %s", (status, type) => {
    expect(JSON.parse(anthropicFormat.gatewayError(status, "c", "m").body).error.type).toBe(type);
  });

  it("Google: {error:{code,message,status,details:[ErrorInfo]}}", () => {
    const r = geminiFormat.gatewayError(429, "rate_limited", "Rate limit exceeded for this key.", "req_abc");
    expect(r.headers).toEqual({ "content-type": "application/json", "x-sluice-error-code": "rate_limited" });
    expect(JSON.parse(r.body)).toEqual({
      error: {
        code: 429,
        message: "Rate limit exceeded for this key.",
        status: "RESOURCE_EXHAUSTED",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "RATE_LIMITED",
            domain: "sluice.gateway",
            metadata: { requestId: "req_abc" },
          },
        ],
      },
    });
  });

  it.each([
    [400, "INVALID_ARGUMENT"],
    [401, "UNAUTHENTICATED"],
    [403, "PERMISSION_DENIED"],
    [404, "NOT_FOUND"],
    [429, "RESOURCE_EXHAUSTED"],
    [500, "INTERNAL"],
    [503, "UNAVAILABLE"],
    [504, "DEADLINE_EXCEEDED"],
  ])("Google: status %i -> %s", (status, name) => {
    expect(JSON.parse(geminiFormat.gatewayError(status, "c", "m").body).error.status).toBe(name);
  });

  it("AWS: {message} + x-amzn-errortype (+ x-amzn-requestid)", () => {
    const r = bedrockFormat.gatewayError(429, "budget_exceeded", "Budget exhausted.", "req_abc");
    expect(r.headers).toEqual({
      "content-type": "application/json",
      "x-sluice-error-code": "budget_exceeded",
      "x-amzn-errortype": "ThrottlingException",
      "x-amzn-requestid": "req_abc",
    });
    expect(JSON.parse(r.body)).toEqual({ message: "Budget exhausted." });
  });

  it.each([
    [400, "ValidationException"],
    [401, "UnrecognizedClientException"],
    [403, "AccessDeniedException"],
    [404, "ResourceNotFoundException"],
    [429, "ThrottlingException"],
    [500, "InternalServerException"],
    [503, "ServiceUnavailableException"],
    [504, "ModelTimeoutException"],
  ])("AWS: status %i -> %s", (status, name) => {
    expect(bedrockFormat.gatewayError(status, "c", "m").headers["x-amzn-errortype"]).toBe(name);
  });
});

describe("errorFromUpstream (logs / usage event only; the client gets the body unchanged)", () => {
  it("Anthropic error bodies, and Vertex front-door errors in Google's shape", () => {
    expect(anthropicFormat.errorFromUpstream(429, anthropicErrorBody(429))).toEqual({
      error: {
        message: "Number of request tokens has exceeded your per-minute rate limit",
        type: "rate_limit_error",
        code: "rate_limit_error",
        param: null,
      },
    });
    expect(
      anthropicFormat.errorFromUpstream(401, googleErrorBody(401, "Request had invalid authentication credentials.")),
    ).toEqual({
      error: {
        message: "Request had invalid authentication credentials.",
        type: "authentication_error",
        code: "UNAUTHENTICATED",
        param: null,
      },
    });
    expect(anthropicFormat.errorFromUpstream(502, "<html>Bad gateway</html>").error.message).toBe("<html>Bad gateway</html>");
  });

  it("Google error bodies (object or streamed-array form)", () => {
    const body = googleErrorBody(400, "API key not valid.");
    expect(geminiFormat.errorFromUpstream(400, body)).toEqual({
      error: { message: "API key not valid.", type: "invalid_request_error", code: "INVALID_ARGUMENT", param: null },
    });
    expect(geminiFormat.errorFromUpstream(400, [body])).toEqual(geminiFormat.errorFromUpstream(400, body));
  });

  it("AWS error name from x-amzn-errortype", () => {
    expect(
      bedrockFormat.errorFromUpstream(400, bedrockErrorBody(400, "bad input"), {
        "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
      }),
    ).toEqual({ error: { message: "bad input", type: "invalid_request_error", code: "ValidationException", param: null } });
  });
});
