// Mock Google Gemini upstream: AI Studio (https://ai.google.dev/api/generate-content, /api/embeddings) and the
// Vertex AI paths (publishers/google generateContent / streamGenerateContent / predict, publishers/anthropic
// rawPredict / streamRawPredict answered by the Anthropic mock logic).
//
//   POST /v1beta/models/{model}:generateContent | :streamGenerateContent[?alt=sse] | :embedContent |
//        :batchEmbedContents | :countTokens            key in x-goog-api-key or ?key=
//   GET  /v1beta/models
//   POST /v1/projects/{p}/locations/{l}/publishers/google/models/{model}:<action>   Authorization: Bearer
//   POST /v1/projects/{p}/locations/{l}/publishers/anthropic/models/{model}:rawPredict | :streamRawPredict
//
// streamGenerateContent with alt=sse answers SSE; without it a JSON array written element by element.
// Behaviour: tools given and the last user turn is not a functionResponse -> one functionCall part per tool (up to
// 3), finishReason STOP; a last user text containing "unsafe" -> finishReason SAFETY with no content; otherwise
// "Hello from mock Gemini 👋 You said: <text>" cut at stopSequences (STOP) or maxOutputTokens words (MAX_TOKENS).
// thinkingConfig.thinkingBudget > 0 -> thoughtsTokenCount 12. cachedContentTokenCount from the start options.
// Extra fault: `x-mock-stream-error: 1` puts a Google error object in the stream after the first chunk.

import { type AnthropicMockOptions, answerMessages, anthropicErrorBody } from "./anthropic.ts";
import {
  fakeEmbedding,
  type MockExchange,
  type MockUpstream,
  sampleArguments,
  sendJson,
  sendJsonOrTruncate,
  sseData,
  startMockServer,
  tokenise,
  writeSse,
} from "./http-mock-kit.ts";

export interface GeminiMockOptions {
  /** when set, the AI Studio key must equal it */
  apiKey?: string;
  /** when set, the Vertex bearer token must equal it */
  accessToken?: string;
  cachedContentTokenCount?: number;
  embeddingDimensions?: number;
  anthropic?: AnthropicMockOptions;
}

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function googleErrorBody(status: number, message?: string): unknown {
  const name = STATUS_NAMES[status] ?? (status >= 500 ? "UNAVAILABLE" : "INVALID_ARGUMENT");
  return { error: { code: status, message: message ?? `mock ${name.toLowerCase().replaceAll("_", " ")}`, status: name } };
}

interface Part {
  text?: string;
  thought?: boolean;
  functionCall?: { name: string; args: unknown };
  functionResponse?: unknown;
}
interface Content {
  role?: string;
  parts?: Part[];
}
interface GenerateRequest {
  contents?: Content[];
  systemInstruction?: Content;
  tools?: Array<{ functionDeclarations?: Array<{ name: string; parameters?: unknown; parametersJsonSchema?: unknown }> }>;
  generationConfig?: { maxOutputTokens?: number; stopSequences?: string[]; thinkingConfig?: { thinkingBudget?: number } };
}

interface GenerateResult {
  parts: Part[];
  finishReason: string;
  usage: Record<string, number>;
}

function lastUser(body: GenerateRequest): { text: string; isFunctionResponse: boolean } {
  const contents = body.contents ?? [];
  for (let i = contents.length - 1; i >= 0; i--) {
    const c = contents[i]!;
    if (c.role !== undefined && c.role !== "user") continue;
    const parts = c.parts ?? [];
    return {
      text: parts
        .filter((p) => typeof p.text === "string")
        .map((p) => p.text)
        .join(" "),
      isFunctionResponse: parts.some((p) => p.functionResponse !== undefined),
    };
  }
  return { text: "", isFunctionResponse: false };
}

export function validateGenerateBody(body: GenerateRequest): string | undefined {
  if (!Array.isArray(body.contents) || body.contents.length === 0)
    return "* GenerateContentRequest.contents: contents is not specified";
  for (const c of body.contents) {
    if (c.role !== undefined && c.role !== "user" && c.role !== "model") return `Please use a valid role: user, model.`;
    if (!Array.isArray(c.parts) || c.parts.length === 0)
      return "* GenerateContentRequest.contents.parts: contents.parts must not be empty.";
  }
  return undefined;
}

