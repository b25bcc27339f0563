// Mock Amazon Bedrock runtime upstream (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html,
// ..._ConverseStream.html, ..._InvokeModel.html):
//   POST /model/{modelId}/converse          JSON
//   POST /model/{modelId}/converse-stream   binary AWS event-stream (application/vnd.amazon.eventstream)
//   POST /model/{modelId}/invoke            amazon.titan-embed-text-v2:0 and cohere.embed-* embeddings
//
// Every request must carry a well-formed SigV4 Authorization header (AWS4-HMAC-SHA256 Credential=<key>/<date>/
// <region>/bedrock/aws4_request, SignedHeaders=..., Signature=<64 hex>) and x-amz-date. When the mock is started with
// `credentials`, the signature is recomputed with @smithy/signature-v4 over the received request and must match.
//
// Behaviour: tools given and the last user turn holds no toolResult -> a text block and one toolUse per tool (ALL
// of them, up to 3), stopReason tool_use; last user text containing "guardrail" -> guardrail_intervened; otherwise
// "Hello from mock Bedrock 👋 You said: <text>" cut at inferenceConfig.stopSequences (stop_sequence) or maxTokens
// words (max_tokens). Extra fault: `x-mock-stream-error: throttling` sends a throttlingException after messageStart.

import { createHash } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { encodeAwsEvent, encodeAwsException } from "../../src/lib/framing/aws-eventstream.ts";
import {
  fakeEmbedding,
  type MockExchange,
  type MockUpstream,
  sampleArguments,
  sendJson,
  sendJsonOrTruncate,
  startMockServer,
  tokenise,
} from "./http-mock-kit.ts";

