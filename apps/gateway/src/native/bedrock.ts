// Native Amazon Bedrock Converse format: POST /model/{modelId}/converse (JSON) and /model/{modelId}/converse-stream
// (binary AWS event-stream). Target: Bedrock. The model is in the URL and the body never changes, so the client's
// bytes are signed (SigV4 with the provider's credentials, by the bedrock adapter's signer) and sent as received.
// The client's own Authorization / x-amz-* headers are never forwarded: an AWS SDK client authenticates to the
// gateway with a Bedrock API key (`Authorization: Bearer <sluice key>`), which the auth plugin reads.
// References: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html,
// .../API_runtime_ConverseStream.html, https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html#operation-error-serialization
//
// The stream tap parses only `messageStop` (stop reason), `metadata` (usage) and exception events, through the
// adapter's own stream mapper; content events cost a string compare on their `:event-type`.

import { z } from "zod";
import { encodeAwsException } from "../lib/framing/aws-eventstream.ts";
import { mapBedrockError } from "../providers/bedrock/errors.ts";
import { extraHeaders, modelPath } from "../providers/bedrock/request.ts";
import { type BedrockUsage, mapStopReason, mapUsage } from "../providers/bedrock/response.ts";
import { signBedrockRequest } from "../providers/bedrock/sign.ts";
import { type BedrockStreamState, createBedrockStreamState, mapBedrockStreamEvent } from "../providers/bedrock/stream.ts";
import { type StreamEvent, UnsupportedRequestError } from "../providers/types.ts";
import {
  bodyText,
  defaultClock,
  errorHeaders,
  isObject,
  pushTexts,
  recordMapperErrors,
  splitPath,
  TAP_CONTEXT,
  type TapRecord,
  validateBody,
} from "./shared.ts";
import type {
  BedrockOperation,
  NativeBody,
  NativeErrorResponse,
  NativeFormat,
  NativeMatch,
  NativeStreamTap,
  NativeStreamTapOptions,
  NativeTransformContext,
  NativeUpstreamInput,
  NativeUpstreamRequest,
  NativeUsageResult,
} from "./types.ts";

// ─── request shape ───────────────────────────────────────────────────────────────────────────────────────────────

const Block = z.looseObject({});
const Message = z.looseObject({ role: z.enum(["user", "assistant"]), content: z.array(Block).min(1) });

/** the essential shape of a Converse request (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html) */
export const BedrockConverseSchema = z.looseObject({
  messages: z.array(Message).min(1),
  system: z.array(Block).optional(),
  inferenceConfig: z
    .looseObject({
      maxTokens: z.number().int().min(1).optional(),
      temperature: z.number().optional(),
      topP: z.number().optional(),
      stopSequences: z.array(z.string()).optional(),
    })
    .optional(),
  toolConfig: z.looseObject({ tools: z.array(Block).min(1) }).optional(),
  additionalModelRequestFields: z.looseObject({}).optional(),
});

const PATH_RE = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

