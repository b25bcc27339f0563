// A mock Cohere upstream speaking API v2:
//   POST /v2/chat  JSON, or SSE (`event: <type>` + `data: {...,"type":<type>}`): message-start, content-start,
//                  content-delta..., content-end; with tools: tool-plan-delta..., tool-call-start/-delta.../-end per
//                  call; then message-end {finish_reason, usage:{billed_units, tokens, cached_tokens}}
//   POST /v2/embed {embeddings:{float|base64}, meta.billed_units}
//   GET  /v1/models
// Bearer auth; validation errors answer 400 {id, message} like the real API; faults as in http-mock-kit.ts.

import {
  countWords,
  fakeEmbedding,
  float32Base64,
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

export type { Fault, MockStats, MockUpstream, RecordedRequest } from "./http-mock-kit.ts";

export interface CohereMockOptions {
  apiKey?: string;
  reply?: string;
  /** Cohere adds its own preamble tokens: tokens.input_tokens = billed input + this (default 64) */
  hiddenPromptTokens?: number;
  cachedTokens?: number;
  port?: number;
}

export const DEFAULT_COHERE_REPLY = "Bonjour from mock Cohere — naïve café ☕ ok.";

const CHAT_FIELDS = new Set([
  "model",
  "messages",
  "stream",
  "tools",
  "strict_tools",
  "documents",
  "citation_options",
  "response_format",
  "safety_mode",
  "max_tokens",
  "stop_sequences",
  "temperature",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "k",
  "p",
  "logprobs",
  "tool_choice",
  "thinking",
  "priority",
]);
const INPUT_TYPES = new Set(["search_document", "search_query", "classification", "clustering", "image"]);

let seq = 0;
const newId = () => `mock-${(++seq).toString(16).padStart(8, "0")}-cohere`;
const err = (message: string) => ({ id: newId(), message });

function range(b: Record<string, unknown>, field: string, min: number, max: number): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || v < min || v > max) return `invalid request: ${field} must be between ${min} and ${max}`;
  return undefined;
}

function validateChat(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "invalid request: body must be a JSON object";
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!CHAT_FIELDS.has(key)) return `invalid request: unknown field: parameter ${key} is not a valid field`;
  }
  if (typeof b.model !== "string" || b.model.length === 0) return "invalid request: model must be specified";
  if (!Array.isArray(b.messages) || b.messages.length === 0) return "invalid request: messages must not be empty";
  for (const m of b.messages) {
    const role = typeof m === "object" && m !== null ? (m as { role?: unknown }).role : undefined;
    if (role !== "system" && role !== "user" && role !== "assistant" && role !== "tool") {
      return `invalid request: message role must be one of system, user, assistant, tool; got ${String(role)}`;
    }
  }
  const problems = [
    range(b, "temperature", 0, 1),
    range(b, "p", 0.01, 0.99),
    range(b, "k", 0, 500),
    range(b, "frequency_penalty", 0, 1),
    range(b, "presence_penalty", 0, 1),
  ];
  for (const p of problems) if (p) return p;
  if (Array.isArray(b.stop_sequences) && b.stop_sequences.length > 5)
    return "invalid request: stop_sequences can have at most 5 items";
  if (b.tool_choice !== undefined && b.tool_choice !== "REQUIRED" && b.tool_choice !== "NONE") {
    return "invalid request: tool_choice must be one of REQUIRED, NONE";
  }
  return undefined;
}

function textOf(m: unknown): string {
  const content = typeof m === "object" && m !== null ? (m as { content?: unknown }).content : undefined;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p: unknown) =>
        typeof p === "object" && p !== null && typeof (p as { text?: unknown }).text === "string"
          ? (p as { text: string }).text
          : "",
      )
      .join(" ");
  }
  return "";
}