export interface BedrockMockOptions {
  /** when given, signatures are verified with these credentials (region is taken from the Credential scope) */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

const NAMES: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

export function bedrockErrorBody(status: number, message?: string): unknown {
  return { message: message ?? `${NAMES[status] ?? "InternalServerException"} (mock)` };
}

function sendAwsError(ex: MockExchange, status: number, name: string, message: string): void {
  sendJson(ex.res, status, { message }, { "x-amzn-errortype": `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/bedrock\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** checks the SigV4 header; returns an error to send, or undefined when it is fine */
async function checkSignature(ex: MockExchange, opts: BedrockMockOptions): Promise<[number, string, string] | undefined> {
  const auth = ex.req.headers.authorization;
  const amzDate = ex.req.headers["x-amz-date"];
  if (!auth || typeof amzDate !== "string") return [403, "MissingAuthenticationTokenException", "Missing Authentication Token"];
  const m = AUTH_RE.exec(auth);
  if (!m || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(m[2]!)) {
    return [
      403,
      "IncompleteSignatureException",
      "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' parameters.",
    ];
  }
  const [, accessKeyId, , region, signedHeaders] = m;
  if (!signedHeaders!.split(";").includes("host") || !signedHeaders!.split(";").includes("x-amz-date")) {
    return [403, "IncompleteSignatureException", "host and x-amz-date must be signed"];
  }
  // a signed payload hash must be the hash of the body actually received
  const payloadHash = ex.req.headers["x-amz-content-sha256"];
  if (typeof payloadHash === "string" && payloadHash !== createHash("sha256").update(ex.recorded.rawBody).digest("hex")) {
    return [400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."];
  }
  if (!opts.credentials) return undefined;
  if (accessKeyId !== opts.credentials.accessKeyId)
    return [403, "UnrecognizedClientException", "The security token included in the request is invalid."];
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(";")) {
    const v = ex.req.headers[name];
    if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(",") : v;
  }
  const url = new URL(ex.req.url ?? "/", "http://mock");
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signer = new SignatureV4({
    service: "bedrock",
    region: region!,
    credentials: opts.credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  const date = new Date(
    Date.UTC(
      +amzDate.slice(0, 4),
      +amzDate.slice(4, 6) - 1,
      +amzDate.slice(6, 8),
      +amzDate.slice(9, 11),
      +amzDate.slice(11, 13),
      +amzDate.slice(13, 15),
    ),
  );
  const signed = await signer.sign(
    {
      method: ex.recorded.method,
      protocol: "http:",
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers,
      body: ex.recorded.rawBody,
    },
    { signingDate: date },
  );
  const expected = String(signed.headers.authorization ?? "");
  if (expected !== auth) {
    return [403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."];
  }
  return undefined;
}

interface Block {
  text?: string;
  image?: unknown;
  toolUse?: { toolUseId: string; name: string; input: unknown };
  toolResult?: unknown;
}
interface ConverseRequest {
  messages?: Array<{ role?: string; content?: Block[] }>;
  system?: Array<{ text?: string }>;
  inferenceConfig?: { maxTokens?: number; stopSequences?: string[] };
  toolConfig?: { tools?: Array<{ toolSpec?: { name: string; inputSchema?: { json?: unknown } } }> };
}

function validate(body: ConverseRequest): string | undefined {
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return "1 validation error detected: Value at 'messages' failed to satisfy constraint";
  let prev = "";
  for (const m of body.messages) {
    if (m.role !== "user" && m.role !== "assistant") return "Value at 'messages.role' failed to satisfy constraint";
    if (m.role === prev) return "A conversation must alternate between user and assistant roles.";
    prev = m.role;
    if (!Array.isArray(m.content) || m.content.length === 0) return "The content field in the Message object is empty.";
  }
  if (body.messages[0]!.role !== "user") return "A conversation must start with a user message.";
  const usesTools = body.messages.some((m) => (m.content ?? []).some((b) => b.toolUse || b.toolResult));
  if (usesTools && !body.toolConfig)
    return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  return undefined;
}

let counter = 0;

interface Reply {
  content: Block[];
  stopReason: string;
  usage: Record<string, number>;
}

function converse(body: ConverseRequest, opts: BedrockMockOptions): Reply {
  const last = body.messages![body.messages!.length - 1]!;
  const userText = (last.content ?? [])
    .filter((b) => typeof b.text === "string")
    .map((b) => b.text)
    .join(" ");
  const hasToolResult = (last.content ?? []).some((b) => b.toolResult !== undefined);
  const tools = (body.toolConfig?.tools ?? []).flatMap((t) => (t.toolSpec ? [t.toolSpec] : []));
  const content: Block[] = [];
  let stopReason = "end_turn";
  let output = 0;
  if (tools.length > 0 && !hasToolResult) {
    content.push({ text: "Let me check." });
    for (const t of tools.slice(0, 3)) {
      content.push({
        toolUse: {
          toolUseId: `tooluse_mock${String(++counter).padStart(6, "0")}`,
          name: t.name,
          input: sampleArguments(t.inputSchema?.json),
        },
      });
    }
    stopReason = "tool_use";
    output = 20;
  } else if (userText.includes("guardrail")) {
    content.push({ text: "Sorry, the model cannot answer this question." });
    stopReason = "guardrail_intervened";
    output = 8;
  } else {
    let reply = hasToolResult ? "Thanks, the tool results are in." : `Hello from mock Bedrock 👋 You said: ${userText}`;
    for (const s of body.inferenceConfig?.stopSequences ?? []) {
      const at = s ? reply.indexOf(s) : -1;
      if (at >= 0) {
        reply = reply.slice(0, at);
        stopReason = "stop_sequence";
        break;
      }
    }
    const words = tokenise(reply);
    const max = body.inferenceConfig?.maxTokens;
    if (max !== undefined && words.length > max) {
      reply = words.slice(0, max).join("");
      stopReason = "max_tokens";
    }
    output = Math.min(words.length, max ?? words.length);
    content.push({ text: reply });
  }
  const input = Math.max(1, Math.ceil((JSON.stringify(body.messages) + JSON.stringify(body.system ?? [])).length / 4));
  const cacheRead = opts.cacheReadInputTokens ?? 0;
  const cacheWrite = opts.cacheWriteInputTokens ?? 0;
  const usage: Record<string, number> = {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output + cacheRead + cacheWrite,
  };
  if (cacheRead) usage.cacheReadInputTokens = cacheRead;
  if (cacheWrite) usage.cacheWriteInputTokens = cacheWrite;
  return { content, stopReason, usage };
}

/** real converse-stream events carry a "p" padding field of varying length */
function pad(n: number): string {
  return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".slice(0, 4 + (n % 30));
}

export function converseStreamMessages(reply: Reply, streamError?: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let n = 0;
  out.push(encodeAwsEvent("messageStart", { p: pad(n++), role: "assistant" }));
  if (streamError) {
    out.push(encodeAwsException("throttlingException", "Too many requests, please wait before trying again."));
    return out;
  }
  reply.content.forEach((block, contentBlockIndex) => {
    if (block.toolUse) {
      const { toolUseId, name, input } = block.toolUse;
      out.push(encodeAwsEvent("contentBlockStart", { contentBlockIndex, p: pad(n++), start: { toolUse: { toolUseId, name } } }));
      const json = JSON.stringify(input);
      const half = json.length >> 1;
      for (const piece of [json.slice(0, half), json.slice(half)]) {
        if (piece)
          out.push(encodeAwsEvent("contentBlockDelta", { contentBlockIndex, delta: { toolUse: { input: piece } }, p: pad(n++) }));
      }
    } else {
      for (const piece of tokenise(block.text ?? "")) {
        out.push(encodeAwsEvent("contentBlockDelta", { contentBlockIndex, delta: { text: piece }, p: pad(n++) }));
      }
    }
    out.push(encodeAwsEvent("contentBlockStop", { contentBlockIndex, p: pad(n++) }));
  });
  out.push(encodeAwsEvent("messageStop", { p: pad(n++), stopReason: reply.stopReason }));
  out.push(encodeAwsEvent("metadata", { metrics: { latencyMs: 120 }, p: pad(n++), usage: reply.usage }));
  return out;
}

async function writeEventStream(ex: MockExchange, messages: Uint8Array[]): Promise<void> {
  ex.stats.streams++;
  ex.res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": `req-mock-${++counter}` });
  const total = messages.reduce((s, m) => s + m.byteLength, 0);
  let budget = ex.truncate ? total >> 1 : Number.POSITIVE_INFINITY;
  for (const m of messages) {
    if (ex.res.destroyed) return;
    if (budget < m.byteLength) {
      ex.stats.faults++;
      ex.res.write(m.subarray(0, budget), () => ex.res.destroy());
      return;
    }
    budget -= m.byteLength;
    ex.res.write(m);
    if (ex.chunkDelayMs > 0) await new Promise((r) => setTimeout(r, ex.chunkDelayMs));
  }
  ex.res.end();
}

export async function startBedrockMock(opts: BedrockMockOptions = {}): Promise<MockUpstream> {
  return startMockServer({
    errorBody: (status) => bedrockErrorBody(status),
    notFoundBody: () => ({ message: "Unknown operation" }),
    async handle(ex) {
      const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/.exec(ex.recorded.path);
      if (!m || ex.recorded.method !== "POST") return false;
      const denied = await checkSignature(ex, opts);
      if (denied) {
        sendAwsError(ex, denied[0], denied[1], denied[2]);
        return true;
      }
      const modelId = decodeURIComponent(m[1]!);
      const op = m[2]!;
      const body = ex.recorded.body as Record<string, unknown> | undefined;
      if (typeof body !== "object" || body === null) {
        sendAwsError(ex, 400, "SerializationException", "Could not parse the request body");
        return true;
      }
      if (op === "invoke") return answerInvoke(ex, modelId, body);
      const req = body as ConverseRequest;
      const invalid = validate(req);
      if (invalid) {
        sendAwsError(ex, 400, "ValidationException", invalid);
        return true;
      }
      const reply = converse(req, opts);
      if (op === "converse") {
        sendJsonOrTruncate(ex, 200, {
          output: { message: { role: "assistant", content: reply.content } },
          stopReason: reply.stopReason,
          usage: reply.usage,
          metrics: { latencyMs: 120 },
        });
        return true;
      }
      const streamError = ex.req.headers["x-mock-stream-error"];
      await writeEventStream(ex, converseStreamMessages(reply, typeof streamError === "string" ? streamError : undefined));
      return true;
    },
  });
}

function answerInvoke(ex: MockExchange, modelId: string, body: Record<string, unknown>): boolean {
  if (modelId.startsWith("amazon.titan-embed")) {
    if (typeof body.inputText !== "string") {
      sendAwsError(ex, 400, "ValidationException", "Malformed input request: required key [inputText] not found");
      return true;
    }
    const dims = typeof body.dimensions === "number" ? body.dimensions : 1024;
    sendJson(ex.res, 200, {
      embedding: fakeEmbedding(body.inputText, dims),
      inputTextTokenCount: tokenise(body.inputText).length,
    });
    return true;
  }
  if (modelId.startsWith("cohere.embed")) {
    const texts = Array.isArray(body.texts) ? (body.texts as string[]) : [];
    sendJson(ex.res, 200, {
      id: `emb-${++counter}`,
      embeddings: texts.map((t) => fakeEmbedding(t, 1024)),
      texts,
      response_type: "embeddings_floats",
    });
    return true;
  }
  sendAwsError(ex, 400, "ValidationException", `The provided model identifier is invalid: ${modelId}`);
  return true;
}
