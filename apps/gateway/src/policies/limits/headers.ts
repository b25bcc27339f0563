// Rate-limit response headers in OpenAI's names: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the
// tightest request limit and the tightest token limit (the one with the fewest units left), reset as a duration
// ("20ms", "1s", "6m0s"); denials add `retry-after` (whole seconds, rounded up) and `retry-after-ms`.

import type { LimitResult } from "./types.ts";

/** OpenAI-style duration: "850ms", "1s", "6m0s", "1h0m5s". */
export function formatResetDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  let s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function tightest(results: readonly LimitResult[], token: boolean): LimitResult | null {
  let best: LimitResult | null = null;
  for (const r of results) {
    const isToken = r.metric === "tokens" || r.metric === "prompt_tokens" || r.metric === "completion_tokens";
    if (r.source !== "rate-limit" || (token ? !isToken : r.metric !== "requests")) continue;
    if (!best || r.remaining < best.remaining || (r.remaining === best.remaining && r.limit < best.limit)) best = r;
  }
  return best;
}

export function rateLimitHeaders(results: readonly LimitResult[], now: number): Record<string, string> {
  const out: Record<string, string> = {};
  const req = tightest(results, false);
  if (req) {
    out["x-ratelimit-limit-requests"] = String(req.limit);
    out["x-ratelimit-remaining-requests"] = String(req.remaining);
    if (req.resetAt !== null) out["x-ratelimit-reset-requests"] = formatResetDuration(req.resetAt - now);
  }
  const tok = tightest(results, true);
  if (tok) {
    out["x-ratelimit-limit-tokens"] = String(tok.limit);
    out["x-ratelimit-remaining-tokens"] = String(tok.remaining);
    if (tok.resetAt !== null) out["x-ratelimit-reset-tokens"] = formatResetDuration(tok.resetAt - now);
  }
  return out;
}

export function retryAfterHeaders(retryAfterMs: number): Record<string, string> {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  return { "retry-after": String(Math.ceil(ms / 1000)), "retry-after-ms": String(ms) };
}
