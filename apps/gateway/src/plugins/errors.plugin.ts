// The one error handler: every error becomes `{"error":{"message","type","code","param"}}` with its status and the
// request id header (set in onRequest). GatewayErrors carry their public message; Fastify's own errors (body too
// large, bad content type) map to codes; anything else is a 500 whose details only reach the log. Also the JSON
// body parser (one JSON.parse, 400 on malformed input, an object required) and the 404 handler.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { GatewayError, isGatewayError } from "../lib/errors.ts";
import { sendNativeError } from "../pipeline/native.ts";
import { global } from "./plugin.ts";

function fromFastifyError(err: FastifyError): GatewayError | null {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new GatewayError("body_too_large", "Request body is too large.");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new GatewayError("invalid_request", err.message);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new GatewayError("invalid_json", "The request body is empty; send a JSON object.");
  }
  if (err.statusCode === 413) return new GatewayError("body_too_large", "Request body is too large.");
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new GatewayError("invalid_request", err.message, { status: err.statusCode });
  }
  return null;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: GatewayError): FastifyReply {
  const ctx = request.sluice;
  if (ctx) {
    ctx.status = err.status;
    ctx.errorType = err.errorType;
    ctx.errorCode = err.code;
    // native passthrough routes answer in their own format's error shape (the provider SDK's typed errors)
    if (ctx.route?.nativeFormat) return sendNativeError(reply, ctx.route.nativeFormat, err, ctx.id);
  }
  return reply.code(err.status).header("content-type", "application/json; charset=utf-8").send(JSON.stringify(err.toBody()));
}

export const errorsPlugin = global(async function errors(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new GatewayError("invalid_json", "The request body is empty; send a JSON object."), undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      done(
        new GatewayError(
          "invalid_json",
          `We could not parse the JSON body of your request. (${(err as Error).message}) The OpenAI API expects a JSON payload.`,
        ),
        undefined,
      );
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      done(new GatewayError("invalid_request", "The request body must be a JSON object."), undefined);
      return;
    }
    // native routes forward the client's bytes unchanged
    if (request.sluice?.route?.nativeFormat) request.sluice.rawBody = text;
    done(null, value);
  });

  app.setErrorHandler((error: FastifyError | GatewayError, request, reply) => {
    let err: GatewayError;
    if (isGatewayError(error)) err = error;
    else {
      const mapped = fromFastifyError(error as FastifyError);
      if (mapped) err = mapped;
      else {
        request.log.error({ err: error }, "unhandled error");
        err = new GatewayError("internal_error", "The gateway had an internal error; the request id identifies it in the logs.");
      }
    }
    if (err.status >= 500 && err.internal !== err.publicMessage) {
      request.log.warn({ code: err.code, internal: err.internal }, err.publicMessage);
    }
    if (reply.raw.headersSent || reply.sent) return;
    return sendError(request, reply, err);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0];
    return sendError(request, reply, new GatewayError("route_not_found", `Unknown request URL: ${request.method} ${path}.`));
  });
}, "sluice-errors");
