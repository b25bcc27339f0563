// OpenAI chat request -> Bedrock Converse request (POST /model/{modelId}/converse, /converse-stream).
// Reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
// Credentials are not added here: `sign()` (sign.ts) adds the SigV4 headers.

import {
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  type ToolChoice,
  type TransformContext,
  UnsupportedRequestError,
  type UpstreamRequest,
} from "../types.ts";

export const THINKING_BUDGETS = { low: 1024, medium: 8192, high: 24576 } as const;

export type BedrockImageFormat = "png" | "jpeg" | "gif" | "webp";

export type BedrockBlock =
  | { text: string }
  | { image: { format: BedrockImageFormat; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: Array<{ text: string }>; status?: "success" | "error" } };

export interface BedrockMessage {
  role: "user" | "assistant";
  content: BedrockBlock[];
}

export interface BedrockRequestBody {
  messages: BedrockMessage[];
  system?: Array<{ text: string }>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: {
    tools: Array<{ toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } } }>;
    toolChoice?: { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };
  };
  additionalModelRequestFields?: Record<string, unknown>;
}

export class BedrockConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BedrockConfigError";
  }
}

export function bedrockRegion(settings: Record<string, unknown>): string {
  const region = settings.region;
  if (typeof region !== "string" || region === "") throw new BedrockConfigError("bedrock provider settings need `region`");
  return region;
}

export function bedrockBaseUrl(settings: Record<string, unknown>): string {
  return `https://bedrock-runtime.${bedrockRegion(settings)}.amazonaws.com`;
}

/** model ids may be ARNs or contain ":" (anthropic.claude-3-haiku-20240307-v1:0): one encoded path segment */
export function modelPath(ctx: TransformContext): string {
  return `${ctx.baseUrl}/model/${encodeURIComponent(ctx.model)}`;
}

export function buildConverseBody(req: ChatRequest, ctx: TransformContext): BedrockRequestBody {
  rejectUnsupported(req);
  const system: Array<{ text: string }> = [];
  const messages: BedrockMessage[] = [];
  for (const m of req.messages) {
    switch (m.role) {
      case "system":
      case "developer":
        for (const text of textsOf(m)) if (text.length > 0) system.push({ text });
        break;
      case "user":
        append(messages, "user", userBlocks(m.content));
        break;
      case "assistant":
        append(messages, "assistant", assistantBlocks(m));
        break;
      case "tool": {
        if (!m.tool_call_id) throw new UnsupportedRequestError("tool messages need tool_call_id", "messages");
        append(messages, "user", [{ toolResult: { toolUseId: m.tool_call_id, content: [{ text: textsOf(m).join("") }] } }]);
        break;
      }
      default:
        throw new UnsupportedRequestError(`message role "${m.role}" is not supported by Bedrock`, "messages");
    }
  }

  const body: BedrockRequestBody = { messages };
  if (system.length > 0) body.system = system;

  const inference: NonNullable<BedrockRequestBody["inferenceConfig"]> = {};
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) inference.maxTokens = checkInteger(maxTokens, 1, Number.MAX_SAFE_INTEGER, "max_tokens");
  if (req.temperature != null) inference.temperature = checkNumber(req.temperature, 0, 1, "temperature");
  if (req.top_p != null) inference.topP = checkNumber(req.top_p, 0, 1, "top_p");
  if (req.stop != null) {
    const stops = typeof req.stop === "string" ? [req.stop] : req.stop;
    if (stops.length > 0) inference.stopSequences = stops;
  }
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  if (req.tools && req.tools.length > 0) {
    body.toolConfig = {
      tools: req.tools.map((t) => {
        if (t.type !== "function") throw new UnsupportedRequestError(`tool type "${t.type}" is not supported`, "tools");
        const spec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } } = {
          name: t.function.name,
          inputSchema: { json: t.function.parameters ?? { type: "object", properties: {} } },
        };
        if (t.function.description !== undefined) spec.description = t.function.description;
        return { toolSpec: spec };
      }),
    };
    if (req.tool_choice !== undefined) body.toolConfig.toolChoice = toolChoice(req.tool_choice);
  } else if (req.tool_choice !== undefined && req.tool_choice !== "none") {
    throw new UnsupportedRequestError("tool_choice given without tools", "tool_choice");
  }

  const extra: Record<string, unknown> = {};
  if (req.top_k != null) {
    const topK = checkInteger(req.top_k, 1, Number.MAX_SAFE_INTEGER, "top_k");
    if (isAnthropicModel(ctx.model)) extra.top_k = topK;
    else if (ctx.model.includes("amazon.nova")) extra.inferenceConfig = { topK };
    else throw new UnsupportedRequestError(`top_k is not supported for ${ctx.model} on Bedrock`, "top_k");
  }
  if (req.reasoning_effort != null && req.reasoning_effort !== "minimal") {
    if (!isAnthropicModel(ctx.model)) {
      throw new UnsupportedRequestError(`reasoning_effort is not supported for ${ctx.model} on Bedrock`, "reasoning_effort");
    }
    extra.thinking = { type: "enabled", budget_tokens: THINKING_BUDGETS[req.reasoning_effort] };
  }
  if (Object.keys(extra).length > 0) body.additionalModelRequestFields = extra;
  return body;
}