function generate(body: GenerateRequest, opts: GeminiMockOptions): GenerateResult {
  const { text: userText, isFunctionResponse } = lastUser(body);
  const decls = (body.tools ?? []).flatMap((t) => t.functionDeclarations ?? []);
  const parts: Part[] = [];
  let finishReason = "STOP";
  let candidates = 0;
  if (decls.length > 0 && !isFunctionResponse) {
    for (const d of decls.slice(0, 3))
      parts.push({ functionCall: { name: d.name, args: sampleArguments(lower(d.parameters ?? d.parametersJsonSchema)) } });
    candidates = 10;
  } else if (userText.includes("unsafe")) {
    finishReason = "SAFETY";
  } else {
    let reply = isFunctionResponse ? "Thanks, the function results are in." : `Hello from mock Gemini 👋 You said: ${userText}`;
    for (const s of body.generationConfig?.stopSequences ?? []) {
      const at = s ? reply.indexOf(s) : -1;
      if (at >= 0) {
        reply = reply.slice(0, at);
        break;
      }
    }
    const words = tokenise(reply);
    const max = body.generationConfig?.maxOutputTokens;
    if (max !== undefined && words.length > max) {
      reply = words.slice(0, max).join("");
      finishReason = "MAX_TOKENS";
    }
    candidates = Math.min(words.length, max ?? words.length);
    parts.push({ text: reply });
  }
  const prompt = Math.max(
    1,
    Math.ceil((JSON.stringify(body.contents) + JSON.stringify(body.systemInstruction ?? "")).length / 4),
  );
  const thoughts = (body.generationConfig?.thinkingConfig?.thinkingBudget ?? 0) > 0 ? 12 : 0;
  const usage: Record<string, number> = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
  };
  if (opts.cachedContentTokenCount) usage.cachedContentTokenCount = Math.min(opts.cachedContentTokenCount, prompt);
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
  return { parts, finishReason, usage };
}

/** Gemini schemas use upper-case types; make them readable for sampleArguments */
function lower(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return schema;
  const s = schema as { type?: unknown; properties?: Record<string, unknown> };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.properties ?? {})) props[k] = lower(v);
  return { ...s, type: typeof s.type === "string" ? s.type.toLowerCase() : s.type, properties: props };
}

function fullResponse(result: GenerateResult, model: string, responseId: string): unknown {
  const candidate: Record<string, unknown> = { finishReason: result.finishReason, index: 0 };
  if (result.parts.length > 0) candidate.content = { role: "model", parts: result.parts };
  if (result.finishReason === "SAFETY") {
    candidate.safetyRatings = [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }];
  }
  return { candidates: [candidate], usageMetadata: result.usage, modelVersion: model, responseId };
}

/** the streamed pieces: text split in word pieces, function calls whole, finishReason + full usage on the last */
function streamPieces(result: GenerateResult, model: string, responseId: string): unknown[] {
  const pieces: unknown[] = [];
  const partial = { promptTokenCount: result.usage.promptTokenCount, totalTokenCount: result.usage.promptTokenCount };
  const texts: Part[] = [];
  for (const p of result.parts) {
    if (typeof p.text === "string") for (const w of tokenise(p.text)) texts.push({ text: w });
    else texts.push(p);
  }
  // two words per chunk, function calls each in their own chunk
  const groups: Part[][] = [];
  for (const p of texts) {
    const last = groups[groups.length - 1];
    if (last && p.text !== undefined && last.length < 2 && last[0]!.text !== undefined) last.push(p);
    else groups.push([p]);
  }
  if (groups.length === 0) groups.push([]);
  groups.forEach((parts, i) => {
    const isLast = i === groups.length - 1;
    const candidate: Record<string, unknown> = { index: 0 };
    if (parts.length > 0) candidate.content = { role: "model", parts };
    if (isLast) candidate.finishReason = result.finishReason;
    pieces.push({ candidates: [candidate], usageMetadata: isLast ? result.usage : partial, modelVersion: model, responseId });
  });
  return pieces;
}

