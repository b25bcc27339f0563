// One upstream call outside the client pipeline: cache warming / refresh-ahead fetch an answer for a stored request,
// and the semantic cache embeds prompts through its configured embeddings target. No policies, limits or usage
// event: these are the gateway's own calls. Same adapters and pools as the proxy.

import type { Snapshot, TargetEntry } from "../config/snapshot.ts";
import { renderTemplate } from "../lib/template.ts";
import type { ChatRequest, ChatResponse, TransformContext } from "../providers/types.ts";
import type { UpstreamPools } from "../upstream/pools.ts";

export class DirectCallError extends Error {
  override name = "DirectCallError";
}

const DEFAULT_TIMEOUT_MS = 60_000;

async function call(
  pools: UpstreamPools,
  target: TargetEntry,
  endpoint: "chat" | "embeddings",
  body: Record<string, unknown>,
  timeoutMs: number,
): Promise<unknown> {
  const provider = target.provider;
  if (provider.unavailable) throw new DirectCallError(`provider ${provider.name}: ${provider.unavailable}`);
  const transform = endpoint === "chat" ? provider.adapter.chat : provider.adapter.embeddings;
  if (!transform) throw new DirectCallError(`provider ${provider.name} does not serve ${endpoint}`);
  const model = renderTemplate(target.model, { headers: {}, uriCaptures: undefined, query: undefined });
  const tctx: TransformContext = {
    baseUrl: provider.baseUrl,
    model,
    settings: provider.settings,
    credentials: provider.credentials,
    requestId: "internal",
    now: Math.floor(Date.now() / 1000),
  };
  let up = transform.buildRequest({ ...body, model, stream: false } as never, tctx);
  if (target.headers) Object.assign(up.headers, target.headers);
  if (provider.adapter.sign) up = await provider.adapter.sign(up, tctx);
  const u = new URL(up.url);
  const pool = pools.get(u.origin, provider.connections);
  const res = await pool.request({
    path: u.pathname + u.search,
    method: up.method,
    headers: up.headers,
    body: up.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new DirectCallError(`${provider.name} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  return transform.parseResponse(JSON.parse(text), tctx);
}

/** A complete chat answer for `request` from the route's target serving its model (null when none does). */
export async function fetchChatAnswer(
  pools: UpstreamPools,
  snapshot: Snapshot,
  routeId: string,
  request: ChatRequest,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ChatResponse | null> {
  const route = snapshot.routesById.get(routeId);
  if (!route) return null;
  const list = route.byModel.get(request.model) ?? route.wildcard;
  const target = list[0];
  if (!target) return null;
  const { stream: _s, stream_options: _o, ...rest } = request;
  return (await call(pools, target, "chat", rest as Record<string, unknown>, timeoutMs)) as ChatResponse;
}

/** The semantic cache's EmbedFn: embeds through the target with id `embeddingsTargetId`. */
export async function embedTexts(
  pools: UpstreamPools,
  snapshot: Snapshot,
  embeddingsTargetId: string,
  texts: string[],
  timeoutMs = 5_000,
): Promise<number[][]> {
  let target: TargetEntry | undefined;
  for (const r of snapshot.routesById.values()) {
    target = r.targets.find((t) => t.id === embeddingsTargetId);
    if (target) break;
  }
  if (!target) throw new DirectCallError(`embeddings target ${embeddingsTargetId} is not in the config`);
  const out = (await call(pools, target, "embeddings", { input: texts, encoding_format: "float" }, timeoutMs)) as {
    data?: Array<{ index: number; embedding: number[] | string }>;
  };
  const data = [...(out.data ?? [])].sort((a, b) => a.index - b.index);
  return data.map((d) => (Array.isArray(d.embedding) ? d.embedding : []));
}
