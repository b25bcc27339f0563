// Azure OpenAI: OpenAI's body, but per-deployment URLs with an api-version query and an `api-key` header (or an
// Entra ID access token as bearer). The deployment is settings.deployments[model], else the model itself.

import { MissingBaseUrlError } from "../openai-compatible/errors.ts";
import { createOpenAICompatibleAdapter, type UpstreamPath } from "../openai-compatible/factory.ts";
import type { ProviderAdapter, TransformContext } from "../types.ts";

/** the current GA data-plane inference version (has stream_options, max_completion_tokens, parallel_tool_calls) */
export const AZURE_DEFAULT_API_VERSION = "2024-10-21";

export function azureDeployment(ctx: TransformContext): string {
  const deployments = ctx.settings.deployments;
  if (typeof deployments === "object" && deployments !== null && !Array.isArray(deployments)) {
    const mapped = (deployments as Record<string, unknown>)[ctx.model];
    if (typeof mapped === "string" && mapped.length > 0) return mapped;
  }
  return ctx.model;
}

function apiVersion(ctx: TransformContext): string {
  const version = ctx.settings.apiVersion;
  return typeof version === "string" && version.length > 0 ? version : AZURE_DEFAULT_API_VERSION;
}

function azureUrl(path: UpstreamPath, ctx: TransformContext): string {
  const query = `?api-version=${encodeURIComponent(apiVersion(ctx))}`;
  if (path === "models") return `${ctx.baseUrl}/openai/models${query}`;
  return `${ctx.baseUrl}/openai/deployments/${encodeURIComponent(azureDeployment(ctx))}/${path}${query}`;
}

function azureAuth(ctx: TransformContext): Record<string, string> {
  if (ctx.credentials.apiKey) return { "api-key": ctx.credentials.apiKey };
  if (ctx.credentials.accessToken) return { authorization: `Bearer ${ctx.credentials.accessToken}` };
  return {};
}

export const adapter: ProviderAdapter = createOpenAICompatibleAdapter({
  kind: "azure",
  defaultBaseUrl() {
    throw new MissingBaseUrlError("azure", "your resource endpoint, e.g. https://my-resource.openai.azure.com");
  },
  auth: azureAuth,
  url: azureUrl,
});
