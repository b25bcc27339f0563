// OpenAI chat request -> Anthropic Messages API request (POST /v1/messages).
// Reference: https://docs.anthropic.com/en/api/messages

import {
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  type ToolChoice,
  type TransformContext,
  UnsupportedRequestError,
  type UpstreamRequest,
} from "../types.ts";

/** Anthropic requires max_tokens; used when the client sends neither max_tokens nor max_completion_tokens. */
export const DEFAULT_MAX_TOKENS = 4096;
export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";
/** thinking budgets for OpenAI `reasoning_effort` ("minimal" means no extended thinking) */
export const THINKING_BUDGETS = { low: 1024, medium: 8192, high: 24576 } as const;

export type AnthropicTextBlock = { type: "text"; text: string };
export type AnthropicImageBlock = {
  type: "image";
  source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };
};
export type AnthropicToolUseBlock = { type: "tool_use"; id: string; name: string; input: unknown };
export type AnthropicToolResultBlock = {
  type: "tool_result";
  tool_use_id: string;
  content: string | Array<AnthropicTextBlock | AnthropicImageBlock>;
};
export type AnthropicBlock = AnthropicTextBlock | AnthropicImageBlock | AnthropicToolUseBlock | AnthropicToolResultBlock;

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: string | AnthropicBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
}

export type AnthropicToolChoice =
  | { type: "auto" | "any" | "none"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean };

export interface AnthropicRequestBody {
  model?: string;
  anthropic_version?: string;
  max_tokens: number;
  system?: string | AnthropicTextBlock[];
  messages: AnthropicMessage[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stream?: boolean;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  metadata?: { user_id: string };
  thinking?: { type: "enabled"; budget_tokens: number };
  output_config?: { format: { type: "json_schema"; schema: Record<string, unknown> } };
}

export interface BuildBodyOptions {
  /** Vertex puts the model in the URL and wants `anthropic_version` in the body instead */
  includeModel: boolean;
  bodyVersion?: string;
}

/** Builds the Anthropic Messages body; shared by the anthropic and vertex (Claude on Vertex) adapters. */
export function buildAnthropicBody(req: ChatRequest, ctx: TransformContext, opts: BuildBodyOptions): AnthropicRequestBody {
  rejectUnsupported(req);

  const system: AnthropicTextBlock[] = [];
  const messages: AnthropicMessage[] = [];
  for (const m of req.messages) {
    switch (m.role) {
      case "system":
      case "developer":
        for (const text of textsOf(m, "messages")) system.push({ type: "text", text });
        break;
      case "user":
        messages.push({ role: "user", content: userContent(m.content) });
        break;
      case "assistant":
        messages.push(assistantMessage(m));
        break;
      case "tool":
        addToolResult(messages, m);
        break;
      default:
        throw new UnsupportedRequestError(`message role "${m.role}" is not supported by Anthropic`, "messages");
    }
  }

  const maxTokensRequested = req.max_completion_tokens ?? req.max_tokens ?? null;
  if (maxTokensRequested !== null) checkInteger(maxTokensRequested, 1, Number.MAX_SAFE_INTEGER, "max_tokens");

  const body: AnthropicRequestBody = {
    ...(opts.includeModel ? { model: ctx.model } : {}),
    ...(opts.bodyVersion ? { anthropic_version: opts.bodyVersion } : {}),
    max_tokens: maxTokensRequested ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system.length === 1) body.system = system[0]!.text;
  else if (system.length > 1) body.system = system;

  if (req.stop != null) {
    const stops = typeof req.stop === "string" ? [req.stop] : req.stop;
    if (stops.length > 0) body.stop_sequences = stops;
  }
  if (req.temperature != null) body.temperature = checkNumber(req.temperature, 0, 1, "temperature");
  if (req.top_p != null) body.top_p = checkNumber(req.top_p, 0, 1, "top_p");
  if (req.top_k != null) body.top_k = checkInteger(req.top_k, 1, Number.MAX_SAFE_INTEGER, "top_k");
  if (req.stream) body.stream = true;
  if (req.user) body.metadata = { user_id: req.user };

  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => {
      if (t.type !== "function") throw new UnsupportedRequestError(`tool type "${t.type}" is not supported`, "tools");
      const tool: AnthropicTool = {
        name: t.function.name,
        input_schema: t.function.parameters ?? { type: "object", properties: {} },
      };
      if (t.function.description !== undefined) tool.description = t.function.description;
      if (t.function.strict === true) tool.strict = true;
      return tool;
    });
  }
  const choice = toolChoice(req.tool_choice, req.parallel_tool_calls);
  if (choice) {
    if (!body.tools && choice.type !== "none")
      throw new UnsupportedRequestError("tool_choice given without tools", "tool_choice");
    body.tool_choice = choice;
  }

  if (req.response_format) {
    const rf = req.response_format;
    if (rf.type === "json_schema") {
      if (!rf.json_schema.schema) throw new UnsupportedRequestError("json_schema.schema is required", "response_format");
      body.output_config = { format: { type: "json_schema", schema: rf.json_schema.schema } };
    } else if (rf.type === "json_object") {
      throw new UnsupportedRequestError(
        "Anthropic has no schema-less JSON mode; use response_format json_schema",
        "response_format",
      );
    }
  }

  if (req.reasoning_effort != null && req.reasoning_effort !== "minimal") {
    const budget = THINKING_BUDGETS[req.reasoning_effort];
    body.thinking = { type: "enabled", budget_tokens: budget };
    if (maxTokensRequested === null) body.max_tokens = budget + DEFAULT_MAX_TOKENS;
    else if (maxTokensRequested <= budget) {
      throw new UnsupportedRequestError(
        `max_tokens must exceed the thinking budget (${budget}) for reasoning_effort "${req.reasoning_effort}"`,
        "max_tokens",
      );
    }
  }
  return body;
}