export function buildChatRequest(req: ChatRequest, ctx: TransformContext): UpstreamRequest {
  const body = buildConverseBody(req, ctx);
  return {
    method: "POST",
    url: `${modelPath(ctx)}/${req.stream ? "converse-stream" : "converse"}`,
    headers: {
      ...extraHeaders(ctx.settings),
      "content-type": "application/json",
      accept: req.stream ? "application/vnd.amazon.eventstream" : "application/json",
    },
    body: JSON.stringify(body),
  };
}

export function isAnthropicModel(model: string): boolean {
  return model.includes("anthropic.");
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
  if (req.n != null && req.n !== 1) throw new UnsupportedRequestError("Bedrock Converse returns one choice; n must be 1", "n");
  if (req.presence_penalty != null && req.presence_penalty !== 0) {
    throw new UnsupportedRequestError("presence_penalty is not supported by Bedrock Converse", "presence_penalty");
  }
  if (req.frequency_penalty != null && req.frequency_penalty !== 0) {
    throw new UnsupportedRequestError("frequency_penalty is not supported by Bedrock Converse", "frequency_penalty");
  }
  if (req.seed != null) throw new UnsupportedRequestError("seed is not supported by Bedrock Converse", "seed");
  if (req.logprobs) throw new UnsupportedRequestError("logprobs are not supported by Bedrock Converse", "logprobs");
  if (req.parallel_tool_calls === false) {
    throw new UnsupportedRequestError("Bedrock Converse cannot disable parallel tool calls", "parallel_tool_calls");
  }
  if (req.response_format && req.response_format.type !== "text") {
    throw new UnsupportedRequestError("response_format is not supported by Bedrock Converse", "response_format");
  }
}

/** Converse rejects two turns of the same role in a row: blocks of consecutive same-role messages are merged */
function append(messages: BedrockMessage[], role: "user" | "assistant", blocks: BedrockBlock[]): void {
  const last = messages[messages.length - 1];
  if (last && last.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

function textsOf(m: ChatMessage): string[] {
  if (m.content == null) return [];
  if (typeof m.content === "string") return [m.content];
  return m.content.map((p) => {
    if (p.type !== "text") throw new UnsupportedRequestError(`${m.role} messages may only contain text`, "messages");
    return (p as { text: string }).text;
  });
}

function userBlocks(content: ChatMessage["content"]): BedrockBlock[] {
  if (content == null) throw new UnsupportedRequestError("user message content is required", "messages");
  if (typeof content === "string") return [{ text: content }];
  return content.map(contentBlock);
}

function contentBlock(p: ContentPart): BedrockBlock {
  if (p.type === "text") return { text: (p as { text: string }).text };
  if (p.type === "image_url") return imageBlock((p as { image_url: { url: string } }).image_url.url);
  throw new UnsupportedRequestError(`content part type "${p.type}" is not supported by Bedrock`, "messages");
}

const FORMATS: Record<string, BedrockImageFormat> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/** only data: URLs: Converse takes image bytes (or S3 locations), never an http URL it would have to fetch */
export function imageBlock(url: string): BedrockBlock {
  if (!url.startsWith("data:")) {
    throw new UnsupportedRequestError("Bedrock only accepts images as base64 data: URLs, not http URLs", "messages");
  }
  const comma = url.indexOf(",");
  const meta = comma > 5 ? url.slice(5, comma) : "";
  if (!meta.endsWith(";base64")) throw new UnsupportedRequestError("image data URLs must be base64", "messages");
  const format = FORMATS[meta.slice(0, -7).toLowerCase()];
  if (!format) throw new UnsupportedRequestError("Bedrock images must be png, jpeg, gif or webp", "messages");
  // the JSON form of a Converse blob is its base64 text, which is what the data URL already holds
  return { image: { format, source: { bytes: url.slice(comma + 1) } } };
}

function assistantBlocks(m: ChatMessage): BedrockBlock[] {
  const blocks: BedrockBlock[] = [];
  for (const text of textsOf(m)) if (text.length > 0) blocks.push({ text });
  for (const call of m.tool_calls ?? []) {
    blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: parseArguments(call.function.arguments) } });
  }
  if (blocks.length === 0) throw new UnsupportedRequestError("assistant messages need content or tool_calls", "messages");
  return blocks;
}

function parseArguments(args: string): unknown {
  if (args.trim() === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    throw new UnsupportedRequestError("tool call arguments must be valid JSON", "messages");
  }
}

function toolChoice(choice: ToolChoice): NonNullable<BedrockRequestBody["toolConfig"]>["toolChoice"] {
  if (choice === "auto") return { auto: {} };
  if (choice === "required") return { any: {} };
  if (choice === "none")
    throw new UnsupportedRequestError('Bedrock Converse has no tool_choice "none"; omit the tools', "tool_choice");
  if (typeof choice === "object" && choice.type === "function") return { tool: { name: choice.function.name } };
  throw new UnsupportedRequestError("unknown tool_choice", "tool_choice");
}

function checkNumber(v: number, min: number, max: number, param: string): number {
  if (typeof v !== "number" || Number.isNaN(v) || v < min || v > max) {
    throw new UnsupportedRequestError(`${param} must be between ${min} and ${max} for Bedrock`, param);
  }
  return v;
}

function checkInteger(v: number, min: number, max: number, param: string): number {
  if (!Number.isInteger(v)) throw new UnsupportedRequestError(`${param} must be an integer`, param);
  return checkNumber(v, min, max, param);
}
