// OpenAI embeddings <-> Gemini embedContent (one string) / batchEmbedContents (a list).
// Reference: https://ai.google.dev/api/embeddings. Gemini reports no token usage for embeddings, so usage is 0 and
// the pipeline's estimate applies.

import {
  type EmbeddingsRequest,
  type EmbeddingsResponse,
  ProviderFormatError,
  type TransformContext,
  UnsupportedRequestError,
  type UpstreamRequest,
} from "../types.ts";
import { geminiHeaders, stripModelsPrefix } from "./request.ts";

/** the strings of an OpenAI embeddings input; token-array inputs cannot be sent to Google */
export function inputStrings(input: EmbeddingsRequest["input"]): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.every((x): x is string => typeof x === "string")) {
    if (input.length === 0) throw new UnsupportedRequestError("input must not be empty", "input");
    return input;
  }
  throw new UnsupportedRequestError("token-array inputs are not supported by this provider; send strings", "input");
}

export function buildEmbeddingsRequest(req: EmbeddingsRequest, ctx: TransformContext): UpstreamRequest {
  const model = stripModelsPrefix(ctx.model);
  const texts = inputStrings(req.input);
  const dims = req.dimensions !== undefined ? { outputDimensionality: checkDimensions(req.dimensions) } : {};
  const base = `${ctx.baseUrl}/v1beta/models/${encodeURIComponent(model)}`;
  if (typeof req.input === "string") {
    return {
      method: "POST",
      url: `${base}:embedContent`,
      headers: geminiHeaders(ctx),
      body: JSON.stringify({ content: { parts: [{ text: texts[0] }] }, ...dims }),
    };
  }
  return {
    method: "POST",
    url: `${base}:batchEmbedContents`,
    headers: geminiHeaders(ctx),
    body: JSON.stringify({
      requests: texts.map((text) => ({ model: `models/${model}`, content: { parts: [{ text }] }, ...dims })),
    }),
  };
}

export function checkDimensions(d: number): number {
  if (!Number.isInteger(d) || d < 1) throw new UnsupportedRequestError("dimensions must be a positive integer", "dimensions");
  return d;
}

/** float vector -> base64 of little-endian float32, as OpenAI's encoding_format "base64" */
export function encodeEmbedding(values: number[], format: EmbeddingsRequest["encoding_format"]): number[] | string {
  if (format !== "base64") return values;
  return Buffer.from(new Float32Array(values).buffer).toString("base64");
}

function isVector(v: unknown): v is { values: number[] } {
  return typeof v === "object" && v !== null && Array.isArray((v as { values?: unknown }).values);
}

export function parseEmbeddingsResponse(body: unknown, ctx: TransformContext, req?: EmbeddingsRequest): EmbeddingsResponse {
  const b = (typeof body === "object" && body !== null ? body : {}) as { embedding?: unknown; embeddings?: unknown };
  let vectors: Array<{ values: number[] }>;
  if (isVector(b.embedding)) vectors = [b.embedding];
  else if (Array.isArray(b.embeddings) && b.embeddings.every(isVector)) vectors = b.embeddings;
  else throw new ProviderFormatError("gemini", "embeddings response has neither embedding nor embeddings");
  return {
    object: "list",
    data: vectors.map((v, index) => ({ object: "embedding", index, embedding: encodeEmbedding(v.values, req?.encoding_format) })),
    model: ctx.model,
    usage: { prompt_tokens: 0, total_tokens: 0 },
  };
}