export function buildChatRequest(req: ChatRequest, ctx: TransformContext): UpstreamRequest {
  const body = buildAnthropicBody(req, ctx, { includeModel: true });
  return {
    method: "POST",
    url: `${ctx.baseUrl}/v1/messages`,
    headers: anthropicHeaders(ctx),
    body: JSON.stringify(body),
  };
}

export function anthropicHeaders(ctx: TransformContext): Record<string, string> {
  const version = typeof ctx.settings.anthropicVersion === "string" ? ctx.settings.anthropicVersion : DEFAULT_ANTHROPIC_VERSION;
  const headers: Record<string, string> = {
    ...extraHeaders(ctx.settings),
    "content-type": "application/json",
    "anthropic-version": version,
  };
  if (ctx.credentials.apiKey) headers["x-api-key"] = ctx.credentials.apiKey;
  return headers;
}

export function extraHeaders(settings: Record<string, unknown>): Record<string, string> {
  const h = settings.headers;
  if (!h || typeof h !== "object") return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === "string") out[k.toLowerCase()] = v;
  return out;
}

// ─── pieces ──────────────────────────────────────────────────────────────────────────────────────────────────────

function rejectUnsupported(req: ChatRequest): void {
  if (req.n != null && req.n !== 1) throw new UnsupportedRequestError("Anthropic returns one choice; n must be 1", "n");
  if (req.presence_penalty != null && req.presence_penalty !== 0) {
    throw new UnsupportedRequestError("presence_penalty is not supported by Anthropic", "presence_penalty");
  }
  if (req.frequency_penalty != null && req.frequency_penalty !== 0) {
    throw new UnsupportedRequestError("frequency_penalty is not supported by Anthropic", "frequency_penalty");
  }
  if (req.seed != null) throw new UnsupportedRequestError("seed is not supported by Anthropic", "seed");
  if (req.logprobs) throw new UnsupportedRequestError("logprobs are not supported by Anthropic", "logprobs");
}

