// Retry timing for sink exports: exponential backoff with jitter, and `retry-after` (seconds or an HTTP date).

/** The delay before attempt `attempt + 1` (attempt counts from 1): base * 2^(attempt-1), capped, then jittered
 * into [delay/2, delay) so senders that failed together do not retry together. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(exp / 2 + random() * (exp / 2));
}

/** `retry-after` in ms, or null when absent or unreadable. Accepts delta-seconds and HTTP dates. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return null;
  const s = v.trim();
  if (s === "") return null;
  if (/^\d+(?:\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** Statuses worth another attempt: 408 and 429 (the endpoint asks us to come back), and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
