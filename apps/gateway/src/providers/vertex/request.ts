// Vertex AI: Gemini models through publishers/google (same body as AI Studio), Claude models through
// publishers/anthropic (:rawPredict / :streamRawPredict with the Anthropic Messages body, `model` moved to the URL
// and `anthropic_version: "vertex-2023-10-16"` in the body). Auth: `Authorization: Bearer <OAuth access token>`.
// References: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference,
// https://docs.anthropic.com/en/api/claude-on-vertex-ai

import { buildAnthropicBody } from "../anthropic/request.ts";
import { buildGeminiBody, extraHeaders, stripModelsPrefix } from "../gemini/request.ts";
import type { ChatRequest, TransformContext, UpstreamRequest } from "../types.ts";

export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

export function isClaude(model: string): boolean {
  return model.startsWith("claude");
}

export class VertexConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VertexConfigError";
  }
}

export function projectAndLocation(settings: Record<string, unknown>): { project: string; location: string } {
  const project = settings.project;
  const location = settings.location ?? settings.region;
  if (typeof project !== "string" || project === "") throw new VertexConfigError("vertex provider settings need `project`");
  if (typeof location !== "string" || location === "") throw new VertexConfigError("vertex provider settings need `location`");
  return { project, location };
}

export function vertexBaseUrl(settings: Record<string, unknown>): string {
  const location = settings.location ?? settings.region;
  if (typeof location !== "string" || location === "" || location === "global") return "https://aiplatform.googleapis.com";
  return `https://${location}-aiplatform.googleapis.com`;
}

/** .../v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model} */
export function modelUrl(ctx: TransformContext, publisher: "google" | "anthropic", model: string): string {
  const { project, location } = projectAndLocation(ctx.settings);
  return `${ctx.baseUrl}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/${publisher}/models/${encodeURIComponent(model)}`;
}

export function vertexHeaders(ctx: TransformContext): Record<string, string> {
  const headers: Record<string, string> = { ...extraHeaders(ctx.settings), "content-type": "application/json" };
  if (ctx.credentials.accessToken) headers.authorization = `Bearer ${ctx.credentials.accessToken}`;
  return headers;
}

export function buildChatRequest(req: ChatRequest, ctx: TransformContext): UpstreamRequest {
  if (isClaude(ctx.model)) {
    const body = buildAnthropicBody(req, ctx, { includeModel: false, bodyVersion: VERTEX_ANTHROPIC_VERSION });
    const action = req.stream ? "streamRawPredict" : "rawPredict";
    return {
      method: "POST",
      url: `${modelUrl(ctx, "anthropic", ctx.model)}:${action}`,
      headers: vertexHeaders(ctx),
      body: JSON.stringify(body),
    };
  }
  const model = stripModelsPrefix(ctx.model);
  const url = req.stream
    ? `${modelUrl(ctx, "google", model)}:streamGenerateContent?alt=sse`
    : `${modelUrl(ctx, "google", model)}:generateContent`;
  return { method: "POST", url, headers: vertexHeaders(ctx), body: JSON.stringify(buildGeminiBody(req)) };
}
