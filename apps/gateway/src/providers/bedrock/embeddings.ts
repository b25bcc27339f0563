// OpenAI embeddings <-> Bedrock InvokeModel for embedding models:
//   amazon.titan-embed-text-v2:0  {inputText, dimensions?} -> {embedding, inputTextTokenCount}  (one text per call)
//   cohere.embed-*                {texts, input_type}       -> {embeddings: number[][]}          (no token count)

import {
  type EmbeddingsRequest,
  type EmbeddingsResponse,
  ProviderFormatError,
  type TransformContext,
  UnsupportedRequestError,
  type UpstreamRequest,
} from "../types.ts";
import { extraHeaders, modelPath } from "./request.ts";

const TITAN_V2_DIMENSIONS = new Set([256, 512, 1024]);

function strings(input: EmbeddingsRequest["input"]): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((x): x is string => typeof x === "string")) return input;
  throw new UnsupportedRequestError("input must be a string or a non-empty list of strings for Bedrock", "input");
}

export function buildEmbeddingsRequest(req: EmbeddingsRequest, ctx: TransformContext): UpstreamRequest {
  const texts = strings(req.input);
  let body: Record<string, unknown>;
  if (ctx.model.startsWith("amazon.titan-embed")) {
    if (texts.length !== 1) throw new UnsupportedRequestError("Titan embeddings take one input per request", "input");
    body = { inputText: texts[0] };
    if (req.dimensions !== undefined) {
      if (!TITAN_V2_DIMENSIONS.has(req.dimensions))
        throw new UnsupportedRequestError("Titan v2 dimensions must be 256, 512 or 1024", "dimensions");
      body.dimensions = req.dimensions;
    }
  } else if (ctx.model.startsWith("cohere.embed")) {
    if (req.dimensions !== undefined)
      throw new UnsupportedRequestError("dimensions is not supported for Cohere on Bedrock", "dimensions");
    body = { texts, input_type: "search_document" };
  } else {
    throw new UnsupportedRequestError(`embeddings are not supported for ${ctx.model} on Bedrock`, "model");
  }
  return {
    method: "POST",
    url: `${modelPath(ctx)}/invoke`,
    headers: { ...extraHeaders(ctx.settings), "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  };
}

export function parseEmbeddingsResponse(body: unknown, ctx: TransformContext): EmbeddingsResponse {
  const b = (typeof body === "object" && body !== null ? body : {}) as {
    embedding?: unknown;
    inputTextTokenCount?: unknown;
    embeddings?: unknown;
  };
  if (Array.isArray(b.embedding)) {
    const tokens = typeof b.inputTextTokenCount === "number" ? b.inputTextTokenCount : 0;
    return {
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: b.embedding as number[] }],
      model: ctx.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }
  if (Array.isArray(b.embeddings) && b.embeddings.every(Array.isArray)) {
    return {
      object: "list",
      data: (b.embeddings as number[][]).map((embedding, index) => ({ object: "embedding", index, embedding })),
      model: ctx.model,
      usage: { prompt_tokens: 0, total_tokens: 0 },
    };
  }
  throw new ProviderFormatError("bedrock", "embeddings response has neither embedding nor embeddings");
}
