// HTTP edges of the cache: the client's Cache-Control directives and the `x-sluice-cache` response header.

import type { CacheStatus } from "./types.ts";

export const CACHE_HEADER = "x-sluice-cache";

export interface ClientCacheDirectives {
  /** skip the lookup (the answer is fetched fresh and still stored) */
  noCache: boolean;
  /** skip the lookup and do not store the answer */
  noStore: boolean;
}

type HeaderValue = string | string[] | undefined;

function directives(value: HeaderValue): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(",") : value;
  return text.split(",").map((d) => d.trim().toLowerCase().split("=")[0] ?? "");
}

/** Reads `cache-control` (and the HTTP/1.0 `pragma: no-cache`) from lower-case request headers. */
export function clientCacheDirectives(headers: Record<string, HeaderValue> | undefined): ClientCacheDirectives {
  if (!headers) return { noCache: false, noStore: false };
  const cc = directives(headers["cache-control"]);
  const noStore = cc.includes("no-store");
  const noCache = noStore || cc.includes("no-cache") || directives(headers.pragma).includes("no-cache");
  return { noCache, noStore };
}

/** The `x-sluice-cache` value for a lookup outcome. */
export function cacheHeaderValue(status: CacheStatus): CacheStatus {
  return status;
}

/** The usage event's `cacheStatus` (the database enum spells semantic hits with an underscore). */
export function usageCacheStatus(status: CacheStatus | null): "none" | "miss" | "hit" | "semantic_hit" | "bypass" {
  if (status === null) return "none";
  return status === "semantic-hit" ? "semantic_hit" : status;
}
