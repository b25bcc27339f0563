// Pure retry / failover decisions: whether a failed attempt may go to another target (route criteria), how long to
// wait (full-jitter exponential backoff, `retry-after`), and how an outcome counts for the target's health.

import type { RouteRetry } from "@sluice/db/schemas";
import type { Rng } from "./types.ts";

/** What one attempt ended with, as the pipeline saw it. */
export type AttemptResult =
  | { kind: "ok"; status?: number }
  /** the upstream answered with an error status */
  | {
      kind: "http";
      status: number;
      /** from `retry-after-ms` / `retry-after` (see retryAfterFromHeaders) */
      retryAfterMs?: number;
      /**
       * whether a 400/401/403/404/413/422 is the client's own doing (default true). Pass false when the gateway
       * knows better, e.g. an upstream 401 for the provider credential the gateway holds: then it fails over when
       * the route lists that code.
       */
      clientFault?: boolean;
    }
  /** a per-attempt timeout fired; `connect` means the request never reached the upstream */
  | { kind: "timeout"; phase: "connect" | "first_byte" | "total" }
  /**
   * a network / protocol error (ECONNRESET, ECONNREFUSED, a malformed answer ...). `requestSent` false (refused,
   * DNS, TLS) makes it safe to retry any request; unknown counts as sent.
   */
  | { kind: "error"; code?: string; requestSent?: boolean }
  /** the client went away: no failover, no verdict on the target */
  | { kind: "aborted" };

export type AttemptKind = AttemptResult["kind"];

export interface FailoverDecision {
  failover: boolean;
  /**
   * why: `ok`, `aborted`, `client_error`, `stream_started`, `non_idempotent`, `not_configured`, or the matched
   * criterion (`http_429`, `http_5xx`, `http_<code>`, `timeout`, `error`)
   */
  reason: string;
  /** the stream already reached the client and the route opted into continuation: resume on the next target */
  continuation?: boolean;
}

export interface FailoverContext {
  /** bytes of a streamed answer already reached the client */
  streamStarted: boolean;
  /**
   * the request may safely run twice. LLM calls are POSTs and bill per call, so by default (false) an ambiguous
   * failure after the request was sent (a first-byte timeout, a reset mid-answer) fails over only when the route
   * lists `non_idempotent`, as nginx's proxy_next_upstream does.
   */
  idempotent?: boolean;
}

/** Statuses that are the client's own doing unless the pipeline says otherwise: never failed over. */
export const CLIENT_ERROR_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 413, 422]);

export type FailoverConfig = Pick<RouteRetry, "on" | "streamContinuation">;

function has(config: FailoverConfig, criterion: RouteRetry["on"][number]): boolean {
  return config.on.includes(criterion);
}

export function shouldFailover(result: AttemptResult, config: FailoverConfig, ctx: FailoverContext): FailoverDecision {
  let reason: string;
  let requestSent = true;
  switch (result.kind) {
    case "ok":
      return { failover: false, reason: "ok" };
    case "aborted":
      return { failover: false, reason: "aborted" };
    case "http": {
      const { status } = result;
      if (CLIENT_ERROR_STATUSES.has(status) && result.clientFault !== false) return { failover: false, reason: "client_error" };
      if (status === 429 && (has(config, "http_429") || has(config, 429))) reason = "http_429";
      else if (status >= 500 && status <= 599 && has(config, "http_5xx")) reason = "http_5xx";
      else if (has(config, status)) reason = `http_${status}`;
      else return { failover: false, reason: "not_configured" };
      // an explicit status answer: the upstream refused the work, re-sending cannot double it
      requestSent = false;
      break;
    }
    case "timeout":
      if (!has(config, "timeout")) return { failover: false, reason: "not_configured" };
      reason = "timeout";
      requestSent = result.phase !== "connect";
      break;
    case "error":
      if (!has(config, "error")) return { failover: false, reason: "not_configured" };
      reason = "error";
      requestSent = result.requestSent !== false;
      break;
  }
  if (requestSent && ctx.idempotent !== true && !has(config, "non_idempotent"))
    return { failover: false, reason: "non_idempotent" };
  if (ctx.streamStarted) {
    if (!config.streamContinuation) return { failover: false, reason: "stream_started" };
    return { failover: true, reason, continuation: true };
  }
  return { failover: true, reason };
}

/** How an outcome counts for the target's circuit breaker and passive health. */
export type HealthVerdict = "success" | "failure" | "neutral";

export function healthVerdict(result: AttemptResult): HealthVerdict {
  switch (result.kind) {
    case "ok":
      return "success";
    case "aborted":
      return "neutral";
    case "timeout":
    case "error":
      return "failure";
    case "http":
      if (result.status >= 500) return "failure";
      // a 429 that says when to come back is a cool-down, not a sick target
      if (result.status === 429) return result.retryAfterMs !== undefined ? "neutral" : "failure";
      // other 4xx: the target answered; the request was the problem
      return "success";
  }
}

/**
 * Full-jitter exponential backoff (AWS): uniform in [0, min(maxBackoffMs, backoffMs * 2^retryIndex)).
 * `retryIndex` 0 is the first retry.
 */
export function backoffDelayMs(retryIndex: number, config: Pick<RouteRetry, "backoffMs" | "maxBackoffMs">, rng: Rng): number {
  const ceiling = Math.min(config.maxBackoffMs, config.backoffMs * 2 ** Math.max(0, retryIndex));
  return Math.floor(rng() * ceiling);
}

/** `retry-after` as delta-seconds or an HTTP date -> milliseconds from now (never negative); undefined if absent/bad. */
export function parseRetryAfter(value: string | readonly string[] | undefined, nowMs: number): number | undefined {
  const v = (typeof value === "string" ? value : value?.[0])?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** `retry-after-ms` (OpenAI, Azure) wins over `retry-after`. Header names lower-case. */
export function retryAfterFromHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  nowMs: number,
): number | undefined {
  const ms = headers["retry-after-ms"];
  const msValue = (typeof ms === "string" ? ms : ms?.[0])?.trim();
  if (msValue && /^\d+(\.\d+)?$/.test(msValue)) return Math.round(Number(msValue));
  return parseRetryAfter(headers["retry-after"], nowMs);
}
