// "Test connection" for one provider (POST /admin/providers/:id/test, the manager's button): the adapter's
// non-billing healthCheck request (GET /v1/models or the provider's equivalent) with the provider's resolved
// credentials, signed like a real call and sent on the same undici pool as the traffic. During a credential rotation
// a 401 is retried once with the previous credential, as requests are. The answer never contains a credential:
// upstream error text is cut short and any credential value in it is masked.

import type { ProviderEntry } from "../config/snapshot.ts";
import type { ProviderCredentials, TransformContext, UpstreamRequest } from "../providers/types.ts";
import type { UpstreamPools } from "./pools.ts";

export interface ConnectionTestResult {
  ok: boolean;
  /** the upstream's HTTP status; null when no answer came (unreachable, timeout, not usable) */
  status: number | null;
  latencyMs: number;
  message: string;
}

export interface ConnectionTestOptions {
  pools: UpstreamPools;
  /** a model the provider serves (some checks name one); default "" */
  model?: string;
  timeoutMs?: number;
  now?: () => number;
}

/** The previous credential, while its rotation grace period lasts. */
export function previousCredentialsFor(provider: ProviderEntry, now = Date.now()): ProviderCredentials | null {
  const prev = provider.previousCredentials;
  return prev && prev.expiresAt > now ? prev.credentials : null;
}

function mask(text: string, credentials: ProviderCredentials[]): string {
  let out = text;
  for (const c of credentials)
    for (const v of Object.values(c)) if (typeof v === "string" && v.length >= 4) out = out.split(v).join("***");
  return out;
}

function upstreamMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === "string") return j.error;
    if (j.error && typeof j.error.message === "string") return j.error.message;
    if (typeof j.message === "string") return j.message;
  } catch {
    // not JSON
  }
  return body.replace(/\s+/g, " ").trim();
}

async function send(provider: ProviderEntry, up: UpstreamRequest, o: ConnectionTestOptions) {
  const u = new URL(up.url);
  const pool = o.pools.get(u.origin, provider.connections);
  const timeout = o.timeoutMs ?? 10_000;
  const res = await pool.request({
    path: u.pathname + u.search,
    method: up.method,
    headers: up.headers,
    body: up.body,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    signal: AbortSignal.timeout(timeout),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

export async function testProviderConnection(provider: ProviderEntry, o: ConnectionTestOptions): Promise<ConnectionTestResult> {
  const now = o.now ?? Date.now;
  if (provider.unavailable) return { ok: false, status: null, latencyMs: 0, message: `Not usable: ${provider.unavailable}` };
  const adapter = provider.adapter;
  if (!adapter.healthCheck) {
    return {
      ok: false,
      status: null,
      latencyMs: 0,
      message: `${provider.kind} has no non-billing endpoint to test; send a request through a route instead.`,
    };
  }
  const previous = previousCredentialsFor(provider, now());
  const secrets = [provider.credentials, ...(previous ? [previous] : [])];
  const build = async (credentials: ProviderCredentials) => {
    const tctx: TransformContext = {
      baseUrl: provider.baseUrl,
      model: o.model ?? "",
      settings: provider.settings,
      credentials,
      requestId: `conntest_${provider.id}`,
      now: Math.floor(now() / 1000),
    };
    let up = adapter.healthCheck?.(tctx) as UpstreamRequest;
    if (adapter.sign) up = await adapter.sign(up, tctx);
    return up;
  };
  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  try {
    const up = await build(provider.credentials);
    const what = `${up.method} ${new URL(up.url).pathname}`;
    let res = await send(provider, up, o);
    let note = "";
    if (res.status === 401 && previous) {
      res = await send(provider, await build(previous), o);
      if (res.status >= 200 && res.status < 300)
        note = " with the previous credential only: the new one was refused (401) — check it before the grace period ends";
    }
    if (res.status >= 200 && res.status < 300) {
      return { ok: true, status: res.status, latencyMs: elapsed(), message: `Connected${note}: ${what} answered ${res.status}.` };
    }
    const said = mask(upstreamMessage(res.text), secrets).slice(0, 300);
    return {
      ok: false,
      status: res.status,
      latencyMs: elapsed(),
      message: `${what} answered ${res.status}${said ? `: ${said}` : ""}`,
    };
  } catch (err) {
    const e = err as Error & { code?: string };
    const reason = e.name === "TimeoutError" || e.code === "UND_ERR_HEADERS_TIMEOUT" ? "timed out" : (e.code ?? e.message);
    return { ok: false, status: null, latencyMs: elapsed(), message: mask(`Connection failed: ${reason}`, secrets) };
  }
}
