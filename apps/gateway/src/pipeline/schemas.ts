// zod schemas of the canonical (OpenAI) requests. They check what the pipeline and the adapters rely on (types of
// the fields OpenAI defines) and let unknown fields through to the provider; ranges are the adapters' business
// (they refuse, never clamp). A failure is a 400 naming the parameter, OpenAI style.

import { z } from "zod";
import { GatewayError, paramPath } from "../lib/errors.ts";

const num = z.number().nullish();
const int = z.number().int().nullish();
const stop = z.union([z.string(), z.array(z.string())]).nullish();

const ContentPart = z.looseObject({ type: z.string() });
const ToolCall = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const Message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(ToolCall).nullish(),
  tool_call_id: z.string().optional(),
});

const StreamOptions = z.looseObject({ include_usage: z.boolean().optional() }).nullish();

export const ChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  stream: z.boolean().nullish(),
  stream_options: StreamOptions,
  max_tokens: int,
  max_completion_tokens: int,
  temperature: num,
  top_p: num,
  top_k: int,
  n: int,
  stop,
  presence_penalty: num,
  frequency_penalty: num,
  seed: int,
  user: z.string().optional(),
  tools: z.array(z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string().min(1) }).optional() })).optional(),
  tool_choice: z
    .union([
      z.enum(["none", "auto", "required"]),
      z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }).optional() }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: z.looseObject({ type: z.enum(["text", "json_object", "json_schema"]) }).optional(),
  logprobs: z.boolean().nullish(),
  top_logprobs: int,
});

export const CompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number()), z.array(z.array(z.number()))]),
  stream: z.boolean().nullish(),
  stream_options: StreamOptions,
  max_tokens: int,
  temperature: num,
  top_p: num,
  n: int,
  stop,
  seed: int,
});

export const EmbeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number()).min(1), z.array(z.array(z.number())).min(1)]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

function valueAt(body: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = body;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

export function validateRequest(schema: z.ZodType, body: unknown): void {
  const result = schema.safeParse(body);
  if (result.success) return;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  // unions report their own path; the deepest path is what the client needs to fix
  const path = issue.path;
  const param = paramPath(path);
  const missing = valueAt(body, path) === undefined;
  const message = missing
    ? `Missing required parameter: '${param}'.`
    : `Invalid value for '${param}': ${issue.message.replace(/^Invalid input: /, "")}.`;
  throw new GatewayError("invalid_request", message, { param });
}
