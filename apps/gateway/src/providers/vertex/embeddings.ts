// OpenAI embeddings <-> Vertex text embeddings (publishers/google/models/{model}:predict).
// Request {instances:[{content}], parameters:{outputDimensionality}}; response
// {predictions:[{embeddings:{values, statistics:{token_count}}}]}; token counts summed into usage.

import { checkDimensions, encodeEmbedding, inputStrings } from "../gemini/embeddings.ts";
import { stripModelsPrefix } from "../gemini/request.ts";
import {
  type EmbeddingsRequest,
  type EmbeddingsResponse,
  ProviderFormatError,
  type TransformContext,
  type UpstreamRequest,
} from "../types.ts";
import { modelUrl, vertexHeaders } from "./request.ts";

export function buildEmbeddingsRequest(req: EmbeddingsRequest, ctx: TransformContext): UpstreamRequest {
  const texts = inputStrings(req.input);
  const body: { instances: Array<{ content: string }>; parameters?: { outputDimensionality: number } } = {
    instances: texts.map((content) => ({ content })),
  };
  if (req.dimensions !== undefined) body.parameters = { outputDimensionality: checkDimensions(req.dimensions) };
  return {
    method: "POST",
    url: `${modelUrl(ctx, "google", stripModelsPrefix(ctx.model))}:predict`,
    headers: vertexHeaders(ctx),
    body: JSON.stringify(body),
  };
}

interface Prediction {
  embeddings?: { values?: unknown; statistics?: { token_count?: number } };
}

export function parseEmbeddingsResponse(body: unknown, ctx: TransformContext, req?: EmbeddingsRequest): EmbeddingsResponse {
  const predictions = (body as { predictions?: unknown } | null)?.predictions;
  if (!Array.isArray(predictions)) throw new ProviderFormatError("vertex", "embeddings response has no predictions");
  let tokens = 0;
  const data = (predictions as Prediction[]).map((p, index) => {
    const values = p.embeddings?.values;
    if (!Array.isArray(values)) throw new ProviderFormatError("vertex", "prediction without embeddings.values");
    tokens += p.embeddings?.statistics?.token_count ?? 0;
    return { object: "embedding" as const, index, embedding: encodeEmbedding(values as number[], req?.encoding_format) };
  });
  return { object: "list", data, model: ctx.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
