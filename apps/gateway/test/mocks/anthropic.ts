// Mock Anthropic Messages API upstream speaking the real wire format (https://docs.anthropic.com/en/api/messages,
// .../messages-streaming, .../errors): POST /v1/messages (JSON or SSE), GET /v1/models.
// Checks what the real API checks first: x-api-key, anthropic-version, model, messages, max_tokens.
//
// Behaviour, derived from the request so gateway-driven tests need no extra knobs:
//  - tools given and the last user turn is not a tool_result -> a text block and one tool_use per tool (up to 3),
//    stop_reason tool_use; input streamed as input_json_delta pieces
//  - `thinking` enabled -> a thinking block (thinking_delta + signature_delta) before the answer
//  - otherwise "Hello from mock Anthropic 👋 You said: <last user text>", cut at stop_sequences (stop_sequence)
//    or at max_tokens words (max_tokens); a last user text containing "refuse" -> stop_reason refusal
//  - usage: input_tokens ~ prompt chars / 4, output_tokens = words, cache tokens from the start options
// Extra fault: `x-mock-stream-error: overloaded` sends an `error` event after message_start.

import {
  type MockExchange,
  type MockUpstream,
  sampleArguments,
  sendJson,
  sendJsonOrTruncate,
  splitInto,
  sseEvent,
  startMockServer,
  tokenise,
  writeSse,
} from "./http-mock-kit.ts";

export interface AnthropicMockOptions {
  /** when set, x-api-key must equal it (otherwise any non-empty key passes) */
  apiKey?: string;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  models?: string[];
}

interface Block {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  thinking?: string;
  signature?: string;
}

export interface AnthropicMockMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: Block[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
}

const ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request_error", "Invalid request"],
  401: ["authentication_error", "invalid x-api-key"],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "The requested resource could not be found."],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: ["rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"],
  500: ["api_error", "An unexpected error has occurred internal to Anthropic's systems."],
  529: ["overloaded_error", "Overloaded"],
};

export function anthropicErrorBody(status: number, message?: string): unknown {
  const [type, text] = ERRORS[status] ?? ["api_error", `error ${status}`];
  return { type: "error", error: { type, message: message ?? text } };
}

let counter = 0;
function nextId(prefix: string): string {
  counter++;
  return `${prefix}_mock${String(counter).padStart(6, "0")}`;
}

type Req = {
  model?: unknown;
  messages?: unknown;
  max_tokens?: unknown;
  system?: unknown;
  stop_sequences?: string[];
  tools?: Array<{ name: string; input_schema?: unknown }>;
  thinking?: { type?: string };
  stream?: boolean;
};

/** returns an error message when the body would be rejected by the real API */
export function validateAnthropicBody(body: Req, requireModel: boolean): string | undefined {
  if (requireModel && typeof body.model !== "string") return "model: Field required";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: Field required";
  if (typeof body.max_tokens !== "number") return "max_tokens: Field required";
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return "max_tokens: Input should be greater than or equal to 1";
  if (Array.isArray(body.system) && body.system.length === 0) return "system: List should have at least 1 item after validation";
  for (const m of body.messages as Array<{ role?: unknown; content?: unknown }>) {
    if (m.role !== "user" && m.role !== "assistant") return `messages: Unexpected role "${String(m.role)}"`;
    if (Array.isArray(m.content) && m.content.length === 0) return "messages: content must be non-empty";
  }
  return undefined;
}

function lastUser(body: Req): { text: string; isToolResult: boolean } {
  const messages = body.messages as Array<{ role: string; content: string | Block[] }>;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "user") continue;
    if (typeof m.content === "string") return { text: m.content, isToolResult: false };
    const isToolResult = m.content.some((b) => b.type === "tool_result");
    const text = m.content
      .filter((b) => b.type === "text")
      .map((b) => b.text)
      .join(" ");
    return { text, isToolResult };
  }
  return { text: "", isToolResult: false };
}

export function buildAnthropicReply(body: Req, opts: AnthropicMockOptions, model: string): AnthropicMockMessage {
  const { text: userText, isToolResult } = lastUser(body);
  const content: Block[] = [];
  let stopReason = "end_turn";
  let stopSequence: string | null = null;
  let outputTokens = 0;
  if (body.thinking?.type === "enabled") {
    content.push({ type: "thinking", thinking: "The user greets me; I should answer briefly.", signature: "sig_mock" });
    outputTokens += 9;
  }
  if (body.tools && body.tools.length > 0 && !isToolResult) {
    content.push({ type: "text", text: "Let me check." });
    for (const tool of body.tools.slice(0, 3)) {
      content.push({ type: "tool_use", id: nextId("toolu"), name: tool.name, input: sampleArguments(tool.input_schema) });
    }
    stopReason = "tool_use";
    outputTokens += 20;
  } else if (userText.includes("refuse")) {
    content.push({ type: "text", text: "I can't help with that." });
    stopReason = "refusal";
    outputTokens += 6;
  } else {
    let reply = isToolResult ? "Thanks, the tool results are in." : `Hello from mock Anthropic 👋 You said: ${userText}`;
    for (const s of body.stop_sequences ?? []) {
      const at = s ? reply.indexOf(s) : -1;
      if (at >= 0) {
        reply = reply.slice(0, at);
        stopReason = "stop_sequence";
        stopSequence = s;
        break;
      }
    }
    const words = tokenise(reply);
    const max = body.max_tokens as number;
    if (words.length > max) {
      reply = words.slice(0, max).join("");
      stopReason = "max_tokens";
      stopSequence = null;
    }
    content.push({ type: "text", text: reply });
    outputTokens += Math.min(words.length, max);
  }
  const prompt = JSON.stringify(body.messages) + (body.system ? JSON.stringify(body.system) : "");
  return {
    id: nextId("msg"),
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopSequence,
    usage: {
      input_tokens: Math.max(1, Math.ceil(prompt.length / 4)),
      output_tokens: outputTokens,
      cache_creation_input_tokens: opts.cacheCreationInputTokens ?? 0,
      cache_read_input_tokens: opts.cacheReadInputTokens ?? 0,
    },
  };
}

