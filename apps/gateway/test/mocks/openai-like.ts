// A mock OpenAI-compatible upstream speaking the real wire format:
//   POST /v1/chat/completions (JSON, or SSE: role chunk, content chunks, tool-call chunks with indices, finish chunk,
//        a `choices: []` usage chunk only with stream_options.include_usage, then `data: [DONE]`)
//   POST /v1/completions, POST /v1/embeddings, GET /v1/models                         (Bearer auth)
//   Azure: POST /openai/deployments/{d}/{chat/completions|completions|embeddings}?api-version=..., GET /openai/models
//        (api-key header; prompt_filter_results chunk first, content_filter_results on choices)
// dialect "mistral" refuses unknown fields with a 422 and puts usage on the finish chunk; "ollama" needs no key.
// Replies are deterministic: the configured text, or tool calls (one per offered tool) when tools are offered and the
// last message is not a tool result. Tokens are whitespace pieces of the reply; max_tokens and stop cut it.

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
  sseData,
  startMockServer,
  tokenise,
  writeSse,
} from "./http-mock-kit.ts";

export type { Fault, MockStats, MockUpstream, RecordedRequest } from "./http-mock-kit.ts";

export interface OpenAILikeMockOptions {
  /** the key callers must present (Bearer, or api-key on Azure paths); default "sk-mock" */
  apiKey?: string;
  /** "openai" (default), "mistral" (strict fields, usage on the last chunk), "ollama" (no key needed) */
  dialect?: "openai" | "mistral" | "ollama";
  /** the assistant's text reply */
  reply?: string;
  /** known models; others get 404 model_not_found. Default: any model */
  models?: string[];
  /** Azure: deployment -> underlying model name (default: the deployment name); unknown deployments 404 */
  deployments?: Record<string, string>;
  /** Azure api-versions accepted (default: any YYYY-MM-DD[-preview]) */
  apiVersions?: string[];
  /** usage details reported */
  cachedTokens?: number;
  reasoningTokens?: number;
  port?: number;
}

export const DEFAULT_MOCK_REPLY = "Hello from the mock upstream — ünïcødé ✓ and an emoji 🚀 done.";
const CREATED = 1_700_000_000;

const OPENAI_CHAT_PARAMS = new Set([
  "messages",
  "model",
  "audio",
  "frequency_penalty",
  "function_call",
  "functions",
  "logit_bias",
  "logprobs",
  "max_completion_tokens",
  "max_tokens",
  "metadata",
  "modalities",
  "n",
  "parallel_tool_calls",
  "prediction",
  "presence_penalty",
  "prompt_cache_key",
  "reasoning_effort",
  "response_format",
  "safety_identifier",
  "seed",
  "service_tier",
  "stop",
  "store",
  "stream",
  "stream_options",
  "temperature",
  "tool_choice",
  "tools",
  "top_logprobs",
  "top_p",
  "user",
  "verbosity",
  "web_search_options",
]);
/** accepted by vLLM / llama.cpp / Ollama; OpenAI itself refuses them */
const LOCAL_EXTRA_PARAMS = ["top_k", "min_p", "repetition_penalty", "keep_alive", "options"];

const MISTRAL_CHAT_PARAMS = new Set([
  "model",
  "messages",
  "temperature",
  "top_p",
  "max_tokens",
  "stream",
  "stop",
  "random_seed",
  "response_format",
  "tools",
  "tool_choice",
  "presence_penalty",
  "frequency_penalty",
  "n",
  "prediction",
  "parallel_tool_calls",
  "prompt_mode",
  "safe_prompt",
]);

type Flavor = "openai" | "azure" | "mistral" | "ollama";

interface ValidationError {
  status: number;
  message: string;
  param: string | null;
  code: string | null;
}