function textsOf(m: ChatMessage, param: string): string[] {
  if (m.content == null) return [];
  if (typeof m.content === "string") return [m.content];
  return m.content.map((p) => {
    if (p.type !== "text") throw new UnsupportedRequestError(`${m.role} messages may only contain text`, param);
    return (p as { text: string }).text;
  });
}

function userContent(content: ChatMessage["content"]): string | AnthropicBlock[] {
  if (content == null) throw new UnsupportedRequestError("user message content is required", "messages");
  if (typeof content === "string") return content;
  return content.map(contentBlock);
}

function contentBlock(p: ContentPart): AnthropicTextBlock | AnthropicImageBlock {
  if (p.type === "text") return { type: "text", text: (p as { text: string }).text };
  if (p.type === "image_url") return imageBlock((p as { image_url: { url: string } }).image_url.url);
  throw new UnsupportedRequestError(`content part type "${p.type}" is not supported by Anthropic`, "messages");
}

/** `data:image/png;base64,...` -> base64 source; http(s) URL -> url source */
export function imageBlock(url: string): AnthropicImageBlock {
  if (url.startsWith("data:")) {
    const comma = url.indexOf(",");
    const meta = comma > 5 ? url.slice(5, comma) : "";
    if (!meta.endsWith(";base64")) throw new UnsupportedRequestError("image data URLs must be base64", "messages");
    return { type: "image", source: { type: "base64", media_type: meta.slice(0, -7), data: url.slice(comma + 1) } };
  }
  if (url.startsWith("https://") || url.startsWith("http://")) return { type: "image", source: { type: "url", url } };
  throw new UnsupportedRequestError("image_url must be a data: or http(s) URL", "messages");
}

function assistantMessage(m: ChatMessage): AnthropicMessage {
  const calls = m.tool_calls ?? [];
  if (calls.length === 0 && typeof m.content === "string") return { role: "assistant", content: m.content };
  const blocks: AnthropicBlock[] = [];
  for (const text of textsOf(m, "messages")) if (text.length > 0) blocks.push({ type: "text", text });
  for (const call of calls) {
    blocks.push({ type: "tool_use", id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
  }
  return { role: "assistant", content: blocks };
}

function parseArguments(args: string): unknown {
  if (args.trim() === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    throw new UnsupportedRequestError("tool call arguments must be valid JSON", "messages");
  }
}

/** tool results become tool_result blocks in a user turn; consecutive results share one user message */
function addToolResult(messages: AnthropicMessage[], m: ChatMessage): void {
  if (!m.tool_call_id) throw new UnsupportedRequestError("tool messages need tool_call_id", "messages");
  const content: AnthropicToolResultBlock["content"] =
    typeof m.content === "string" || m.content == null ? (m.content ?? "") : m.content.map(contentBlock);
  const block: AnthropicToolResultBlock = { type: "tool_result", tool_use_id: m.tool_call_id, content };
  const last = messages[messages.length - 1];
  if (last && last.role === "user" && Array.isArray(last.content) && last.content.every((b) => b.type === "tool_result")) {
    last.content.push(block);
  } else {
    messages.push({ role: "user", content: [block] });
  }
}

function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: "auto", ...disable } : undefined;
  if (choice === "auto") return { type: "auto", ...disable };
  if (choice === "required") return { type: "any", ...disable };
  if (choice === "none") return { type: "none" };
  if (typeof choice === "object" && choice.type === "function") return { type: "tool", name: choice.function.name, ...disable };
  throw new UnsupportedRequestError("unknown tool_choice", "tool_choice");
}

function checkNumber(v: number, min: number, max: number, param: string): number {
  if (typeof v !== "number" || Number.isNaN(v) || v < min || v > max) {
    throw new UnsupportedRequestError(`${param} must be between ${min} and ${max} for Anthropic`, param);
  }
  return v;
}

function checkInteger(v: number, min: number, max: number, param: string): number {
  if (!Number.isInteger(v)) throw new UnsupportedRequestError(`${param} must be an integer`, param);
  return checkNumber(v, min, max, param);
}
