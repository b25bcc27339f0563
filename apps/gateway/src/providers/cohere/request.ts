// OpenAI chat request -> Cohere chat v2 (POST /v2/chat). v2 is close to OpenAI: system/user/assistant/tool roles,
// text and image_url parts, OpenAI-shaped tools and tool calls. What differs: top_p -> p (0.01..0.99), top_k -> k
// (0..500), stop -> stop_sequences (max 5), penalties only 0..1, tool_choice only NONE/REQUIRED, json_schema nested in
// a json_object response_format. Values Cohere cannot honour are refused, never clamped or dropped; only metadata
// (user, metadata, store, message names) is left out.

import { checkInteger, checkNumberRange, isSet, stopSequences, textOfContent } from "../openai-compatible/util.ts";
import type { ChatMessage, ChatRequest, ContentPart, ToolDefinition } from "../types.ts";
import { UnsupportedRequestError } from "../types.ts";

const HANDLED = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "n",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "logprobs",
  "user",
  "metadata",
  "store",
]);

function userContent(content: string | ContentPart[] | null, i: number): string | ContentPart[] {
  if (content === null) return "";
  if (typeof content === "string") return content;
  for (const part of content) {
    // Cohere v2 takes the same {type:"text"} and {type:"image_url", image_url:{url, detail}} parts as OpenAI
    if (part.type !== "text" && part.type !== "image_url") {
      throw new UnsupportedRequestError(`messages[${i}]: content part "${part.type}" is not supported by cohere`, "messages");
    }
  }
  return content;
}

function mapMessage(message: ChatMessage, i: number): Record<string, unknown> {
  const param = `messages[${i}]`;
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: textOfContent(message.content, param) };
    case "user":
      return { role: "user", content: userContent(message.content, i) };
    case "assistant": {
      const out: Record<string, unknown> = { role: "assistant" };
      const text = textOfContent(message.content, param);
      if (text.length > 0) out.content = text;
      if (message.tool_calls && message.tool_calls.length > 0) {
        out.tool_calls = message.tool_calls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.function.name, arguments: call.function.arguments },
        }));
      }
      return out;
    }
    case "tool":
      if (!message.tool_call_id) throw new UnsupportedRequestError(`${param}: tool messages need tool_call_id`, "messages");
      return { role: "tool", tool_call_id: message.tool_call_id, content: textOfContent(message.content, param) };
    default:
      throw new UnsupportedRequestError(`${param}: role "${message.role}" is not supported by cohere`, "messages");
  }
}

function mapTools(tools: ToolDefinition[]): { tools: unknown[]; strict: boolean } {
  let strictCount = 0;
  const out = tools.map((tool, i) => {
    if (tool.type !== "function") throw new UnsupportedRequestError(`tools[${i}]: only function tools are supported`, "tools");
    if (tool.function.strict === true) strictCount++;
    const fn: Record<string, unknown> = { name: tool.function.name };
    if (tool.function.description !== undefined) fn.description = tool.function.description;
    if (tool.function.parameters !== undefined) fn.parameters = tool.function.parameters;
    return { type: "function", function: fn };
  });
  if (strictCount > 0 && strictCount !== tools.length) {
    // Cohere's strict_tools applies to every tool; a mix cannot be expressed
    throw new UnsupportedRequestError("cohere applies strict to all tools or none; mark every tool strict or none", "tools");
  }
  return { tools: out, strict: strictCount > 0 };
}

export function buildCohereChatBody(req: ChatRequest, model: string): Record<string, unknown> {
  if (!Array.isArray(req.messages) || req.messages.length === 0) {
    throw new UnsupportedRequestError("messages must be a non-empty array", "messages");
  }
  for (const key of Object.keys(req)) {
    if (HANDLED.has(key)) continue;
    const value = req[key];
    if (value === null || value === undefined || value === false) continue;
    throw new UnsupportedRequestError(`${key} is not supported by cohere`, key);
  }
  checkNumberRange(req.temperature, 0, 2, "temperature");
  checkNumberRange(req.top_p, 0.01, 0.99, "top_p");
  checkInteger(req.top_k, 0, 500, "top_k");
  checkNumberRange(req.presence_penalty, 0, 1, "presence_penalty");
  checkNumberRange(req.frequency_penalty, 0, 1, "frequency_penalty");
  checkInteger(req.n, 1, 1, "n");
  checkInteger(req.max_tokens, 1, Number.MAX_SAFE_INTEGER, "max_tokens");
  checkInteger(req.max_completion_tokens, 1, Number.MAX_SAFE_INTEGER, "max_completion_tokens");
  checkInteger(req.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "seed");
  if (isSet(req.max_tokens) && isSet(req.max_completion_tokens) && req.max_tokens !== req.max_completion_tokens) {
    throw new UnsupportedRequestError("give either max_tokens or max_completion_tokens, not both", "max_completion_tokens");
  }
  if (req.parallel_tool_calls === false) {
    throw new UnsupportedRequestError("cohere cannot turn parallel tool calls off", "parallel_tool_calls");
  }

  const body: Record<string, unknown> = { model, messages: req.messages.map(mapMessage) };
  if (req.stream === true) body.stream = true;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (isSet(maxTokens)) body.max_tokens = maxTokens;
  const stop = stopSequences(req.stop, 5);
  if (stop) body.stop_sequences = stop;
  if (isSet(req.temperature)) body.temperature = req.temperature;
  if (isSet(req.seed)) body.seed = req.seed;
  if (isSet(req.frequency_penalty)) body.frequency_penalty = req.frequency_penalty;
  if (isSet(req.presence_penalty)) body.presence_penalty = req.presence_penalty;
  if (isSet(req.top_k)) body.k = req.top_k;
  if (isSet(req.top_p)) body.p = req.top_p;
  if (req.logprobs === true) body.logprobs = true;

  if (req.tools && req.tools.length > 0) {
    const mapped = mapTools(req.tools);
    body.tools = mapped.tools;
    if (mapped.strict) body.strict_tools = true;
  }
  const choice = req.tool_choice;
  if (choice !== undefined && choice !== null && choice !== "auto") {
    if (choice === "none") body.tool_choice = "NONE";
    else if (choice === "required") body.tool_choice = "REQUIRED";
    else throw new UnsupportedRequestError('cohere cannot force one named tool; use "required"', "tool_choice");
  }

  const format = req.response_format;
  if (format && format.type !== "text") {
    if (format.type === "json_object") body.response_format = { type: "json_object" };
    else if (format.type === "json_schema") {
      const schema = format.json_schema.schema;
      body.response_format = schema ? { type: "json_object", json_schema: schema } : { type: "json_object" };
    } else throw new UnsupportedRequestError("unknown response_format type", "response_format");
  }
  return body;
}
