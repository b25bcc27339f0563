// `openai-compatible` kind: any server speaking OpenAI chat (vLLM, TGI, LM Studio, LiteLLM ...). The provider row must
// give the base URL (including /v1). settings.authHeader says where the key goes: "bearer" (default), "none", or a
// header name that carries the raw key (e.g. "x-api-key").

import type { ProviderAdapter, TransformContext } from "../types.ts";
import { MissingBaseUrlError } from "./errors.ts";
import { createOpenAICompatibleAdapter } from "./factory.ts";
import { bearerAuth } from "./util.ts";

export { MissingBaseUrlError, normaliseErrorBody } from "./errors.ts";
export { createOpenAICompatibleAdapter, type OpenAICompatibleOptions, type UpstreamPath } from "./factory.ts";

export function authFromSetting(ctx: TransformContext): Record<string, string> {
  const setting = ctx.settings.authHeader;
  const key = ctx.credentials.apiKey;
  if (setting === undefined || setting === "bearer" || typeof setting !== "string") return bearerAuth(ctx.credentials);
  if (setting === "none" || !key) return {};
  return { [setting.toLowerCase()]: key };
}

export const adapter: ProviderAdapter = createOpenAICompatibleAdapter({
  kind: "openai-compatible",
  defaultBaseUrl() {
    throw new MissingBaseUrlError("openai-compatible", "e.g. http://vllm.internal:8000/v1");
  },
  auth: authFromSetting,
  extraParams: ["top_k", "min_p", "repetition_penalty"],
  maxStop: 16,
});