async function writeJsonArray(ex: MockExchange, pieces: unknown[], streamError: boolean): Promise<void> {
  ex.stats.streams++;
  ex.res.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
  const elements = pieces.map((p) => JSON.stringify(p, null, 2));
  if (streamError) elements.splice(1, elements.length - 1, JSON.stringify(googleErrorBody(503, "The model is overloaded.")));
  const limit = ex.truncate ? Math.max(1, elements.length >> 1) : elements.length;
  for (let i = 0; i < limit; i++) {
    if (ex.res.destroyed) return;
    ex.res.write(`${i === 0 ? "[" : "\r\n,"}${elements[i]}`);
    if (ex.chunkDelayMs > 0) await new Promise((r) => setTimeout(r, ex.chunkDelayMs));
  }
  if (ex.truncate) {
    ex.stats.faults++;
    const next = elements[limit] ?? "{";
    ex.res.write(`\r\n,${next.slice(0, next.length >> 1)}`, () => ex.res.destroy());
    return;
  }
  ex.res.end("]");
}

let counter = 0;

async function answerGenerate(ex: MockExchange, opts: GeminiMockOptions, model: string, action: string): Promise<void> {
  const body = ex.recorded.body as GenerateRequest | undefined;
  if (typeof body !== "object" || body === null) {
    sendJson(ex.res, 400, googleErrorBody(400, "Invalid JSON payload received."));
    return;
  }
  const invalid = validateGenerateBody(body);
  if (invalid) {
    sendJson(ex.res, 400, googleErrorBody(400, invalid));
    return;
  }
  const result = generate(body, opts);
  const responseId = `resp-mock-${++counter}`;
  if (action === "generateContent") {
    sendJsonOrTruncate(ex, 200, fullResponse(result, model, responseId));
    return;
  }
  const pieces = streamPieces(result, model, responseId);
  const streamError = ex.req.headers["x-mock-stream-error"] !== undefined;
  if (ex.recorded.query.alt === "sse") {
    const frames = pieces.map((p) => sseData(p));
    if (streamError) frames.splice(1, frames.length - 1, sseData(googleErrorBody(503, "The model is overloaded.")));
    await writeSse(ex, frames);
  } else {
    await writeJsonArray(ex, pieces, streamError);
  }
}

function embedValues(text: string, dims: number | undefined, opts: GeminiMockOptions): number[] {
  return fakeEmbedding(text, dims ?? opts.embeddingDimensions ?? 768);
}

function partsText(content: Content | undefined): string {
  return (content?.parts ?? []).map((p) => p.text ?? "").join("");
}

