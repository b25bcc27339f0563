// OpenAI embeddings <-> Cohere embed v2 (POST /v2/embed). input -> texts (at most 96), input_type defaults to
// search_document (a request may carry Cohere's `input_type`), dimensions -> output_dimension (embed-v4 sizes),
// encoding_format base64 -> embedding_types ["base64"] (little-endian float32, OpenAI's encoding).

import { asNumber, isRecord, isSet } from "../openai-compatible/util.ts";
import type { EmbeddingsRequest, EmbeddingsResponse, TransformContext } from "../types.ts";
import { ProviderFormatError, UnsupportedRequestError } from "../types.ts";

const INPUT_TYPES = new Set(["search_document", "search_query", "classification", "clustering"]);
const DIMENSIONS = new Set([256, 512, 1024, 1536]);
export const COHERE_MAX_TEXTS = 96;

export function buildCohereEmbedBody(req: EmbeddingsRequest, model: string): Record<string, unknown> {
  const input = req.input;
  const texts = typeof input === "string" ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === "string")) {
    throw new UnsupportedRequestError("cohere embeddings take a string or an array of strings (no token arrays)", "input");
  }
  if (texts.length > COHERE_MAX_TEXTS) {
    throw new UnsupportedRequestError(`cohere embeds at most ${COHERE_MAX_TEXTS} texts per request`, "input");
  }
  const extra: Record<string, unknown> = req as unknown as Record<string, unknown>;
  const inputType = extra.input_type ?? "search_document";
  if (typeof inputType !== "string" || !INPUT_TYPES.has(inputType)) {
    throw new UnsupportedRequestError(`input_type must be one of ${[...INPUT_TYPES].join(", ")}`, "input_type");
  }
  const body: Record<string, unknown> = {
    model,
    texts,
    input_type: inputType,
    embedding_types: [req.encoding_format === "base64" ? "base64" : "float"],
  };
  if (isSet(req.encoding_format) && req.encoding_format !== "float" && req.encoding_format !== "base64") {
    throw new UnsupportedRequestError("encoding_format must be float or base64", "encoding_format");
  }
  if (isSet(req.dimensions)) {
    if (!DIMENSIONS.has(req.dimensions)) {
      throw new UnsupportedRequestError("cohere output dimensions are 256, 512, 1024 or 1536", "dimensions");
    }
    body.output_dimension = req.dimensions;
  }
  return body;
}

export function parseCohereEmbedResponse(body: unknown, ctx: TransformContext): EmbeddingsResponse {
  if (!isRecord(body)) throw new ProviderFormatError("cohere", "embed response is not a JSON object");
  const embeddings = body.embeddings;
  // embeddings_by_type: {float: [[...]]} or {base64: ["..."]}; embeddings_floats (legacy): [[...]]
  let list: unknown;
  if (Array.isArray(embeddings)) list = embeddings;
  else if (isRecord(embeddings)) list = embeddings.float ?? embeddings.base64;
  if (!Array.isArray(list)) throw new ProviderFormatError("cohere", "embed response has no float or base64 embeddings");
  const data: EmbeddingsResponse["data"] = list.map((embedding: unknown, index: number) => {
    if (typeof embedding === "string") return { object: "embedding", index, embedding };
    if (Array.isArray(embedding) && embedding.every((v) => typeof v === "number")) {
      return { object: "embedding", index, embedding: embedding as number[] };
    }
    throw new ProviderFormatError("cohere", `embedding ${index} is neither numbers nor base64`);
  });
  const meta = isRecord(body.meta) ? body.meta : {};
  const billed = isRecord(meta.billed_units) ? meta.billed_units : {};
  const tokens = asNumber(billed.input_tokens) ?? 0;
  return { object: "list", data, model: ctx.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
