// OpenAI chat request -> Gemini generateContent request (AI Studio; Vertex reuses `buildGeminiBody`).
// Reference: https://ai.google.dev/api/generate-content

import type { ChatMessage, ChatRequest, ContentPart, ToolChoice, TransformContext, UpstreamRequest } from "../types.ts";
import { UnsupportedRequestError } from "../types.ts";
import { type GeminiSchema, toGeminiSchema } from "./schema.ts";

/** thinking budgets for OpenAI `reasoning_effort` (minimal = thinking off where the model allows it) */
export const THINKING_BUDGETS = { minimal: 0, low: 1024, medium: 8192, high: 24576 } as const;
export const MAX_STOP_SEQUENCES = 5;

export type GeminiPart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: unknown; id?: string } }
  | { functionResponse: { name: string; response: Record<string, unknown> } };

export interface GeminiContent {
  role: "user" | "model";
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: GeminiSchema;
  parametersJsonSchema?: Record<string, unknown>;
}

export interface GeminiGenerationConfig {
  stopSequences?: string[];
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  candidateCount?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  responseJsonSchema?: Record<string, unknown>;
  responseLogprobs?: boolean;
  logprobs?: number;
  thinkingConfig?: { thinkingBudget: number };
}

export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: GeminiFunctionDeclaration[] }>;
  toolConfig?: { functionCallingConfig: { mode: "AUTO" | "ANY" | "NONE"; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

export function buildGeminiBody(req: ChatRequest): GeminiRequestBody {
  const systemParts: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  /** tool_call_id -> function name: Gemini answers a function by name, OpenAI by call id */
  const callNames = new Map<string, string>();

  for (const m of req.messages) {
    switch (m.role) {
      case "system":
      case "developer":
        for (const text of textsOf(m)) systemParts.push({ text });
        break;
      case "user":
        contents.push({ role: "user", parts: userParts(m.content) });
        break;
      case "assistant":
        contents.push({ role: "model", parts: modelParts(m, callNames) });
        break;
      case "tool":
        addFunctionResponse(contents, m, callNames);
        break;
      default:
        throw new UnsupportedRequestError(`message role "${m.role}" is not supported by Gemini`, "messages");
    }
  }

  const body: GeminiRequestBody = { contents };
  if (systemParts.length > 0) body.systemInstruction = { parts: systemParts };

  if (req.tools && req.tools.length > 0) {
    body.tools = [{ functionDeclarations: req.tools.map(functionDeclaration) }];
  }
  if (req.tool_choice !== undefined) {
    if (!body.tools && req.tool_choice !== "none")
      throw new UnsupportedRequestError("tool_choice given without tools", "tool_choice");
    body.toolConfig = { functionCallingConfig: functionCallingConfig(req.tool_choice) };
  }
  if (req.parallel_tool_calls === false) {
    throw new UnsupportedRequestError("Gemini cannot disable parallel function calls", "parallel_tool_calls");
  }

  const gc = generationConfig(req);
  if (Object.keys(gc).length > 0) body.generationConfig = gc;
  return body;
}

export function stripModelsPrefix(model: string): string {
  return model.startsWith("models/") ? model.slice(7) : model;
}

export function buildChatRequest(req: ChatRequest, ctx: TransformContext): UpstreamRequest {
  const model = encodeURIComponent(stripModelsPrefix(ctx.model));
  const url = req.stream
    ? `${ctx.baseUrl}/v1beta/models/${model}:streamGenerateContent?alt=sse`
    : `${ctx.baseUrl}/v1beta/models/${model}:generateContent`;
  return { method: "POST", url, headers: geminiHeaders(ctx), body: JSON.stringify(buildGeminiBody(req)) };
}

export function geminiHeaders(ctx: TransformContext): Record<string, string> {
  const headers: Record<string, string> = { ...extraHeaders(ctx.settings), "content-type": "application/json" };
  // the key goes in a header, not `?key=`, so it never lands in URL logs
  if (ctx.credentials.apiKey) headers["x-goog-api-key"] = ctx.credentials.apiKey;
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

function textsOf(m: ChatMessage): string[] {
  if (m.content == null) return [];
  if (typeof m.content === "string") return [m.content];
  return m.content.map((p) => {
    if (p.type !== "text") throw new UnsupportedRequestError(`${m.role} messages may only contain text`, "messages");
    return (p as { text: string }).text;
  });
}

function userParts(content: ChatMessage["content"]): GeminiPart[] {
  if (content == null) throw new UnsupportedRequestError("user message content is required", "messages");
  if (typeof content === "string") return [{ text: content }];
  return content.map(contentPart);
}

function contentPart(p: ContentPart): GeminiPart {
  if (p.type === "text") return { text: (p as { text: string }).text };
  if (p.type === "image_url") return imagePart((p as { image_url: { url: string } }).image_url.url);
  throw new UnsupportedRequestError(`content part type "${p.type}" is not supported by Gemini`, "messages");
}

const IMAGE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
};

/** data: URL -> inlineData; http(s)/gs:// URL -> fileData (mime type from the file extension) */
export function imagePart(url: string): GeminiPart {
  if (url.startsWith("data:")) {
    const comma = url.indexOf(",");
    const meta = comma > 5 ? url.slice(5, comma) : "";
    if (!meta.endsWith(";base64")) throw new UnsupportedRequestError("image data URLs must be base64", "messages");
    return { inlineData: { mimeType: meta.slice(0, -7), data: url.slice(comma + 1) } };
  }
  if (url.startsWith("https://") || url.startsWith("http://") || url.startsWith("gs://")) {
    const path = url.split(/[?#]/, 1)[0]!;
    const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
    const mimeType = IMAGE_TYPES[ext];
    if (!mimeType) {
      throw new UnsupportedRequestError("cannot tell the image type from the URL; send a data: URL instead", "messages");
    }
    return { fileData: { mimeType, fileUri: url } };
  }
  throw new UnsupportedRequestError("image_url must be a data:, http(s) or gs:// URL", "messages");
}

function modelParts(m: ChatMessage, callNames: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  for (const text of textsOf(m)) if (text.length > 0) parts.push({ text });
  for (const call of m.tool_calls ?? []) {
    callNames.set(call.id, call.function.name);
    parts.push({ functionCall: { name: call.function.name, args: parseArguments(call.function.arguments) } });
  }
  if (parts.length === 0) parts.push({ text: "" });
  return parts;
}

function parseArguments(args: string): unknown {
  if (args.trim() === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    throw new UnsupportedRequestError("tool call arguments must be valid JSON", "messages");
  }
}

/** a tool message -> functionResponse part; consecutive tool messages share one user turn */
function addFunctionResponse(contents: GeminiContent[], m: ChatMessage, callNames: Map<string, string>): void {
  const name = (m.tool_call_id ? callNames.get(m.tool_call_id) : undefined) ?? m.name;
  if (!name) throw new UnsupportedRequestError("tool message does not answer a known tool call", "messages");
  const text = textsOf(m).join("");
  const part: GeminiPart = { functionResponse: { name, response: responseObject(text) } };
  const last = contents[contents.length - 1];
  if (last && last.role === "user" && last.parts.every((p) => "functionResponse" in p)) last.parts.push(part);
  else contents.push({ role: "user", parts: [part] });
}

/** Gemini wants a JSON object: a tool result that is one is sent as is, anything else as {content: text} */
function responseObject(text: string): Record<string, unknown> {
  const t = text.trimStart();
  if (t.startsWith("{")) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON after all
    }
  }
  return { content: text };
}

function functionDeclaration(t: NonNullable<ChatRequest["tools"]>[number]): GeminiFunctionDeclaration {
  if (t.type !== "function") throw new UnsupportedRequestError(`tool type "${t.type}" is not supported`, "tools");
  const decl: GeminiFunctionDeclaration = { name: t.function.name };
  if (t.function.description !== undefined) decl.description = t.function.description;
  const params = t.function.parameters;
  if (params && !isEmptyObjectSchema(params)) {
    const converted = toGeminiSchema(params);
    if (converted) decl.parameters = converted;
    else decl.parametersJsonSchema = params;
  }
  return decl;
}

/** Gemini rejects OBJECT schemas with no properties; a tool without parameters simply omits them */
function isEmptyObjectSchema(s: Record<string, unknown>): boolean {
  const props = s.properties;
  return (
    s.type === "object" &&
    (props === undefined || (typeof props === "object" && props !== null && Object.keys(props).length === 0))
  );
}

function functionCallingConfig(choice: ToolChoice): NonNullable<GeminiRequestBody["toolConfig"]>["functionCallingConfig"] {
  if (choice === "auto") return { mode: "AUTO" };
  if (choice === "required") return { mode: "ANY" };
  if (choice === "none") return { mode: "NONE" };
  if (typeof choice === "object" && choice.type === "function")
    return { mode: "ANY", allowedFunctionNames: [choice.function.name] };
  throw new UnsupportedRequestError("unknown tool_choice", "tool_choice");
}

function generationConfig(req: ChatRequest): GeminiGenerationConfig {
  const gc: GeminiGenerationConfig = {};
  if (req.stop != null) {
    const stops = typeof req.stop === "string" ? [req.stop] : req.stop;
    if (stops.length > MAX_STOP_SEQUENCES) {
      throw new UnsupportedRequestError(`Gemini accepts at most ${MAX_STOP_SEQUENCES} stop sequences`, "stop");
    }
    if (stops.length > 0) gc.stopSequences = stops;
  }
  if (req.temperature != null) gc.temperature = checkNumber(req.temperature, 0, 2, "temperature");
  if (req.top_p != null) gc.topP = checkNumber(req.top_p, 0, 1, "top_p");
  if (req.top_k != null) gc.topK = checkInteger(req.top_k, 1, Number.MAX_SAFE_INTEGER, "top_k");
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) gc.maxOutputTokens = checkInteger(maxTokens, 1, Number.MAX_SAFE_INTEGER, "max_tokens");
  if (req.n != null && req.n !== 1) gc.candidateCount = checkInteger(req.n, 1, 8, "n");
  if (req.presence_penalty != null) gc.presencePenalty = checkNumber(req.presence_penalty, -2, 2, "presence_penalty");
  if (req.frequency_penalty != null) gc.frequencyPenalty = checkNumber(req.frequency_penalty, -2, 2, "frequency_penalty");
  if (req.seed != null) gc.seed = checkInteger(req.seed, -2147483648, 2147483647, "seed");
  if (req.logprobs) {
    gc.responseLogprobs = true;
    if (req.top_logprobs != null) gc.logprobs = checkInteger(req.top_logprobs, 0, 20, "top_logprobs");
  }
  const rf = req.response_format;
  if (rf && rf.type === "json_object") gc.responseMimeType = "application/json";
  else if (rf && rf.type === "json_schema") {
    gc.responseMimeType = "application/json";
    const schema = rf.json_schema.schema;
    if (schema) {
      const converted = toGeminiSchema(schema);
      if (converted) gc.responseSchema = converted;
      else gc.responseJsonSchema = schema;
    }
  }
  if (req.reasoning_effort != null) gc.thinkingConfig = { thinkingBudget: THINKING_BUDGETS[req.reasoning_effort] };
  return gc;
}

function checkNumber(v: number, min: number, max: number, param: string): number {
  if (typeof v !== "number" || Number.isNaN(v) || v < min || v > max) {
    throw new UnsupportedRequestError(`${param} must be between ${min} and ${max} for Gemini`, param);
  }
  return v;
}

function checkInteger(v: number, min: number, max: number, param: string): number {
  if (!Number.isInteger(v)) throw new UnsupportedRequestError(`${param} must be an integer`, param);
  return checkNumber(v, min, max, param);
}