function openaiError(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

function errorFor(flavor: Flavor, e: ValidationError): unknown {
  if (flavor === "mistral" && e.status === 422) {
    return {
      object: "error",
      message: { detail: [{ type: e.code ?? "value_error", loc: ["body", e.param ?? ""], msg: e.message, input: null }] },
      type: "invalid_request_message_error",
      param: null,
      code: null,
    };
  }
  if (flavor === "mistral")
    return { object: "error", message: e.message, type: "invalid_request_error", param: e.param, code: e.code };
  return openaiError(e.message, "invalid_request_error", e.param, e.code);
}

function statusError(status: number, flavor: Flavor): unknown {
  if (status === 429) {
    return openaiError(
      "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
      "requests",
      null,
      "rate_limit_exceeded",
    );
  }
  if (status === 401) return openaiError("Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");
  if (status >= 500) {
    if (flavor === "azure")
      return { error: { code: "InternalServerError", message: "The server had an error while processing your request." } };
    return openaiError("The server had an error while processing your request. Sorry about that!", "server_error");
  }
  return openaiError(`mock failure ${status}`, "invalid_request_error");
}

function numberCheck(body: Record<string, unknown>, param: string, min: number, max: number): ValidationError | undefined {
  const v = body[param];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number") {
    return {
      status: 400,
      message: `Invalid type for '${param}': expected a decimal, but got a ${typeof v} instead.`,
      param,
      code: "invalid_type",
    };
  }
  if (v > max) {
    return {
      status: 400,
      message: `Invalid '${param}': decimal above maximum value. Expected a value <= ${max}, but got ${v} instead.`,
      param,
      code: "decimal_above_max_value",
    };
  }
  if (v < min) {
    return {
      status: 400,
      message: `Invalid '${param}': decimal below minimum value. Expected a value >= ${min}, but got ${v} instead.`,
      param,
      code: "decimal_below_min_value",
    };
  }
  return undefined;
}