/** the real event sequence for a message, as SSE frames */
export function anthropicSseFrames(msg: AnthropicMockMessage, streamError?: string): string[] {
  const frames: string[] = [];
  frames.push(
    sseEvent("message_start", {
      type: "message_start",
      message: { ...msg, content: [], stop_reason: null, stop_sequence: null, usage: { ...msg.usage, output_tokens: 1 } },
    }),
  );
  if (streamError) {
    frames.push(sseEvent("error", anthropicErrorBody(streamError === "overloaded" ? 529 : 500)));
    return frames;
  }
  msg.content.forEach((block, index) => {
    if (block.type === "text") {
      frames.push(
        sseEvent("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }),
      );
      if (index === 0) frames.push(sseEvent("ping", { type: "ping" }));
      for (const piece of tokenise(block.text ?? "")) {
        frames.push(
          sseEvent("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }),
        );
      }
    } else if (block.type === "tool_use") {
      frames.push(
        sseEvent("content_block_start", {
          type: "content_block_start",
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
        }),
      );
      frames.push(
        sseEvent("content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: "" },
        }),
      );
      for (const piece of splitInto(JSON.stringify(block.input), 3)) {
        frames.push(
          sseEvent("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: piece },
          }),
        );
      }
    } else if (block.type === "thinking") {
      frames.push(
        sseEvent("content_block_start", {
          type: "content_block_start",
          index,
          content_block: { type: "thinking", thinking: "" },
        }),
      );
      for (const piece of tokenise(block.thinking ?? "")) {
        frames.push(
          sseEvent("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "thinking_delta", thinking: piece },
          }),
        );
      }
      frames.push(
        sseEvent("content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "signature_delta", signature: block.signature },
        }),
      );
    }
    frames.push(sseEvent("content_block_stop", { type: "content_block_stop", index }));
  });
  frames.push(
    sseEvent("message_delta", {
      type: "message_delta",
      delta: { stop_reason: msg.stop_reason, stop_sequence: msg.stop_sequence },
      usage: {
        input_tokens: msg.usage.input_tokens,
        output_tokens: msg.usage.output_tokens,
        cache_creation_input_tokens: msg.usage.cache_creation_input_tokens,
        cache_read_input_tokens: msg.usage.cache_read_input_tokens,
      },
    }),
  );
  frames.push(sseEvent("message_stop", { type: "message_stop" }));
  return frames;
}

function headerOf(ex: MockExchange, name: string): string | undefined {
  const v = ex.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** answers an already-authenticated Messages call (shared with the Vertex rawPredict mock) */
export async function answerMessages(
  ex: MockExchange,
  opts: AnthropicMockOptions,
  model: string,
  requireModel: boolean,
): Promise<void> {
  const body = ex.recorded.body as Req | undefined;
  if (typeof body !== "object" || body === null) {
    sendJson(ex.res, 400, anthropicErrorBody(400, "There was an error parsing the body of your request"));
    return;
  }
  const invalid = validateAnthropicBody(body, requireModel);
  if (invalid) {
    sendJson(ex.res, 400, anthropicErrorBody(400, invalid));
    return;
  }
  const msg = buildAnthropicReply(body, opts, model);
  if (body.stream) await writeSse(ex, anthropicSseFrames(msg, headerOf(ex, "x-mock-stream-error")));
  else sendJsonOrTruncate(ex, 200, msg);
}

export async function startAnthropicMock(opts: AnthropicMockOptions = {}): Promise<MockUpstream> {
  const models = opts.models ?? ["claude-sonnet-4-5", "claude-haiku-4-5"];
  return startMockServer({
    errorBody: (status) => anthropicErrorBody(status),
    notFoundBody: (path) => anthropicErrorBody(404, `Not found: ${path}`),
    async handle(ex) {
      const { method, path } = ex.recorded;
      if (path !== "/v1/messages" && path !== "/v1/models") return false;
      ex.res.setHeader("request-id", nextId("req"));
      const key = headerOf(ex, "x-api-key");
      if (!key || (opts.apiKey !== undefined && key !== opts.apiKey)) {
        sendJson(ex.res, 401, anthropicErrorBody(401));
        return true;
      }
      if (!headerOf(ex, "anthropic-version")) {
        sendJson(ex.res, 400, anthropicErrorBody(400, "anthropic-version: header is required"));
        return true;
      }
      if (path === "/v1/models" && method === "GET") {
        const data = models.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" }));
        sendJson(ex.res, 200, {
          data,
          has_more: false,
          first_id: data[0]?.id ?? null,
          last_id: data[data.length - 1]?.id ?? null,
        });
        return true;
      }
      if (path === "/v1/messages" && method === "POST") {
        const model = (ex.recorded.body as { model?: unknown } | undefined)?.model;
        await answerMessages(ex, opts, typeof model === "string" ? model : "claude", true);
        return true;
      }
      return false;
    },
  });
}