export async function startGeminiMock(opts: GeminiMockOptions = {}): Promise<MockUpstream> {
  return startMockServer({
    errorBody: (status) => googleErrorBody(status),
    notFoundBody: (path) => googleErrorBody(404, `Requested entity was not found: ${path}`),
    async handle(ex) {
      const { method, path } = ex.recorded;
      const studio = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/.exec(path);
      const vertex =
        /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/.exec(path);
      if (path === "/v1beta/models" && method === "GET") {
        if (!studioKeyOk(ex, opts)) return true;
        sendJson(ex.res, 200, {
          models: [
            {
              name: "models/gemini-2.5-flash",
              displayName: "Gemini 2.5 Flash",
              supportedGenerationMethods: ["generateContent", "countTokens"],
            },
            {
              name: "models/text-embedding-004",
              displayName: "Text Embedding 004",
              supportedGenerationMethods: ["embedContent"],
            },
          ],
        });
        return true;
      }
      if (method !== "POST") return false;
      if (studio) {
        if (!studioKeyOk(ex, opts)) return true;
        const model = decodeURIComponent(studio[1]!);
        return answerAction(ex, opts, model, studio[2]!);
      }
      if (vertex) {
        const auth = ex.req.headers.authorization;
        const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
        if (!token || (opts.accessToken !== undefined && token !== opts.accessToken)) {
          sendJson(
            ex.res,
            401,
            googleErrorBody(401, "Request had invalid authentication credentials. Expected OAuth 2 access token."),
          );
          return true;
        }
        const model = decodeURIComponent(vertex[4]!);
        const action = vertex[5]!;
        if (vertex[3] === "anthropic") {
          if (action !== "rawPredict" && action !== "streamRawPredict") return false;
          const body = ex.recorded.body as { anthropic_version?: unknown; model?: unknown; stream?: unknown } | undefined;
          if (body?.anthropic_version !== "vertex-2023-10-16") {
            sendJson(ex.res, 400, anthropicErrorBody(400, "anthropic_version: vertex-2023-10-16 is required"));
            return true;
          }
          if (body.model !== undefined) {
            sendJson(ex.res, 400, anthropicErrorBody(400, "model: Extra inputs are not permitted"));
            return true;
          }
          if ((action === "streamRawPredict") !== (body.stream === true)) {
            sendJson(ex.res, 400, anthropicErrorBody(400, "stream must match the endpoint"));
            return true;
          }
          await answerMessages(ex, opts.anthropic ?? {}, model, false);
          return true;
        }
        if (action === "predict") {
          const body = ex.recorded.body as {
            instances?: Array<{ content?: string }>;
            parameters?: { outputDimensionality?: number };
          };
          const predictions = (body?.instances ?? []).map((inst) => ({
            embeddings: {
              values: embedValues(inst.content ?? "", body.parameters?.outputDimensionality, opts),
              statistics: { token_count: tokenise(inst.content ?? "").length, truncated: false },
            },
          }));
          sendJson(ex.res, 200, { predictions });
          return true;
        }
        return answerAction(ex, opts, model, action);
      }
      return false;
    },
  });
}

function studioKeyOk(ex: MockExchange, opts: GeminiMockOptions): boolean {
  const header = ex.req.headers["x-goog-api-key"];
  const key = (Array.isArray(header) ? header[0] : header) ?? ex.recorded.query.key;
  if (!key) {
    sendJson(
      ex.res,
      403,
      googleErrorBody(403, "Method doesn't allow unregistered callers (callers without established identity)."),
    );
    return false;
  }
  if (opts.apiKey !== undefined && key !== opts.apiKey) {
    sendJson(ex.res, 400, googleErrorBody(400, "API key not valid. Please pass a valid API key."));
    return false;
  }
  return true;
}

async function answerAction(ex: MockExchange, opts: GeminiMockOptions, model: string, action: string): Promise<boolean> {
  if (action === "generateContent" || action === "streamGenerateContent") {
    await answerGenerate(ex, opts, model, action);
    return true;
  }
  if (action === "countTokens") {
    const body = ex.recorded.body as GenerateRequest | undefined;
    sendJson(ex.res, 200, { totalTokens: Math.max(1, Math.ceil(JSON.stringify(body?.contents ?? []).length / 4)) });
    return true;
  }
  if (action === "embedContent") {
    const body = ex.recorded.body as { content?: Content; outputDimensionality?: number };
    if (!body?.content) {
      sendJson(ex.res, 400, googleErrorBody(400, "* EmbedContentRequest.content: content is not specified"));
      return true;
    }
    sendJson(ex.res, 200, { embedding: { values: embedValues(partsText(body.content), body.outputDimensionality, opts) } });
    return true;
  }
  if (action === "batchEmbedContents") {
    const body = ex.recorded.body as { requests?: Array<{ model?: string; content?: Content; outputDimensionality?: number }> };
    const requests = body?.requests ?? [];
    if (requests.some((r) => r.model !== `models/${model}`)) {
      sendJson(ex.res, 400, googleErrorBody(400, "* BatchEmbedContentsRequest.requests: model must match the URL model"));
      return true;
    }
    sendJson(ex.res, 200, {
      embeddings: requests.map((r) => ({ values: embedValues(partsText(r.content), r.outputDimensionality, opts) })),
    });
    return true;
  }
  return false;
}