function validateChat(
  body: unknown,
  flavor: Flavor,
  models: Set<string> | undefined,
  modelRequired: boolean,
): ValidationError | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      status: 400,
      message:
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      param: null,
      code: null,
    };
  }
  const b = body as Record<string, unknown>;
  const allowed = flavor === "mistral" ? MISTRAL_CHAT_PARAMS : OPENAI_CHAT_PARAMS;
  for (const key of Object.keys(b)) {
    if (allowed.has(key)) continue;
    if (flavor === "ollama" && LOCAL_EXTRA_PARAMS.includes(key)) continue;
    if (flavor === "mistral")
      return { status: 422, message: "Extra inputs are not permitted", param: key, code: "extra_forbidden" };
    return { status: 400, message: `Unrecognized request argument supplied: ${key}`, param: null, code: null };
  }
  if (modelRequired && typeof b.model !== "string")
    return { status: 400, message: "you must provide a model parameter", param: null, code: null };
  if (models && typeof b.model === "string" && !models.has(b.model)) {
    return {
      status: 404,
      message: `The model \`${b.model}\` does not exist or you do not have access to it.`,
      param: null,
      code: "model_not_found",
    };
  }
  if (b.messages === undefined)
    return {
      status: 400,
      message: "Missing required parameter: 'messages'.",
      param: "messages",
      code: "missing_required_parameter",
    };
  if (!Array.isArray(b.messages))
    return { status: 400, message: "Invalid type for 'messages': expected an array.", param: "messages", code: "invalid_type" };
  if (b.messages.length === 0) {
    return {
      status: 400,
      message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: "messages",
      code: "empty_array",
    };
  }
  for (let i = 0; i < b.messages.length; i++) {
    const m: unknown = b.messages[i];
    const role = typeof m === "object" && m !== null ? (m as { role?: unknown }).role : undefined;
    if (!["system", "developer", "user", "assistant", "tool", "function"].includes(String(role))) {
      return {
        status: 400,
        message: `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        param: `messages[${i}].role`,
        code: "invalid_value",
      };
    }
  }
  const checks = [
    numberCheck(b, "temperature", 0, 2),
    numberCheck(b, "top_p", 0, 1),
    numberCheck(b, "presence_penalty", -2, 2),
    numberCheck(b, "frequency_penalty", -2, 2),
  ];
  for (const c of checks) if (c) return c;
  if (b.stream_options !== undefined && b.stream_options !== null && b.stream !== true && flavor !== "mistral") {
    return {
      status: 400,
      message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      param: "stream_options",
      code: null,
    };
  }
  if (Array.isArray(b.stop) && b.stop.length > 4 && (flavor === "openai" || flavor === "azure")) {
    return {
      status: 400,
      message: `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${b.stop.length} instead.`,
      param: "stop",
      code: "array_above_max_length",
    };
  }
  return undefined;
}

interface Plan {
  text: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finish: string;
  completionTokens: number;
  pieces: string[];
}

function messageText(m: unknown): string {
  if (typeof m !== "object" || m === null) return "";
  const content = (m as { content?: unknown }).content;
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

function promptTokens(messages: unknown[]): number {
  let n = 0;
  for (const m of messages) n += countWords(messageText(m)) + 4;
  return n;
}

function planReply(b: Record<string, unknown>, reply: string): Plan {
  const messages = b.messages as unknown[];
  const last = messages[messages.length - 1] as { role?: unknown } | undefined;
  const tools = Array.isArray(b.tools) ? b.tools : [];
  if (tools.length > 0 && b.tool_choice !== "none" && last?.role !== "tool") {
    const toolCalls = tools.map((t: unknown, i: number) => {
      const fn = (t as { function?: { name?: unknown; parameters?: unknown } }).function ?? {};
      return {
        id: `call_mock${i}${String(fn.name ?? "fn").slice(0, 8)}`,
        name: String(fn.name ?? "fn"),
        arguments: JSON.stringify(sampleArguments(fn.parameters)),
      };
    });
    const chosen = b.parallel_tool_calls === false ? toolCalls.slice(0, 1) : toolCalls;
    return { text: null, toolCalls: chosen, finish: "tool_calls", completionTokens: 9 * chosen.length, pieces: [] };
  }
  let text = reply;
  let finish = "stop";
  const stops =
    typeof b.stop === "string"
      ? [b.stop]
      : Array.isArray(b.stop)
        ? (b.stop as unknown[]).filter((s): s is string => typeof s === "string")
        : [];
  for (const s of stops) {
    const at = text.indexOf(s);
    if (at >= 0) text = text.slice(0, at);
  }
  let pieces = tokenise(text);
  const max =
    typeof b.max_completion_tokens === "number"
      ? b.max_completion_tokens
      : typeof b.max_tokens === "number"
        ? b.max_tokens
        : undefined;
  if (max !== undefined && pieces.length > max) {
    pieces = pieces.slice(0, max);
    text = pieces.join("");
    finish = "length";
  }
  return { text, toolCalls: [], finish, completionTokens: pieces.length, pieces };
}

export async function startOpenAILikeMock(options: OpenAILikeMockOptions = {}): Promise<MockUpstream> {
  const apiKey = options.apiKey ?? "sk-mock";
  const dialect = options.dialect ?? "openai";
  const reply = options.reply ?? DEFAULT_MOCK_REPLY;
  const models = options.models ? new Set(options.models) : undefined;
  let counter = 0;

  function usage(prompt: number, completion: number) {
    return {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: options.cachedTokens ?? 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: options.reasoningTokens ?? 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
  }

  function authorised(ex: MockExchange, flavor: Flavor): boolean {
    if (flavor === "ollama" && options.apiKey === undefined) return true;
    const headers = ex.req.headers;
    if (flavor === "azure") {
      if (headers["api-key"] === apiKey || headers.authorization === `Bearer ${apiKey}`) return true;
      sendJson(ex.res, 401, {
        error: {
          code: "401",
          message:
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
        },
      });
      return false;
    }
    const auth = headers.authorization;
    if (auth === `Bearer ${apiKey}`) return true;
    if (flavor === "mistral") {
      sendJson(ex.res, 401, { detail: "Unauthorized" });
      return false;
    }
    if (!auth) {
      sendJson(
        ex.res,
        401,
        openaiError(
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          "invalid_request_error",
        ),
      );
      return false;
    }
    sendJson(
      ex.res,
      401,
      openaiError(
        "Incorrect API key provided: " + auth.replace(/^Bearer\s+/, "").slice(0, 6) + "****.",
        "invalid_request_error",
        null,
        "invalid_api_key",
      ),
    );
    return false;
  }

  async function chat(ex: MockExchange, flavor: Flavor, azureModel?: string): Promise<void> {
    const invalid = validateChat(ex.recorded.body, flavor, flavor === "azure" ? undefined : models, flavor !== "azure");
    if (invalid) return sendJson(ex.res, invalid.status, errorFor(flavor, invalid));
    const b = ex.recorded.body as Record<string, unknown>;
    const model = azureModel ?? String(b.model);
    const plan = planReply(b, reply);
    const prompt = promptTokens(b.messages as unknown[]);
    const id = `chatcmpl-mock${++counter}`;
    const fingerprint = "fp_mock";
    const filter = {
      hate: { filtered: false, severity: "safe" },
      self_harm: { filtered: false, severity: "safe" },
      sexual: { filtered: false, severity: "safe" },
      violence: { filtered: false, severity: "safe" },
    };

    if (b.stream !== true) {
      const message: Record<string, unknown> = { role: "assistant", content: plan.text, refusal: null, annotations: [] };
      if (plan.toolCalls.length > 0) {
        message.tool_calls = plan.toolCalls.map((c) => ({
          id: c.id,
          type: "function",
          function: { name: c.name, arguments: c.arguments },
        }));
      }
      const choice: Record<string, unknown> = { index: 0, message, logprobs: null, finish_reason: plan.finish };
      if (flavor === "azure") choice.content_filter_results = filter;
      const body: Record<string, unknown> = {
        id,
        object: "chat.completion",
        created: CREATED,
        model,
        choices: [choice],
        usage:
          flavor === "mistral"
            ? { prompt_tokens: prompt, completion_tokens: plan.completionTokens, total_tokens: prompt + plan.completionTokens }
            : usage(prompt, plan.completionTokens),
        system_fingerprint: fingerprint,
      };
      if (flavor === "azure") body.prompt_filter_results = [{ prompt_index: 0, content_filter_results: filter }];
      return sendJsonOrTruncate(ex, 200, body);
    }

    const includeUsage =
      flavor !== "mistral" &&
      typeof b.stream_options === "object" &&
      b.stream_options !== null &&
      (b.stream_options as { include_usage?: unknown }).include_usage === true;
    const base = (choices: unknown[], extra: Record<string, unknown> = {}) => {
      const chunk: Record<string, unknown> = {
        id,
        object: "chat.completion.chunk",
        created: CREATED,
        model,
        system_fingerprint: fingerprint,
        choices,
        ...extra,
      };
      if (includeUsage && !("usage" in extra)) chunk.usage = null;
      return sseData(chunk);
    };
    const frames: string[] = [];
    if (flavor === "azure") {
      frames.push(
        sseData({
          choices: [],
          created: 0,
          id: "",
          model: "",
          object: "",
          prompt_filter_results: [{ prompt_index: 0, content_filter_results: filter }],
        }),
      );
    }
    frames.push(
      base([
        {
          index: 0,
          delta: { role: "assistant", content: plan.toolCalls.length > 0 ? null : "", refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ]),
    );
    for (const piece of plan.pieces)
      frames.push(base([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
    plan.toolCalls.forEach((call, index) => {
      frames.push(
        base([
          {
            index: 0,
            delta: { tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] },
            logprobs: null,
            finish_reason: null,
          },
        ]),
      );
      for (const part of splitInto(call.arguments, 3)) {
        frames.push(
          base([
            { index: 0, delta: { tool_calls: [{ index, function: { arguments: part } }] }, logprobs: null, finish_reason: null },
          ]),
        );
      }
    });
    const finishChoice: Record<string, unknown> = { index: 0, delta: {}, logprobs: null, finish_reason: plan.finish };
    if (flavor === "mistral") {
      frames.push(
        base([finishChoice], {
          usage: {
            prompt_tokens: prompt,
            completion_tokens: plan.completionTokens,
            total_tokens: prompt + plan.completionTokens,
          },
        }),
      );
    } else {
      frames.push(base([finishChoice]));
      if (includeUsage) frames.push(base([], { usage: usage(prompt, plan.completionTokens) }));
    }
    frames.push(sseData("[DONE]"));
    await writeSse(ex, frames);
  }

  async function completions(ex: MockExchange, flavor: Flavor, azureModel?: string): Promise<void> {
    const b = ex.recorded.body;
    if (typeof b !== "object" || b === null)
      return sendJson(ex.res, 400, openaiError("We could not parse the JSON body of your request.", "invalid_request_error"));
    const body = b as Record<string, unknown>;
    if (flavor !== "azure" && typeof body.model !== "string")
      return sendJson(ex.res, 400, openaiError("you must provide a model parameter", "invalid_request_error"));
    if (body.prompt === undefined)
      return sendJson(
        ex.res,
        400,
        openaiError("Missing required parameter: 'prompt'.", "invalid_request_error", "prompt", "missing_required_parameter"),
      );
    const model = azureModel ?? String(body.model);
    const promptText = Array.isArray(body.prompt) ? body.prompt.join(" ") : String(body.prompt);
    const plan = planReply({ ...body, messages: [{ role: "user", content: promptText }] }, reply);
    const prompt = countWords(promptText);
    const id = `cmpl-mock${++counter}`;
    if (body.stream !== true) {
      return sendJsonOrTruncate(ex, 200, {
        id,
        object: "text_completion",
        created: CREATED,
        model,
        choices: [{ text: plan.text ?? "", index: 0, logprobs: null, finish_reason: plan.finish }],
        usage: { prompt_tokens: prompt, completion_tokens: plan.completionTokens, total_tokens: prompt + plan.completionTokens },
      });
    }
    const includeUsage =
      typeof body.stream_options === "object" &&
      body.stream_options !== null &&
      (body.stream_options as { include_usage?: unknown }).include_usage === true;
    const frames = plan.pieces.map((piece) =>
      sseData({
        id,
        object: "text_completion",
        created: CREATED,
        model,
        choices: [{ text: piece, index: 0, logprobs: null, finish_reason: null }],
      }),
    );
    frames.push(
      sseData({
        id,
        object: "text_completion",
        created: CREATED,
        model,
        choices: [{ text: "", index: 0, logprobs: null, finish_reason: plan.finish }],
      }),
    );
    if (includeUsage) {
      frames.push(
        sseData({
          id,
          object: "text_completion",
          created: CREATED,
          model,
          choices: [],
          usage: {
            prompt_tokens: prompt,
            completion_tokens: plan.completionTokens,
            total_tokens: prompt + plan.completionTokens,
          },
        }),
      );
    }
    frames.push(sseData("[DONE]"));
    await writeSse(ex, frames);
  }

  function embeddings(ex: MockExchange, flavor: Flavor, azureModel?: string) {
    const b = ex.recorded.body;
    if (typeof b !== "object" || b === null)
      return sendJson(ex.res, 400, openaiError("We could not parse the JSON body of your request.", "invalid_request_error"));
    const body = b as Record<string, unknown>;
    if (flavor !== "azure" && typeof body.model !== "string")
      return sendJson(ex.res, 400, openaiError("you must provide a model parameter", "invalid_request_error"));
    const input = body.input;
    if (input === undefined || (Array.isArray(input) && input.length === 0) || input === "") {
      return sendJson(
        ex.res,
        400,
        openaiError(
          "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
          "invalid_request_error",
        ),
      );
    }
    const texts = Array.isArray(input) ? input.map((t) => (typeof t === "string" ? t : JSON.stringify(t))) : [String(input)];
    const dims =
      flavor === "mistral"
        ? typeof body.output_dimension === "number"
          ? body.output_dimension
          : 8
        : typeof body.dimensions === "number"
          ? body.dimensions
          : 8;
    const base64 = body.encoding_format === "base64";
    const tokens = texts.reduce((n, t) => n + countWords(t), 0);
    sendJsonOrTruncate(ex, 200, {
      object: "list",
      data: texts.map((t, index) => {
        const vector = fakeEmbedding(t, dims);
        return { object: "embedding", index, embedding: base64 ? float32Base64(vector) : vector };
      }),
      model: azureModel ?? String(body.model),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  function listModels(ex: MockExchange): void {
    const ids = options.models ?? ["gpt-4o-mini", "text-embedding-3-small"];
    sendJson(ex.res, 200, {
      object: "list",
      data: ids.map((id) => ({ id, object: "model", created: CREATED, owned_by: "mock" })),
    });
  }

  const flavorOf: Flavor = dialect === "mistral" ? "mistral" : dialect === "ollama" ? "ollama" : "openai";

  return startMockServer(
    {
      errorBody: (status) => statusError(status, flavorOf),
      notFoundBody: (path) => openaiError(`Invalid URL (POST ${path})`, "invalid_request_error"),
      async handle(ex) {
        const { method, path } = ex.recorded;
        const azure = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/.exec(path);
        if (azure || path === "/openai/models") {
          if (!authorised(ex, "azure")) return true;
          const version = ex.recorded.query["api-version"];
          if (
            !version ||
            (options.apiVersions ? !options.apiVersions.includes(version) : !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(version))
          ) {
            sendJson(ex.res, 404, { error: { code: "404", message: "Resource not found" } });
            return true;
          }
          if (path === "/openai/models") {
            sendJson(ex.res, 200, {
              object: "list",
              data: Object.values(options.deployments ?? { "gpt-4o": "gpt-4o" }).map((id) => ({
                id,
                object: "model",
                created_at: CREATED,
                status: "succeeded",
              })),
            });
            return true;
          }
          const deployment = decodeURIComponent(azure![1]!);
          const model = options.deployments ? options.deployments[deployment] : deployment;
          if (!model) {
            sendJson(ex.res, 404, {
              error: {
                code: "DeploymentNotFound",
                message:
                  "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
              },
            });
            return true;
          }
          if (method !== "POST") return false;
          if (azure![2] === "chat/completions") await chat(ex, "azure", model);
          else if (azure![2] === "completions") await completions(ex, "azure", model);
          else embeddings(ex, "azure", model);
          return true;
        }
        if (!path.startsWith("/v1/")) return false;
        if (!authorised(ex, flavorOf)) return true;
        if (method === "GET" && path === "/v1/models") {
          listModels(ex);
          return true;
        }
        if (method !== "POST") return false;
        if (path === "/v1/chat/completions") await chat(ex, flavorOf);
        else if (path === "/v1/completions" && flavorOf !== "mistral") await completions(ex, flavorOf);
        else if (path === "/v1/embeddings") embeddings(ex, flavorOf);
        else return false;
        return true;
      },
    },
    { port: options.port },
  );
}
