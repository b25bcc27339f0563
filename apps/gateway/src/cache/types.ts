// Shared types of the response cache: the stored entry, the backend contract, purge selectors and the metric hooks.

import type { Usage } from "../providers/types.ts";

export type CacheBackendKind = "redis" | "postgres" | "memory";

/** What the `x-sluice-cache` header says about a request. */
export type CacheStatus = "hit" | "semantic-hit" | "miss" | "bypass";

/**
 * One cached answer. `payload` is serialised exactly once, when the answer is recorded, and never re-parsed on a
 * plain hit: the pipeline splices a fresh id/created in front of it (see entry.ts).
 * - kind "response": the ChatResponse JSON without `id` and `created`.
 * - kind "stream": the ChatChunk JSON texts without `id` and `created`, one per line (JSON text has no raw newline);
 *   a usage-only chunk is kept behind a "U" prefix and replayed only to clients that ask for usage; `usage` holds
 *   the usage the stream reported either way.
 */
export interface CacheEntry {
  kind: "response" | "stream";
  routeId: string;
  partition: string;
  /** the model the answer names */
  model: string;
  /** the provider's usage of the original answer (for savedCost and the replayed usage chunk); null if none */
  usage: Usage | null;
  /** ms since epoch */
  createdAt: number;
  /** ms since epoch */
  expiresAt: number;
  payload: string;
}

/** The address of an entry: the partition and route stay readable so backends can purge by them. */
export interface CacheKey {
  routeId: string;
  partition: string;
  /** sha256 (hex) of the canonical request */
  hash: string;
  /** `partition`, `routeId` (URI-encoded) and `hash` joined by "|": unique, stable, no NUL */
  id: string;
}

/** Which entries a purge removes. `consumerId` / `teamId` name the partitions `c:<id>` / `t:<id>`. */
export type PurgeSelector =
  | { all: true }
  | { routeId?: string; partition?: string; consumerId?: string; teamId?: string; all?: false };

export interface CacheBackendStats {
  backend: CacheBackendKind;
  hits: number;
  misses: number;
  sets: number;
  errors: number;
  /** live entries / bytes where the backend knows them cheaply (memory always; postgres on request) */
  entries?: number;
  bytes?: number;
  evictions?: number;
}

export interface CacheBackend {
  readonly kind: CacheBackendKind;
  /** the entry under `key`, null when absent or expired (one round trip) */
  get(key: CacheKey): Promise<CacheEntry | null>;
  set(key: CacheKey, entry: CacheEntry, ttlMs: number): Promise<void>;
  /** removes the matching entries; returns how many */
  purge(selector: PurgeSelector): Promise<number>;
  stats(): Promise<CacheBackendStats>;
  close?(): Promise<void>;
}

/** Plain callbacks the pipeline maps to prom-client counters and to its log. All optional, none may throw. */
export interface CacheHooks {
  onLookup?(event: { backend: CacheBackendKind | "semantic"; routeId: string; status: CacheStatus }): void;
  onStore?(event: { backend: CacheBackendKind | "semantic"; routeId: string; bytes: number }): void;
  /** a stream recording was given up (too big, error, truncated) */
  onAbandon?(event: { routeId: string; reason: "too_large" | "error" | "incomplete" }): void;
  onError?(event: { backend: CacheBackendKind | "semantic" | "embed"; op: string; error: unknown }): void;
}

export type Now = () => number;