export async function startCohereMock(options: CohereMockOptions = {}): Promise<MockUpstream> {
  const apiKey = options.apiKey ?? "co-mock";
  const reply = options.reply ?? DEFAULT_COHERE_REPLY;
  const hidden = options.hiddenPromptTokens ?? 64;

  function usage(input: number, output: number) {
    const u: Record<string, unknown> = {
      billed_units: { input_tokens: input, output_tokens: output },
      tokens: { input_tokens: input + hidden, output_tokens: output },
    };
    if (options.cachedTokens !== undefined) u.cached_tokens = options.cachedTokens;
    return u;
  }

  function authorised(ex: MockExchange): boolean {
    const auth = ex.req.headers.authorization;
    if (auth === `Bearer ${apiKey}`) return true;
    sendJson(ex.res, 401, err(auth ? "invalid api token" : "no api key supplied"));
    return false;
  }

  async function chat(ex: MockExchange): Promise<void> {
    const problem = validateChat(ex.recorded.body);
    if (problem) return sendJson(ex.res, 400, err(problem));
    const b = ex.recorded.body as Record<string, unknown>;
    const messages = b.messages as unknown[];
    const input = messages.reduce<number>((n, m) => n + countWords(textOf(m)), 0);
    const last = messages[messages.length - 1] as { role?: unknown };
    const tools = Array.isArray(b.tools) ? b.tools : [];
    const id = newId();

    if (tools.length > 0 && b.tool_choice !== "NONE" && last.role !== "tool") {
      const plan = "I will call the tools.";
      const calls = tools.map((t: unknown, i: number) => {
        const fn = (t as { function?: { name?: unknown; parameters?: unknown } }).function ?? {};
        const name = String(fn.name ?? "fn");
        return {
          id: `${name}_mock${i}`,
          type: "function",
          function: { name, arguments: JSON.stringify(sampleArguments(fn.parameters)) },
        };
      });
      const output = 6 + 8 * calls.length;
      if (b.stream !== true) {
        return sendJsonOrTruncate(ex, 200, {
          id,
          message: { role: "assistant", tool_plan: plan, tool_calls: calls },
          finish_reason: "TOOL_CALL",
          usage: usage(input, output),
        });
      }
      const frames = [
        sseEvent("message-start", {
          id,
          type: "message-start",
          delta: { message: { role: "assistant", content: [], tool_plan: "", tool_calls: [], citations: [] } },
        }),
        ...tokenise(plan).map((piece) =>
          sseEvent("tool-plan-delta", { type: "tool-plan-delta", delta: { message: { tool_plan: piece } } }),
        ),
      ];
      calls.forEach((call, index) => {
        frames.push(
          sseEvent("tool-call-start", {
            type: "tool-call-start",
            index,
            delta: {
              message: { tool_calls: { id: call.id, type: "function", function: { name: call.function.name, arguments: "" } } },
            },
          }),
        );
        for (const part of splitInto(call.function.arguments, 3)) {
          frames.push(
            sseEvent("tool-call-delta", {
              type: "tool-call-delta",
              index,
              delta: { message: { tool_calls: { function: { arguments: part } } } },
            }),
          );
        }
        frames.push(sseEvent("tool-call-end", { type: "tool-call-end", index }));
      });
      frames.push(
        sseEvent("message-end", { type: "message-end", delta: { finish_reason: "TOOL_CALL", usage: usage(input, output) } }),
      );
      return writeSse(ex, frames);
    }

    let text = reply;
    let finish = "COMPLETE";
    if (Array.isArray(b.stop_sequences)) {
      for (const s of b.stop_sequences) {
        const at = typeof s === "string" ? text.indexOf(s) : -1;
        if (at >= 0) {
          text = text.slice(0, at);
          finish = "STOP_SEQUENCE";
        }
      }
    }
    let pieces = tokenise(text);
    if (typeof b.max_tokens === "number" && pieces.length > b.max_tokens) {
      pieces = pieces.slice(0, b.max_tokens);
      text = pieces.join("");
      finish = "MAX_TOKENS";
    }
    if (b.stream !== true) {
      return sendJsonOrTruncate(ex, 200, {
        id,
        message: { role: "assistant", content: [{ type: "text", text }] },
        finish_reason: finish,
        usage: usage(input, pieces.length),
      });
    }
    const frames = [
      sseEvent("message-start", {
        id,
        type: "message-start",
        delta: { message: { role: "assistant", content: [], tool_plan: "", tool_calls: [], citations: [] } },
      }),
      sseEvent("content-start", { type: "content-start", index: 0, delta: { message: { content: { type: "text", text: "" } } } }),
      ...pieces.map((piece) =>
        sseEvent("content-delta", { type: "content-delta", index: 0, delta: { message: { content: { text: piece } } } }),
      ),
      sseEvent("content-end", { type: "content-end", index: 0 }),
      sseEvent("message-end", { type: "message-end", delta: { finish_reason: finish, usage: usage(input, pieces.length) } }),
    ];
    return writeSse(ex, frames);
  }

  function embed(ex: MockExchange) {
    const b = ex.recorded.body;
    if (typeof b !== "object" || b === null) return sendJson(ex.res, 400, err("invalid request: body must be a JSON object"));
    const body = b as Record<string, unknown>;
    if (typeof body.model !== "string") return sendJson(ex.res, 400, err("invalid request: model must be specified"));
    if (typeof body.input_type !== "string" || !INPUT_TYPES.has(body.input_type)) {
      return sendJson(
        ex.res,
        400,
        err(
          "invalid request: input_type must be specified and one of search_document, search_query, classification, clustering, image",
        ),
      );
    }
    if (!Array.isArray(body.texts) || body.texts.length === 0)
      return sendJson(ex.res, 400, err("invalid request: texts must not be empty"));
    if (body.texts.length > 96) return sendJson(ex.res, 400, err("invalid request: texts can have at most 96 items"));
    const types = Array.isArray(body.embedding_types) ? body.embedding_types : ["float"];
    const dims = typeof body.output_dimension === "number" ? body.output_dimension : 8;
    const texts = body.texts.map(String);
    const vectors = texts.map((t) => fakeEmbedding(t, dims));
    const embeddings: Record<string, unknown> = {};
    if (types.includes("float")) embeddings.float = vectors;
    if (types.includes("base64")) embeddings.base64 = vectors.map(float32Base64);
    const tokens = texts.reduce((n, t) => n + countWords(t), 0);
    sendJsonOrTruncate(ex, 200, {
      id: newId(),
      embeddings,
      texts,
      meta: { api_version: { version: "2" }, billed_units: { input_tokens: tokens } },
      response_type: "embeddings_by_type",
    });
  }

  return startMockServer(
    {
      errorBody: (status) => {
        if (status === 429)
          return err(
            "You are using a Trial key, which is limited to 10 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'.",
          );
        if (status >= 500) return err("internal server error, this has been reported to our developers");
        return err(`mock failure ${status}`);
      },
      notFoundBody: (path) => err(`404 page not found: ${path}`),
      async handle(ex) {
        const { method, path } = ex.recorded;
        if (!authorised(ex)) return true;
        if (method === "POST" && path === "/v2/chat") await chat(ex);
        else if (method === "POST" && path === "/v2/embed") embed(ex);
        else if (method === "GET" && path === "/v1/models") {
          sendJson(ex.res, 200, {
            models: [
              { name: "command-a-03-2025", endpoints: ["chat"], context_length: 256000, features: ["tools", "json_mode"] },
              { name: "embed-v4.0", endpoints: ["embed"], context_length: 128000 },
            ],
            next_page_token: null,
          });
        } else return false;
        return true;
      },
    },
    { port: options.port },
  );
}