function match(method: string, path: string): NativeMatch | null {
  if (method !== "POST") return null;
  const [p] = splitPath(path);
  const m = PATH_RE.exec(p);
  if (!m) return null;
  let model: string;
  try {
    // ARNs and versioned ids arrive percent-encoded (":" -> %3A, "/" -> %2F)
    model = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  const operation = m[2] as BedrockOperation;
  const stream = operation === "converse-stream";
  return {
    format: "bedrock",
    operation,
    kind: "generate",
    billable: true,
    stream,
    framing: stream ? "aws-eventstream" : null,
    captures: { model },
  };
}

function validate(body: unknown): NativeBody {
  return validateBody(BedrockConverseSchema, body);
}

function promptText(body: NativeBody): string {
  const out: string[] = [];
  pushTexts(out, body.system);
  if (Array.isArray(body.messages)) for (const m of body.messages) if (isObject(m)) pushTexts(out, m.content);
  return out.join("\n");
}

// ─── upstream request ────────────────────────────────────────────────────────────────────────────────────────────

async function buildUpstream(input: NativeUpstreamInput, ctx: NativeTransformContext): Promise<NativeUpstreamRequest> {
  if (ctx.provider !== "bedrock") {
    throw new UnsupportedRequestError(`a ${ctx.provider} target cannot serve the Bedrock Converse API`, "model");
  }
  const stream = input.match.operation === "converse-stream";
  const signed = await signBedrockRequest(
    {
      method: "POST",
      url: `${modelPath(ctx)}/${input.match.operation}`,
      headers: {
        ...extraHeaders(ctx.settings),
        "content-type": "application/json",
        accept: stream ? "application/vnd.amazon.eventstream" : "application/json",
        ...input.traceHeaders,
      },
      // the client's bytes, unless a policy edited the body
      body: input.bodyModified ? JSON.stringify(input.body) : bodyText(input.rawBody),
    },
    ctx,
  );
  return {
    method: "POST",
    url: signed.url,
    headers: signed.headers,
    body: signed.body ?? "",
    rewritten: input.bodyModified === true,
  };
}

// ─── usage ───────────────────────────────────────────────────────────────────────────────────────────────────────

function usageFromResponse(json: unknown): NativeUsageResult {
  if (!isObject(json)) return { usage: null, finishReason: null };
  return {
    usage: isObject(json.usage) ? mapUsage(json.usage as BedrockUsage) : null,
    finishReason: typeof json.stopReason === "string" ? mapStopReason(json.stopReason) : null,
  };
}

function createStreamTap(_m: NativeMatch, options: NativeStreamTapOptions = {}): NativeStreamTap {
  const now = options.now ?? defaultClock;
  const state: BedrockStreamState = createBedrockStreamState(TAP_CONTEXT);
  const record: TapRecord = { firstContentAt: null, complete: false, error: null };
  const read = (ev: StreamEvent) => recordMapperErrors(record, "bedrock", () => mapBedrockStreamEvent(ev, state, TAP_CONTEXT));
  return {
    framing: "aws-eventstream",
    push(ev: StreamEvent) {
      const name = ev.event ?? "";
      switch (name) {
        case "contentBlockDelta":
          if (record.firstContentAt === null) record.firstContentAt = now();
          return;
        case "messageStop":
          read(ev);
          return;
        case "metadata":
          read(ev);
          record.complete = true;
          return;
        default:
          // exceptions ("exception:<name>", "error") carry the in-stream error; the mapper throws it and we record it
          if (name === "error" || name.startsWith("exception:")) read(ev);
      }
    },
    result() {
      return {
        usage: state.usage ?? null,
        finishReason: state.finishReason ?? null,
        firstContentAt: record.firstContentAt,
        complete: record.complete,
        error: record.error,
      };
    },
  };
}

// ─── errors ──────────────────────────────────────────────────────────────────────────────────────────────────────

const ERROR_NAMES: Record<number, string> = {
  400: "ValidationException",
  401: "UnrecognizedClientException",
  402: "AccessDeniedException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  413: "ValidationException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  502: "ServiceUnavailableException",
  503: "ServiceUnavailableException",
  504: "ModelTimeoutException",
};

/** HTTP status -> the AWS error name an SDK turns into its exception class */
export function awsErrorName(status: number): string {
  return ERROR_NAMES[status] ?? (status >= 500 ? "InternalServerException" : "ValidationException");
}

/**
 * restJson1 errors: `{"message"}` with the error name in `x-amzn-errortype` (the AWS SDK reads the name from that
 * header first). The gateway code travels in `x-sluice-error-code`; the request id in `x-amzn-requestid`, where the
 * SDK's `$metadata.requestId` comes from.
 */
function gatewayError(status: number, code: string, message: string, requestId?: string): NativeErrorResponse {
  const headers = errorHeaders(code);
  headers["x-amzn-errortype"] = awsErrorName(status);
  if (requestId) headers["x-amzn-requestid"] = requestId;
  return { status, headers, body: JSON.stringify({ message }) };
}

/** `inferenceConfig.maxTokens`; null when absent */
function maxOutputTokens(body: NativeBody): number | null {
  const c = isObject(body.inferenceConfig) ? body.inferenceConfig : null;
  return typeof c?.maxTokens === "number" ? c.maxTokens : null;
}

/** an event-stream exception message (`internalServerException` ...), which the AWS SDK raises from the stream */
function streamError(_m: NativeMatch, status: number, _code: string, message: string): Uint8Array {
  const name = awsErrorName(status);
  return encodeAwsException(name.charAt(0).toLowerCase() + name.slice(1), message);
}

export const bedrockFormat: NativeFormat = {
  name: "bedrock",
  targets: ["bedrock"],
  supportsTarget: (provider) => provider === "bedrock",
  match,
  validate,
  extractModel: (_body, captures) => captures.model ?? null,
  promptText,
  streams: (m) => m.stream === true,
  maxOutputTokens,
  streamError,
  buildUpstream,
  usageFromResponse,
  createStreamTap,
  errorFromUpstream: (status, body, headers) => mapBedrockError(status, body, headers),
  gatewayError,
  forwardResponseHeaders: ["content-type", "retry-after", "x-amzn-errortype", "x-amzn-requestid"],
};
